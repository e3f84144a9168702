// strata init, strata table ...: lakes and versioned tables.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/frame.h"
#include "strata/lineage.h"
#include "strata/quality.h"

namespace strata::cli {
namespace {

struct WriteArgs {
  std::string name, from, query, mode = "error", where;
  std::vector<std::string> partition_by, meta, properties;
  bool merge_schema = false;
  bool overwrite_schema = false;
  std::string run_id;
  std::string suite;  // validate before writing; the metrics go into the version
  bool allow_failed = false;
  CsvArgs csv;
};

int RunWrite(const GlobalOptions& g, const WriteArgs& a) {
  if (a.from.empty() == a.query.empty()) {
    return ReportError(
        Status::InvalidArgument("table write: give exactly one of --from FILE or --query SQL"), 2);
  }
  ProgressLine progress("writing " + a.name);
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, a.name, &lake, &progress);
  if (!table.ok()) return ReportError(table.status());
  WriteOptions o;
  o.mode = a.mode == "overwrite" ? WriteMode::kOverwrite
           : a.mode == "append"  ? WriteMode::kAppend
           : a.mode == "ignore"  ? WriteMode::kIgnore
                                 : WriteMode::kErrorIfExists;
  const auto before = (*table)->Latest();
  o.partition_by = a.partition_by;
  o.merge_schema = a.merge_schema;
  o.overwrite_schema = a.overwrite_schema;
  o.run_id = a.run_id;
  if (Status st = ParseKeyValues(a.meta, "--meta", &o.metadata); !st.ok())
    return ReportError(st, 2);
  if (Status st = ParseKeyValues(a.properties, "--property", &o.properties); !st.ok())
    return ReportError(st, 2);
  // Every write leaves an OpenLineage event in the lake (LAKE/_strata/lineage/).
  auto observer = OpenLineageFor(g, "");
  if (!observer.ok()) return ReportError(observer.status(), 2);
  o.observers.push_back(*observer);
  Session* session = lake->session();
  Frame data = session->sql("SELECT 1");
  std::unique_ptr<BoundQuery> bound;  // holds the query's table views until written
  if (!a.from.empty()) {
    data = session->scan_files({a.from}, a.csv.ToOptions());
    ObservedDataset file;
    file.name_space = "file";
    std::error_code ec;
    file.name = std::filesystem::absolute(a.from, ec).lexically_normal().string();
    o.sources.push_back(file);
  } else {
    auto b = lake->BindTables(a.query);
    if (!b.ok()) return ReportError(b.status());
    bound = std::move(b).value();
    data = session->sql(bound->sql());
    // Lineage: the bound query (view names as written) over the table versions it reads.
    o.source_sql = bound->sql();
    for (const auto& t : bound->tables()) {
      ObservedDataset in;
      in.name_space = "file://" + std::filesystem::absolute(g.lake).lexically_normal().string();
      in.name = t.name;
      in.alias = t.view;
      in.version = t.version;
      for (const auto& f : t.schema) in.schema.push_back({f.name, f.type});
      o.sources.push_back(in);
    }
  }
  Result<int64_t> version = Status::Internal("no write");
  if (a.suite.empty()) {
    version = (*table)->Write(data, o);
  } else {
    auto suite = quality::Suite::FromFile(a.suite);
    if (!suite.ok()) return ReportError(suite.status(), 2);
    auto checked = (*table)->WriteChecked(data, *suite, o, a.allow_failed);
    progress.Done();
    if (!checked.ok()) return ReportError(NamingInput(checked.status(), a.from));
    if (!checked->version) {
      const quality::ValidationResult& v = checked->validation;
      std::fputs(v.ToText().c_str(), stderr);
      return ReportError(
          Status::InvalidArgument("the data fails suite '" + suite->name() + "' (" +
                                  std::to_string(v.successful) + "/" + std::to_string(v.evaluated) +
                                  " expectations met); nothing was written (--allow-failed writes "
                                  "anyway)"),
          1);
    }
    version = *checked->version;
  }
  progress.Done();
  FinishLineage(g, observer->get());
  if (!version.ok()) return ReportError(NamingInput(version.status(), a.from));
  if (o.mode == WriteMode::kIgnore && before.ok() && *version == (*before)->version) {
    std::printf("%s: exists at version %lld; nothing written (--mode ignore)\n", a.name.c_str(),
                static_cast<long long>(*version));
    return 0;
  }
  auto snap = (*table)->AtVersion(*version);
  if (snap.ok()) {
    std::printf("%s: version %lld, %lld rows in %zu files (%s)\n", a.name.c_str(),
                static_cast<long long>(*version), static_cast<long long>((*snap)->num_records()),
                (*snap)->files.size(), HumanBytes((*snap)->size_bytes()).c_str());
  }
  return 0;
}

int RunDelete(const GlobalOptions& g, const WriteArgs& a) {
  ProgressLine progress("deleting from " + a.name);
  std::unique_ptr<Lake> lake;
  auto table = OpenTable(g, a.name, &lake, &progress);
  if (!table.ok()) return ReportError(table.status());
  auto before = (*table)->Latest();
  if (!before.ok()) return ReportError(before.status());
  auto version = (*table)->Delete(a.where);
  progress.Done();
  if (!version.ok()) return ReportError(version.status());
  if (*version == (*before)->version) {
    std::printf("%s: no rows matched; still version %lld\n", a.name.c_str(),
                static_cast<long long>(*version));
    return 0;
  }
  auto after = (*table)->AtVersion(*version);
  std::printf("%s: version %lld, %lld rows deleted\n", a.name.c_str(),
              static_cast<long long>(*version),
              static_cast<long long>((*before)->num_records() -
                                     (after.ok() ? (*after)->num_records() : 0)));
  return 0;
}

}  // namespace

