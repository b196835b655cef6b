#!/usr/bin/env bash
# Every benchmark in bench/ (bench/bench_*.py, in name order) on a throw-away SQLite database.
# Called by `make bench`. Benchmarks are not tests: each prints its figure and a ratio against a baseline.
#   scripts/bench.sh                               all of them
#   scripts/bench.sh bench/bench_quota_export.py   only the ones named
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=lingjun.settings
export PYTHONDONTWRITEBYTECODE=1
unset DATABASE_URL
LINGJUN_VAR_DIR=$(mktemp -d /tmp/lingjun-bench.XXXXXX)
export LINGJUN_VAR_DIR
trap 'rm -rf "$LINGJUN_VAR_DIR"' EXIT

if [ $# -gt 0 ]; then benches=("$@"); else benches=(bench/bench_*.py); fi
if [ ! -e "${benches[0]}" ]; then echo "no benchmarks in bench/"; exit 0; fi

echo "== migrating a throw-away SQLite database in $LINGJUN_VAR_DIR"
$PY -m lingjun migrate --noinput -v 0

failed=()
for bench in "${benches[@]}"; do
  echo "== $bench"
  $PY "$bench" || failed+=("$bench")
done
if [ ${#failed[@]} -gt 0 ]; then echo "== FAILED: ${failed[*]}"; exit 1; fi
