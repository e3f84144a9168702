#!/usr/bin/env bash
# Every `strata ...` command shown in README.md and docs/*.md, run as a reader would paste
# it, in a scratch folder with the files the guide names: none may be a usage error (an
# option or command the program does not have), so the documentation cannot drift from
# the program. Optional parts in brackets are left out and placeholders (FILE, RUN_ID,
# ...) filled in; a command may still fail for want of a Kafka broker or a run, with an
# error that is not about its usage.
#   docs_commands_test.sh STRATA_BIN REPO_ROOT
set -euo pipefail
strata=$(realpath "$1")
repo=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/data"
ln -s "$strata" "$tmp/bin/strata"
export PATH="$tmp/bin:$PATH"
cd "$tmp"
strata generate events 2000 --dirty -o events.csv >/dev/null
strata query "COPY (SELECT * FROM 'events.csv') TO 'events.ndjson' (FORMAT json)" >/dev/null
strata query "COPY (SELECT * FROM 'events.csv') TO 'more.parquet' (FORMAT parquet)" >/dev/null
cp more.parquet data/part-0.parquet
strata profile events.csv > suite.yaml
strata profile events.csv --format json > suite.json
cp "$repo/examples/feature_engineering.yaml" pipeline.yaml
cp "$repo/examples/feature_engineering_test.yaml" tests.yaml
cat > stream.yaml <<'YAML'
source:
  kafka:
    bootstrap_servers: "127.0.0.1:1"
    topics: [ai_events]
    group_id: docs-test
format: json
target: ai_events
YAML

python3 - "$repo" > commands.txt <<'PY'
import re, sys, glob, os
repo = sys.argv[1]
files = [os.path.join(repo, "README.md")] + sorted(glob.glob(os.path.join(repo, "docs", "*.md")))
fill = {"PIPELINE.yaml": "pipeline.yaml", "TESTS.yaml...": "tests.yaml", "TESTS.yaml": "tests.yaml",
        "RUN_ID": "no-such-run", "DATASET": "events", "STREAM.yaml": "stream.yaml"}
for path in files:
    for line in open(path, encoding="utf-8"):
        if not line.startswith("    strata "):
            continue
        cmd = line.strip()
        cmd = re.sub(r"\s+#\s.*$", "", cmd)           # a trailing comment
        cmd = re.sub(r"\[[^\]]*\]\.*", "", cmd)       # optional parts
        words = [fill.get(w, w) for w in cmd.split()]
        print(os.path.relpath(path, repo) + "\t" + " ".join(words))
PY

count=0
failed=0
while IFS=$'\t' read -r where cmd; do
  count=$((count + 1))
  limit=60
  case "$cmd" in *"strata stream"*) limit=8 ;; esac
  set +e
  timeout "$limit" bash -c "$cmd" >/dev/null 2>err.txt
  code=$?
  set -e
  if grep -q -e "for usage\." -e "unknown command" -e "internal error" err.txt; then
    echo "FAIL ($where): $cmd"
    sed 's/^/    /' err.txt
    failed=$((failed + 1))
  else
    echo "ok   ($where, exit $code): $cmd"
  fi
done < commands.txt
[ "$count" -ge 30 ] || { echo "only $count commands found in the docs"; exit 1; }
echo "$count commands, $failed usage errors"
[ "$failed" -eq 0 ]
