#!/usr/bin/env bash
# The main job (./dev.sh demo): starts Redis and the services locally with
# their data under ./var/, generates a synthetic authority's last two years
# of contacts and decisions, imports them through the gateway, prints the
# front-door figures for the last full month, and serves until Ctrl-C.
#
# Ports (override with the environment): gateway 50051, intake 50052,
# Redis 6390, metrics 9460 (gateway) and 9462 (intake).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
VAR=${SGM_VAR_DIR:-./var}
GATEWAY_PORT=${SGM_DEMO_GATEWAY_PORT:-50051}
INTAKE_PORT=${SGM_DEMO_INTAKE_PORT:-50052}
REDIS_PORT=${SGM_DEMO_REDIS_PORT:-6390}
SGM="$BUILD/tools/sgm"

mkdir -p "$VAR"/{data,logs,redis,synth}
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped; data kept in $VAR/"
}
trap cleanup INT TERM EXIT

# Tokens: made once, kept in var/ (only their hashes go in the token table).
if [ ! -s "$VAR/admin.token" ]; then
  for role in admin analyst; do "$SGM" admin new-token >"$VAR/$role.token"; done
fi
ADMIN_TOKEN=$(cat "$VAR/admin.token")
{
  echo "# hash role authority caller [agency]"
  echo "$("$SGM" admin hash-token "$ADMIN_TOKEN") admin 831 demo-admin"
  echo "$("$SGM" admin hash-token "$(cat "$VAR/analyst.token")") analyst 831 demo-analyst"
} >"$VAR/tokens.txt"

echo "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$VAR/redis" \
  --save "" --appendonly no --loglevel warning >"$VAR/logs/redis.log" 2>&1 &
pids+=($!)
echo "starting sgm-intake on 127.0.0.1:$INTAKE_PORT"
"$BUILD/services/intake/sgm-intake" --listen "127.0.0.1:$INTAKE_PORT" \
  --store_path "$VAR/data/intake.db" --redis "127.0.0.1:$REDIS_PORT" \
  --metrics 127.0.0.1:9462 >"$VAR/logs/intake.log" 2>&1 &
pids+=($!)
echo "starting sgm-gateway on 127.0.0.1:$GATEWAY_PORT"
"$BUILD/services/gateway/sgm-gateway" --listen "127.0.0.1:$GATEWAY_PORT" \
  --tokens_file "$VAR/tokens.txt" --intake_address "127.0.0.1:$INTAKE_PORT" \
  --metrics 127.0.0.1:9460 >"$VAR/logs/gateway.log" 2>&1 &
pids+=($!)

export SGM_GATEWAY="127.0.0.1:$GATEWAY_PORT" SGM_TOKEN="$ADMIN_TOKEN"
for _ in $(seq 1 100); do
  "$SGM" whoami >/dev/null 2>&1 && break
  sleep 0.1
done
"$SGM" whoami

# The last 24 full months, so this year can be set beside last year.
LAST_MONTH=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
START=$(date -d "$(date +%Y-%m-01) -24 months" +%Y-%m)
echo "generating a synthetic authority (831): $START to $LAST_MONTH"
rm -rf "$VAR/synth" && mkdir -p "$VAR/synth"
"$SGM" synth contacts --out "$VAR/synth" --seed 1 --start "$START" --months 24

for f in "$VAR"/synth/contacts-*.csv; do
  agency=$(basename "$f" .csv); agency=${agency#contacts-}
  echo "importing $f (agency $agency)"
  "$SGM" import contacts "$f" --agency "$agency"
done
echo "importing $VAR/synth/decisions.csv"
"$SGM" import decisions "$VAR/synth/decisions.csv"

echo
"$SGM" intake stats --month "$LAST_MONTH"
cat <<MSG

The suite is serving:
  gateway (gRPC)      127.0.0.1:$GATEWAY_PORT   token: $VAR/admin.token
  metrics             http://127.0.0.1:9460/metrics (gateway), :9462 (intake)
  logs                $VAR/logs/
Try:  SGM_GATEWAY=127.0.0.1:$GATEWAY_PORT SGM_TOKEN=\$(cat $VAR/admin.token) $SGM intake stats --json
Ctrl-C stops everything.
MSG
wait
