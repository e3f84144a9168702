#!/usr/bin/env bash
# The seed's pipeline from YAML, as the README runs it: `strata run
# examples/feature_engineering.yaml --param input=events.csv --format json` succeeds; the
# second run skips every step and writes no table version; on --dirty data the gate fails
# the run (exit 1) and the table keeps its version.
# Usage: yaml_example_test.sh STRATA EXAMPLES_DIR [ROWS]
set -euo pipefail
S=$1
EX=$(cd "$2" && pwd)
ROWS=${3:-200000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
"$S" generate events "$ROWS" -o events.csv
"$S" generate events "$ROWS" --dirty -o dirty.csv
"$S" init --lake lake >/dev/null

field() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

"$S" run "$EX/feature_engineering.yaml" --lake lake --param input=events.csv --format json >first.json 2>first.log
[ "$(field first.json 'd["status"]')" = succeeded ] || { cat first.log; exit 1; }
[ "$(field first.json '",".join(s["status"] for s in d["steps"])')" = "succeeded,succeeded,succeeded,succeeded" ]
[ "$(field first.json '[o["version"] for s in d["steps"] for o in s["outputs"]][0]')" = 0 ]

"$S" run "$EX/feature_engineering.yaml" --lake lake --param input=events.csv --format json >second.json 2>/dev/null
[ "$(field second.json '",".join(s["status"] for s in d["steps"])')" = "skipped,skipped,skipped,skipped" ] || { cat second.json; exit 1; }

set +e
"$S" run "$EX/feature_engineering.yaml" --lake lake --param input=dirty.csv --format json >dirty.json 2>/dev/null
code=$?
set -e
[ "$code" -eq 1 ] || { echo "dirty run exited $code, expected 1"; exit 1; }
[ "$(field dirty.json 'd["status"]')" = failed ]
[ "$(field dirty.json '[s["status"] for s in d["steps"] if s["name"] == "validate_features"][0]')" = failed ]
[ "$(field dirty.json '[s["status"] for s in d["steps"] if s["name"] == "publish_features"][0]')" = not_run ]
latest=$("$S" --lake lake table log features | awk 'NR > 1 { print $1 }' | sort -n | tail -1)
[ "$latest" = 0 ] || { echo "the failed gate left version $latest"; exit 1; }

# The run record says what was read and written.
run=$(field first.json 'd["run_id"]')
"$S" --lake lake runs show "$run" | grep -q "publish_features       wrote features@0"
"$S" --lake lake runs show "$run" | grep -q "extract_data           read  events.csv"

# Bad input: exit 2 with the file, line and step; an unknown parameter names the known ones.
printf 'name: x\nsteps:\n  - name: a\n    sqll: SELECT 1\n' >bad.yaml
set +e
msg=$("$S" run bad.yaml --lake lake 2>&1); code=$?
set -e
[ "$code" -eq 2 ] && echo "$msg" | grep -q "bad.yaml line 4, column 5: step 'a': unknown key 'sqll' (did you mean 'sql'?)" || { echo "$msg"; exit 1; }
set +e
msg=$("$S" run "$EX/feature_engineering.yaml" --lake lake --param inptu=x 2>&1); code=$?
set -e
[ "$code" -eq 2 ] && echo "$msg" | grep -q "unknown parameter 'inptu' (the pipeline's parameters: input, min_quality)" || { echo "$msg"; exit 1; }

# The example passes the JSON Schema editors use (docs/pipeline.schema.json).
py=python3
$py -c 'import jsonschema, yaml' 2>/dev/null || py=/usr/bin/python3
$py - "$EX/feature_engineering.yaml" "$EX/../docs/pipeline.schema.json" <<'PY'
import json, sys, jsonschema, yaml
schema = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(yaml.safe_load(open(sys.argv[1])), schema)
try:
    jsonschema.validate(yaml.safe_load("name: x\nsteps:\n  - name: a\n    sqll: x\n"), schema)
    sys.exit("the schema accepted an unknown key")
except jsonschema.ValidationError:
    pass
PY

"$S" test "$EX/feature_engineering_test.yaml" | tail -1 | grep -q "2 passed, 0 failed"
echo "feature_engineering.yaml: runs, skips, fails at its gate on dirty data; tests pass"
