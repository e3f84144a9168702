#!/usr/bin/env bash
# The seed's processing job on the canonical events data, side by side: Strata (the
# example binary), DuckDB (@duckdb/node-api), Polars (nodejs-polars) and pandas.
# Prints the median wall time and peak memory of each (whole process, REPS rounds in
# which every tool runs once) and the ratio of each to Strata.
#
#   bench/seed_job/run.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
rows=${1:-10000000}
reps=${2:-3}
source "$(dirname "$0")/../common.sh"
bench_prepare "$rows"
echo "seed job on $rows dirty rows ($(du -h "$csv" | cut -f1)), $reps rounds, $(nproc) cores"

declare -A wall mem ok
names=(strata duckdb polars pandas)
cmd_strata=("$root/build/examples/process_large_dataset" "$csv")
cmd_duckdb=(env NODE_PATH="$peers" node "$root/bench/seed_job/duckdb_job.js" "$csv")
cmd_polars=(env NODE_PATH="$peers" node "$root/bench/seed_job/polars_job.js" "$csv")
cmd_pandas=(/usr/bin/python3 "$root/bench/seed_job/pandas_job.py" "$csv")
bench_rounds "$reps" "${names[@]}"

printf '%-8s %10s %12s %14s %14s\n' tool wall_s peak_MiB wall/strata mem/strata
for n in "${names[@]}"; do
  awk -v n="$n" -v t="${wall[$n]}" -v m="${mem[$n]}" -v st="${wall[strata]}" -v sm="${mem[strata]}" \
    'BEGIN { printf "%-8s %10.2f %12.0f %14.2f %14.2f\n", n, t, m / 1024, t / st, m / sm }'
done
