#!/usr/bin/env bash
# `make bench [SCALE=1]`: the key requests of issue 14 under gunicorn, measured with wrk on a
# database made by `flask bench-data`, on SQLite and PostgreSQL, against a bare Flask ceiling;
# writes docs/performance.md. Settings and what is measured: bench/bench.py.
# Not part of `make test`: never a timing threshold in the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed (Debian package wrk): no benchmark." >&2
    exit 1
  fi
fi

exec .venv/bin/python bench/bench.py "${1:-1}"
