#!/usr/bin/env bash
# Two ingesters in one consumer group share a topic's partitions while a producer keeps
# writing; one is killed with SIGKILL; the other takes its partitions over (once the mock
# cluster expires the dead member's session) and the table ends with every message exactly
# once; the survivor stops cleanly on SIGTERM (exit 0).
# Usage: group_test.sh STRATA KAFKA_TOOL
set -euo pipefail
S=$1
K=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
W=$(mktemp -d)
A=""; B=""; P=""
trap 'kill -9 $A $B $P 2>/dev/null || true; kill $MOCK_PID 2>/dev/null || true; rm -rf "$W"' EXIT
cd "$W"
start_mock "$K" "$W" shared:8
N=60000
stream_file s.yaml shared pair "schema: {seq: BIGINT, event_score: DOUBLE, user: VARCHAR, sent_ms: BIGINT}" \
  "target: shared_table" "batch: {max_rows: 2000, max_ms: 200}"
"$S" init --lake lake >/dev/null
"$S" stream s.yaml --lake lake >a.log 2>&1 &
A=$!
"$S" stream s.yaml --lake lake >b.log 2>&1 &
B=$!
# Producing while both consume: 60,000 messages at 4,000/s (15 s).
"$K" produce "$BOOTSTRAP" shared --from 0 --count $N --rate 4000 &
P=$!
# Wait until both are members with partitions and have committed batches; then kill one
# mid-stream (while the producer is still writing).
for _ in $(seq 300); do
  grep -q "batch" a.log && grep -q "batch" b.log && break
  sleep 0.1
done
grep -q "batch" a.log || { echo "ingester A committed nothing:"; cat a.log; exit 1; }
grep -q "batch" b.log || { echo "ingester B committed nothing:"; cat b.log; exit 1; }
kill -0 $P 2>/dev/null || echo "note: the producer finished before the kill"
kill -9 $A
wait $A 2>/dev/null || true
A=""
wait $P
P=""
# The survivor catches up with everything (the dead member's partitions included).
for _ in $(seq 120); do
  "$S" stream status s.yaml --lake lake --format json >status.json 2>/dev/null || true
  python3 -c '
import json, sys
parts = json.load(open("status.json"))["partitions"]
sys.exit(0 if len(parts) == 8 and all(p["lag"] == 0 and p["table_offset"] >= 0 for p in parts) else 1)' && break
  sleep 0.5
done
kill -TERM $B
wait $B || { echo "the survivor did not stop cleanly:"; cat b.log; exit 1; }
B=""
q() { "$S" --lake lake query --format csv "$1" | tail -n +2 | tr -d '"'; }
got=$(q "SELECT count(*) || ',' || count(DISTINCT seq) || ',' || min(seq) || ',' || max(seq) FROM shared_table")
[ "$got" = "$N,$N,0,$((N - 1))" ] || {
  echo "rows, distinct, min, max: $got"; cat status.json
  echo "--- the survivor's log (last 40 lines):"; tail -n 40 b.log
  echo "--- the killed member's log (last 10 lines):"; tail -n 10 a.log
  exit 1
}
echo "consumer group: $N rows exactly once after one of two members was killed"
