// strata table update | merge: changing rows in place (Table::Update, Table::Merge).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/table.h"

namespace strata::cli {
namespace {

struct ChangeArgs {
  std::string name, where, from, query, when_matched = "update", when_not_matched = "insert";
  std::vector<std::string> set, on, meta;
  std::string run_id;
  CsvArgs csv;
};

void PrintChange(const std::string& name, int64_t before, const ChangeResult& r) {
  if (r.version == before) {
    std::printf("%s: nothing changed; still version %lld\n", name.c_str(),
                static_cast<long long>(r.version));
    return;
  }
  std::printf("%s: version %lld, %lld updated, %lld inserted, %lld deleted\n", name.c_str(),
              static_cast<long long>(r.version), static_cast<long long>(r.updated),
              static_cast<long long>(r.inserted), static_cast<long long>(r.deleted));
}

int RunUpdate(const GlobalOptions& g, const ChangeArgs& a) {
  std::map<std::string, std::string> set;
  if (Status st = ParseKeyValues(a.set, "--set", &set); !st.ok()) return ReportError(st, 2);
  ProgressLine progress("updating " + a.name);
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, a.name, &lake, &progress);
  if (!table.ok()) return ReportError(table.status());
  auto before = (*table)->Latest();
  if (!before.ok()) return ReportError(before.status());
  WriteOptions o;
  o.run_id = a.run_id;
  if (Status st = ParseKeyValues(a.meta, "--meta", &o.metadata); !st.ok())
    return ReportError(st, 2);
  auto r = (*table)->Update(a.where.empty() ? "true" : a.where, set, o);
  progress.Done();
  if (!r.ok()) return ReportError(r.status());
  PrintChange(a.name, (*before)->version, *r);
  return 0;
}

int RunMerge(const GlobalOptions& g, const ChangeArgs& a) {
  if (a.from.empty() == a.query.empty()) {
    return ReportError(
        Status::InvalidArgument("table merge: give exactly one of --from FILE or --query SQL"), 2);
  }
  MergeOptions o;
  o.on = a.on;
  o.when_matched = a.when_matched == "delete"   ? MergeOptions::Matched::kDelete
                   : a.when_matched == "ignore" ? MergeOptions::Matched::kIgnore
                                                : MergeOptions::Matched::kUpdate;
  o.insert_not_matched = a.when_not_matched == "insert";
  o.write.run_id = a.run_id;
  if (Status st = ParseKeyValues(a.meta, "--meta", &o.write.metadata); !st.ok())
    return ReportError(st, 2);
  ProgressLine progress("merging into " + a.name);
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, a.name, &lake, &progress);
  if (!table.ok()) return ReportError(table.status());
  auto before = (*table)->Latest();
  if (!before.ok()) return ReportError(before.status());
  Session* session = lake->session();
  std::unique_ptr<BoundQuery> bound;  // holds the query's table views until merged
  Frame source = session->sql("SELECT 1");
  if (!a.from.empty()) {
    if (!std::filesystem::exists(a.from))
      return ReportError(Status::NotFound("no such file: '" + a.from + "'"), 2);
    source = session->scan_files({a.from}, a.csv.ToOptions());
  } else {
    auto b = lake->BindTables(a.query);
    if (!b.ok()) return ReportError(b.status());
    bound = std::move(b).value();
    source = session->sql(bound->sql());
  }
  auto r = (*table)->Merge(source, o);
  progress.Done();
  if (!r.ok()) return ReportError(a.from.empty() ? r.status() : NamingInput(r.status(), a.from));
  PrintChange(a.name, (*before)->version, *r);
  return 0;
}

}  // namespace

void RegisterTableChanges(CLI::App* table, const GlobalOptions* g, int* exit_code) {
  auto u = std::make_shared<ChangeArgs>();
  CLI::App* update = table->add_subcommand(
      "update", "Set columns of the rows matching a SQL condition (a new version)");
  update->add_option("name", u->name, "Table name")->required();
  OneValueEach(update->add_option("--set", u->set, "COLUMN=SQL expression (repeatable)"))
      ->required();
  update->add_option("--where", u->where, "SQL condition (default: every row)");
  OneValueEach(update->add_option("--meta", u->meta, "KEY=VALUE kept with the version"));
  update->add_option("--run-id", u->run_id, "Run that made this version");
  update->callback([g, u, exit_code] { *exit_code = RunUpdate(*g, *u); });

  auto m = std::make_shared<ChangeArgs>();
  CLI::App* merge = table->add_subcommand(
      "merge", "Upsert rows by key columns: update or delete the matches, insert the rest");
  merge->add_option("name", m->name, "Table name")->required();
  merge->add_option("--from", m->from, "Source rows from a CSV, Parquet or NDJSON file");
  merge->add_option("--query", m->query, "Or from a SQL query (may name lake tables)");
  OneValueEach(merge->add_option("--on", m->on, "Key column(s): a,b or repeated"))
      ->delimiter(',')
      ->required();
  merge
      ->add_option("--when-matched", m->when_matched,
                   "What a target row whose keys match a source row gets")
      ->check(CLI::IsMember({"update", "delete", "ignore"}))
      ->capture_default_str();
  merge
      ->add_option("--when-not-matched", m->when_not_matched,
                   "What a source row matching no target row gets")
      ->check(CLI::IsMember({"insert", "ignore"}))
      ->capture_default_str();
  OneValueEach(merge->add_option("--meta", m->meta, "KEY=VALUE kept with the version"));
  merge->add_option("--run-id", m->run_id, "Run that made this version");
  AddCsvOptions(merge, &m->csv);
  merge->callback([g, m, exit_code] { *exit_code = RunMerge(*g, *m); });
}

}  // namespace strata::cli
