#!/usr/bin/env bash
# Deleting 1% of the rows of a 10,000,000-row Delta table (4 columns, 4 data files),
# side by side, in rounds, each from a fresh copy of the same table:
#   dv       strata table delete on a table with delta.enableDeletionVectors=true: the
#            matching rows' positions go into one deletion_vector_<uuid>.bin;
#   rewrite  strata table delete on the same table without them: each file holding a
#            matching row is rewritten without it (copy-on-write);
#   duckdb   DuckDB (@duckdb/node-api) rewriting the same Parquet files without the rows
#            (COPY ... TO parquet): the least a rewrite costs, with no table around it.
# Prints median wall time, bytes written, and the time of a full scan afterwards
# (count and sum), since readers pay for deletion vectors what the writer saved.
# Usage: bench/table/delete_bench.sh [ROUNDS=3] [ROWS=10000000]
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
where="id % 100 = 42"
# Four data files of 2.5 M consecutive ids each (four appends), in each table: every file
# holds rows to delete.
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

now() { date +%s.%N; }
declare -A t_delete t_scan bytes
for name in dv rewrite duckdb; do : >"$W/$name.del"; : >"$W/$name.scan"; done
for round in $(seq "$rounds"); do
  for name in dv rewrite duckdb; do
    rm -rf "$STRATA_LAKE/t" "$W/duck"
    case $name in
      dv) cp -a "$STRATA_LAKE/base_dv" "$STRATA_LAKE/t" ;;
      *) cp -a "$STRATA_LAKE/base_rw" "$STRATA_LAKE/t" ;;
    esac
    sync
    before=$(du -sb "$STRATA_LAKE/t" | cut -f1)
    start=$(now)
    if [ "$name" = duckdb ]; then
      mkdir "$W/duck"
      NODE_PATH="$peers" node -e '
        const { DuckDBInstance } = require("@duckdb/node-api");
        (async () => {
          const [dir, out, where] = process.argv.slice(1);
          const conn = await (await DuckDBInstance.create(":memory:")).connect();
          const files = require("fs").readdirSync(dir).filter((f) => f.endsWith(".parquet"));
          for (const f of files)
            await conn.run(`COPY (SELECT * FROM read_parquet(\x27${dir}/${f}\x27) WHERE NOT (${where})) TO \x27${out}/${f}\x27 (FORMAT parquet, COMPRESSION zstd)`);
        })();' "$STRATA_LAKE/t" "$W/duck" "$where"
      end=$(now)
      written=$(du -sb "$W/duck" | cut -f1)
      scan_start=$(now)
      NODE_PATH="$peers" node -e '
        const { DuckDBInstance } = require("@duckdb/node-api");
        (async () => {
          const conn = await (await DuckDBInstance.create(":memory:")).connect();
          await conn.runAndReadAll(`SELECT count(*), sum(value) FROM read_parquet(\x27${process.argv[1]}/*.parquet\x27)`);
        })();' "$W/duck"
      scan_end=$(now)
    else
      "$S" table delete t --where "$where" >/dev/null
      end=$(now)
      after=$(du -sb "$STRATA_LAKE/t" | cut -f1)
      # Bytes written: the table's growth plus what the delete replaced (rewritten files
      # stay on disk until vacuum, so growth is what was written).
      written=$((after - before))
      scan_start=$(now)
      "$S" query "SELECT count(*), sum(value) FROM t" >/dev/null
      scan_end=$(now)
    fi
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}' >>"$W/$name.del"
    awk -v a="$scan_start" -v b="$scan_end" 'BEGIN {print b - a}' >>"$W/$name.scan"
    bytes[$name]=$written
  done
done
median() { sort -g "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for name in dv rewrite duckdb; do
  t_delete[$name]=$(median "$W/$name.del")
  t_scan[$name]=$(median "$W/$name.scan")
done
echo "delete of 1% ($where) of $rows rows in 4 files ($((table_bytes / 1048576)) MiB), median of $rounds rounds:"
printf "%-8s %10s %14s %12s\n" tool "delete s" "bytes written" "scan after s"
for name in dv rewrite duckdb; do
  printf "%-8s %10.2f %14s %12.2f\n" "$name" "${t_delete[$name]}" "${bytes[$name]}" "${t_scan[$name]}"
done
awk -v dv="${t_delete[dv]}" -v rw="${t_delete[rewrite]}" -v duck="${t_delete[duckdb]}" \
    -v bdv="${bytes[dv]}" -v brw="${bytes[rewrite]}" 'BEGIN {
  printf "ratio rewrite/dv: time %.1f, bytes written %.0f\n", rw / dv, brw / bdv
  printf "ratio duckdb rewrite/dv: time %.1f\n", duck / dv }'
