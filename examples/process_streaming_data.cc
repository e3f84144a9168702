// The seed article's stream processing, in C++ with Strata:
//
//   def process_streaming_data():
//       db = duckdb.connect(':memory:')
//       consumer = KafkaConsumer('ai_events')
//       while True:
//           batch = consumer.poll(timeout_ms=1000)
//           if batch:
//               df = pd.DataFrame(batch)
//               db.execute("INSERT INTO events SELECT * FROM df WHERE event_score > 0.9")
//
// The Python loop loses or repeats events whenever it crashes between the insert and the
// consumer's commit, and its table lives in memory. Here each micro-batch (1 s or 100,000
// messages) is one version of the Delta table `events` in the lake, holding the batch's
// Kafka offsets in the same commit, so a restart continues exactly where the table ends;
// messages that are not JSON of the right shape go to `events_dead_letter`.
//
// Usage: process_streaming_data BOOTSTRAP_SERVERS [LAKE_DIR] [--available-now]
//   (default lake ./example-lake; without --available-now it runs until Ctrl-C)
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "strata/stream.h"

namespace {
strata::stream::Ingester* g_ingester = nullptr;
void OnSignal(int) {
  if (g_ingester != nullptr) g_ingester->Stop();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: process_streaming_data BOOTSTRAP_SERVERS [LAKE_DIR] [--available-now]\n");
    return 2;
  }
  std::string lake_dir = "example-lake";
  bool available_now = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--available-now") == 0) {
      available_now = true;
    } else {
      lake_dir = argv[i];
    }
  }
  strata::stream::StreamSpec spec;
  spec.source = "process_streaming_data";
  spec.kafka.bootstrap_servers = argv[1];
  spec.kafka.topics = {"ai_events"};
  spec.kafka.group_id = "process-streaming-data";
  spec.schema = {{"event_id", "BIGINT"}, {"user_id", "VARCHAR"}, {"event_score", "DOUBLE"}};
  spec.transform = "SELECT * FROM batch WHERE event_score > 0.9";
  spec.target = "events";
  spec.dead_letter = "events_dead_letter";
  spec.batch.max_ms = 1000;

  auto ingester = strata::stream::Ingester::Open(spec, lake_dir);
  if (!ingester.ok()) {
    std::fprintf(stderr, "error: %s\n", ingester.status().ToString().c_str());
    return 1;
  }
  g_ingester = ingester->get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  strata::stream::RunOptions options;
  options.available_now = available_now;
  options.on_batch = [](const strata::stream::BatchReport& b) {
    std::printf(
        "batch %lld: %lld events in, %lld kept (event_score > 0.9), %lld dead letters -> "
        "events@%lld\n",
        static_cast<long long>(b.batch), static_cast<long long>(b.messages),
        static_cast<long long>(b.rows_written), static_cast<long long>(b.dead_letters),
        static_cast<long long>(b.table_version));
  };
  auto stats = (*ingester)->Run(options);
  g_ingester = nullptr;
  if (!stats.ok()) {
    std::fprintf(stderr, "error: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  std::printf("%lld events consumed, %lld kept in 'events' (lake %s)\n",
              static_cast<long long>(stats->messages), static_cast<long long>(stats->rows_written),
              lake_dir.c_str());
  return 0;
}
