#!/usr/bin/env bash
# The GE conformance runner cannot hide a failure: it reads GE's folder layout (files in
# subfolders), parses Python's JSON (NaN, Infinity), counts an unimplemented expectation
# type and an unreadable file as failures, and exits 2 when it finds no test.
# Usage: ge_runner_test.sh RUNNER CONFORMANCE_DIR
set -euo pipefail
R=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# GE's layout: category subfolders.
mkdir -p "$W/layout/column_map_expectations" "$W/layout/other_expectations"
cp "$SRC/expect_column_values_to_not_be_null.json" "$W/layout/column_map_expectations/"
cp "$SRC/expect_table_row_count_to_be_between.json" "$W/layout/other_expectations/"
out=$("$R" "$W/layout") || fail "the layout run failed: $out"
echo "$out" | grep -q "column_map_expectations/expect_column_values_to_not_be_null.json" ||
  fail "the subfolder file was not read: $out"
passed=$(echo "$out" | tail -1 | awk '{print $1}')
[ "$passed" -gt 10 ] || fail "too few tests ran: $(echo "$out" | tail -1)"

# NaN is a missing value, ±Infinity a double in data and an open bound in kwargs.
mkdir -p "$W/nan"
cat >"$W/nan/expect_column_max_to_be_between.json" <<'JSON'
{"expectation_type": "expect_column_max_to_be_between",
 "datasets": [{"data": {"x": [1.5, NaN, 2.5], "y": [1.0, Infinity, -Infinity]},
  "tests": [
   {"title": "nan_is_missing", "exact_match_out": false,
    "in": {"column": "x", "min_value": 2.5, "max_value": 2.5}, "out": {"success": true, "observed_value": 2.5}},
   {"title": "infinite_bound_is_open", "exact_match_out": false,
    "in": {"column": "x", "min_value": -Infinity, "max_value": 3}, "out": {"success": true}},
   {"title": "infinity_in_data", "exact_match_out": false,
    "in": {"column": "y", "min_value": 0}, "out": {"success": true}}]}]}
JSON
out=$("$R" "$W/nan") || fail "the NaN file did not pass: $out"
echo "$out" | tail -1 | grep -q "^3 passed, 0 failed, 0 skipped$" || fail "NaN file: $out"

# An unimplemented type fails each of its tests; an unreadable file fails and the run goes on.
mkdir -p "$W/bad"
cp "$SRC/expect_column_to_exist.json" "$W/bad/"
cat >"$W/bad/expect_column_values_to_be_somewhere_else.json" <<'JSON'
{"expectation_type": "expect_column_values_to_be_somewhere_else",
 "datasets": [{"data": {"x": [1]}, "tests": [{"title": "t", "in": {"column": "x"}, "out": {"success": true}}]}]}
JSON
printf '{"expectation_type": "expect_column_to_exist", "datasets": [' >"$W/bad/truncated.json"
set +e
out=$("$R" "$W/bad")
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit $rc with failures (want 1): $out"
echo "$out" | grep -q "FAIL t: expectation type not implemented" || fail "unimplemented not failed: $out"
echo "$out" | grep -q "FAIL .*truncated.json: cannot be read as a test definition" ||
  fail "unreadable file not named: $out"
echo "$out" | grep -q "expect_column_to_exist (expect_column_to_exist.json)" ||
  fail "the run stopped at the bad file: $out"
echo "$out" | tail -1 | grep -q " 2 failed, " || fail "want 2 failures: $(echo "$out" | tail -1)"

# No test found is an error, not a green run.
mkdir -p "$W/empty/sub"
set +e
"$R" "$W/empty" >/dev/null 2>"$W/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "an empty folder exits $rc (want 2)"
grep -q "no test definitions found" "$W/err" || fail "no message: $(cat "$W/err")"
echo "GE runner: layout, NaN/Infinity, unimplemented types, unreadable files, empty folder"
