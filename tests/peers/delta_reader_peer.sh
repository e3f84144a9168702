#!/usr/bin/env bash
# Tables Strata writes, read back by Strata and by an independent reader
# (tests/peers/delta_reader.js: its own log replay and deletion vector decoding, DuckDB
# for the Parquet files): the rows must be the same. Covers partitions, appends,
# deletes by deletion vectors (array, bitmap and run containers), deletes by rewriting,
# updates and merges in both ways, optimize, restore and checkpoints, timestamps
# (timestamp_ntz, and `timestamp` partition values), and column mapping (mode name, with
# renames) on a table with v2 checkpoints.
# Usage: delta_reader_peer.sh STRATA_BINARY REPO_ROOT
set -euo pipefail
strata=$1 root=$2
peers="$root/third_party/peers/node_modules"
if [ ! -d "$peers/@duckdb/node-api" ]; then
  echo "peers missing in $peers: run scripts/setup --peers" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export STRATA_LAKE="$work/lake"
"$strata" init >/dev/null
cols="CAST(id AS VARCHAR) AS id, CAST(part AS VARCHAR) AS part, CAST(name AS VARCHAR) AS name, CAST(score AS VARCHAR) AS score"
rows() {  # SELECT of ids [$1, $2)
  echo "SELECT range AS id, 'p' || (range % 3) AS part, 'n' || range AS name, CASE WHEN range % 11 = 0 THEN NULL ELSE range * 0.25 END AS score FROM range($1, $2)"
}
compare() {  # table, what was just done[, the columns as text]
  "$strata" query "SELECT ${3:-$cols} FROM $1 ORDER BY ALL" --format csv > "$work/strata.csv"
  NODE_PATH="$peers" node "$root/tests/peers/delta_reader.js" "$STRATA_LAKE/$1" > "$work/peer.csv"
  if ! cmp -s "$work/strata.csv" "$work/peer.csv"; then
    echo "FAIL: $1 after $2: Strata and the independent reader disagree" >&2
    diff "$work/strata.csv" "$work/peer.csv" | head -10 >&2
    exit 1
  fi
  echo "ok: $1 after $2 ($(($(wc -l < "$work/strata.csv") - 1)) rows)"
}
from_checkpoint() {  # table, what: the independent reader starting from the checkpoint
  NODE_PATH="$peers" node "$root/tests/peers/delta_reader.js" "$STRATA_LAKE/$1" > "$work/all.csv"
  NODE_PATH="$peers" node "$root/tests/peers/delta_reader.js" "$STRATA_LAKE/$1" --from-checkpoint > "$work/cp.csv"
  if ! cmp -s "$work/all.csv" "$work/cp.csv"; then
    echo "FAIL: $1 ($2): reading from the checkpoint differs from replaying every commit" >&2
    diff "$work/all.csv" "$work/cp.csv" | head -10 >&2
    exit 1
  fi
  echo "ok: $1 from its checkpoint ($2)"
}

"$strata" table write dv --query "$(rows 0 300000)" --partition-by part \
  --property delta.enableDeletionVectors=true >/dev/null
compare dv "create"
"$strata" table write dv --mode append --query "$(rows 300000 310000)" >/dev/null
"$strata" table delete dv --where "id % 1000 = 7" >/dev/null      # sparse: array containers
compare dv "a sparse delete"
"$strata" table delete dv --where "id % 2 = 0 AND id < 200000" >/dev/null  # dense: bitmaps
compare dv "a dense delete"
"$strata" table delete dv --where "id BETWEEN 250000 AND 280000" >/dev/null  # runs
compare dv "a range delete"
"$strata" table delete dv --where "part = 'p1' AND id >= 300000" >/dev/null
compare dv "a delete of whole files"
"$strata" table restore dv 2 >/dev/null
compare dv "a restore"
"$strata" table optimize dv >/dev/null
compare dv "optimize"
for i in $(seq 1 10); do
  "$strata" table write dv --mode append --query "$(rows $((400000 + i * 10)) $((400010 + i * 10)))" >/dev/null
