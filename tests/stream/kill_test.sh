#!/usr/bin/env bash
# Exactly once across crashes: 1,000,000 messages carrying a sequence number on 32
# partitions; `strata stream` is killed with SIGKILL at random moments (each time just after
# a commit, plus 0-400 ms: inside a batch's write or the next one's gathering) KILLS times
# and restarted; at the end the table holds every sequence number exactly once and the
# table's txn versions equal the last offsets of every partition.
# Usage: kill_test.sh STRATA KAFKA_TOOL [KILLS]
set -euo pipefail
S=$1
K=$2
KILLS=${3:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
W=$(mktemp -d)
PID=""
trap 'kill -9 $PID 2>/dev/null || true; kill $MOCK_PID 2>/dev/null || true; rm -rf "$W"' EXIT
cd "$W"
start_mock "$K" "$W" seq:32
N=1000000
"$K" produce "$BOOTSTRAP" seq --from 0 --count $N
stream_file s.yaml seq crash "schema: {seq: BIGINT, event_score: DOUBLE, user: VARCHAR, sent_ms: BIGINT}" \
  "target: seq_table" "batch: {max_rows: 4000, max_ms: 200}" "compact_every: 25"
versions() { ls lake/seq_table/_delta_log/ 2>/dev/null | grep -c '\.json$' || true; }
for k in $(seq "$KILLS"); do
  "$S" stream s.yaml --lake lake >"run$k.log" 2>&1 &
  PID=$!
  v0=$(versions)
  # Wait for a new commit (or give up after 60 s), then kill at a random moment after it.
  for _ in $(seq 600); do
    [ "$(versions)" -gt "$v0" ] && break
    kill -0 $PID 2>/dev/null || { echo "run $k ended early:"; cat "run$k.log"; exit 1; }
    sleep 0.1
  done
  sleep "0.$(printf '%03d' $((RANDOM % 400)))"
  echo "kill $k at $(date +%T) after $(versions) versions"
  kill -9 $PID
  wait $PID 2>/dev/null || true
  PID=""
done
echo "killed $KILLS times at $(versions) versions; finishing"
"$S" stream s.yaml --lake lake --available-now >final.log 2>&1 || { cat final.log; exit 1; }
q() { "$S" --lake lake query --format csv "$1" | tail -n +2; }
got=$(q "SELECT count(*) || ',' || count(DISTINCT seq) || ',' || min(seq) || ',' || max(seq) FROM seq_table")
got=${got//\"/}
[ "$got" = "$N,$N,0,$((N - 1))" ] || { echo "rows, distinct, min, max: $got (want $N,$N,0,$((N - 1)))"; exit 1; }
"$S" stream status s.yaml --lake lake --format json >status.json
python3 - <<'PY'
import json
parts = json.load(open("status.json"))["partitions"]
assert len(parts) == 32, len(parts)
for p in parts:
    assert p["table_offset"] == p["high_watermark"] - 1 and p["lag"] == 0, p
PY
"$S" --lake lake table check seq_table >/dev/null
echo "stream kill test: $KILLS kills, $N rows exactly once"
