#!/usr/bin/env bash
# cmake --install into a fresh prefix, then run the installed binary with an empty
# environment: it must find libstrata and libduckdb through its rpath.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/strata/frame.h"
out=$(env -i "$prefix/bin/strata" query "SELECT 6 * 7 AS answer" --format csv)
test "$out" = $'answer\n42' || { echo "unexpected output: $out" >&2; exit 1; }
if grep -rE '#include [<"](duckdb|nlohmann|CLI)' "$prefix/include/strata"; then
  echo "a public header includes a third-party header" >&2
  exit 1
fi
echo "installed binary runs from $prefix"
