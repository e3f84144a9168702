#!/usr/bin/env bash
# A local OpenLineage collector on loopback: `strata run` sends it every event it records
# (START before COMPLETE per run, parent facets, run ids those of `strata runs`); with the
# collector stopped, the run still succeeds and reports the undelivered events; `strata
# lineage send` delivers them once the collector is back; a malformed URL stops before
# anything runs.
# Usage: collector_test.sh STRATA SOURCE_DIR
set -euo pipefail
S=$1
SRC=$(cd "$2" && pwd)
W=$(mktemp -d)
collector=""
cleanup() { [ -n "$collector" ] && kill "$collector" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
"$S" generate events 5000 -o events.csv
"$S" init --lake lake >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
start_collector() {
  python3 "$SRC/tests/lineage/collector.py" "$port" received.jsonl &
  collector=$!
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return
    sleep 0.1
  done
  echo "the collector did not start"; exit 1
}
start_collector

OPENLINEAGE_API_KEY=secret-key "$S" run "$SRC/examples/feature_engineering.yaml" --lake lake \
  --param input=events.csv --openlineage-url "$url" >/dev/null 2>run1.err
if grep -q "not delivered" run1.err; then cat run1.err; exit 1; fi
"$S" --lake lake runs --format json >runs.json
python3 - received.jsonl runs.json lake/_strata/lineage <<'PY'
import glob, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
kept = [json.loads(l) for f in glob.glob(sys.argv[3] + "/*.jsonl") for l in open(f) if l.strip()]
assert len(got) == len(kept) == 10, (len(got), len(kept))  # START+COMPLETE for the run and 4 steps
runs = {r["run_id"] for r in json.load(open(sys.argv[2]))}
order = {}
for e in got:
    assert e["_auth"] == "Bearer secret-key"
    order.setdefault(e["run"]["runId"], []).append(e["eventType"])
    assert e["run"]["facets"]["strata"]["runId"] in runs
    if e["job"]["facets"]["jobType"]["jobType"] == "TASK":
        assert e["run"]["facets"]["parent"]["job"]["name"] == "feature_engineering"
assert all(k == ["START", "COMPLETE"] for k in order.values()), order
print(f"collector got {len(got)} events, in order, with parents and known run ids")
PY

kill "$collector"; wait "$collector" 2>/dev/null || true; collector=""
"$S" run "$SRC/examples/feature_engineering.yaml" --lake lake --param input=events.csv --force \
  --openlineage-url "$url" >/dev/null 2>run2.err || { echo "the run failed without its collector"; cat run2.err; exit 1; }
grep -q "10 lineage events were not delivered" run2.err || { cat run2.err; exit 1; }

start_collector
before=$(wc -l <received.jsonl)
"$S" lineage send --lake lake --url "$url" | grep -q "20 events sent, 0 failed"
after=$(wc -l <received.jsonl)
[ $((after - before)) -eq 20 ] || { echo "send delivered $((after - before)) events"; exit 1; }
missed=$("$S" --lake lake runs -n 1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["run_id"])')
grep -q "\"runId\": \"$missed\"" received.jsonl || { echo "the missed run's events were not sent"; exit 1; }

set +e
msg=$("$S" run "$SRC/examples/feature_engineering.yaml" --lake lake --param input=events.csv --openlineage-url "htp:/nowhere" 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] && echo "$msg" | grep -q "collector URL 'htp:/nowhere'" || { echo "$msg"; exit 1; }
[ "$("$S" --lake lake runs --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 2 ]
echo "collector: events delivered in order; a stopped collector costs nothing but a warning; send re-delivers"
