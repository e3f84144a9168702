#!/usr/bin/env bash
# The progress line of table write, delete, optimize, validate, profile and query: shown
# on a terminal (a pseudo-terminal made by util-linux's `script`), never where stderr is
# a file, and erased before results print. STRATA_PROGRESS_AFTER_MS=0 shows it from the
# first 100 ms poll instead of after one second, so the few-second inputs here suffice.
# Usage: progress_test.sh STRATA_BIN
set -uo pipefail
strata=$(realpath "$1")
box=$(mktemp -d /tmp/strata-progress-XXXXXX)
trap 'rm -rf "$box"' EXIT
cd "$box"
export STRATA_LAKE="$box/lake"
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

"$strata" init >/dev/null || exit 1
"$strata" query "COPY (SELECT i AS id, i % 97 AS k, random() AS v FROM range(3000000) t(i)) TO 'big.csv'" >/dev/null ||
  exit 1
printf 'expectations:\n  - expectation_type: expect_column_values_to_not_be_null\n    kwargs: {column: id}\n' >suite.yaml

# validate's database is sandboxed with a locked configuration, where DuckDB refuses the
# setting that makes it estimate a percentage: its line has the bytes and time only.

# Runs "$@" on a pseudo-terminal; its output (stdout and stderr together) in tty.txt.
on_tty() {
  local cmd="STRATA_PROGRESS_AFTER_MS=0 STRATA_LAKE='$STRATA_LAKE'"
  for word in "$@"; do cmd+=" '$word'"; done
  script -qec "$cmd" /dev/null </dev/null >tty.txt 2>&1
}
# The progress lines in tty.txt: each starts with a carriage return and an erase, then
# the label, DuckDB's estimate (where it can make one), the bytes read and the time.
shows_progress() { # LABEL
  tr '\r' '\n' <tty.txt | grep -q -- "^.\[K$1.* read.* [0-9.]*s$"
}
shows_percentage() { # LABEL
  tr '\r' '\n' <tty.txt | grep -q -- "^.\[K$1\[ *[0-9.]*%\] .* read.* [0-9.]*s$"
}

on_tty "$strata" table write t --from big.csv || fail "table write on a terminal: $(cat tty.txt)"
shows_percentage "writing t " || fail "table write shows no progress: $(cat -v tty.txt | head -c 600)"
grep -q "t: version 0, 3000000 rows" tty.txt || fail "table write's result missing"
# The result line comes after the erased progress line, whole.
tr '\r' '\n' <tty.txt | grep -q "^.\[Kt: version 0\|^t: version 0" || fail "result not on a line of its own"

for i in 1 2; do "$strata" table write t --from big.csv --mode append >/dev/null || fail "append $i"; done
on_tty "$strata" table optimize t || fail "optimize: $(cat tty.txt)"
shows_progress "optimizing t " || fail "optimize shows no progress: $(cat -v tty.txt | head -c 600)"
grep -q "3 files -> 1 files" tty.txt || fail "optimize's result missing: $(cat -v tty.txt | tail -c 300)"

on_tty "$strata" table delete t --where "k = 3" || fail "delete: $(cat tty.txt)"
shows_progress "deleting from t " || fail "delete shows no progress: $(cat -v tty.txt | head -c 600)"

on_tty "$strata" validate big.csv --suite suite.yaml || fail "validate: $(cat tty.txt)"
shows_progress "validating big.csv " || fail "validate shows no progress: $(cat -v tty.txt | head -c 600)"
grep -q "1 of 1 expectations met" tty.txt || fail "validate's result missing: $(cat -v tty.txt | tail -c 300)"

on_tty "$strata" profile big.csv || fail "profile: $(cat tty.txt)"
shows_progress "profiling big.csv " || fail "profile shows no progress: $(cat -v tty.txt | head -c 600)"
grep -q "expect_column_values_to_not_be_null" tty.txt || fail "profile's suite missing"

on_tty "$strata" query "SELECT count(*) AS n FROM 'big.csv' a JOIN 'big.csv' b USING (id)" ||
  fail "query: $(cat tty.txt)"
shows_percentage "" || fail "query shows no progress: $(cat -v tty.txt | head -c 600)"
grep -q "3000000" tty.txt || fail "query's result missing"

# Not a terminal: no progress, not even with the delay at zero.
STRATA_PROGRESS_AFTER_MS=0 "$strata" table write t2 --from big.csv >out.txt 2>err.txt || fail "write to files"
[ ! -s err.txt ] || fail "progress on a stderr that is a file: $(cat -v err.txt | head -c 300)"
grep -q $'\r' out.txt && fail "carriage return on stdout"

[ "$failed" -eq 0 ] && echo "progress: all passed"
exit "$failed"
