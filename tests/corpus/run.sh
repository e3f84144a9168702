#!/usr/bin/env bash
# Runs every case of cases.tsv against the strata binary (see cases.tsv for the rules).
# Usage: run.sh STRATA_BIN [CASES_DIR]. Prints one line per failing case and a summary;
# exit 0 only when every case behaved.
set -uo pipefail
strata=$(realpath "$1")
corpus=$(realpath "${2:-$(dirname "$0")}")
work=$(mktemp -d /tmp/strata-corpus-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'a,b\n1,x\n2,y\n' > data.csv
printf '{"expectations":[{"expectation_type":"expect_column_values_to_not_be_null","kwargs":{"column":"a"}}]}\n' > basic.json
printf '{"expectations":[]}\n' > none.json
export STRATA_LAKE="$work/lake"
"$strata" init >/dev/null

passed=0
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# Runs strata with the given arguments; checks the exit code (1 or 2, or any of "$allowed"
# when set), the error line and the expected words.
check() {
  local label=$1 expect=$2
  shift 2
  local out err code
  # A hang detector, not a speed limit: generous, since sanitizer builds on a loaded
  # machine run the 20,000-column file for minutes (it passed 120 s once under ASan).
  timeout 600 "$strata" "$@" >"$work/out" 2>"$work/err"
  code=$?
  err=$(cat "$work/err")
  if [ "$code" -ne 1 ] && [ "$code" -ne 2 ]; then
    if [ -z "${allowed:-}" ] || [[ " $allowed " != *" $code "* ]]; then
      fail "$label: exit code $code (want 1 or 2): strata $* :: ${err:0:300}"
      return
    fi
  fi
  if [[ "$err" == *"internal error"* ]]; then
    fail "$label: internal error: ${err:0:300}"
    return
  fi
  if [ "$code" -ne 0 ] && [[ "$err" != *"strata: error:"* ]]; then
    fail "$label: no 'strata: error:' line: ${err:0:300}"
    return
  fi
  if [ -n "$expect" ] && [ "$code" -ne 0 ] && [[ "$err" != *"$expect"* ]]; then
    fail "$label: the error does not say '$expect': ${err:0:300}"
    return
  fi
  passed=$((passed + 1))
}

# A fresh table t at version 0.
fresh_table() {
  rm -rf "$STRATA_LAKE/t"
  "$strata" table write t --from data.csv >/dev/null || { echo "setup failed"; exit 1; }
}

# A fingerprint of everything stored in the lake.
# The lake's data and logs. Lineage events are left out: a refused write is recorded there as
# a FAIL event, which is a record of the attempt, not a change to what is stored.
lake_state() { (cd "$STRATA_LAKE" && find . -type f -not -path './_strata/lineage/*' -exec sha256sum {} + | sort); }

while IFS=$'\t' read -r kind arg expect; do
  [ -z "$kind" ] || [[ "$kind" == \#* ]] && continue
  case "$kind" in
    suite)
      allowed="" check "$arg" "$expect" validate data.csv --suite "$corpus/$arg"
      ;;
    log | logname)
      fresh_table
      if [ "$kind" = log ]; then
        cp "$corpus/$arg" "$STRATA_LAKE/t/_delta_log/00000000000000000001.json"
      else
        : >"$STRATA_LAKE/t/_delta_log/$arg"
      fi
      before=$(lake_state)
      allowed="" check "$arg: show" "$expect" table show t
      allowed="0" check "$arg: log" "" table log t
      allowed="" check "$arg: query" "$expect" query "SELECT count(*) FROM t"
      allowed="" check "$arg: validate" "$expect" validate t --suite basic.json
      allowed="" check "$arg: write" "$expect" table write t --from data.csv
      allowed="" check "$arg: restore" "" table restore t 0
      [ "$(lake_state)" = "$before" ] || fail "$arg: the lake changed after refused commands"
      ;;
    csv)
      rm -rf "$STRATA_LAKE/c"
      before=$(lake_state)
      allowed="" check "$arg: write" "$expect" table write c --from "$corpus/$arg"
      [ "$(lake_state)" = "$before" ] || fail "$arg: a refused write changed the lake"
      allowed="0" check "$arg: validate" "" validate "$corpus/$arg" --suite none.json
      allowed="0" check "$arg: query" "" query "SELECT count(*) FROM '$corpus/$arg'"
      ;;
    ref)
      fresh_table
      allowed="" check "$arg: validate" "$expect" validate "$arg" --suite basic.json
      allowed="" check "$arg: query" "$expect" query "SELECT count(*) FROM $arg"
      ;;
    name)
      before=$(lake_state)
      allowed="" check "$arg: write" "$expect" table write "$arg" --from data.csv
      [ "$(lake_state)" = "$before" ] || fail "$arg: a refused write changed the lake"
      ;;
    *)
      fail "unknown kind '$kind' in cases.tsv"
      ;;
  esac
done <"$corpus/cases.tsv"

echo "corpus: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
