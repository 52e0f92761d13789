#!/usr/bin/env bash
# The main job (./dev.sh demo): starts Redis and the services (KPI,
# workforce, QA, intake, gateway) locally with their data under ./var/,
# generates a synthetic authority's last two years of contacts and
# decisions, of case events (referrals, assessments, plans, care episodes,
# visits, reviews, allocations), of its workforce (staff, absences,
# establishment) and of its quality assurance (themes, audits, feedback,
# actions), imports them through the gateway, prints the last full month's
# quality-assurance summary and "Monitoring Safeguarding Practice" report
# (front door, the eight indicators, case status, quality assurance,
# workforce, practice insight, what changed), writes it as HTML with
# charts, and serves the dashboard until Ctrl-C (SGM_DEMO_SERVE=0: stops
# everything once the report is written, as tests/tools/demo_test.py runs
# it). Each phase prints how long it took.
#
# Ports (override with the environment): gateway 50051
# (SGM_DEMO_GATEWAY_PORT), dashboard 8080 (SGM_DEMO_HTTP_PORT), intake
# 50052 (SGM_DEMO_INTAKE_PORT), KPI 50053 (SGM_DEMO_KPI_PORT), workforce
# 50054 (SGM_DEMO_WORKFORCE_PORT), QA 50055 (SGM_DEMO_QA_PORT), Redis 6390
# (SGM_DEMO_REDIS_PORT), metrics 9460 gateway
# (SGM_DEMO_GATEWAY_METRICS_PORT), 9462 intake
# (SGM_DEMO_INTAKE_METRICS_PORT), 9463 KPI (SGM_DEMO_KPI_METRICS_PORT), 9464
# workforce (SGM_DEMO_WORKFORCE_METRICS_PORT), 9465 QA
# (SGM_DEMO_QA_METRICS_PORT).
# Data: ./var/ (SGM_VAR_DIR). SGM_DEMO_SCALE=N (default 1) generates and
# imports N authorities (831, 832, ...; docs/demo.md), each with its own
# admin token; the report is the first's.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
VAR=${SGM_VAR_DIR:-./var}
GATEWAY_PORT=${SGM_DEMO_GATEWAY_PORT:-50051}
HTTP_PORT=${SGM_DEMO_HTTP_PORT:-8080}
INTAKE_PORT=${SGM_DEMO_INTAKE_PORT:-50052}
KPI_PORT=${SGM_DEMO_KPI_PORT:-50053}
WORKFORCE_PORT=${SGM_DEMO_WORKFORCE_PORT:-50054}
QA_PORT=${SGM_DEMO_QA_PORT:-50055}
REDIS_PORT=${SGM_DEMO_REDIS_PORT:-6390}
GATEWAY_METRICS_PORT=${SGM_DEMO_GATEWAY_METRICS_PORT:-9460}
INTAKE_METRICS_PORT=${SGM_DEMO_INTAKE_METRICS_PORT:-9462}
KPI_METRICS_PORT=${SGM_DEMO_KPI_METRICS_PORT:-9463}
WORKFORCE_METRICS_PORT=${SGM_DEMO_WORKFORCE_METRICS_PORT:-9464}
QA_METRICS_PORT=${SGM_DEMO_QA_METRICS_PORT:-9465}
SCALE=${SGM_DEMO_SCALE:-1}
SERVE=${SGM_DEMO_SERVE:-1}
FIRST_AUTHORITY=831
SGM="$BUILD/tools/sgm"

# How long the phase since the last call took.
phase_start=$(date +%s%3N)
took() {
  local now ms
  now=$(date +%s%3N)
  ms=$((now - phase_start))
  printf '  (%s: %d.%d s)\n' "$1" $((ms / 1000)) $((ms % 1000 / 100))
  phase_start=$now
}

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
# The other authorities of SGM_DEMO_SCALE: an admin token each.
codes=()
for ((i = 0; i < SCALE; i++)); do codes+=($((FIRST_AUTHORITY + i))); done
token_of() {
  if [ "$1" = "$FIRST_AUTHORITY" ]; then cat "$VAR/admin.token"; else cat "$VAR/admin-$1.token"; fi
}
for code in "${codes[@]:1}"; do
  [ -s "$VAR/admin-$code.token" ] || "$SGM" admin new-token >"$VAR/admin-$code.token"
