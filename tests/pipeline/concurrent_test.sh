#!/usr/bin/env bash
# Two `strata run` processes on one lake at once, 20 times: no "database is locked", every
# run recorded and succeeded, and both runs' appends in the table.
# Usage: concurrent_test.sh STRATA [ROUNDS]
set -euo pipefail
S=$1
ROUNDS=${2:-20}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
"$S" generate events 2000 -o events.csv
cat > p.yaml <<'YAML'
name: together
steps:
  - name: extract
    read: events.csv
  - name: pick
    inputs: [extract]
    sql: SELECT sample_id, value FROM extract WHERE label = 1
  - name: publish
    inputs: [pick]
    write: {table: shared, mode: append}
YAML
"$S" init --lake lake >/dev/null
for i in $(seq 1 "$ROUNDS"); do
  "$S" run p.yaml --lake lake --force >"a$i.log" 2>&1 &
  a=$!
  "$S" run p.yaml --lake lake --force >"b$i.log" 2>&1 &
  b=$!
  wait "$a" || { echo "round $i: first run failed"; cat "a$i.log"; exit 1; }
  wait "$b" || { echo "round $i: second run failed"; cat "b$i.log"; exit 1; }
done
if grep -l -i "locked" ./*.log; then echo "a run met 'database is locked'"; exit 1; fi
n=$("$S" --lake lake runs --limit 1000 --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(1 for x in r if x["status"] == "succeeded"))')
[ "$n" -eq $((2 * ROUNDS)) ] || { echo "expected $((2 * ROUNDS)) succeeded runs recorded, found $n"; exit 1; }
v=$("$S" --lake lake query --format csv "SELECT count(*) FROM shared" | tail -1)
one=$("$S" --lake lake query --format csv "SELECT count(*) FROM 'events.csv' WHERE label = 1" | tail -1)
[ "$v" -eq $((2 * ROUNDS * one)) ] || { echo "table has $v rows, expected $((2 * ROUNDS * one))"; exit 1; }
echo "$((2 * ROUNDS)) runs in $ROUNDS pairs, all recorded, $v rows appended"
