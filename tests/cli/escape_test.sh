#!/usr/bin/env bash
# Path traversal through every name that reaches the file system: table names, partition
# columns, partition values and --out. Nothing may appear outside the lake except the
# files --out names. Usage: escape_test.sh STRATA_BIN
set -uo pipefail
strata=$(realpath "$1")
box=$(mktemp -d /tmp/strata-escape-XXXXXX)
trap 'rm -rf "$box"' EXIT
mkdir -p "$box/deep/er/still/work"
cd "$box/deep/er/still/work"
export STRATA_LAKE="$box/deep/er/still/work/lake"
"$strata" init >/dev/null || exit 1
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# Partition column and values that try to climb out.
printf '"../../../../../outside","v/../../../../x",w\n../../../../y,/etc/passwd,1\n..,.,2\n/tmp/z,..%%2F..%%2F,3\n' > p.csv
"$strata" table write p --from p.csv --partition-by '../../../../../outside,v/../../../../x' >/dev/null \
  || fail "partitioned write refused: $("$strata" table write p --from p.csv 2>&1)"
rows=$("$strata" query --format csv "SELECT count(*) FROM p" | tail -1)
[ "$rows" = "3" ] || fail "partitioned table reads back $rows rows, want 3"
# Hostile table names: refused.
for name in ../x ../../x /tmp/x . .. x/../../y '..\x' "$box/abs"; do
  if "$strata" table write "$name" --from p.csv >/dev/null 2>&1; then fail "table name '$name' accepted"; fi
  if "$strata" query "SELECT 1 FROM \"$name\"" >/dev/null 2>&1; then :; fi
done
# --out writes exactly where it is told, and nothing else.
"$strata" query "SELECT 1 AS x" --out "$box/deep/out.csv" >/dev/null || fail "query --out failed"
printf '{"expectations":[]}\n' > s.json
"$strata" validate p.csv --suite s.json --out "$box/deep/report.html" -f html >/dev/null 2>&1 || fail "validate --out failed"

# Everything outside the lake and this folder's own inputs must be what --out named.
found=$(cd "$box" && find . -type f ! -path './deep/er/still/work/lake/*' | sort | tr '\n' ' ')
want="./deep/er/still/work/p.csv ./deep/er/still/work/s.json ./deep/out.csv ./deep/report.html "
[ "$found" = "$want" ] || fail "files outside the lake: '$found', want '$want'"
dirs=$(cd "$box" && find . -type d ! -path './deep/er/still/work/lake/*' | sort | tr '\n' ' ')
want_dirs=". ./deep ./deep/er ./deep/er/still ./deep/er/still/work ./deep/er/still/work/lake "
[ "$dirs" = "$want_dirs" ] || fail "folders outside the lake: '$dirs', want '$want_dirs'"
# And every data file of the table sits under the table's folder.
outside=$(cd "$STRATA_LAKE/p" && find . -name '*.parquet' | grep -c '/\.\./' || true)
[ "$outside" = "0" ] || fail "data files with '..' in their path"
[ "$failed" -eq 0 ] && echo "escape: no file outside the lake" 
exit "$failed"
