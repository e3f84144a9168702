// strata table log | show | list | diff: what a table holds and how it changed, as text
// for people or JSON (--format json) for scripts.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"

namespace strata::cli {
namespace {

using Json = nlohmann::ordered_json;

void PrintJson(const Json& doc) { std::printf("%s\n", doc.dump(2).c_str()); }

Json VersionJson(const VersionInfo& v) {
  return {{"version", v.version},
          {"timestamp", FormatTime(v.timestamp_ms)},
          {"operation", v.operation},
          {"operation_parameters", v.operation_parameters},
          {"operation_metrics", v.operation_metrics},
          {"rows_added", v.rows_added},
          {"rows_removed", v.rows_removed},
          {"files_added", v.files_added},
          {"files_removed", v.files_removed},
          {"bytes_added", v.bytes_added},
          {"bytes_removed", v.bytes_removed},
          {"user_metadata", v.user_metadata},
          {"run_id", v.run_id},
          {"engine_info", v.engine_info}};
}

int RunLog(const GlobalOptions& g, const std::string& name, bool json) {
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, name, &lake);
  if (!table.ok()) return ReportError(table.status());
  if (!(*table)->exists())
    return ReportError(Status::NotFound("table '" + name + "' does not exist"));
  auto history = (*table)->History();
  if (!history.ok()) return ReportError(history.status());
  if (json) {
    Json versions = Json::array();
    for (auto it = history->rbegin(); it != history->rend(); ++it)
      versions.push_back(VersionJson(*it));
    PrintJson({{"table", name}, {"versions", versions}});
    return 0;
  }
  // The operation column is as wide as its longest entry, so the numbers stay aligned.
  std::vector<std::string> ops;
  size_t width = std::string("operation").size();
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    auto mode = it->operation_parameters.find("mode");
    ops.push_back(it->operation +
                  (mode != it->operation_parameters.end() ? " (" + mode->second + ")" : ""));
    width = std::max(width, ops.back().size());
  }
  const int w = static_cast<int>(width);
  std::printf("%-7s %-20s %-*s %10s %10s %6s %6s %10s  %s\n", "version", "time (UTC)", w,
              "operation", "+rows", "-rows", "+files", "-files", "+bytes", "metadata");
  size_t i = 0;
  for (auto it = history->rbegin(); it != history->rend(); ++it, ++i) {
    std::string meta;
    for (const auto& [k, v] : it->user_metadata) meta += (meta.empty() ? "" : " ") + k + "=" + v;
    if (!it->run_id.empty()) meta += (meta.empty() ? "" : " ") + std::string("run=") + it->run_id;
    std::printf("%-7lld %-20s %-*s %10lld %10lld %6lld %6lld %10s  %s\n",
                static_cast<long long>(it->version), FormatTime(it->timestamp_ms).c_str(), w,
                ops[i].c_str(), static_cast<long long>(it->rows_added),
                static_cast<long long>(it->rows_removed), static_cast<long long>(it->files_added),
                static_cast<long long>(it->files_removed), HumanBytes(it->bytes_added).c_str(),
                meta.c_str());
  }
  return 0;
}

int RunShow(const GlobalOptions& g, const std::string& name, std::optional<int64_t> version,
            bool json) {
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, name, &lake);
  if (!table.ok()) return ReportError(table.status());
  auto snap = version ? (*table)->AtVersion(*version) : (*table)->Latest();
  if (!snap.ok()) return ReportError(snap.status());
  const Snapshot& s = **snap;
  if (json) {
    Json schema = Json::array();
    for (const TableField& f : s.schema)
      schema.push_back({{"name", f.name}, {"type", f.type}, {"nullable", f.nullable}});
    PrintJson({{"table", name},
               {"path", (*table)->path()},
               {"id", s.table_id},
               {"version", s.version},
               {"timestamp", FormatTime(s.timestamp_ms)},
               {"min_reader_version", s.min_reader_version},
               {"min_writer_version", s.min_writer_version},
               {"partition_columns", s.partition_columns},
               {"configuration", s.configuration},
               {"rows", s.num_records()},
               {"files", s.files.size()},
               {"bytes", s.size_bytes()},
               {"schema", schema}});
    return 0;
  }
  std::printf(
      "table     %s\npath      %s\nid        %s\nversion   %lld (%s)\nprotocol  reader %d, writer "
      "%d\n",
      name.c_str(), (*table)->path().c_str(), s.table_id.c_str(), static_cast<long long>(s.version),
      FormatTime(s.timestamp_ms).c_str(), s.min_reader_version, s.min_writer_version);
  std::string parts;
  for (const auto& p : s.partition_columns) parts += (parts.empty() ? "" : ", ") + p;
  std::printf("partitioned by  %s\nrows      %lld\nfiles     %zu (%s)\nschema:\n",
              parts.empty() ? "-" : parts.c_str(), static_cast<long long>(s.num_records()),
              s.files.size(), HumanBytes(s.size_bytes()).c_str());
  for (const TableField& f : s.schema) {
    std::printf("  %-24s %s%s\n", f.name.c_str(), f.type.c_str(), f.nullable ? "" : " not null");
  }
  return 0;
}

