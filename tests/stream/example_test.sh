#!/usr/bin/env bash
# examples/process_streaming_data against the mock cluster: 5,000 events produced with kcat
# (one not JSON); the example keeps exactly the ones with event_score > 0.9, and the bad one
# is a dead letter.
# Usage: example_test.sh EXAMPLE STRATA KAFKA_TOOL
set -euo pipefail
E=$1
S=$2
K=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
W=$(mktemp -d)
trap 'kill $MOCK_PID 2>/dev/null || true; rm -rf "$W"' EXIT
cd "$W"
start_mock "$K" "$W" ai_events:3
{
  for i in $(seq 0 4998); do
    echo "{\"event_id\":$i,\"user_id\":\"u$((i % 50))\",\"event_score\":0.$(( (i * 37) % 1000 ))}"
  done
  echo "oops"
} | kcat -P -b "$BOOTSTRAP" -t ai_events
"$E" "$BOOTSTRAP" lake --available-now
want=$(for i in $(seq 0 4998); do echo "0.$(( (i * 37) % 1000 ))"; done | awk '$1 > 0.9' | wc -l)
got=$("$S" --lake lake query --format csv "SELECT count(*) FROM events" | tail -1)
[ "$got" = "$want" ] || { echo "events: $got, want $want"; exit 1; }
[ "$("$S" --lake lake query --format csv "SELECT count(*) FROM events WHERE event_score <= 0.9" | tail -1)" = 0 ]
[ "$("$S" --lake lake query --format csv "SELECT count(*) FROM events_dead_letter" | tail -1)" = 1 ]
echo "process_streaming_data: $got of 4999 events kept"
