// strata lineage DATASET [--upstream|--downstream] [--depth N] [--column C] [--format F];
// strata lineage --events [--since DAY]; strata lineage send [--since DAY] [--url URL].
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/lineage.h"

namespace strata::cli {
namespace {

struct LineageArgs {
  std::string dataset, format = "text", since;
  bool upstream = false, downstream = false;
  int depth = 8;
  std::string column;
  std::string url;
  bool events = false;
};

int ShowLineage(const GlobalOptions& g, const LineageArgs& a) {
  lineage::GraphQuery q;
  q.dataset = a.dataset;
  // Neither flag: both directions.
  q.upstream = a.upstream || !a.downstream;
  q.downstream = a.downstream || !a.upstream;
  q.depth = a.depth;
  q.column = a.column;
  auto graph = lineage::QueryGraph(g.lake, q);
  if (!graph.ok()) return ReportError(graph.status());
  if (a.format == "json") {
    std::printf("%s\n", graph->ToJson().c_str());
  } else if (a.format == "dot") {
    std::fputs(graph->ToDot().c_str(), stdout);
  } else {
    std::fputs(graph->ToText().c_str(), stdout);
  }
  return 0;
}

int ListEvents(const GlobalOptions& g, const LineageArgs& a) {
  auto log = lineage::ReadEvents(g.lake + "/_strata/lineage", a.since);
  if (!log.ok()) return ReportError(log.status());
  for (const auto& e : log->events) std::printf("%s\n", e.c_str());
  for (const auto& s : log->skipped) std::fprintf(stderr, "strata: skipped %s\n", s.c_str());
  return 0;
}

// The collector: `url`, else $OPENLINEAGE_URL; its key from $OPENLINEAGE_API_KEY (keys are
// not taken as arguments, which other users can read in the process list).
lineage::ObserverOptions CollectorOptions(const std::string& url) {
  lineage::ObserverOptions o;
  o.url = url;
  if (const char* env = std::getenv("OPENLINEAGE_URL"); o.url.empty() && env != nullptr)
    o.url = env;
  if (const char* key = std::getenv("OPENLINEAGE_API_KEY")) o.api_key = key;
  return o;
}

int SendLineage(const GlobalOptions& g, const LineageArgs& a) {
  const lineage::ObserverOptions o = CollectorOptions(a.url);
  if (o.url.empty())
    return ReportError(Status::InvalidArgument("lineage send: give --url or set OPENLINEAGE_URL"),
                       2);
  auto report = lineage::SendEvents(g.lake, a.since, o);
  if (!report.ok()) return ReportError(report.status(), 2);
  for (const auto& s : report->skipped) std::fprintf(stderr, "strata: skipped %s\n", s.c_str());
  std::printf("%lld events sent, %lld failed\n", static_cast<long long>(report->sent),
              static_cast<long long>(report->failed));
  if (report->failed > 0) return ReportError(Status::IOError(report->last_error));
  return 0;
}

}  // namespace

Result<std::shared_ptr<lineage::OpenLineageObserver>> OpenLineageFor(const GlobalOptions& g,
                                                                     const std::string& url) {
  return lineage::OpenLineageObserver::Open(g.lake, CollectorOptions(url));
}

void FinishLineage(const GlobalOptions& g, lineage::OpenLineageObserver* observer) {
  std::string error;
  const int64_t missed = observer->Finish(&error);
  if (missed > 0) {
    std::fprintf(stderr,
                 "strata: warning: %lld lineage events were not delivered to the collector (%s); "
                 "they are kept in %s/_strata/lineage/ and 'strata lineage send --since DAY' "
                 "sends them again\n",
                 static_cast<long long>(missed), error.c_str(), g.lake.c_str());
  }
  if (Status st = observer->status(); !st.ok())
    std::fprintf(stderr, "strata: warning: lineage events were not all recorded: %s\n",
                 st.message().c_str());
}

void RegisterLineage(CLI::App& app, const GlobalOptions* global, int* exit_code) {
  auto args = std::make_shared<LineageArgs>();
  auto* cmd = app.add_subcommand(
      "lineage", "The jobs and datasets upstream and downstream of a table (OpenLineage events)");
  cmd->add_option("dataset", args->dataset,
                  "A table, a pipeline step's output (PIPELINE/STEP), or a file path");
  cmd->add_flag("--upstream", args->upstream, "Only what it derives from");
  cmd->add_flag("--downstream", args->downstream, "Only what derives from it");
  cmd->add_option("--depth", args->depth, "Jobs to cross at most (default 8)");
  cmd->add_option("--column", args->column, "Follow one column through column lineage");
  cmd->add_option("--format", args->format, "text, json or dot (Graphviz)")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  // A flag, not a subcommand: `events` is the canonical name of a table.
  cmd->add_flag("--events", args->events,
                "Print the recorded OpenLineage events (JSON lines) instead of a graph");
  cmd->add_option("--since", args->since, "With --events: from this UTC day on (YYYY-MM-DD)");
  auto* send = cmd->add_subcommand(
      "send", "Send recorded events to an OpenLineage collector again (those it missed)");
  send->add_option("--since", args->since, "From this UTC day on (YYYY-MM-DD; default: all)");
  send->add_option("--url", args->url, "Collector URL (default: $OPENLINEAGE_URL)");
  send->callback([global, args, exit_code] { *exit_code = SendLineage(*global, *args); });
  cmd->callback([global, args, exit_code, send] {
    if (send->parsed()) return;
    if (args->events) {
      *exit_code = ListEvents(*global, *args);
      return;
    }
    if (args->dataset.empty()) {
      *exit_code = ReportError(Status::InvalidArgument("strata lineage: name a dataset"), 2);
      return;
    }
    *exit_code = ShowLineage(*global, *args);
  });
}

}  // namespace strata::cli