done
"$strata" table delete dv --where "id % 3 = 0 AND id >= 400000" >/dev/null
compare dv "appends past a checkpoint and a delete"
from_checkpoint dv "classic, with deletion vectors"

"$strata" table update dv --set "name='updated'" --set "score=score*2" --where "id % 5 = 1" >/dev/null
compare dv "an update"
"$strata" table merge dv --query "$(rows 299990 300020) UNION ALL $(rows 500000 500010)" --on id >/dev/null
compare dv "a merge (upsert)"
"$strata" table merge dv --query "$(rows 0 1000)" --on id --when-matched delete --when-not-matched ignore >/dev/null
compare dv "a merge deleting its matches"

"$strata" table write plain --query "$(rows 0 5000)" >/dev/null
"$strata" table delete plain --where "id % 7 = 0" >/dev/null
compare plain "a delete by rewriting"
"$strata" table update plain --set "name='u'" --where "id < 100" >/dev/null
"$strata" table merge plain --query "$(rows 4990 5010)" --on id >/dev/null
compare plain "an update and a merge by rewriting"

# Timestamps: a naive column is timestamp_ntz (with its feature), a zoned one `timestamp`,
# both as partition columns too; a naive value appended to the `timestamp` column.
tcols="CAST(id AS VARCHAR) AS id, CAST(wall AS VARCHAR) AS wall, CAST(instant AS VARCHAR) AS instant, CAST(day AS VARCHAR) AS day, CAST(hour AS VARCHAR) AS hour"
"$strata" table write ts --partition-by day,hour --query "SELECT range AS id, TIMESTAMP '2024-03-01 00:00:00.123456' + INTERVAL (range * 7) MINUTE AS wall, TIMESTAMPTZ '2024-03-01 10:00:00+02' + INTERVAL (range * 90) SECOND AS instant, TIMESTAMP '2024-03-01' + INTERVAL (range % 3) DAY AS day, TIMESTAMPTZ '2024-03-01 00:00:00.5+00' + INTERVAL (range % 4) HOUR AS hour FROM range(0, 2000)" >/dev/null
compare ts "a create with timestamp_ntz and timestamp partitions" "$tcols"
"$strata" table write ts --mode append --query "SELECT CAST(5000 AS BIGINT) AS id, TIMESTAMP '2030-01-01 00:00:00' AS wall, TIMESTAMP '2030-01-01 00:00:00' AS instant, TIMESTAMP '2030-01-01' AS day, TIMESTAMP '2030-01-01 01:00:00' AS hour" >/dev/null
compare ts "a naive value appended to timestamp columns" "$tcols"

# Column mapping (mode name: files use col-<uuid> names) with v2 checkpoints, renamed
# columns (a partition column too), deletes by deletion vectors and a merge.
"$strata" table write cm --query "$(rows 0 20000)" --partition-by part \
  --property delta.columnMapping.mode=name --property delta.checkpointPolicy=v2 \
  --property delta.enableDeletionVectors=true >/dev/null
compare cm "a create with column mapping"
"$strata" table rename-column cm name label >/dev/null
"$strata" table rename-column cm part bucket >/dev/null
mcols="CAST(id AS VARCHAR) AS id, CAST(bucket AS VARCHAR) AS bucket, CAST(label AS VARCHAR) AS label, CAST(score AS VARCHAR) AS score"
compare cm "two renames" "$mcols"
for i in $(seq 1 10); do
  "$strata" table write cm --mode append --query "SELECT range AS id, 'p' || (range % 3) AS bucket, 'n' || range AS label, range * 0.25 AS score FROM range($((30000 + i * 10)), $((30010 + i * 10)))" >/dev/null
done
"$strata" table delete cm --where "id % 4 = 0" >/dev/null
"$strata" table merge cm --query "SELECT range AS id, 'p9' AS bucket, 'm' AS label, 1.0 AS score FROM range(19990, 20010)" --on id >/dev/null
compare cm "appends past a v2 checkpoint, a delete and a merge" "$mcols"
grep -q v2Checkpoint "$STRATA_LAKE/cm/_delta_log/_last_checkpoint"
from_checkpoint cm "v2 with sidecars"
