// strata lineage DATASET [--upstream|--downstream] [--depth N] [--column C] [--format F];
// strata lineage events [--since DAY].
#include <cstdio>

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

}  // namespace

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
  auto* events =
      cmd->add_subcommand("events", "Print the recorded OpenLineage events (JSON lines)");
  events->add_option("--since", args->since, "From this UTC day on (YYYY-MM-DD)");
  events->callback([global, args, exit_code] { *exit_code = ListEvents(*global, *args); });
  cmd->callback([global, args, exit_code, events] {
    if (events->parsed()) return;
    if (args->dataset.empty()) {
      *exit_code = ReportError(Status::InvalidArgument("strata lineage: name a dataset"), 2);
      return;
    }
    *exit_code = ShowLineage(*global, *args);
  });
}

}  // namespace strata::cli
