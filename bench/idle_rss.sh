#!/usr/bin/env bash
# Resident memory of each service when idle (target: < 50 MB each).
#   bench/idle_rss.sh [build-dir]
# Starts each binary on free loopback ports with a fresh store, waits for it
# to settle, reads VmRSS from /proc, and stops it.
set -euo pipefail
BUILD=${1:-build}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_of() {  # name, command...
  local name=$1; shift
  "$@" >"$DIR/$name.log" 2>&1 &
  local pid=$!
  sleep 2
  local rss
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  awk -v n="$name" -v kb="$rss" 'BEGIN { printf "%-12s idle RSS %6.1f MB\n", n, kb / 1024 }'
}
printf '%064d admin 831 bench\n' 0 >"$DIR/tokens.txt"
rss_of sgm-intake "$BUILD/services/intake/sgm-intake" --listen "127.0.0.1:$(free_port)" \
  --metrics "127.0.0.1:$(free_port)" --store_path "$DIR/intake.db" --redis ""
rss_of sgm-gateway "$BUILD/services/gateway/sgm-gateway" --listen "127.0.0.1:$(free_port)" \
  --metrics "127.0.0.1:$(free_port)" --tokens_file "$DIR/tokens.txt"
