#!/usr/bin/env bash
# OpenLineage from real runs of the seed pipeline (one clean, one failing at its gate):
# every event validates against the 2-0-2 schema and the facet schemas; per run START comes
# before COMPLETE or FAIL; step events carry a parent facet naming the pipeline run; the
# Strata run ids in the events are those `strata runs` lists; `strata lineage --format dot`
# renders with Graphviz; a line cut short by a killed writer is skipped and reported.
# Usage: lineage_test.sh STRATA SOURCE_DIR
set -euo pipefail
S=$1
SRC=$(cd "$2" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
"$S" generate events 20000 -o events.csv
"$S" generate events 20000 --dirty -o dirty.csv
"$S" init --lake lake >/dev/null
"$S" run "$SRC/examples/feature_engineering.yaml" --lake lake --param input=events.csv >/dev/null 2>&1
"$S" run "$SRC/examples/feature_engineering.yaml" --lake lake --param input=dirty.csv >/dev/null 2>&1 && { echo "the dirty run should fail"; exit 1; }

# Table writes are job runs too: from a file, and from a query over a table (column lineage).
"$S" --lake lake table write raw --from events.csv >/dev/null
"$S" --lake lake table write by_category --query "SELECT category, avg(value) AS mean_value FROM raw WHERE label = 1 GROUP BY 1" >/dev/null
"$S" lineage by_category --lake lake --column mean_value | grep -q "value -> mean_value"
"$S" lineage by_category --lake lake --upstream | grep -q "events.csv"
# Validating a table is a job run too, with the assertions on the version it read.
printf 'expectations:\n  - {type: expect_column_values_to_not_be_null, kwargs: {column: category}}\n' >suite.yaml
"$S" --lake lake validate by_category --suite suite.yaml >/dev/null

py=python3
$py -c 'import jsonschema' 2>/dev/null || py=/usr/bin/python3
$py "$SRC/tests/lineage/validate_events.py" "$SRC/tests/conformance/openlineage" lake/_strata/lineage/*.jsonl

"$S" --lake lake runs --format json >runs.json
$py - lake/_strata/lineage runs.json <<'PY'
import glob, json, sys
events = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")) for l in open(f) if l.strip()]
runs = {r["run_id"]: r for r in json.load(open(sys.argv[2]))}
by_run = {}
for e in events:
    by_run.setdefault(e["run"]["runId"], []).append(e)
pipeline_runs = {}
for run_id, evs in by_run.items():
    kinds = [e["eventType"] for e in evs]
    assert kinds[0] == "START" and kinds[-1] in ("COMPLETE", "FAIL", "ABORT") and len(kinds) == 2, (run_id, kinds)
    strata = evs[0]["run"]["facets"]["strata"]["runId"]
    if evs[0]["job"]["facets"]["jobType"]["jobType"] == "QUERY":
        continue  # a table write: not a pipeline run
    assert strata in runs, f"event run {strata} is not in strata runs"
    parent = evs[0]["run"]["facets"].get("parent")
    if evs[0]["job"]["facets"]["jobType"]["jobType"] == "JOB":
        assert parent is None
        pipeline_runs[run_id] = (strata, evs[-1]["eventType"])
    else:
        assert parent is not None, f"step event without parent: {evs[0]['job']['name']}"
for run_id, evs in by_run.items():
    parent = evs[0]["run"]["facets"].get("parent")
    if parent and evs[0]["job"]["facets"]["jobType"]["jobType"] != "QUERY":
        assert parent["run"]["runId"] in pipeline_runs, "parent run id is not a pipeline run"
        assert parent["job"]["name"] == "feature_engineering"
statuses = sorted(s for _, s in pipeline_runs.values())
assert statuses == ["COMPLETE", "FAIL"], statuses
for strata, kind in pipeline_runs.values():
    assert runs[strata]["status"] == {"COMPLETE": "succeeded", "FAIL": "failed"}[kind]
# The failed gate's FAIL event has the error and the assertions on its input.
fails = [e for e in events if e["eventType"] == "FAIL" and e["job"]["name"].endswith("validate_features")]
assert fails and "errorMessage" in fails[0]["run"]["facets"]
asserts = fails[0]["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"]
assert any(a["assertion"] == "expect_column_values_to_not_be_null" and a["column"] == "feature_id" and not a["success"] for a in asserts)
# Column lineage of the SQL step: feature_1 is normalized_value, target is label.
sql = [e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"].endswith("transform_features")][0]
cl = sql["outputs"][0]["facets"]["columnLineage"]["fields"]
assert [f["field"] for f in cl["feature_1"]["inputFields"]] == ["normalized_value"]
assert [f["field"] for f in cl["target"]["inputFields"]] == ["label"]
checks = [e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == "validate.by_category"]
assert checks and checks[0]["inputs"][0]["facets"]["version"]["datasetVersion"] == "0"
assert checks[0]["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"][0]["success"] is True
print(f"{len(events)} events in {len(by_run)} runs: START first, parents and run ids consistent")
PY

"$S" lineage features --lake lake --upstream --format dot >graph.dot
dot -Tsvg graph.dot >graph.svg
grep -q "<svg" graph.svg
grep -q "events.csv" graph.dot
"$S" lineage features --lake lake --upstream --column feature_1 | grep -q "normalized_value -> feature_1"
# Both directions at once follow only feature_1's own path, not its source's other uses.
if "$S" lineage features --lake lake --column feature_1 | grep "transform_features" | grep -q -- "-> normalized_value"; then
  echo "--column followed a sibling column"; exit 1
fi

# A writer killed mid-line: the reader skips that line, says where, and reads the rest.
f=$(ls lake/_strata/lineage/*.jsonl | head -1)
n=$(wc -l <"$f")
printf '{"eventType": "START", "run": {"runId": "cut' >>"$f"
"$S" lineage --events --lake lake >events.out 2>events.err
[ "$(wc -l <events.out)" -eq "$n" ] || { echo "expected $n events read"; exit 1; }
grep -q "line $((n + 1)): not a whole OpenLineage event" events.err || { cat events.err; exit 1; }
"$S" lineage features --lake lake >/dev/null
echo "lineage: events valid, graph renders, a cut line is skipped and reported"
