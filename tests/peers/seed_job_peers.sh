#!/usr/bin/env bash
# Runs the seed's job on 1,000,000 dirty events with Strata (the example), Polars,
# DuckDB and pandas, and checks that all agree with Strata within 1e-9 relative.
# Usage: seed_job_peers.sh EXAMPLE_BINARY STRATA_BINARY REPO_ROOT
set -euo pipefail
example=$1 strata=$2 root=$3
peers="$root/third_party/peers/node_modules"
if [ ! -d "$peers/nodejs-polars" ] || [ ! -d "$peers/@duckdb/node-api" ]; then
  echo "peers missing in $peers: run scripts/setup --peers" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$strata" generate events 1000000 --dirty -o "$work/events.csv"
"$example" "$work/events.csv" --csv-out "$work/strata.csv" >/dev/null
NODE_PATH="$peers" node "$root/bench/seed_job/polars_job.js" "$work/events.csv" "$work/polars.csv"
NODE_PATH="$peers" node "$root/bench/seed_job/duckdb_job.js" "$work/events.csv" "$work/duckdb.csv"
/usr/bin/python3 "$root/bench/seed_job/pandas_job.py" "$work/events.csv" "$work/pandas.csv"
test "$(wc -l < "$work/strata.csv")" -eq 101 || { echo "strata: expected 100 groups" >&2; exit 1; }
/usr/bin/python3 "$root/bench/seed_job/compare.py" 1e-9 "$work/strata.csv" "$work/polars.csv" "$work/duckdb.csv" "$work/pandas.csv"
