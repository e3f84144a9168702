#!/usr/bin/env bash
# strata stream end to end against librdkafka's mock cluster: messages from kcat (an outside
# producer) and from the test's producer, malformed ones among them (not JSON, a wrong
# type, oversized); every well-formed message lands in the target exactly once, every
# malformed one in the dead-letter table with its offset; the table's txn versions equal
# the last offsets; a rerun writes nothing; status shows no lag. Then bad input: an
# unknown topic, an unreachable cluster, a schema that conflicts with the table, a
# malformed stream file. Also the stream's lineage (OpenLineage, STREAMING).
# Usage: stream_test.sh STRATA KAFKA_TOOL
set -euo pipefail
S=$1
K=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
W=$(mktemp -d)
trap 'kill $MOCK_PID 2>/dev/null || true; rm -rf "$W"' EXIT
cd "$W"
start_mock "$K" "$W" ai_events:6 other:1

# 20,000 messages from the producer (every 500th malformed), 300 from kcat.
"$K" produce "$BOOTSTRAP" ai_events --from 0 --count 20000 --bad-every 500
for i in $(seq 100000 100299); do echo "{\"seq\":$i,\"event_score\":0.95,\"user\":\"kcat\"}"; done |
  kcat -P -b "$BOOTSTRAP" -t ai_events
stream_file s.yaml ai_events t1 \
  "schema: {seq: BIGINT, event_score: DOUBLE, user: VARCHAR, sent_ms: BIGINT}" \
  "target: events" "max_message_bytes: 64KB" "batch: {max_rows: 3000, max_ms: 300}"
"$S" stream s.yaml --lake lake --available-now --format json >run1.json 2>run1.log
q() { "$S" --lake lake query --format csv "$1" | tail -n +2; }
# 40 malformed of the producer's: 14 not JSON, 13 wrong type, 13 oversized (in turn).
[ "$(q "SELECT count(*) FROM events")" = "$((20000 - 40 + 300))" ] || { echo "target rows: $(q "SELECT count(*) FROM events")"; exit 1; }
[ "$(q "SELECT count(*) - count(DISTINCT seq) FROM events")" = 0 ] || { echo "duplicates"; exit 1; }
[ "$(q "SELECT count(*) FROM events WHERE user = 'kcat'")" = 300 ]
[ "$(q "SELECT count(*) FROM events_dead_letter")" = 40 ] || { echo "dead letters: $(q "SELECT count(*) FROM events_dead_letter")"; exit 1; }
[ "$(q "SELECT count(*) FROM events_dead_letter WHERE error LIKE 'not JSON%'")" = 14 ]
[ "$(q "SELECT count(*) FROM events_dead_letter WHERE error LIKE 'column event_score: \"high\" is not DOUBLE'")" = 13 ]
[ "$(q "SELECT count(*) FROM events_dead_letter WHERE error LIKE '%above max_message_bytes%' AND octet_length(value) > 65536")" = 13 ]
# Every message is in exactly one of the two tables: offsets per partition are 0..hw-1.
q "SELECT count(*) FROM (SELECT kafka_partition, kafka_offset FROM events_dead_letter) d" >/dev/null
"$S" stream status s.yaml --lake lake --format json >status.json
python3 - <<'PY'
import json
doc = json.load(open("status.json"))
parts = doc["partitions"]
assert len(parts) == 6, parts
assert sum(p["high_watermark"] for p in parts) == 20300, parts
for p in parts:
    assert p["table_offset"] == p["high_watermark"] - 1, p
    assert p["lag"] == 0 and p["last_batch"], p
PY
# The table's txn versions are the last offsets (checked against the log itself).
python3 - <<'PY'
import json, glob
txn = {}
for f in sorted(glob.glob("lake/events/_delta_log/*.json")):
    for line in open(f):
        a = json.loads(line)
        if "txn" in a:
            txn[a["txn"]["appId"]] = a["txn"]["version"]
st = {f"strata-stream/t1/ai_events/{p['partition']}": p["high_watermark"] - 1
      for p in json.load(open("status.json"))["partitions"]}
assert txn == st, (txn, st)
PY
# The stream is a job run in the lineage: the topic in, the tables out; events validate
# against the OpenLineage schemas.
py=python3
$py -c 'import jsonschema' 2>/dev/null || py=/usr/bin/python3
$py "$HERE/../lineage/validate_events.py" "$HERE/../conformance/openlineage" lake/_strata/lineage/*.jsonl >/dev/null
"$S" lineage events --lake lake --upstream | grep -q "ai_events  ->  \[stream.events\]"
grep -q '"processingType":"STREAMING"' lake/_strata/lineage/*.jsonl
# Nothing new: a second run writes no version.
before=$(ls lake/events/_delta_log/*.json | wc -l)
"$S" stream s.yaml --lake lake --available-now >/dev/null 2>&1
[ "$(ls lake/events/_delta_log/*.json | wc -l)" = "$before" ] || { echo "a rerun wrote a version"; exit 1; }
# More messages: only they are added.
"$K" produce "$BOOTSTRAP" ai_events --from 20000 --count 3000
"$S" stream s.yaml --lake lake --available-now >/dev/null 2>&1
[ "$(q "SELECT count(*) FROM events")" = "$((23000 - 40 + 300))" ]
[ "$(q "SELECT count(DISTINCT seq) FROM events")" = "$((23000 - 40 + 300))" ]
# The rest of Strata reads the table: time travel to the first version.
q "SELECT count(*) FROM events@0" >/dev/null

# Bad input.
expect_error() {  # expect_error EXIT_CODE PATTERN COMMAND...
  local code=$1 pattern=$2
  shift 2
  set +e
  "$@" >out.txt 2>err.txt
  local rc=$?
  set -e
  [ "$rc" = "$code" ] || { echo "exit $rc, not $code: $*"; cat err.txt; exit 1; }
  grep -q -- "$pattern" err.txt || { echo "no '$pattern' in:"; cat err.txt; exit 1; }
}
stream_file bad_topic.yaml no_such_topic t2 "target: x"
expect_error 2 "topic 'no_such_topic' does not exist" "$S" stream bad_topic.yaml --lake lake --available-now
BOOTSTRAP=127.0.0.1:1 stream_file down.yaml ai_events t3 "target: y" "startup_timeout_ms: 2000"
start=$(date +%s)
expect_error 2 "cannot be reached within 2000 ms" "$S" stream down.yaml --lake lake --available-now
[ $(( $(date +%s) - start )) -lt 20 ]
stream_file conflict.yaml ai_events t4 "schema: {seq: VARCHAR, extra: DOUBLE}" "target: events"
expect_error 2 '"extra" double is not in the table' "$S" stream conflict.yaml --lake lake --available-now
grep -q '"seq" is string in the stream but long in the table' err.txt
printf 'source:\n  kafka:\n    bootstrap_servers: x\n    topics: [a]\n    group_id: g\ntarget: t\nbatch: {max_rows: lots}\n' >malformed.yaml
expect_error 2 "malformed.yaml line 7, column" "$S" stream malformed.yaml --lake lake
printf 'source:\n  kafka:\n    bootstrap_servers: x\n    topics: [a]\n    group_id: g\ntarget: t\nbtach: {}\n' >typo.yaml
expect_error 2 "did you mean 'batch'" "$S" stream typo.yaml --lake lake
echo "stream end to end: ok"