int RunList(const GlobalOptions& g, bool json) {
  auto lake = Lake::Open(g.lake);
  if (!lake.ok()) return ReportError(lake.status());
  auto tables = (*lake)->ListTables();
  if (!tables.ok()) return ReportError(tables.status());
  Json list = Json::array();
  for (const std::string& t : *tables) {
    auto table = (*lake)->OpenTable(t);
    auto snap =
        table.ok() ? (*table)->Latest() : Result<std::shared_ptr<const Snapshot>>(table.status());
    if (json) {
      list.push_back(snap.ok() ? Json{{"table", t},
                                      {"version", (*snap)->version},
                                      {"rows", (*snap)->num_records()},
                                      {"files", (*snap)->files.size()},
                                      {"bytes", (*snap)->size_bytes()}}
                               : Json{{"table", t}, {"error", snap.status().message()}});
      continue;
    }
    if (!snap.ok()) {
      std::printf("%-24s (unreadable: %s)\n", t.c_str(), snap.status().message().c_str());
      continue;
    }
    std::printf("%-24s version %-6lld %12lld rows %6zu files %10s\n", t.c_str(),
                static_cast<long long>((*snap)->version),
                static_cast<long long>((*snap)->num_records()), (*snap)->files.size(),
                HumanBytes((*snap)->size_bytes()).c_str());
  }
  if (json) PrintJson({{"tables", list}});
  return 0;
}

int RunDiff(const GlobalOptions& g, const std::string& name, int64_t a, int64_t b, bool json) {
  std::unique_ptr<Lake> lake;
  auto t = OpenTable(g, name, &lake);
  if (!t.ok()) return ReportError(t.status());
  auto d = (*t)->Diff(a, b);
  if (!d.ok()) return ReportError(d.status());
  if (json) {
    Json stats = Json::object();
    for (const auto& [c, ch] : d->stats_changed) stats[c] = {{"from", ch.first}, {"to", ch.second}};
    PrintJson({{"table", name},
               {"from_version", a},
               {"to_version", b},
               {"columns_added", d->columns_added},
               {"columns_removed", d->columns_removed},
               {"columns_retyped", d->columns_retyped},
               {"rows_added", d->rows_added},
               {"rows_removed", d->rows_removed},
               {"files_added", d->files_added},
               {"files_removed", d->files_removed},
               {"stats_changed", stats}});
    return 0;
  }
  std::printf("%s: version %lld -> %lld\n", name.c_str(), static_cast<long long>(a),
              static_cast<long long>(b));
  for (const auto& c : d->columns_added) std::printf("  column added    %s\n", c.c_str());
  for (const auto& c : d->columns_removed) std::printf("  column removed  %s\n", c.c_str());
  for (const auto& c : d->columns_retyped) std::printf("  column retyped  %s\n", c.c_str());
  std::printf("  rows   +%lld -%lld\n  files  +%zu -%zu\n", static_cast<long long>(d->rows_added),
              static_cast<long long>(d->rows_removed), d->files_added.size(),
              d->files_removed.size());
  for (const auto& [c, ch] : d->stats_changed) {
    std::printf("  stats  %s: %s -> %s\n", c.c_str(), ch.first.empty() ? "-" : ch.first.c_str(),
                ch.second.empty() ? "-" : ch.second.c_str());
  }
  return 0;
}

CLI::Option* AddFormat(CLI::App* cmd, std::string* format) {
  return cmd->add_option("--format,-f", *format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

}  // namespace

void RegisterTableViews(CLI::App* table, const GlobalOptions* g, int* exit_code) {
  auto name = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  auto version = std::make_shared<std::optional<int64_t>>();
  CLI::App* log =
      table->add_subcommand("log", "Versions with operation, rows, files, bytes and metadata");
  log->add_option("name", *name, "Table name")->required();
  AddFormat(log, format.get());
  log->callback(
      [g, name, format, exit_code] { *exit_code = RunLog(*g, *name, *format == "json"); });

  CLI::App* show = table->add_subcommand("show", "Schema, partitioning, version, files and size");
  show->add_option("name", *name, "Table name")->required();
  show->add_option("--version", *version, "A past version");
  AddFormat(show, format.get());
  show->callback([g, name, version, format, exit_code] {
    *exit_code = RunShow(*g, *name, *version, *format == "json");
  });

  CLI::App* list = table->add_subcommand("list", "Tables in the lake");
  AddFormat(list, format.get());
  list->callback([g, format, exit_code] { *exit_code = RunList(*g, *format == "json"); });

  auto a = std::make_shared<int64_t>(0), b = std::make_shared<int64_t>(0);
  CLI::App* diff = table->add_subcommand("diff", "What changed between two versions");
  diff->add_option("name", *name, "Table name")->required();
  diff->add_option("from", *a, "Older version")->required();
  diff->add_option("to", *b, "Newer version")->required();
  AddFormat(diff, format.get());
  diff->callback([g, name, a, b, format, exit_code] {
    *exit_code = RunDiff(*g, *name, *a, *b, *format == "json");
  });
}

}  // namespace strata::cli
