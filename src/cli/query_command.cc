// strata query "SQL": runs SQL over files named by path (CSV, Parquet, JSON) and prints
// or writes the result.
#include <algorithm>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/frame.h"

namespace strata::cli {
namespace {

struct QueryArgs {
  std::string sql;
  std::string format = "table";
  std::string out;
  size_t max_rows = 40;
  int threads = 0;
};

int RunQuery(const GlobalOptions& global, const QueryArgs& query_args) {
  QueryArgs args = query_args;
  engine::DatabaseOptions options;
  options.threads = args.threads;
  options.track_progress = true;
  auto session = Session::Open(options);
  if (!session.ok()) return ReportError(session.status());
  if (Status st = CheckFilesReferencedBy(args.sql); !st.ok()) return ReportError(st);
  // A lake is optional: without one the query reads files only.
  auto lake = Lake::Open(global.lake, false, *session);
  std::unique_ptr<BoundQuery> bound;
  if (lake.ok()) {
    auto b = (*lake)->BindTables(args.sql);
    if (!b.ok()) return ReportError(b.status());
    bound = std::move(b).value();
    args.sql = bound->sql();
  }
  ProgressLine progress;

  if (!args.out.empty()) {
    Frame frame = (*session)->sql(args.sql);
    Status st;
    if (HasExtension(args.out, ".parquet")) {
      st = frame.sink_parquet(args.out, {}, progress.Callback());
    } else if (HasExtension(args.out, ".csv")) {
      st = frame.sink_csv(args.out, {}, progress.Callback());
    } else {
      return ReportError(Status::InvalidArgument("--out '" + args.out +
                                                 "': the file name must end in .parquet or .csv"),
                         2);
    }
    progress.Done();
    if (!st.ok()) return ReportError(st);
    return 0;
  }

  OutputFormat format = args.format == "csv"    ? OutputFormat::kCsv
                        : args.format == "json" ? OutputFormat::kJson
                                                : OutputFormat::kTable;
  auto conn = (*session)->database()->Connect();
  if (!conn.ok()) return ReportError(conn.status());
  std::set<std::string> json_columns;
  if (format == OutputFormat::kJson) {
    auto columns = (*conn)->Describe(args.sql);
    if (!columns.ok()) return ReportError(columns.status());
    args.sql = JsonSafeSql(args.sql, *columns, &json_columns);
  }
  auto stmt = (*conn)->Prepare(args.sql);
  if (!stmt.ok()) return ReportError(stmt.status());
  auto result = (*stmt)->Execute(/*streaming=*/true, progress.Callback());
  progress.Done();
  if (!result.ok()) return ReportError(result.status());
  Status st = PrintResult(result->get(), format, args.max_rows, stdout, json_columns);
  if (!st.ok()) return ReportError(st);
  return 0;
}

}  // namespace

void RegisterQuery(CLI::App& app, const GlobalOptions* global, int* exit_code) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "query",
      "Run SQL over files named by path and the lake's tables, e.g.\n"
      "  strata query \"SELECT category, avg(value) FROM 'events.csv' GROUP BY 1\"\n"
      "  strata query \"SELECT count(*) FROM features@3\"   (a table at version 3; or "
      "@'2026-11-20T10:00:00Z')");
  cmd->add_option("sql", args->sql, "The SQL query (DuckDB dialect)")->required();
  cmd->add_option("--format,-f", args->format, "Output on stdout: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", args->out,
                  "Write the result to FILE.parquet or FILE.csv instead (streams; no partial file "
                  "is left on failure)");
  cmd->add_option("--max-rows", args->max_rows, "Rows shown by --format table")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "DuckDB worker threads (0: all cores)");
  cmd->callback([args, global, exit_code] { *exit_code = RunQuery(*global, *args); });
}

}  // namespace strata::cli
