// strata stream FILE; strata stream status FILE.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/time_format.h"
#include "strata/stream.h"

namespace strata::cli {
namespace {

std::atomic<stream::Ingester*> g_ingester{nullptr};

void OnSignal(int) {
  if (stream::Ingester* i = g_ingester.load()) i->Stop();
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
  std::signal(SIGTERM, SIG_DFL);
}

struct StreamArgs {
  std::string file;
  bool available_now = false;
  std::string format = "text";
  std::string openlineage_url;
};

std::string LagText(const std::map<std::string, int64_t>& lag) {
  std::string out;
  for (const auto& [topic, n] : lag)
    out += (out.empty() ? "" : ", ") + topic + " " + std::to_string(n);
  return out.empty() ? "-" : out;
}

// What a person sees: on a terminal one status line, redrawn after each batch (batches,
// rows/s, lag per topic, and a problem being retried); otherwise a log line per batch.
class StreamDisplay {
 public:
  explicit StreamDisplay(bool tty) : tty_(tty), start_ms_(NowMs()) {}

  void Batch(const stream::BatchReport& b) {
    std::lock_guard lock(mu_);
    batches_ = b.batch;
    messages_ += b.messages;
    rows_ += b.rows_written;
    dead_ += b.dead_letters;
    lag_ = b.lag;
    problem_.clear();
    if (tty_) {
      Draw();
      return;
    }
    std::fprintf(stderr,
                 "%s batch %lld: version %lld, %lld messages, %lld rows, %lld dead letters, "
                 "%lld ms, lag %s%s%s\n",
                 IsoTimeMs(b.committed_ms).c_str(), static_cast<long long>(b.batch),
                 static_cast<long long>(b.table_version), static_cast<long long>(b.messages),
                 static_cast<long long>(b.rows_written), static_cast<long long>(b.dead_letters),
                 static_cast<long long>(b.committed_ms - b.started_ms), LagText(b.lag).c_str(),
                 b.check_note.empty() ? "" : ", ", b.check_note.c_str());
  }

  void Problem(const std::string& what) {
    std::lock_guard lock(mu_);
    problem_ = what;
    if (tty_) {
      Draw();
    } else if (!what.empty()) {
      std::fprintf(stderr, "%s retrying: %s\n", IsoTimeMs(NowMs()).c_str(), what.c_str());
    }
  }