void RegisterInit(CLI::App& app, const GlobalOptions* g, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("init", "Create a lake (the folder given by --lake)");
  cmd->callback([g, exit_code] {
    Status st = Lake::Init(g->lake);
    if (!st.ok()) {
      *exit_code = ReportError(st);
      return;
    }
    std::printf("lake ready at %s\n", g->lake.c_str());
  });
}

void RegisterTable(CLI::App& app, const GlobalOptions* g, int* exit_code) {
  CLI::App* table = app.add_subcommand("table", "Versioned tables (Delta Lake) in the lake");
  table->require_subcommand(1);

  auto w = std::make_shared<WriteArgs>();
  CLI::App* write =
      table->add_subcommand("write", "Write rows as a new version (creates the table)");
  write->add_option("name", w->name, "Table name")->required();
  write->add_option("--from", w->from, "Read the rows from a CSV, Parquet or NDJSON file");
  write->add_option("--query", w->query, "Or from a SQL query (may name lake tables)");
  write
      ->add_option("--mode", w->mode,
                   "If the table exists: error (refuse), append, overwrite, or ignore (write "
                   "nothing); as delta-rs and Polars")
      ->check(CLI::IsMember({"error", "append", "overwrite", "ignore"}))
      ->capture_default_str();
  OneValueEach(write->add_option("--partition-by", w->partition_by,
                                 "Partition columns of a new table: a,b or repeated"))
      ->delimiter(',');
  OneValueEach(
      write->add_option("--meta", w->meta, "KEY=VALUE kept with the version (repeatable)"));
  OneValueEach(write->add_option(
      "--property", w->properties,
      "KEY=VALUE table property of a new table, such as delta.appendOnly=true (repeatable)"));
  write->add_flag("--merge-schema", w->merge_schema, "Add new columns of the data to the table");
  write->add_flag("--overwrite-schema", w->overwrite_schema,
                  "With --mode overwrite: the table takes the data's columns and types (and "
                  "--partition-by, if given)");
  write->add_option("--run-id", w->run_id, "Run that made this version");
  write->add_option("--suite", w->suite,
                    "Validate the rows first (a GE suite); the results go into the version");
  write->add_flag("--allow-failed", w->allow_failed,
                  "With --suite: write even when the suite fails");
  AddCsvOptions(write, &w->csv);
  write->callback([g, w, exit_code] { *exit_code = RunWrite(*g, *w); });

  auto d = std::make_shared<WriteArgs>();
  CLI::App* del =
      table->add_subcommand("delete", "Delete rows matching a SQL condition (a new version)");
  del->add_option("name", d->name, "Table name")->required();
  del->add_option("--where", d->where, "SQL condition")->required();
  del->callback([g, d, exit_code] { *exit_code = RunDelete(*g, *d); });

  auto props = std::make_shared<std::vector<std::string>>();
  auto set_name = std::make_shared<std::string>();
  CLI::App* set = table->add_subcommand(
      "set", "Set table properties (KEY=VALUE; KEY= removes one), as a new version");
  set->add_option("name", *set_name, "Table name")->required();
  set->add_option("properties", *props, "KEY=VALUE, such as delta.appendOnly=true")->required();
  set->callback([g, set_name, props, exit_code] {
    std::map<std::string, std::string> properties;
    if (Status st = ParseKeyValues(*props, "property", &properties); !st.ok())
      return void(*exit_code = ReportError(st, 2));
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *set_name, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto v = (*t)->SetProperties(properties);
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    std::printf("%s: version %lld\n", set_name->c_str(), static_cast<long long>(*v));
  });

  // strata table constraint add|drop NAME CONSTRAINT [EXPRESSION]
  CLI::App* constraint = table->add_subcommand(
      "constraint", "Add or drop a CHECK constraint (Delta's delta.constraints.<name>)");
  constraint->require_subcommand(1);
  auto c_table = std::make_shared<std::string>();
  auto c_name = std::make_shared<std::string>();
  auto c_expr = std::make_shared<std::string>();
  CLI::App* add = constraint->add_subcommand(
      "add", "Add a constraint every row must make true (the rows there must already)");
  add->add_option("name", *c_table, "Table name")->required();
  add->add_option("constraint", *c_name, "Constraint name")->required();
  add->add_option("expression", *c_expr, "SQL condition, such as \"price >= 0\"")->required();
  add->callback([g, c_table, c_name, c_expr, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *c_table, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto v = (*t)->AddConstraint(*c_name, *c_expr);
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    std::printf("%s: version %lld, constraint %s added\n", c_table->c_str(),
                static_cast<long long>(*v), c_name->c_str());
  });
  CLI::App* drop = constraint->add_subcommand("drop", "Drop a constraint");
  drop->add_option("name", *c_table, "Table name")->required();
  drop->add_option("constraint", *c_name, "Constraint name")->required();
  drop->callback([g, c_table, c_name, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *c_table, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto v = (*t)->DropConstraint(*c_name);
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    std::printf("%s: version %lld, constraint %s dropped\n", c_table->c_str(),
                static_cast<long long>(*v), c_name->c_str());
  });

  // strata table rename-column NAME FROM TO
  auto r_table = std::make_shared<std::string>();
  auto r_from = std::make_shared<std::string>();
  auto r_to = std::make_shared<std::string>();
  CLI::App* rename = table->add_subcommand(
      "rename-column",
      "Rename a column without rewriting data (needs delta.columnMapping.mode=name)");
  rename->add_option("name", *r_table, "Table name")->required();
  rename->add_option("from", *r_from, "The column's name")->required();
  rename->add_option("to", *r_to, "Its new name")->required();
  rename->callback([g, r_table, r_from, r_to, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *r_table, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto v = (*t)->RenameColumn(*r_from, *r_to);
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    std::printf("%s: version %lld, column %s renamed to %s\n", r_table->c_str(),
                static_cast<long long>(*v), r_from->c_str(), r_to->c_str());
  });

  RegisterTableViews(table, g, exit_code);
  RegisterTableChanges(table, g, exit_code);

  auto name = std::make_shared<std::string>();
  auto retain = std::make_shared<double>(168);
  auto dry_run = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  CLI::App* vacuum = table->add_subcommand("vacuum", "Remove data files no retained version needs");
  vacuum->add_option("name", *name, "Table name")->required();
  vacuum->add_option("--retain", *retain, "Hours of versions to keep readable")
      ->capture_default_str();
  vacuum->add_flag("--dry-run", *dry_run, "List what would be removed");
  vacuum->add_flag("--force", *force,
                   "Allow --retain below 168 hours (Delta's retentionDurationCheck): readers "
                   "and writers of versions older than that may fail");
  vacuum->callback([g, name, retain, dry_run, force, exit_code] {
    if (*retain < 168 && !*dry_run && !*force) {
      return void(*exit_code = ReportError(Status::InvalidArgument(
                      "--retain " + FormatHours(*retain) +
                      " is below the 168-hour retention that protects running readers and "
                      "writers of older versions; add --force to vacuum anyway (or --dry-run "
                      "to see what it would remove)")));
    }
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *name, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto r = (*t)->Vacuum(*retain, *dry_run);
    if (!r.ok()) return void(*exit_code = ReportError(r.status()));
    for (const auto& f : r->files)
      std::printf("%s%s\n", *dry_run ? "would remove " : "removed ", f.c_str());
    std::printf("%s%zu files, %s\n", *dry_run ? "would remove " : "removed ", r->files.size(),
                HumanBytes(r->bytes).c_str());
  });

  auto target = std::make_shared<int64_t>(128ll << 20);
  CLI::App* optimize =
      table->add_subcommand("optimize", "Compact small files (one new version, same rows)");
  optimize->add_option("name", *name, "Table name")->required();
  optimize->add_option("--target-size", *target, "Target file size in bytes")
      ->capture_default_str();
  optimize->callback([g, name, target, exit_code] {
    ProgressLine progress("optimizing " + *name);
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *name, &lake, &progress);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto before = (*t)->Latest();
    if (!before.ok()) return void(*exit_code = ReportError(before.status()));
    auto v = (*t)->Optimize(*target);
    progress.Done();
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    if (*v == (*before)->version) {
      std::printf(
          "%s: nothing to compact (no two files under %s in one partition); version %lld "
          "stays\n",
          name->c_str(), HumanBytes(*target).c_str(), static_cast<long long>(*v));
      return;
    }
    auto after = (*t)->AtVersion(*v);
    std::printf("%s: version %lld, %zu files -> %zu files\n", name->c_str(),
                static_cast<long long>(*v), (*before)->files.size(),
                after.ok() ? (*after)->files.size() : 0);
  });

  auto to_version = std::make_shared<int64_t>(0);
  CLI::App* restore =
      table->add_subcommand("restore", "Make a new version with the data of an old one");
  restore->add_option("name", *name, "Table name")->required();
  restore->add_option("version", *to_version, "Version to restore")->required();
  restore->callback([g, name, to_version, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *name, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto v = (*t)->Restore(*to_version);
    if (!v.ok()) return void(*exit_code = ReportError(v.status()));
    std::printf("%s: version %lld restores version %lld\n", name->c_str(),
                static_cast<long long>(*v), static_cast<long long>(*to_version));
  });

  CLI::App* check = table->add_subcommand(
      "check",
      "Verify every commit, checkpoint and data file of a table.\n"
      "Exit code: 0 healthy, 1 problems found (listed), 2 the check could not run.");
  check->add_option("name", *name, "Table name")->required();
  check->callback([g, name, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *name, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status(), 2));
    auto r = (*t)->Check();
    if (!r.ok()) return void(*exit_code = ReportError(r.status(), 2));
    for (const std::string& p : r->problems) std::printf("problem: %s\n", p.c_str());
    std::printf(
        "%s: %s; %lld commits and %lld checkpoints checked, latest version %lld\n", name->c_str(),
        r->healthy() ? "healthy" : "PROBLEMS FOUND", static_cast<long long>(r->commits_checked),
        static_cast<long long>(r->checkpoints_checked), static_cast<long long>(r->latest_version));
    if (!r->missing_files.empty()) {
      std::printf(
          "%zu data files are gone: 'strata table repair %s --remove-missing' commits a "
          "version without them (their rows are lost)\n",
          r->missing_files.size(), name->c_str());
    }
    *exit_code = r->healthy() ? 0 : 1;
  });

  auto remove_missing = std::make_shared<bool>(false);
  CLI::App* repair = table->add_subcommand(
      "repair", "Rewrite _last_checkpoint; with --remove-missing, drop entries of lost files");
  repair->add_option("name", *name, "Table name")->required();
  repair->add_flag("--remove-missing", *remove_missing,
                   "Commit a version without the data files that are gone (as Delta's FSCK "
                   "REPAIR TABLE)");
  repair->callback([g, name, remove_missing, exit_code] {
    std::unique_ptr<Lake> lake;
    auto t = OpenTable(*g, *name, &lake);
    if (!t.ok()) return void(*exit_code = ReportError(t.status()));
    auto r = (*t)->Repair(*remove_missing);
    if (!r.ok()) return void(*exit_code = ReportError(r.status()));
    if (r->last_checkpoint_rewritten) {
      if (r->last_checkpoint >= 0)
        std::printf("%s: _last_checkpoint now names version %lld\n", name->c_str(),
                    static_cast<long long>(r->last_checkpoint));
      else
        std::printf("%s: _last_checkpoint removed (no checkpoint reads)\n", name->c_str());
    }
    for (const std::string& f : r->removed_files) std::printf("removed entry  %s\n", f.c_str());
    if (r->version >= 0) {
      std::printf("%s: version %lld no longer lists %zu missing data files\n", name->c_str(),
                  static_cast<long long>(r->version), r->removed_files.size());
    }
    if (!r->last_checkpoint_rewritten && r->version < 0)
      std::printf("%s: nothing to repair\n", name->c_str());
  });
}

}  // namespace strata::cli
