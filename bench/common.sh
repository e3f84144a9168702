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

# Runs the commands in rounds, each once per round, REPS rounds, so that the drifting
# load of a shared machine falls on every tool alike. For each NAME the caller sets the
# array cmd_NAME (the command) and may set ok[NAME] (an exit code that is a result, not
# a failure: `strata validate` exits 1 when the suite fails). Fills wall[NAME] (median
# wall seconds) and mem[NAME] (peak KiB); the caller declares `declare -A wall mem ok`.
#   bench_rounds REPS NAME...
bench_rounds() {
  local reps=$1 name round
  shift
  for name in "$@"; do : >"$out/.runs.$name"; done
  for round in $(seq "$reps"); do
    for name in "$@"; do
      local -n cmd="cmd_$name"
      local rc=0
      /usr/bin/time -o "$out/.time" -f "%e %M" "${cmd[@]}" >/dev/null 2>"$out/.stderr" || rc=$?
      if [ "$rc" -ne 0 ] && [ "$rc" -ne "${ok[$name]:-0}" ]; then
        echo "failed ($rc): ${cmd[*]}" >&2
        cat "$out/.stderr" >&2
        exit 1
      fi
      tail -1 "$out/.time" >>"$out/.runs.$name"
      unset -n cmd
    done
  done
  for name in "$@"; do
    wall[$name]=$(cut -d' ' -f1 "$out/.runs.$name" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    mem[$name]=$(cut -d' ' -f2 "$out/.runs.$name" | sort -g | tail -1)
    rm -f "$out/.runs.$name"
  done
}
