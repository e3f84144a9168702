// strata validate DATA --suite FILE; strata profile DATA.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/time_format.h"
#include "strata/quality.h"

namespace strata::cli {
namespace {

// DATA is a file (CSV, Parquet, NDJSON by extension) or a lake table reference.
Result<Frame> OpenData(const GlobalOptions& g, const std::string& data, const CsvArgs& csv,
                       const std::shared_ptr<Session>& session, std::unique_ptr<Lake>* lake,
                       ObservedDataset* table = nullptr) {
  if (::access(data.c_str(), F_OK) == 0 || data.find_first_of("*?") != std::string::npos) {
    return session->scan_files({data}, csv.ToOptions());
  }
  for (const char* ext : {".csv", ".tsv", ".parquet", ".json", ".ndjson", ".jsonl"}) {
    if (HasExtension(data, ext)) return Status::NotFound("no such file: '" + data + "'");
  }
  auto ref = TableRef::Parse(data);
  if (!ref.ok()) {
    return Status::NotFound("'" + data +
                            "' is not a file, nor a table reference: " + ref.status().message());
  }
  auto opened = Lake::Open(g.lake, false, session);
  if (!opened.ok())
    return Status::NotFound("'" + data + "' is not a file, and " + opened.status().message());
  *lake = std::move(opened).value();
  STRATA_ASSIGN_OR_RETURN(ResolvedTable resolved, (*lake)->Resolve(*ref));
  if (table != nullptr) {
    std::error_code ec;
    table->name_space =
        "file://" + std::filesystem::absolute(g.lake, ec).lexically_normal().string();
    table->name = resolved.table->name();
    table->version = resolved.snapshot->version;
    for (const auto& f : resolved.snapshot->schema) table->schema.push_back({f.name, f.type});
  }
  return resolved.table->Scan(*resolved.snapshot);
}

struct ValidateArgs {
  std::string data, suite, format = "text", result_format, out;
  std::vector<std::string> params;  // NAME=VALUE
  bool show_sql = false;
  CsvArgs csv;
};

int RunValidate(const GlobalOptions& g, const ValidateArgs& a) {
  auto suite = quality::Suite::FromFile(a.suite);
  if (!suite.ok()) return ReportError(suite.status(), 2);
  quality::ValidateOptions options;
  if (!a.result_format.empty()) {
    auto rf = quality::ParseResultFormat(a.result_format);
    if (!rf.ok()) return ReportError(rf.status(), 2);
    options.result_format = *rf;
  }
  for (const std::string& p : a.params) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return ReportError(
          Status::InvalidArgument("--param '" + p + "': write NAME=VALUE (such as min_rows=100)"),
          2);
    }
    options.parameters[p.substr(0, eq)] = p.substr(eq + 1);
  }
  // The suite's SQL runs in a database that reads only the data and the lake.
  ProgressLine progress("validating " + a.data);
  engine::DatabaseOptions database = engine::SandboxedTo({g.lake, a.data});
  database.progress = progress.Callback();
  auto session = Session::Open(database);
  if (!session.ok()) return ReportError(session.status(), 2);
  std::unique_ptr<Lake> lake;
  ObservedDataset table;
  auto frame = OpenData(g, a.data, a.csv, *session, &lake, &table);
  if (!frame.ok()) return ReportError(frame.status(), 2);
  // Tables a suite names besides the data (other_table_name) are the lake's.
  options.table_sql = [&](const std::string& name) -> Result<std::string> {
    if (!lake) {
      auto opened = Lake::Open(g.lake, false, *session);
      if (!opened.ok()) return opened.status();
      lake = std::move(opened).value();
    }
    return lake->ReferenceSql(name);
  };
  // Validating a table is a job run lineage records: its assertions on that version.
  std::shared_ptr<lineage::OpenLineageObserver> observer;
  RunEvent event;
  if (lake) {
    auto opened = OpenLineageFor(g, "");
    if (!opened.ok()) return ReportError(opened.status(), 2);
    observer = *opened;
    event.time_ms = NowMs();
    event.run_id = "validate-" + std::to_string(event.time_ms) + "-" + std::to_string(::getpid());
    event.job_namespace = table.name_space;
    event.job_name = "validate." + table.name;
    event.job_type = "QUERY";
    event.inputs = {table};
    observer->OnRunEvent(event);
  }
  options.data_name = lake ? table.name + "@" + std::to_string(table.version) : a.data;
  options.column_summaries = a.format == "html";
  auto result = quality::Validate(*frame, *suite, options);
  progress.Done();
  if (observer) {
    event.time_ms = NowMs();
    event.type = result.ok() ? RunEventType::kComplete : RunEventType::kFail;
    if (result.ok()) {
      for (const auto& r : result->results)
        event.inputs[0].assertions.push_back({r.type, r.column, r.success});
    } else {
      event.error = result.status().message();
    }
    observer->OnRunEvent(event);
    FinishLineage(g, observer.get());
  }
  if (!result.ok()) return ReportError(NamingInput(result.status(), lake ? "" : a.data), 2);
  if (a.show_sql) std::fprintf(stderr, "%s\n", result->sql.c_str());
  std::string text = a.format == "json" ? result->ToJson()
                     : a.format == "html"
                         ? result->ToHtml()
                         : result->ToText(::isatty(STDOUT_FILENO) != 0 && a.out.empty());
  if (!a.out.empty()) {
    std::ofstream out(a.out, std::ios::binary);
    out << text;
    if (!out) return ReportError(Status::IOError("cannot write '" + a.out + "'"), 2);
    std::fprintf(stderr, "%s: %s\n", result->success ? "passed" : "failed", a.out.c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
  return result->success ? 0 : 1;
}

int RunProfile(const GlobalOptions& g, const std::string& data, const std::string& format,
               const CsvArgs& csv, const quality::ProfileOptions& options) {
  ProgressLine progress("profiling " + data);
  engine::DatabaseOptions database;
  database.progress = progress.Callback();
  auto session = Session::Open(database);
  if (!session.ok()) return ReportError(session.status(), 2);
  std::unique_ptr<Lake> lake;
  auto frame = OpenData(g, data, csv, *session, &lake);
  if (!frame.ok()) return ReportError(frame.status(), 2);
  auto suite = quality::Profile(*frame, options);
  progress.Done();
  if (!suite.ok()) return ReportError(suite.status(), 2);
  std::fputs((format == "json" ? suite->ToJson() : suite->ToYaml()).c_str(), stdout);
  return 0;
}

}  // namespace

void RegisterValidate(CLI::App& app, const GlobalOptions* g, int* exit_code) {
  auto a = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check data against a Great Expectations suite (JSON or YAML), in one scan.\n"
      "Exit code: 0 the suite passes, 1 it fails, 2 an error.");
  cmd->add_option("data", a->data, "A CSV, Parquet or NDJSON file, or a lake table NAME[@VERSION]")
      ->required();
  cmd->add_option("--suite,-s", a->suite, "Suite file (.json, .yaml)")->required();
  cmd->add_option("--format,-f", a->format,
                  "text, json (GE's result shape) or html (a report page)")
      ->check(CLI::IsMember({"text", "json", "html"}))
      ->capture_default_str();
  cmd->add_option("--result-format", a->result_format,
                  "BOOLEAN_ONLY, BASIC, SUMMARY or COMPLETE (for every expectation)");
  cmd->add_option("--out,-o", a->out, "Write the report to a file");
  OneValueEach(cmd->add_option(
      "--param,-p", a->params,
      "A suite parameter NAME=VALUE for {\"$PARAMETER\": ...} in kwargs (repeatable)"));
  cmd->add_flag("--show-sql", a->show_sql, "Print the one query the suite compiled to (on stderr)");
  AddCsvOptions(cmd, &a->csv);
  cmd->callback([g, a, exit_code] { *exit_code = RunValidate(*g, *a); });

  auto data = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("yaml");
  CLI::App* prof = app.add_subcommand(
      "profile", "Write a starting suite that the data passes (strata profile DATA > suite.yaml)");
  prof->add_option("data", *data, "A file or a lake table NAME[@VERSION]")->required();
  prof->add_option("--format,-f", *format, "yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();
  auto csv = std::make_shared<CsvArgs>();
  AddCsvOptions(prof, csv.get());
  auto options = std::make_shared<quality::ProfileOptions>();
  prof->add_option("--margin", options->margin,
                   "Widen ranges by this share of their span each side, and let null shares grow "
                   "by it (0: the data exactly)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  prof->add_option("--max-set", options->max_set,
                   "Value sets only for text columns with at most this many values, each seen 10 "
                   "times on average")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  prof->callback([g, data, format, csv, options, exit_code] {
    *exit_code = RunProfile(*g, *data, *format, *csv, *options);
  });
}

}  // namespace strata::cli
