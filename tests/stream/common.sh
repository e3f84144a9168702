# Shared by the stream tests: a mock Kafka cluster (librdkafka's, 3 brokers, over TCP) that
# the test starts and stops itself, and a stream file pointing at it.
# start_mock TOOL DIR TOPIC:PARTITIONS...   sets BOOTSTRAP and MOCK_PID
start_mock() {
  local tool=$1 dir=$2
  shift 2
  rm -f "$dir/bootstrap.txt"
  "$tool" mock "$dir/bootstrap.txt" --brokers 3 "$@" >"$dir/mock.log" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 100); do [ -s "$dir/bootstrap.txt" ] && break; sleep 0.1; done
  [ -s "$dir/bootstrap.txt" ] || { echo "the mock cluster did not start"; cat "$dir/mock.log"; exit 1; }
  BOOTSTRAP=$(cat "$dir/bootstrap.txt")
}

# stream_file FILE TOPIC GROUP [extra YAML lines...]: the mock's group coordinator does not
# act on LeaveGroup (kcat's group consumer waits the same), so a short session timeout
# keeps restarts quick.
stream_file() {
  local file=$1 topic=$2 group=$3
  shift 3
  {
    echo "source:"
    echo "  kafka:"
    echo "    bootstrap_servers: \"$BOOTSTRAP\""
    echo "    topics: [$topic]"
    echo "    group_id: $group"
    echo "    properties: {session.timeout.ms: \"6000\", heartbeat.interval.ms: \"500\"}"
    for line in "$@"; do echo "$line"; done
  } >"$file"
}
