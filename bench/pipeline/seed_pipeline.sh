#!/usr/bin/env bash
# The seed's pipeline end to end (read events.csv -> transform -> validate -> write the
# features table), as one `strata run` against the same work done as separate calls:
# `strata query --out features.parquet`, `strata validate features.parquet`, `strata table
# write features --from features.parquet`. Both run with nothing reused (--force), in
# rounds; prints the median wall time of each and the ratio.
#   bench/pipeline/seed_pipeline.sh [ROWS=1000000] [REPS=5]
set -euo pipefail
rows=${1:-1000000}
reps=${2:-5}
source "$(dirname "$0")/../common.sh"
bench_prepare 1000
strata="$root/build/strata"
events="$out/events-$rows.csv"
[ -f "$events" ] || "$strata" generate events "$rows" -o "$events"
yaml="$root/examples/feature_engineering.yaml"
# The transform step's SQL, over the CSV file instead of the upstream step.
sql=$(awk '/sql: \|/ {on=1; next} on && /^  - name:/ {on=0} on' "$yaml" |
  sed -e "s|FROM extract_data|FROM read_csv('$events')|" -e 's/\${min_quality}/0.2/')
suite="$out/seed-pipeline-suite.yaml"
cat >"$suite" <<'YAML'
expectation_suite_name: validate_features
expectations:
  - {type: expect_column_values_to_not_be_null, kwargs: {column: feature_id}}
  - {type: expect_column_values_to_be_between, kwargs: {column: normalized_value, min_value: 0, max_value: 1}}
  - {type: expect_column_values_to_be_unique, kwargs: {column: sample_id}}
  - {type: expect_column_values_to_be_between, kwargs: {column: target, min_value: 0, max_value: 1}}
YAML
lake_p="$out/seed-pipeline-lake"
lake_s="$out/seed-separate-lake"
rm -rf "$lake_p" "$lake_s"
"$strata" init --lake "$lake_p" >/dev/null
"$strata" init --lake "$lake_s" >/dev/null
separate="$out/seed-separate.sh"
cat >"$separate" <<SH
set -e
"$strata" query --out "$out/seed-features.parquet" "$sql"
"$strata" validate "$out/seed-features.parquet" --suite "$suite" >/dev/null
"$strata" --lake "$lake_s" table write features --from "$out/seed-features.parquet" --mode overwrite >/dev/null
SH
declare -A wall mem ok
cmd_pipeline=("$strata" run "$yaml" --lake "$lake_p" --param "input=$events" --force)
cmd_separate=(bash "$separate")
echo "seed pipeline, $rows rows, $reps rounds, $(nproc) cores"
bench_rounds "$reps" pipeline separate
printf '  %-44s %8s %10s\n' run seconds peak_MiB
printf '  %-44s %8.2f %10d\n' "strata run feature_engineering.yaml" "${wall[pipeline]}" $((mem[pipeline] / 1024))
printf '  %-44s %8.2f %10d\n' "query + validate + table write (3 calls)" "${wall[separate]}" $((mem[separate] / 1024))
awk -v a="${wall[pipeline]}" -v b="${wall[separate]}" 'BEGIN { printf "  separate calls / pipeline: %.2fx\n", b / a }'
