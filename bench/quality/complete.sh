#!/usr/bin/env bash
# GE's COMPLETE result format at scale: one between-expectation over ROWS rows with 10 %
# unexpected (all distinct), in BASIC, SUMMARY and COMPLETE, at ROWS/10 and ROWS rows, so
# the growth with the data shows (linear: x10). For scale, the floor: the bare DuckDB
# query that lists the same unexpected values and row numbers, written to a file.
#   bench/quality/complete.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
rows=${1:-10000000}
reps=${2:-3}
source "$(dirname "$0")/../common.sh"
bench_prepare 1000
strata="$root/build/strata"
small=$((rows / 10))
for n in "$small" "$rows"; do
  f="$out/complete-$n.parquet"
  [ -f "$f" ] || "$strata" query --out "$f" \
    "SELECT range AS id, CASE WHEN range % 10 = 0 THEN -range - 1 ELSE range % 100 END AS v FROM range($n)"
done
suite="$out/complete-suite.json"
echo '{"expectations":[{"expectation_type":"expect_column_values_to_be_between","kwargs":{"column":"v","min_value":0,"max_value":100}}]}' >"$suite"
echo "COMPLETE result format, 10 % distinct unexpected values, $reps rounds, $(nproc) cores"
declare -A wall mem ok
names=()
for n in "$small" "$rows"; do
  for rf in BASIC SUMMARY COMPLETE; do
    declare -a "cmd_${rf}_$n=(\"$strata\" validate \"$out/complete-$n.parquet\" --suite \"$suite\" --result-format $rf -f json)"
    ok[${rf}_$n]=1
    names+=("${rf}_$n")
  done
  declare -a "cmd_floor_$n=(\"$strata\" query --out \"$out/complete-floor.parquet\" \"SELECT list(v ORDER BY id) AS vals, list(id ORDER BY id) AS ids FROM '$out/complete-$n.parquet' WHERE NOT (v BETWEEN 0 AND 100)\")"
  names+=("floor_$n")
done
bench_rounds "$reps" "${names[@]}"
printf '  %-40s %10s %10s %12s\n' run "${small}_s" "${rows}_s" growth
for what in BASIC SUMMARY COMPLETE floor; do
  awk -v n="$what" -v a="${wall[${what}_$small]}" -v b="${wall[${what}_$rows]}" \
    'BEGIN { printf "  %-40s %10.2f %10.2f %12.1f\n", n, a, b, b / a }'
done
printf '  peak memory at %s rows: COMPLETE %d MiB, floor %d MiB\n' "$rows" \
  $((mem[COMPLETE_$rows] / 1024)) $((mem[floor_$rows] / 1024))
