#!/usr/bin/env bash
# Data-quality benchmarks, side by side in one run:
#  1. the seed's three expectations on ROWS dirty events: Strata (strata validate),
#     Polars (one select), DuckDB (one hand-written query), pandas (a pass per expectation);
#  2. a 25-expectation suite against a bare count(*) scan of the same file.
#   bench/quality/run.sh [ROWS=10000000] [REPS=3]
set -euo pipefail
rows=${1:-10000000}
reps=${2:-3}
source "$(dirname "$0")/../common.sh"
bench_prepare "$rows"
strata="$root/build/strata"
here="$root/bench/quality"

median_of() {  # runs "$@" REPS times, prints the median wall seconds
  local times=()
  for _ in $(seq "$reps"); do
    local rc=0
    /usr/bin/time -o "$out/.time" -f "%e" "$@" >/dev/null 2>"$out/.stderr" || rc=$?
    # strata validate exits 1 when the suite fails: a result, not an error.
    if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "$2" = validate ]; }; then
      echo "failed ($rc): $*" >&2
      cat "$out/.stderr" >&2
      exit 1
    fi
    times+=("$(tail -1 "$out/.time")")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "data quality on $rows dirty rows ($(du -h "$csv" | cut -f1)), $reps runs each, $(nproc) cores"
s=$(median_of "$strata" validate "$csv" --suite "$here/seed_suite.yaml")
sb=$(median_of "$strata" validate "$csv" --suite "$here/seed_suite.yaml" --result-format BOOLEAN_ONLY)
p=$(median_of env NODE_PATH="$peers" node "$here/polars_suite.js" "$csv")
d=$(median_of env NODE_PATH="$peers" node "$here/duckdb_suite.js" "$csv")
pd=$(median_of /usr/bin/python3 "$here/pandas_suite.py" "$csv")
echo "seed suite (3 expectations)"
printf '  %-44s %8s %12s\n' tool wall_s strata/tool
for pair in "strata validate (BASIC: counts + samples):$s" "strata validate (BOOLEAN_ONLY):$sb" \
            "polars (one select):$p" "duckdb (hand-written query):$d" "pandas (a pass per expectation):$pd"; do
  name=${pair%:*}
  t=${pair##*:}
  awk -v n="$name" -v t="$t" -v s="$s" 'BEGIN { printf "  %-44s %8.2f %12.2f\n", n, t, s / t }'
done
bare=$(median_of "$strata" query "SELECT count(*) FROM read_csv('$csv')")
s25=$(median_of "$strata" validate "$csv" --suite "$here/suite25.json")
echo "25-expectation suite vs a bare scan"
awk -v a="$s25" -v b="$bare" 'BEGIN { printf "  strata validate, 25 expectations %8.2f s\n  count(*) over the file          %8.2f s\n  ratio                            %8.2f (target <= 1.3)\n", a, b, a / b }'
