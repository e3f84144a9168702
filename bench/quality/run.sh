#!/usr/bin/env bash
# Data-quality benchmarks, side by side in one run:
#  1. the seed's three expectations on ROWS dirty events: Strata (strata validate),
#     Polars (one select), DuckDB (one hand-written query), pandas (a pass per expectation);
#  2. a 25-expectation suite against a plain read of the nine columns it checks (target:
#     at most 1.25 x), on the CSV file and on a Parquet copy of it; and, for scale,
#     against a bare count(*) scan.
#   bench/quality/run.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
rows=${1:-10000000}
reps=${2:-3}
source "$(dirname "$0")/../common.sh"
bench_prepare "$rows"
strata="$root/build/strata"
here="$root/bench/quality"

echo "data quality on $rows dirty rows ($(du -h "$csv" | cut -f1)), $reps rounds, $(nproc) cores"
declare -A wall mem ok
cmd_basic=("$strata" validate "$csv" --suite "$here/seed_suite.yaml")
cmd_boolean=("$strata" validate "$csv" --suite "$here/seed_suite.yaml" --result-format BOOLEAN_ONLY)
cmd_polars=(env NODE_PATH="$peers" node "$here/polars_suite.js" "$csv")
cmd_duckdb=(env NODE_PATH="$peers" node "$here/duckdb_suite.js" "$csv")
cmd_pandas=(/usr/bin/python3 "$here/pandas_suite.py" "$csv")
cmd_suite25=("$strata" validate "$csv" --suite "$here/suite25.json")
# The bare scan, read as Strata reads CSV (4 MB buffers, see Session::scan_csv) so that
# the ratio credits the suite nothing for the reader's tuning; and with DuckDB's defaults.
cmd_bare=("$strata" query "SELECT count(*) FROM read_csv('$csv', buffer_size=4194304)")
cmd_bare_default=("$strata" query "SELECT count(*) FROM read_csv('$csv')")
# For scale: reading the nine columns the suite checks, with no check at all.
cols="count(sample_id), count(feature_id), count(timestamp), count(category), count(value)"
cols+=", count(quality_score), count(normalized_value), count(event_score), count(label)"
cmd_columns=("$strata" query "SELECT $cols FROM read_csv('$csv', buffer_size=4194304)")
# The same suite and read on a Parquet copy of the file.
parquet="$out/events-$rows-dirty.parquet"
[ -f "$parquet" ] || "$strata" query "COPY (SELECT * FROM read_csv('$csv')) TO '$parquet' (FORMAT parquet)" >/dev/null
cmd_suite25_pq=("$strata" validate "$parquet" --suite "$here/suite25.json")
cmd_columns_pq=("$strata" query "SELECT $cols FROM read_parquet('$parquet')")
ok[basic]=1 ok[boolean]=1 ok[suite25]=1 ok[suite25_pq]=1  # a failing suite exits 1: a result
bench_rounds "$reps" basic boolean polars duckdb pandas suite25 bare bare_default columns suite25_pq columns_pq
echo "seed suite (3 expectations)"
printf '  %-44s %8s %12s\n' tool wall_s strata/tool
for pair in "strata validate (BASIC: counts + samples):basic" "strata validate (BOOLEAN_ONLY):boolean" \
            "polars (one select):polars" "duckdb (hand-written query):duckdb" "pandas (a pass per expectation):pandas"; do
  awk -v n="${pair%:*}" -v t="${wall[${pair##*:}]}" -v s="${wall[basic]}" \
    'BEGIN { printf "  %-44s %8.2f %12.2f\n", n, t, s / t }'
done
echo "25-expectation suite vs reading the 9 columns it checks (target: ratio <= 1.25)"
awk -v a="${wall[suite25]}" -v c="${wall[columns]}" -v p="${wall[suite25_pq]}" -v q="${wall[columns_pq]}" \
    -v b="${wall[bare]}" -v d="${wall[bare_default]}" 'BEGIN {
  printf "  CSV      suite %6.2f s   columns %6.2f s   ratio %5.2f\n", a, c, a / c
  printf "  Parquet  suite %6.2f s   columns %6.2f s   ratio %5.2f\n", p, q, p / q
  printf "  for scale: count(*) over the CSV %6.2f s (suite %.2f x), with DuckDB default buffers %6.2f s\n", b, a / b, d }'
