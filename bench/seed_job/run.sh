#!/usr/bin/env bash
# The seed's processing job on the canonical events data, side by side: Strata (the
# example binary), DuckDB (@duckdb/node-api), Polars (nodejs-polars) and pandas.
# Prints the median wall time and peak memory of each (whole process, REPS runs) and
# the ratio of each to Strata.
#
#   bench/seed_job/run.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-10000000}
reps=${2:-3}
"$root/scripts/setup" --peers >/dev/null
"$root/scripts/build" >/dev/null
peers="$root/third_party/peers/node_modules"
data="$root/bench/out"
mkdir -p "$data"
csv="$data/events-$rows-dirty.csv"
[ -f "$csv" ] || "$root/build/strata" generate events "$rows" --dirty -o "$csv"
echo "seed job on $rows dirty rows ($(du -h "$csv" | cut -f1)), $reps runs each, $(nproc) cores"

# Runs a command REPS times; prints "median_seconds peak_kib".
measure() {
  local times=() mems=()
  for _ in $(seq "$reps"); do
    local out
    /usr/bin/time -o "$data/.time" -f "%e %M" "$@" >/dev/null 2>"$data/.stderr" ||
      { echo "failed: $*" >&2; cat "$data/.stderr" >&2; exit 1; }
    out=$(tail -1 "$data/.time")
    times+=("${out% *}")
    mems+=("${out#* }")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${mems[@]}" | sort -g | tail -1)
  echo "$t $m"
}

declare -A wall mem
names=(strata duckdb polars pandas)
read -r wall[strata] mem[strata] < <(measure "$root/build/examples/process_large_dataset" "$csv")
read -r wall[duckdb] mem[duckdb] < <(measure env NODE_PATH="$peers" node "$root/bench/seed_job/duckdb_job.js" "$csv")
read -r wall[polars] mem[polars] < <(measure env NODE_PATH="$peers" node "$root/bench/seed_job/polars_job.js" "$csv")
read -r wall[pandas] mem[pandas] < <(measure /usr/bin/python3 "$root/bench/seed_job/pandas_job.py" "$csv")

printf '%-8s %10s %12s %14s %14s\n' tool wall_s peak_MiB wall/strata mem/strata
for n in "${names[@]}"; do
  awk -v n="$n" -v t="${wall[$n]}" -v m="${mem[$n]}" -v st="${wall[strata]}" -v sm="${mem[strata]}" \
    'BEGIN { printf "%-8s %10.2f %12.0f %14.2f %14.2f\n", n, t, m / 1024, t / st, m / sm }'
done