  void Done() {
    std::lock_guard lock(mu_);
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  void Draw() {
    const double secs = static_cast<double>(NowMs() - start_ms_) / 1000.0;
    std::fprintf(
        stderr,
        "\r\033[K%lld batches, %lld messages (%.0f/s), %lld rows, %lld dead letters, lag %s%s%s",
        static_cast<long long>(batches_), static_cast<long long>(messages_),
        secs > 0 ? static_cast<double>(messages_) / secs : 0.0, static_cast<long long>(rows_),
        static_cast<long long>(dead_), LagText(lag_).c_str(),
        problem_.empty() ? "" : " | retrying: ", problem_.substr(0, 80).c_str());
    std::fflush(stderr);
  }

  std::mutex mu_;
  bool tty_;
  int64_t start_ms_;
  int64_t batches_ = 0, messages_ = 0, rows_ = 0, dead_ = 0;
  std::map<std::string, int64_t> lag_;
  std::string problem_;
};

int RunStream(const GlobalOptions& g, const StreamArgs& args) {
  auto spec = stream::LoadStreamFile(args.file);
  if (!spec.ok()) return ReportError(spec.status(), 2);
  auto ingester = stream::Ingester::Open(*spec, g.lake);
  if (!ingester.ok()) return ReportError(ingester.status(), 2);
  auto observer = OpenLineageFor(g, args.openlineage_url);
  if (!observer.ok()) return ReportError(observer.status(), 2);
  StreamDisplay display(::isatty(2) != 0);
  stream::RunOptions options;
  options.observers = {*observer};
  options.available_now = args.available_now;
  options.on_batch = [&](const stream::BatchReport& b) { display.Batch(b); };
  options.on_problem = [&](const std::string& what) { display.Problem(what); };
  g_ingester = ingester->get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto stats = (*ingester)->Run(options);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_ingester = nullptr;
  display.Done();
  FinishLineage(g, observer->get());
  if (!stats.ok()) return ReportError(stats.status());
  if (args.format == "json") {
    nlohmann::json j = {{"stream", spec->name},
                        {"target", spec->target},
                        {"batches", stats->batches},
                        {"messages", stats->messages},
                        {"rows_written", stats->rows_written},
                        {"dead_letters", stats->dead_letters},
                        {"bytes", stats->bytes},
                        {"batches_fenced", stats->batches_dropped},
                        {"seconds", stats->seconds},
                        {"consume_seconds", stats->consume_seconds},
                        {"latency_p50_ms", stats->latency_p50_ms},
                        {"latency_p99_ms", stats->latency_p99_ms}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%lld batches, %lld messages, %lld rows to %s, %lld dead letters to %s in %.1f s\n",
                static_cast<long long>(stats->batches), static_cast<long long>(stats->messages),
                static_cast<long long>(stats->rows_written), spec->target.c_str(),
                static_cast<long long>(stats->dead_letters), spec->dead_letter.c_str(),
                stats->seconds);
  }
  return 0;
}

int ShowStatus(const GlobalOptions& g, const StreamArgs& args) {
  auto spec = stream::LoadStreamFile(args.file);
  if (!spec.ok()) return ReportError(spec.status(), 2);
  std::string kafka_error;
  auto parts = stream::GetStatus(*spec, g.lake, &kafka_error);
  if (!parts.ok()) return ReportError(parts.status());
  if (args.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : *parts) {
      out.push_back({{"topic", p.topic},
                     {"partition", p.partition},
                     {"table_offset", p.table_offset},
                     {"high_watermark", p.high_watermark},
                     {"lag", p.lag},
                     {"last_batch", p.last_batch_ms > 0 ? nlohmann::json(IsoTimeMs(p.last_batch_ms))
                                                        : nlohmann::json(nullptr)},
                     {"last_batch_messages", p.last_batch_messages}});
    }
    nlohmann::json doc = {{"stream", spec->name}, {"target", spec->target}, {"partitions", out}};
    if (!kafka_error.empty()) doc["kafka_error"] = kafka_error;
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    std::printf("stream %s -> %s\n", spec->name.c_str(), spec->target.c_str());
    std::printf("%-24s %9s %14s %14s %10s  %-24s %s\n", "topic", "partition", "table offset",
                "high watermark", "lag", "last batch", "messages");
    for (const auto& p : *parts) {
      auto num = [](int64_t v) { return v < 0 ? std::string("-") : std::to_string(v); };
      std::printf("%-24s %9d %14s %14s %10s  %-24s %s\n", p.topic.c_str(), p.partition,
                  num(p.table_offset).c_str(), num(p.high_watermark).c_str(), num(p.lag).c_str(),
                  p.last_batch_ms > 0 ? IsoTimeMs(p.last_batch_ms).c_str() : "-",
                  p.last_batch_ms > 0 ? std::to_string(p.last_batch_messages).c_str() : "-");
    }
    if (!kafka_error.empty()) std::printf("kafka: %s\n", kafka_error.c_str());
  }
  return kafka_error.empty() ? 0 : 2;
}

}  // namespace

void RegisterStream(CLI::App& app, const GlobalOptions* global, int* exit_code) {
  auto args = std::make_shared<StreamArgs>();
  auto* cmd = app.add_subcommand(
      "stream", "Ingest a Kafka stream (YAML) into a lake table in micro-batches, exactly once");
  cmd->add_option("file", args->file, "Stream file (YAML)");
  cmd->add_flag("--available-now", args->available_now,
                "Process what the topics hold now, then exit (else run until Ctrl-C / SIGTERM)");
  cmd->add_option("--format", args->format, "Summary format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--openlineage-url", args->openlineage_url,
                  "Also send lineage events to this collector (default: $OPENLINEAGE_URL)");
  cmd->footer(
      "Exit code: 0 when the stream stopped on a signal or caught up (--available-now), 1 on "
      "an error while running, 2 on an error before consuming (the file, the cluster, the "
      "topics, the table's schema).");
  auto status_args = std::make_shared<StreamArgs>();
  auto* status = cmd->add_subcommand(
      "status", "Per partition: the offset the table holds, Kafka's high watermark, the lag");
  status->add_option("file", status_args->file, "Stream file (YAML)")->required();
  status->add_option("--format", status_args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  status->callback(
      [global, status_args, exit_code] { *exit_code = ShowStatus(*global, *status_args); });
  cmd->callback([global, args, exit_code, status, cmd] {
    if (status->parsed()) return;
    if (args->file.empty()) {
      std::fprintf(stderr, "%s", cmd->help().c_str());
      *exit_code = 2;
      return;
    }
    *exit_code = RunStream(*global, *args);
  });
}

}  // namespace strata::cli
