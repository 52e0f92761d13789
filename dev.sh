#!/usr/bin/env bash
# safeguarding-monitor: the two things a developer or operator runs here.
#
#   ./dev.sh demo   install what is missing, build, start Redis and the five
#                   services (intake, KPI, workforce, QA, gateway) under
#                   ./var/, generate and load a synthetic authority's last
#                   months of contacts, decisions, case events, workforce
#                   and QA feeds, print the monthly report for the last
#                   full month and the dashboard URL, and keep serving
#                   until Ctrl-C (tools/demo.sh)
#   ./dev.sh test   install what is missing, build, check formatting and the
#                   protos (buf lint), run every test (ctest)
#
# Debian 12. Installs packages with apt (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
BUILD=${SGM_BUILD_DIR:-$ROOT/build}
JOBS=${SGM_JOBS:-$(nproc)}

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates tzdata
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libsqlite3-dev sqlite3 libspdlog-dev
  prometheus-cpp-dev libcpp-httplib-dev nlohmann-json3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev redis-server clang-format
  python3 python3-yaml nodejs npm chromium
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      # node and npm may come from elsewhere than Debian's packages.
      if { [ "$p" = nodejs ] && command -v node >/dev/null; } ||
         { [ "$p" = npm ] && command -v npm >/dev/null; }; then
        continue
      fi
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # buf, Chart.js and playwright-core, as package-lock.json pins them;
  # again whenever the lock file is newer than the installed tree.
  if [ ! -x node_modules/.bin/buf ] ||
     [ ! -f node_modules/chart.js/dist/chart.umd.js ] ||
     [ ! -d node_modules/playwright-core ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (buf, Chart.js, playwright-core)"
    npm install --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

build() {
  say "building in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
}

lint() {
  say "clang-format (Google style)"
  git ls-files -- '*.cc' '*.h' '*.proto' | xargs clang-format --dry-run --Werror
  say "buf lint"
  (cd protos && "$ROOT/node_modules/.bin/buf" lint)
}

run_tests() {
  say "ctest"
  ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 600
}

case "${1:-}" in
  test)
    ensure_packages
    build
    lint
    run_tests
    ;;
  demo)
    ensure_packages
    build
    exec tools/demo.sh "$BUILD"
    ;;
  *)
    echo "usage: ./dev.sh demo | test" >&2
    exit 2
    ;;
esac
