#!/usr/bin/env bash
# Throughput of the main pages under gunicorn, measured with wrk on loopback, against the demo
# data. The machine is shared: read the ratios to /healthz measured in the same run (and the
# median of three), never a single figure. Not part of `make test`: `make bench` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8765}"
DURATION="${BENCH_SECONDS:-5}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
BIN=.venv/bin

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed (Debian package wrk): no benchmark." >&2
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export TALENTDAY_INSTANCE_PATH="$work" TALENTDAY_SECRET_KEY="bench-$(date +%s)"
export TALENTDAY_SIGN_IN_LIMITS="1000 per minute" FLASK_APP=talentday
export TALENTDAY_PUBLIC_BASE_URL="http://127.0.0.1:$PORT"
"$BIN/flask" db upgrade >/dev/null 2>&1
"$BIN/flask" demo >/dev/null

"$BIN/gunicorn" -w 2 -b "127.0.0.1:$PORT" --log-level warning 'talentday:create_app()' &
server=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# Sign in as the demo leader once; the session cookie goes with every request below.
jar="$work/cookies"
token=$(curl -fs -c "$jar" "http://127.0.0.1:$PORT/sign-in" | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -n 1)
curl -fs -b "$jar" -c "$jar" -o /dev/null \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=leader@example.com" \
  --data-urlencode "password=salon-demo-2026" "http://127.0.0.1:$PORT/sign-in"
cookie=$(awk '$6 == "session" {print "session=" $7}' "$jar")

measure() {
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Cookie: $cookie" "http://127.0.0.1:$PORT$1" \
    | awk '/Requests\/sec/ {print $2}'
}

pages=(/healthz / /dashboard/ /followup/ /followup/items/3)
declare -A runs
for round in 1 2 3; do
  for page in "${pages[@]}"; do
    runs["$page"]+="$(measure "$page") "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${runs[/healthz]}" | median)
printf '%-22s %12s %8s   (gunicorn 2 sync workers, wrk -t2 -c%s -d%ss, median of 3)\n' \
  page "requests/s" ratio "$CONNECTIONS" "$DURATION"
for page in "${pages[@]}"; do
  value=$(echo "${runs[$page]}" | median)
  awk -v page="$page" -v value="$value" -v base="$base" \
    'BEGIN { printf "%-22s %12.0f %8.2f\n", page, value, value / base }'
done