done
{
  echo "# hash role authority caller [agency]"
  echo "$("$SGM" admin hash-token "$ADMIN_TOKEN") admin $FIRST_AUTHORITY demo-admin"
  echo "$("$SGM" admin hash-token "$(cat "$VAR/analyst.token")") analyst $FIRST_AUTHORITY demo-analyst"
  for code in "${codes[@]:1}"; do
    echo "$("$SGM" admin hash-token "$(token_of "$code")") admin $code demo-admin-$code"
  done
} >"$VAR/tokens.txt"

echo "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$VAR/redis" \
  --save "" --appendonly no --loglevel warning >"$VAR/logs/redis.log" 2>&1 &
pids+=($!)
# Intake reads children's open work from the KPI service (duplicate input)
# but does NOT forward referrals to it (--forward_referrals=false): the
# synthetic case events already carry the case-management system's REFERRAL
# events (each with its contact in the contacts feed), so forwarding would
# count every referral twice. A real deployment picks one source of
# referrals: the case-management feed, or intake's forwarding (the default)
# with the case-management system carrying intake's referral id
# (docs/demo.md, docs/operations.md).
echo "starting sgm-kpi on 127.0.0.1:$KPI_PORT"
"$BUILD/services/kpi/sgm-kpi" --listen "127.0.0.1:$KPI_PORT" \
  --store_path "$VAR/data/kpi.db" --redis "127.0.0.1:$REDIS_PORT" \
  --reference_data data/kpi-reference.json \
  --metrics "127.0.0.1:$KPI_METRICS_PORT" >"$VAR/logs/kpi.log" 2>&1 &
pids+=($!)
# Workforce reads caseloads from the KPI service's open allocations.
echo "starting sgm-workforce on 127.0.0.1:$WORKFORCE_PORT"
"$BUILD/services/workforce/sgm-workforce" --listen "127.0.0.1:$WORKFORCE_PORT" \
  --store_path "$VAR/data/workforce.db" --redis "127.0.0.1:$REDIS_PORT" \
  --kpi_address "127.0.0.1:$KPI_PORT" \
  --metrics "127.0.0.1:$WORKFORCE_METRICS_PORT" >"$VAR/logs/workforce.log" 2>&1 &
pids+=($!)
# QA draws its dip samples from the KPI service's cases.
echo "starting sgm-qa on 127.0.0.1:$QA_PORT"
"$BUILD/services/qa/sgm-qa" --listen "127.0.0.1:$QA_PORT" \
  --store_path "$VAR/data/qa.db" --redis "127.0.0.1:$REDIS_PORT" \
  --kpi_address "127.0.0.1:$KPI_PORT" \
  --metrics "127.0.0.1:$QA_METRICS_PORT" >"$VAR/logs/qa.log" 2>&1 &
pids+=($!)
echo "starting sgm-intake on 127.0.0.1:$INTAKE_PORT"
"$BUILD/services/intake/sgm-intake" --listen "127.0.0.1:$INTAKE_PORT" \
  --store_path "$VAR/data/intake.db" --redis "127.0.0.1:$REDIS_PORT" \
  --kpi_address "127.0.0.1:$KPI_PORT" --forward_referrals=false \
  --metrics "127.0.0.1:$INTAKE_METRICS_PORT" >"$VAR/logs/intake.log" 2>&1 &
pids+=($!)
echo "starting sgm-gateway on 127.0.0.1:$GATEWAY_PORT"
"$BUILD/services/gateway/sgm-gateway" --listen "127.0.0.1:$GATEWAY_PORT" \
  --tokens_file "$VAR/tokens.txt" --intake_address "127.0.0.1:$INTAKE_PORT" \
  --kpi_address "127.0.0.1:$KPI_PORT" \
  --workforce_address "127.0.0.1:$WORKFORCE_PORT" \
  --qa_address "127.0.0.1:$QA_PORT" \
  --redis "127.0.0.1:$REDIS_PORT" --http_listen "127.0.0.1:$HTTP_PORT" \
  --metrics "127.0.0.1:$GATEWAY_METRICS_PORT" >"$VAR/logs/gateway.log" 2>&1 &
pids+=($!)

export SGM_GATEWAY="127.0.0.1:$GATEWAY_PORT" SGM_TOKEN="$ADMIN_TOKEN"
for _ in $(seq 1 100); do
  "$SGM" whoami >/dev/null 2>&1 && break
  sleep 0.1
done
"$SGM" whoami
took "start"

# The last 25 full months: this year beside last year, and the 13-month
# trend with each month's same month a year before.
LAST_MONTH=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
START=$(date -d "$(date +%Y-%m-01) -25 months" +%Y-%m)
if [ "$SCALE" = 1 ]; then
  echo "generating a synthetic authority ($FIRST_AUTHORITY): $START to $LAST_MONTH"
