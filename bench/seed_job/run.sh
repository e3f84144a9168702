#!/usr/bin/env bash
# The seed's processing job on the canonical events data, side by side: Strata (the
# example binary), DuckDB (@duckdb/node-api), Polars (nodejs-polars) and pandas.
# Prints the median wall time and peak memory of each (whole process, REPS runs) and
# the ratio of each to Strata.
#
#   bench/seed_job/run.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
rows=${1:-10000000}
reps=${2:-3}
source "$(dirname "$0")/../common.sh"
bench_prepare "$rows"
echo "seed job on $rows dirty rows ($(du -h "$csv" | cut -f1)), $reps runs each, $(nproc) cores"

# Runs a command REPS times; prints "median_seconds peak_kib".
measure() {
  local times=() mems=()
  for _ in $(seq "$reps"); do
    local line
    /usr/bin/time -o "$out/.time" -f "%e %M" "$@" >/dev/null 2>"$out/.stderr" ||
      { echo "failed: $*" >&2; cat "$out/.stderr" >&2; exit 1; }
    line=$(tail -1 "$out/.time")
    times+=("${line% *}")
    mems+=("${line#* }")
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
