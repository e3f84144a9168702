#!/usr/bin/env bash
# cmake --install into a fresh prefix, then use it as a user would:
#  - the installed binary runs with an empty environment (libstrata and libduckdb found
#    through its rpath);
#  - a separate CMake project builds against it with find_package(strata), and a
#    one-file program with pkg-config; both run;
#  - no public header includes a third-party header, and every public header is
#    compiled by public_headers_test.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/strata/frame.h"
test -f "$prefix/include/strata/version.h"
out=$(env -i "$prefix/bin/strata" query "SELECT 6 * 7 AS answer" --format csv)
test "$out" = $'answer\n42' || { echo "unexpected output: $out" >&2; exit 1; }
if grep -rE '#include [<"](duckdb|nlohmann|CLI|yaml)' "$prefix/include/strata"; then
  echo "a public header includes a third-party header" >&2
  exit 1
fi
for h in "$prefix"/include/strata/*.h; do
  name=$(basename "$h")
  grep -q "\"strata/$name\"" "$source/tests/install/public_headers_test.cc" \
    || { echo "public_headers_test.cc does not include strata/$name" >&2; exit 1; }
done
# find_package(strata)
cmake -S "$source/tests/install/consumer" -B "$prefix/consumer-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer-build" >/dev/null
"$prefix/consumer-build/consumer" | grep -q "suite passed"
# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
g++ -o "$prefix/pc-consumer" "$source/tests/install/consumer/main.cc" $(pkg-config --cflags --libs strata)
"$prefix/pc-consumer" | grep -q "suite passed"
echo "installed to $prefix: the binary runs, find_package and pkg-config consumers build and run"
