#!/usr/bin/env bash
# Changing rows of a 10,000,000-row Delta table (4 columns, 4 data files of 2.5 M
# consecutive ids, every file touched), side by side, in rounds, each from a fresh copy
# of the same table:
#   delete  1% of the rows (id % 100 = 42);
#   merge   1,000,000 source rows by id: 500,000 update rows spread over every file,
#           500,000 are new (an upsert).
# Contenders:
#   dv       strata on the table with delta.enableDeletionVectors=true: changed rows are
#            marked in one deletion_vector_<uuid>.bin, new rows go to new files;
#   rewrite  strata on the same table without them: each touched file is rewritten;
#   duckdb   DuckDB (@duckdb/node-api) doing the same with SQL over the Parquet files
#            (COPY ... TO zstd Parquet, no table, no log): the bare rewrite.
# Prints median wall time, bytes written, and the time of a full scan afterwards
# (count and sum), since readers pay for deletion vectors what the writer saved.
# Usage: bench/table/change_bench.sh [ROUNDS=3] [ROWS=10000000]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
rows=${2:-10000000}
"$root/scripts/setup" --peers >/dev/null
"$root/scripts/build" >/dev/null
S=$root/build/strata
peers="$root/third_party/peers/node_modules"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export STRATA_LAKE="$W/lake"
"$S" init >/dev/null
data="SELECT range AS id, 'c' || (range % 50) AS category, random() AS value, 'name_' || range AS name FROM range($rows)"
for t in base_dv base_rw; do
  prop=()
  [ "$t" = base_dv ] && prop=(--property delta.enableDeletionVectors=true)
  for part in 0 1 2 3; do
    q="SELECT * FROM ($data) WHERE id * 4 // $rows = $part"
    if [ "$part" -eq 0 ]; then "$S" table write "$t" --query "$q" "${prop[@]}" >/dev/null
    else "$S" table write "$t" --mode append --query "$q" >/dev/null; fi
  done
done
table_bytes=$(du -sb "$STRATA_LAKE/base_rw" | cut -f1)
# The merge source: every 20th id (updates), and as many new ids past the end.
half=$((rows / 20))
"$S" query "COPY (SELECT range * 20 AS id, 'u' AS category, -1.0 AS value, 'updated' AS name FROM range($half)
  UNION ALL SELECT $rows + range AS id, 'n', 1.0, 'new' FROM range($half)) TO '$W/source.parquet' (FORMAT parquet)" >/dev/null

duck() {  # node script text, args...
  NODE_PATH="$peers" node -e "const { DuckDBInstance } = require('@duckdb/node-api');
    (async () => { const conn = await (await DuckDBInstance.create(':memory:')).connect();
      const [dir, out, arg] = process.argv.slice(1); $1 })().catch((e) => { console.error(e.message); process.exit(1); });" "${@:2}"
}
now() { date +%s.%N; }
race() {  # op
  local op=$1 name round
  for name in dv rewrite duckdb; do : >"$W/$name.time"; : >"$W/$name.scan"; done
  for round in $(seq "$rounds"); do
    for name in dv rewrite duckdb; do
      rm -rf "$STRATA_LAKE/t" "$W/duck"
      if [ "$name" = dv ]; then cp -a "$STRATA_LAKE/base_dv" "$STRATA_LAKE/t"; else cp -a "$STRATA_LAKE/base_rw" "$STRATA_LAKE/t"; fi
      mkdir "$W/duck"
      sync
      local before start end scan_start scan_end written
      before=$(du -sb "$STRATA_LAKE/t" | cut -f1)
      start=$(now)
      if [ "$name" = duckdb ]; then
        if [ "$op" = delete ]; then
          duck 'for (const f of require("fs").readdirSync(dir).filter((f) => f.endsWith(".parquet")))
                  await conn.run(`COPY (SELECT * FROM read_parquet(\x27${dir}/${f}\x27) WHERE NOT (id % 100 = 42)) TO \x27${out}/${f}\x27 (FORMAT parquet, COMPRESSION zstd)`);' \
            "$STRATA_LAKE/t" "$W/duck"
        else
          duck 'await conn.run(`COPY (SELECT t.* FROM read_parquet(\x27${dir}/*.parquet\x27) t ANTI JOIN read_parquet(\x27${arg}\x27) s USING (id)
                  UNION ALL SELECT id, category, value, name FROM read_parquet(\x27${arg}\x27)) TO \x27${out}/merged.parquet\x27 (FORMAT parquet, COMPRESSION zstd)`);' \
            "$STRATA_LAKE/t" "$W/duck" "$W/source.parquet"
        fi
        end=$(now)
        written=$(du -sb "$W/duck" | cut -f1)
        scan_start=$(now)
        duck 'await conn.runAndReadAll(`SELECT count(*), sum(value) FROM read_parquet(\x27${out}/*.parquet\x27)`);' "" "$W/duck"
        scan_end=$(now)
      else
        if [ "$op" = delete ]; then
          "$S" table delete t --where "id % 100 = 42" >/dev/null
        else
          "$S" table merge t --from "$W/source.parquet" --on id >/dev/null
        fi
        end=$(now)
        # Replaced files stay on disk until vacuum: the table's growth is what was written.
        written=$(($(du -sb "$STRATA_LAKE/t" | cut -f1) - before))
        scan_start=$(now)
        "$S" query "SELECT count(*), sum(value) FROM t" >/dev/null
        scan_end=$(now)
      fi
      awk -v a="$start" -v b="$end" 'BEGIN {print b - a}' >>"$W/$name.time"
      awk -v a="$scan_start" -v b="$scan_end" 'BEGIN {print b - a}' >>"$W/$name.scan"
      echo "$written" >"$W/$name.bytes"
    done
  done
  median() { sort -g "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo
  echo "$op on $rows rows in 4 files ($((table_bytes / 1048576)) MiB), median of $rounds rounds:"
  printf "%-8s %10s %14s %12s\n" tool "$op s" "bytes written" "scan after s"
  for name in dv rewrite duckdb; do
    printf "%-8s %10.2f %14s %12.2f\n" "$name" "$(median "$W/$name.time")" "$(cat "$W/$name.bytes")" "$(median "$W/$name.scan")"
  done
  awk -v dv="$(median "$W/dv.time")" -v rw="$(median "$W/rewrite.time")" -v duck="$(median "$W/duckdb.time")" \
      -v bdv="$(cat "$W/dv.bytes")" -v brw="$(cat "$W/rewrite.bytes")" 'BEGIN {
    printf "ratio rewrite/dv: time %.1f, bytes written %.1f\n", rw / dv, brw / bdv
    printf "ratio duckdb/dv: time %.1f\n", duck / dv }'
}
race delete
race merge
