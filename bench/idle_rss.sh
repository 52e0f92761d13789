#!/usr/bin/env bash
# Resident memory of each service when idle (target: < 50 MB each).
#   bench/idle_rss.sh [build-dir]
# Starts each binary on free loopback ports with a fresh store, waits for it
# to settle, reads VmRSS from /proc, and stops it. Then the KPI service with
# a Derby-sized authority loaded: a synthetic year of case events imported
# through the gateway, the service restarted (it loads its model at
# start-up) and left idle.
set -euo pipefail
BUILD=${1:-build}
DIR=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
report() { awk -v n="$1" -v kb="$2" 'BEGIN { printf "%-34s idle RSS %6.1f MB\n", n, kb / 1024 }'; }
rss_of() {  # name, command...
  local name=$1; shift
  "$@" >"$DIR/$name.log" 2>&1 &
  local pid=$!
  sleep 2
  local rss
  rss=$(rss_kb "$pid")
  kill -TERM "$pid"; wait "$pid" || true
  report "$name (fresh store)" "$rss"
}
TOKEN=$("$BUILD/tools/sgm" admin new-token)
printf '%s admin 831 bench\n' "$("$BUILD/tools/sgm" admin hash-token "$TOKEN")" >"$DIR/tokens.txt"
rss_of sgm-intake "$BUILD/services/intake/sgm-intake" --listen "127.0.0.1:$(free_port)" \
  --metrics "127.0.0.1:$(free_port)" --store_path "$DIR/intake.db" --redis ""
rss_of sgm-kpi "$BUILD/services/kpi/sgm-kpi" --listen "127.0.0.1:$(free_port)" \
  --metrics "127.0.0.1:$(free_port)" --store_path "$DIR/kpi-fresh.db" --redis ""
rss_of sgm-workforce "$BUILD/services/workforce/sgm-workforce" \
  --listen "127.0.0.1:$(free_port)" --metrics "127.0.0.1:$(free_port)" \
  --store_path "$DIR/workforce.db" --redis "" --kpi_address ""
rss_of sgm-gateway "$BUILD/services/gateway/sgm-gateway" --listen "127.0.0.1:$(free_port)" \
  --metrics "127.0.0.1:$(free_port)" --tokens_file "$DIR/tokens.txt"

# The KPI service with a Derby-sized authority (scale 1, 12 months).
KPI_PORT=$(free_port)
GATEWAY_PORT=$(free_port)
start_kpi() {
  "$BUILD/services/kpi/sgm-kpi" --listen "127.0.0.1:$KPI_PORT" \
    --metrics "127.0.0.1:$(free_port)" --store_path "$DIR/kpi.db" --redis "" \
    >>"$DIR/kpi.log" 2>&1 &
  kpi_pid=$!
  pids+=("$kpi_pid")
}
start_kpi
"$BUILD/services/gateway/sgm-gateway" --listen "127.0.0.1:$GATEWAY_PORT" \
  --metrics "127.0.0.1:$(free_port)" --tokens_file "$DIR/tokens.txt" \
  --kpi_address "127.0.0.1:$KPI_PORT" >"$DIR/gateway.log" 2>&1 &
pids+=($!)
"$BUILD/tools/sgm" synth events --out "$DIR" --seed 1 --start 2023-06 --months 12 >/dev/null
export SGM_GATEWAY="127.0.0.1:$GATEWAY_PORT" SGM_TOKEN="$TOKEN"
for _ in $(seq 1 100); do "$BUILD/tools/sgm" whoami >/dev/null 2>&1 && break; sleep 0.1; done
"$BUILD/tools/sgm" import events "$DIR/case-events.csv" >"$DIR/import.out" 2>&1 ||
  { cat "$DIR/import.out"; exit 1; }
head -1 "$DIR/import.out"
kill -TERM "$kpi_pid"; wait "$kpi_pid" || true
start_kpi
for _ in $(seq 1 300); do
  grep -q server_started "$DIR/kpi.log" 2>/dev/null && [ "$(grep -c server_started "$DIR/kpi.log")" -ge 2 ] && break
  sleep 0.1
done
sleep 2
report "sgm-kpi (Derby-sized model loaded)" "$(rss_kb "$kpi_pid")"