else
  echo "generating $SCALE synthetic authorities (${codes[*]}): $START to $LAST_MONTH"
fi
rm -rf "$VAR/synth" && mkdir -p "$VAR/synth"
# The same options for every kind: one authority's feeds fit together (a
# contact for each referral of the case events, staff and audits naming
# the workers and children of its allocations).
synth_args=(--out "$VAR/synth" --seed 1 --start "$START" --months 25
  --scale "$SCALE" --first_authority "$FIRST_AUTHORITY")
"$SGM" synth contacts "${synth_args[@]}"
"$SGM" synth events "${synth_args[@]}"
"$SGM" synth workforce "${synth_args[@]}"
"$SGM" synth qa "${synth_args[@]}"
took "generate"

# One authority's feeds from DIR, with SGM_TOKEN naming the authority.
import_authority() {
  local dir=$1 f agency feed themes id name start end
  for f in "$dir"/contacts-*.csv; do
    agency=$(basename "$f" .csv); agency=${agency#contacts-}
    echo "importing $f (agency $agency)"
    "$SGM" import contacts "$f" --agency "$agency"
  done
  echo "importing $dir/decisions.csv"
  "$SGM" import decisions "$dir/decisions.csv"
  took "import contacts and decisions"
  echo "importing $dir/case-events.csv"
  "$SGM" import events "$dir/case-events.csv"
  took "import case events"
  for feed in staff absences establishment; do
    echo "importing $dir/$feed.csv"
    "$SGM" import "$feed" "$dir/$feed.csv"
  done
  took "import workforce"
  # Themes come as a list to record (the QA service has no themes feed).
  themes=0
  while IFS=, read -r id name start end; do
    "$SGM" qa create-theme --id "$id" --name "$name" --start "$start" \
      --end "$end" >/dev/null
    themes=$((themes + 1))
  done < <(tail -n +2 "$dir/themes.csv")
  echo "recorded $themes themes from $dir/themes.csv"
  for feed in audits feedback actions; do
    echo "importing $dir/$feed.csv"
    "$SGM" import "$feed" "$dir/$feed.csv"
  done
  took "import quality assurance"
}

if [ "$SCALE" = 1 ]; then
  import_authority "$VAR/synth"
else
  for code in "${codes[@]}"; do
    echo "authority $code"
    SGM_TOKEN=$(token_of "$code")
    import_authority "$VAR/synth/$code"
  done
  SGM_TOKEN=$ADMIN_TOKEN
fi

LAST_DAY=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)
echo
"$SGM" qa summary --from "$LAST_MONTH-01" --to "$LAST_DAY"
took "quality-assurance summary"

echo
"$SGM" report --month "$LAST_MONTH" --format md
took "first report"
"$SGM" report --month "$LAST_MONTH" --format html -o "$VAR/report-$LAST_MONTH.html"
echo "wrote $VAR/report-$LAST_MONTH.html"
if [ "$SERVE" = 0 ]; then exit 0; fi
cat <<MSG

The suite is serving:
  dashboard           http://127.0.0.1:$HTTP_PORT/   token: $VAR/admin.token
                      (or the analyst's, $VAR/analyst.token: aggregates only)
  gateway (gRPC)      127.0.0.1:$GATEWAY_PORT   token: $VAR/admin.token
  metrics             http://127.0.0.1:$GATEWAY_METRICS_PORT/metrics (gateway), :$INTAKE_METRICS_PORT (intake),
                      :$KPI_METRICS_PORT (KPI), :$WORKFORCE_METRICS_PORT (workforce), :$QA_METRICS_PORT (QA)
  logs                $VAR/logs/
Try:  SGM_GATEWAY=127.0.0.1:$GATEWAY_PORT SGM_TOKEN=\$(cat $VAR/admin.token) $SGM intake stats --json
      curl -H "Authorization: Bearer \$(cat $VAR/analyst.token)" -d '{}' \\
        http://127.0.0.1:$HTTP_PORT/api/v1/sgm.kpi.v1.KpiService/GetCaseStatus
      $SGM kpi indicators --month $LAST_MONTH   $SGM kpi caseloads
      $SGM workforce summary --json
      $SGM qa summary --from $LAST_MONTH-01 --to $LAST_DAY   $SGM qa themes
      $SGM insight duplicates   $SGM insight funnel   $SGM insight flows
Ctrl-C stops everything.
MSG
wait
