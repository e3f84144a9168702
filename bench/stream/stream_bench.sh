#!/usr/bin/env bash
# strata stream against kcat on the same topic of librdkafka's mock cluster (3 brokers,
# 32 partitions, 1,000,000 JSON messages of about 90 bytes), in rounds:
#   1. throughput: `strata stream --available-now` (decode, table commit per batch) against
#      `kcat -C -e -o beginning` into /dev/null (the ceiling: reading alone, without a
#      consumer group) and `kcat -G` (reading alone through librdkafka's consumer-group
#      consumer, the same path Strata takes), all from the beginning of the preloaded topic.
#      Both group consumers first join the group (about 3 s on the mock cluster): their
#      rates are given over the whole run and, for Strata, over the time it consumed (first
#      message to the end).
#   2. memory: peak RSS reading 1,000,000 against 2,000,000 messages (64 partitions, so the
#      mock cluster keeps them all) with the same batch (bounded by the batch, not the
#      topic), and with a 10x smaller batch.
#   3. latency: producing 50,000 messages/s for 20 s while consuming with 1-second batches;
#      from each message's Kafka timestamp to the commit holding it, median and p99.
# Usage: bench/stream/stream_bench.sh [ROUNDS]   (default 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
"$root/scripts/setup" >/dev/null
"$root/scripts/build" >/dev/null
S=$root/build/strata
K=$root/build/tests/strata_kafka_tool
. "$root/tests/stream/common.sh"
W=$(mktemp -d)
trap 'kill $MOCK_PID 2>/dev/null || true; rm -rf "$W"' EXIT
cd "$W"
start_mock "$K" "$W" bench:32 one:64 two:64 live:32
N=1000000
"$K" produce "$BOOTSTRAP" bench --from 0 --count $N
"$K" produce "$BOOTSTRAP" one --from 0 --count $N
"$K" produce "$BOOTSTRAP" two --from 0 --count $((2 * N))
schema="schema: {seq: BIGINT, event_score: DOUBLE, user: VARCHAR, kind: VARCHAR, sent_ms: BIGINT}"
json() { python3 -c "import json,sys; print(json.load(open('$1'))['$2'])"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >strata.txt; : >strata_consume.txt; : >kcat.txt; : >kcatg.txt
for r in $(seq "$rounds"); do
  stream_file s$r.yaml bench bench$r "$schema" "target: t$r" "batch: {max_rows: 100000, max_ms: 1000}"
  /usr/bin/time -o time.txt -f "%e %M" "$S" stream s$r.yaml --lake lake$r --available-now --format json >out$r.json 2>/dev/null
  [ "$(json out$r.json messages)" = $N ] || { echo "round $r: $(json out$r.json messages) messages"; exit 1; }
  read -r secs kb <time.txt
  echo "$secs" >>strata.txt
  json out$r.json consume_seconds >>strata_consume.txt
  /usr/bin/time -o time.txt -f "%e %M" kcat -C -b "$BOOTSTRAP" -t bench -e -o beginning -q >/dev/null
  read -r secs kb <time.txt
  echo "$secs" >>kcat.txt
  /usr/bin/time -o time.txt -f "%e %M" kcat -b "$BOOTSTRAP" -G kcat$r -X enable.partition.eof=true \
    -X auto.offset.reset=earliest -e -q bench >/dev/null
  read -r secs kb <time.txt
  echo "$secs" >>kcatg.txt
  rm -rf lake$r
done
s_all=$(median <strata.txt); s_consume=$(median <strata_consume.txt); k=$(median <kcat.txt); kg=$(median <kcatg.txt)
rate() { python3 -c "print(f'{$N / $1:,.0f}')"; }
ratio() { python3 -c "print(f'{($N / $1) / ($N / $2) * 100:.0f}%')"; }
echo "throughput, 1,000,000 messages, median of $rounds rounds:"
echo "  kcat -C -e (ceiling)           $k s  $(rate "$k") msg/s"
echo "  kcat -G (group consumer)       $kg s  $(rate "$kg") msg/s"
echo "  strata stream, whole run       $s_all s  $(rate "$s_all") msg/s  ($(ratio "$s_all" "$k") of kcat -C, $(ratio "$s_all" "$kg") of kcat -G)"
echo "  strata stream, consuming       $s_consume s  $(rate "$s_consume") msg/s  ($(ratio "$s_consume" "$k") of kcat -C)"

# Memory: the whole topic against a quarter of it, and a 10x smaller batch.
mem_run() {  # mem_run TOPIC ROWS GROUP
  stream_file m.yaml "$1" "$3" "$schema" "target: m_$3" "batch: {max_rows: $2, max_ms: 1000}"
  /usr/bin/time -o time.txt -f "%M" "$S" stream m.yaml --lake lake_m --available-now >/dev/null 2>&1
  cat time.txt
}
echo "peak memory (RSS), the larger of 2 runs each:"
peak() { local a b; a=$(mem_run "$1" "$2" "$3a"); b=$(mem_run "$1" "$2" "$3b"); echo $(( (a > b ? a : b) / 1024 )); }
echo "  1,000,000 messages, 100,000-row batches  $(peak one 100000 mem1) MB"
echo "  2,000,000 messages, 100,000-row batches  $(peak two 100000 mem2) MB"
echo "  1,000,000 messages,  10,000-row batches  $(peak one 10000 mem3) MB"

# Latency: produce while consuming, 1-second batches.
stream_file l.yaml live live "$schema" "target: live" "batch: {max_rows: 100000, max_ms: 1000}"
"$S" stream l.yaml --lake lake_l --format json >live.json 2>live.log &
SP=$!
sleep 5  # joined and assigned
"$K" produce "$BOOTSTRAP" live --from 0 --count 1000000 --rate 50000
for _ in $(seq 60); do
  "$S" stream status l.yaml --lake lake_l --format json >st.json 2>/dev/null || true
  python3 -c 'import json,sys; p=json.load(open("st.json"))["partitions"]; sys.exit(0 if p and sum(x["lag"] for x in p) == 0 and all(x["table_offset"] >= 0 for x in p) else 1)' && break
  sleep 0.5
done
kill -TERM $SP
wait $SP
echo "latency, produce time to committed version, 50,000 msg/s for 20 s, 1 s batches:"
echo "  median $(json live.json latency_p50_ms) ms, p99 $(json live.json latency_p99_ms) ms ($(json live.json messages) messages, $(json live.json batches) batches)"
