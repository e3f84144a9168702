# Shared by the benchmark scripts: sets up, builds, and makes the events data.
#   source bench/common.sh ROWS   ->  $root $peers $out $csv
bench_prepare() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local rows=$1
  "$root/scripts/setup" --peers >/dev/null
  "$root/scripts/build" >/dev/null
  peers="$root/third_party/peers/node_modules"
  out="$root/bench/out"
  mkdir -p "$out"
  csv="$out/events-$rows-dirty.csv"
  [ -f "$csv" ] || "$root/build/strata" generate events "$rows" --dirty -o "$csv"
}
