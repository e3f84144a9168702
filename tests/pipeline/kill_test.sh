#!/usr/bin/env bash
# SIGKILL of `strata run` at random moments, at least 10 times: the catalog stays
# readable, the killed run shows as not finished ('running'), no table has a half-written
# version (`strata table check`), and `strata run --resume` completes it with the same
# table contents as a run that was never interrupted (appends included: exactly once).
# Usage: kill_test.sh STRATA [KILLS]
set -euo pipefail
S=$1
KILLS=${2:-12}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
"$S" generate events 1000000 -o events.csv

cat > p.yaml <<'YAML'
name: killable
params:
  input: events.csv
steps:
  - name: extract
    read: ${input}
  - name: features
    inputs: [extract]
    sql: SELECT sample_id, category, value * 2 AS v2, label FROM extract WHERE quality_score > 0.1
  - name: by_category
    inputs: [features]
    sql: SELECT category, count(*) AS n, sum(v2) AS s FROM features GROUP BY category
  - name: gate
    inputs: [features]
    validate:
      expectations:
        - type: expect_column_values_to_not_be_null
          kwargs: {column: sample_id}
  - name: publish
    inputs: [gate]
    write: {table: events_out, mode: append}
  - name: publish_agg
    inputs: [by_category]
    write: {table: agg, mode: overwrite}
YAML

# What the tables hold after one uninterrupted run.
contents() {
  local lake=$1
  "$S" --lake "$lake" query --format csv \
    "SELECT (SELECT count(*) FROM events_out) AS rows_out, (SELECT sum(sample_id) FROM events_out) AS ids,
            (SELECT count(*) FROM agg) AS agg_rows, (SELECT sum(n) FROM agg) AS agg_n"
}
"$S" init --lake ref >/dev/null
t0=$(date +%s%N)
"$S" run p.yaml --lake ref >/dev/null 2>&1
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
want=$(contents ref)

killed_mid_run=0
for i in $(seq 1 "$KILLS"); do
  lake="lake$i"
  "$S" init --lake "$lake" >/dev/null
  "$S" run p.yaml --lake "$lake" >"run$i.log" 2>&1 &
  pid=$!
  # Anywhere in the time a run takes: before it is recorded, mid-step, mid-write, or
  # (rarely) after it ends.
  sleep "$(awk -v r="$RANDOM" -v t="$took_ms" 'BEGIN { printf "%.3f", (r % (t + 1)) / 1000 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true

  # The catalog reads, whatever the moment of the kill.
  runs=$("$S" --lake "$lake" runs --format json)
  for t in events_out agg; do
    if ls "$lake/$t/_delta_log/"*.json >/dev/null 2>&1; then
      out=$("$S" --lake "$lake" table check "$t") || { echo "kill $i: table $t is not healthy: $out"; exit 1; }
    fi
  done
  status=$(printf '%s' "$runs" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["status"] + " " + r[0]["run_id"] if r else "none -")')
  read -r st run_id <<<"$status"
  case "$st" in
    running)
      killed_mid_run=$((killed_mid_run + 1))
      "$S" run p.yaml --lake "$lake" --resume "$run_id" >"resume$i.log" 2>&1 || { echo "kill $i: resume failed"; cat "resume$i.log"; exit 1; }
      ;;
    succeeded) ;;
    none) "$S" run p.yaml --lake "$lake" >/dev/null 2>&1 ;;
    *) echo "kill $i: unexpected run status $st"; exit 1 ;;
  esac
  got=$(contents "$lake")
  if [ "$got" != "$want" ]; then
    echo "kill $i ($st): tables differ from an uninterrupted run"
    echo "want: $want"
    echo "got:  $got"
    exit 1
  fi
done
echo "$KILLS kills, $killed_mid_run mid-run and resumed; every lake matches the uninterrupted run"
[ "$killed_mid_run" -ge 3 ] || { echo "too few kills landed mid-run ($killed_mid_run)"; exit 1; }
