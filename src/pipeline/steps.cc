// What each kind of step does, one attempt at a time: read, sql, validate, write, op.
// (exec is in exec_step.cc.) Every step's output becomes a view named after the step in
// the run's DuckDB database, so downstream SQL reads it by name.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/random.h"
#include "pipeline/internal.h"
#include "pipeline/run_context.h"
#include "strata/pipeline.h"

namespace strata::pipeline {

using catalog::DataRef;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

Result<std::string> PinnedTableRef(RunContext& ctx, const StepSpec& step) {
  auto it = ctx.pinned_inputs.find(step.name);
  if (it == ctx.pinned_inputs.end()) return step.table;
  for (const auto& d : it->second) {
    if (d.kind == DataRef::Kind::kTable) return d.name + "@" + std::to_string(d.version);
  }
  return step.table;
}

Frame ReadFiles(RunContext& ctx, const StepSpec& step, const std::vector<DataRef>& sources) {
  std::vector<std::string> files;
  files.reserve(sources.size());
  for (const auto& d : sources) files.push_back(d.name);
  CsvOptions csv;
  if (!step.delimiter.empty()) csv.delimiter = step.delimiter == "\\t" ? "\t" : step.delimiter;
  return ctx.session->scan_files(std::move(files), csv);
}

// The quality gate. Fail: the step fails when the suite does; warn: it succeeds with the
// result noted; quarantine: failing rows go to a table, passing rows go on.
Result<quality::Suite> LoadSuite(RunContext& ctx, const StepSpec& step) {
  if (step.suite) return *step.suite;
  std::filesystem::path p(step.suite_file);
  if (p.is_relative() && !ctx.spec_dir.empty()) p = std::filesystem::path(ctx.spec_dir) / p;
  return quality::Suite::FromFile(p.string());
}

Result<StepWork> RunGate(RunContext& ctx, const StepSpec& step, const Frame& input,
                         AttemptNotes* notes) {
  STRATA_ASSIGN_OR_RETURN(quality::Suite suite, LoadSuite(ctx, step));
  STRATA_ASSIGN_OR_RETURN(quality::ValidationResult v, quality::Validate(input, suite));
  StepWork work;
  work.rows_out = v.element_count;
  for (const auto& r : v.results) work.assertions.push_back({r.type, r.column, r.success});
  if (notes != nullptr) notes->assertions = work.assertions;
  std::string failed;
  for (const auto& r : v.results) {
    if (r.success) continue;
    failed +=
        (failed.empty() ? "" : "; ") + r.type + (r.column.empty() ? "" : "(" + r.column + ")");
    if (r.unexpected_count > 0) failed += ": " + std::to_string(r.unexpected_count) + " unexpected";
    if (r.raised_exception) failed += ": " + r.exception_message;
  }
  work.note = "suite " + suite.name() + ": " + std::to_string(v.successful) + "/" +
              std::to_string(v.evaluated) + " expectations met" +
              (failed.empty() ? "" : " (failed: " + failed + ")");
  // A compact record for the write steps downstream (kept in the catalog with the step).
  work.log =
      nlohmann::json{{"suite", suite.name()},
                     {"success", v.success},
                     {"met", std::to_string(v.successful) + "/" + std::to_string(v.evaluated)}}
          .dump();
  if (v.success || step.policy == GatePolicy::kWarn) {
    STRATA_ASSIGN_OR_RETURN(std::string input_sql, input.to_sql());
    STRATA_ASSIGN_OR_RETURN(work.output, PublishView(ctx, step.name, input_sql));
    return work;
  }
  if (step.policy == GatePolicy::kFail)
    return Status::InvalidArgument("quality gate failed: " + work.note);
  // Quarantine: only row-level expectations can set rows aside; a failed table-level
  // expectation (a row count, a column set) fails the gate.
  for (const auto& r : v.results) {
    if (!r.success && r.column.empty() && r.unexpected_count == 0) {
      return Status::InvalidArgument("quality gate failed on a table-level expectation (" + r.type +
                                     "), which quarantine cannot set rows aside for: " + work.note);
    }
  }
  STRATA_ASSIGN_OR_RETURN(quality::Quarantine split, quality::Split(input, suite));
  STRATA_ASSIGN_OR_RETURN(std::string failed_sql, split.failed.to_sql());
  Frame tagged =
      ctx.session->sql("SELECT *, " + QuoteString(ctx.run_id) + " AS _strata_run_id, " +
                       QuoteString(step.name) + " AS _strata_step FROM (" + failed_sql + ")");
  STRATA_ASSIGN_OR_RETURN(auto table, ctx.lake->OpenTable(step.quarantine_table));
  WriteOptions wo;
  wo.mode = WriteMode::kAppend;
  wo.merge_schema = true;
  wo.run_id = ctx.run_id;
  wo.metadata = {{"strata.pipeline", ctx.spec->name}, {"strata.step", step.name}};
  wo.app_id = "strata-run/" + ctx.idempotency_id + "/" + step.name;
  wo.app_version = 0;
  STRATA_ASSIGN_OR_RETURN(int64_t version, table->Write(tagged, wo));
  int64_t quarantined = -1;
  if (auto added = table->VersionAt(version); added.ok()) quarantined = added->rows_added;
  DataRef out;
  out.kind = DataRef::Kind::kTable;
  out.name = table->name();
  out.version = version;
  out.rows = quarantined;
  work.outputs.push_back(out);
  work.note += "; " +
               (quarantined >= 0 ? std::to_string(quarantined) : std::string("the failing")) +
               " rows quarantined to " + table->name() + "@" + std::to_string(version);
  STRATA_ASSIGN_OR_RETURN(std::string passed_sql, split.passed.to_sql());
  STRATA_ASSIGN_OR_RETURN(work.output, PublishView(ctx, step.name, passed_sql));
  work.rows_out = quarantined >= 0 ? v.element_count - quarantined : -1;
  return work;
}

// A write step: append, overwrite, or merge on keys (rows of the table whose keys appear
// in the data are replaced, in one overwrite commit).
Result<StepWork> RunWrite(RunContext& ctx, const StepSpec& step, const Frame& input,
                          const std::map<std::string, std::string>& gate_metadata) {
  STRATA_ASSIGN_OR_RETURN(auto table, ctx.lake->OpenTable(step.table));
  WriteOptions wo;
  wo.mode = step.mode;
  wo.partition_by = step.partition_by;
  wo.metadata = step.metadata;
  for (const auto& [k, v] : gate_metadata) wo.metadata[k] = v;
  wo.metadata["strata.pipeline"] = ctx.spec->name;
  wo.metadata["strata.step"] = step.name;
  wo.run_id = ctx.run_id;
  // Exactly once per run and step: a resumed run finds the commit its killed attempt made.
  wo.app_id = "strata-run/" + ctx.idempotency_id + "/" + step.name;
  wo.app_version = 0;
  Frame data = input;
  if (!step.merge_keys.empty() && table->exists()) {
    STRATA_ASSIGN_OR_RETURN(auto snap, table->Latest());
    STRATA_ASSIGN_OR_RETURN(Frame current, table->Scan(*snap));
    STRATA_ASSIGN_OR_RETURN(std::string current_sql, current.to_sql());
    STRATA_ASSIGN_OR_RETURN(std::string input_sql, input.to_sql());
    std::string keys;
    for (const auto& k : step.merge_keys) keys += (keys.empty() ? "" : ", ") + QuoteIdentifier(k);
    data = ctx.session->sql("SELECT * FROM (" + current_sql + ") WHERE (" + keys +
                            ") NOT IN (SELECT (" + keys + ") FROM (" + input_sql +
                            ")) UNION ALL BY NAME SELECT * FROM (" + input_sql + ")");
    wo.metadata["strata.merge_keys"] = keys;
  }
  STRATA_ASSIGN_OR_RETURN(int64_t version, table->Write(data, wo));
  STRATA_ASSIGN_OR_RETURN(auto snap, table->AtVersion(version));
  STRATA_ASSIGN_OR_RETURN(Frame written, table->Scan(*snap));
  STRATA_ASSIGN_OR_RETURN(std::string written_sql, written.to_sql());
  StepWork work;
  STRATA_ASSIGN_OR_RETURN(work.output, PublishView(ctx, step.name, written_sql));
  work.output_ref = "table:" + table->name() + "@" + std::to_string(version);
  // Rows this version wrote (its commit's added files), not the table's.
  if (auto added = table->VersionAt(version); added.ok()) work.rows_out = added->rows_added;
  DataRef out;
  out.kind = DataRef::Kind::kTable;
  out.name = table->name();
  out.version = version;
  out.rows = snap->num_records();
  out.bytes = snap->size_bytes();
  work.outputs.push_back(out);
  return work;
}

}  // namespace

// A sql or op step's result, kept as the step's materialization says.
Result<StepWork> KeepOutput(RunContext& ctx, const StepSpec& step, const std::string& select_sql,
                            const std::string& fingerprint, Interrupter* interrupter) {
  StepWork work;
  if (step.materialize == Materialize::kView) {
    STRATA_ASSIGN_OR_RETURN(work.output, PublishView(ctx, step.name, select_sql));
    return work;
  }
  const std::string dir = ctx.cache_dir + "/" + step.name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the step cache " + dir + ": " + ec.message());
  const std::string path = dir + "/" + fingerprint + ".parquet";
  STRATA_ASSIGN_OR_RETURN(work.rows_out, WriteParquet(ctx, select_sql, path, interrupter));
  struct stat sb {};
  if (::stat(path.c_str(), &sb) == 0) work.bytes_out = sb.st_size;
  work.output_ref = "parquet:" + path;
  STRATA_ASSIGN_OR_RETURN(
      work.output,
      PublishView(ctx, step.name, "SELECT * FROM read_parquet(" + QuoteString(path) + ")"));
  return work;
}

std::string TrimSql(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.pop_back();
  return sql;
}

void Interrupter::Attach(engine::Connection* connection) {
  std::lock_guard lock(mu_);
  connection_ = connection;
  if (fired_) connection_->Interrupt();
}
void Interrupter::AttachProcess(pid_t pid) {
  std::lock_guard lock(mu_);
  pid_ = pid;
}
void Interrupter::Detach() {
  std::lock_guard lock(mu_);
  connection_ = nullptr;
  pid_ = 0;
}
void Interrupter::Fire() {
  std::lock_guard lock(mu_);
  fired_ = true;
  if (connection_ != nullptr) connection_->Interrupt();
  if (pid_ > 0) ::kill(-pid_, SIGTERM);
}

Result<Frame> PublishView(RunContext& ctx, const std::string& name, const std::string& select_sql) {
  STRATA_ASSIGN_OR_RETURN(auto conn, ctx.session->database()->Connect());
  STRATA_RETURN_NOT_OK(
      conn->Execute("CREATE OR REPLACE VIEW " + QuoteIdentifier(name) + " AS " + select_sql));
  return ctx.session->sql("SELECT * FROM " + QuoteIdentifier(name));
}

Result<int64_t> WriteParquet(RunContext& ctx, const std::string& select_sql,
                             const std::string& path, Interrupter* interrupter) {
  STRATA_ASSIGN_OR_RETURN(auto conn, ctx.session->database()->Connect());
  const std::string tmp = TempPathFor(path);
  if (interrupter != nullptr) interrupter->Attach(conn.get());
  const std::string copy =
      "COPY (" + select_sql + ") TO " + QuoteString(tmp) + " (FORMAT parquet, COMPRESSION zstd)";
  Result<std::unique_ptr<engine::QueryResult>> result = Status::Internal("not run");
  if (interrupter != nullptr && interrupter->progress()) {
    // Prepared and run in steps, so DuckDB's progress estimate can be reported (progress is
    // a setting of this connection only; DuckDB must not print its own bar).
    Status on =
        conn->Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
    if (!on.ok()) return on;
    auto prepared = conn->Prepare(copy);
    if (prepared.ok()) {
      const auto& report = interrupter->progress();
      result = (*prepared)->Execute(/*streaming=*/false, [&](const engine::Progress& p) {
        if (p.percentage >= 0) report(p.percentage);
      });
    } else {
      result = prepared.status();
    }
  } else {
    result = conn->Query(copy);
  }
  if (interrupter != nullptr) interrupter->Detach();
  if (!result.ok()) {
    std::remove(tmp.c_str());
    return result.status();
  }
  const int64_t rows = (*result)->rows_changed();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IOError("cannot move " + tmp + " to " + path);
  }
  return rows;
}

Result<std::vector<DataRef>> StepSources(RunContext& ctx, const StepSpec& step) {
  std::vector<DataRef> out;
  if (step.kind == StepKind::kRead && !step.path.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto files, ExpandGlob(step.path));
    for (const auto& f : files) {
      DataRef d;
      STRATA_RETURN_NOT_OK(HashFile(ctx.catalog, f, &d));
      out.push_back(std::move(d));
    }
    auto pinned = ctx.pinned_inputs.find(step.name);
    if (pinned != ctx.pinned_inputs.end()) {
      for (const auto& was : pinned->second) {
        bool same = false;
        for (const auto& now : out) same = same || (now.name == was.name && now.hash == was.hash);
        if (!same) {
          return Status::InvalidArgument("file '" + was.name + "' is not what run " +
                                         ctx.options->at + " read (its content hash was " +
                                         was.hash + "): files are not versioned, only tables are");
        }
      }
    }
  } else if (step.kind == StepKind::kRead) {
    STRATA_ASSIGN_OR_RETURN(std::string text, PinnedTableRef(ctx, step));
    STRATA_ASSIGN_OR_RETURN(TableRef ref, TableRef::Parse(text));
    STRATA_ASSIGN_OR_RETURN(ResolvedTable rt, ctx.lake->Resolve(ref));
    DataRef d;
    d.kind = DataRef::Kind::kTable;
    d.name = rt.table->name();
    d.version = rt.snapshot->version;
    d.rows = rt.snapshot->num_records();
    d.bytes = rt.snapshot->size_bytes();
    d.hash = rt.snapshot->table_id;  // a table re-created under the same name differs
    out.push_back(std::move(d));
    std::lock_guard lock(ctx.resolved_mu);
    ctx.resolved[step.name] = {std::shared_ptr<Table>(std::move(rt.table)), rt.snapshot};
  } else if (step.kind == StepKind::kExec) {
    for (const auto& dep : step.deps) {
      std::filesystem::path p(dep);
      if (p.is_relative() && !ctx.spec_dir.empty()) p = std::filesystem::path(ctx.spec_dir) / p;
      DataRef d;
      STRATA_RETURN_NOT_OK(HashFile(ctx.catalog, p.string(), &d));
      out.push_back(std::move(d));
    }
  }
  return out;
}

Result<StepWork> ExecuteStep(RunContext& ctx, const StepSpec& step, const StepInputs& inputs,
                             const std::vector<DataRef>& sources,
                             const std::map<std::string, std::string>& gate_metadata,
                             const std::string& fingerprint, Interrupter* interrupter,
                             AttemptNotes* notes) {
  switch (step.kind) {
    case StepKind::kRead: {
      StepWork work;
      Frame frame = ctx.session->sql("SELECT 1");
      if (!step.path.empty()) {
        frame = ReadFiles(ctx, step, sources);
      } else {
        // The version StepSources resolved for the fingerprint.
        std::pair<std::shared_ptr<Table>, std::shared_ptr<const Snapshot>> pinned;
        {
          std::lock_guard lock(ctx.resolved_mu);
          pinned = ctx.resolved[step.name];
        }
        if (!pinned.first) return Status::Internal("step '" + step.name + "': no resolved table");
        STRATA_ASSIGN_OR_RETURN(frame, pinned.first->Scan(*pinned.second));
        work.rows_out = pinned.second->num_records();
      }
      STRATA_ASSIGN_OR_RETURN(std::string sql, frame.to_sql());
      STRATA_ASSIGN_OR_RETURN(work.output, PublishView(ctx, step.name, sql));
      return work;
    }
    case StepKind::kSql: {
      auto work = KeepOutput(ctx, step, TrimSql(step.sql), fingerprint, interrupter);
      if (!work.ok() &&
          work.status().message().find("disabled by configuration") != std::string::npos) {
        return Status::InvalidArgument(work.status().message() +
                                       " (a step's SQL reads only its inputs and the lake: declare "
                                       "the file as a read step, so "
                                       "that its content is part of the fingerprint)");
      }
      return work;
    }
    case StepKind::kValidate:
      return RunGate(ctx, step, inputs.frames.front(), notes);
    case StepKind::kWrite:
      return RunWrite(ctx, step, inputs.frames.front(), gate_metadata);
    case StepKind::kExec:
      return ExecuteCommand(ctx, step, inputs, fingerprint, interrupter,
                            notes != nullptr ? &notes->log : nullptr);
    case StepKind::kOp: {
      StepContext sc;
      sc.run_id = ctx.run_id;
      sc.step = step.name;
      sc.params = ctx.params;
      sc.session = ctx.session.get();
      STRATA_ASSIGN_OR_RETURN(Frame out, step.op(sc, inputs.frames));
      STRATA_ASSIGN_OR_RETURN(std::string sql, out.to_sql());
      return KeepOutput(ctx, step, sql, fingerprint, interrupter);
    }
  }
  return Status::Internal("unknown step kind");
}

Result<std::optional<Frame>> ReuseOutput(RunContext& ctx, const StepSpec& step,
                                         const catalog::StepRun& earlier,
                                         const StepInputs& inputs) {
  const std::string& ref = earlier.output;
  if (ref.rfind("parquet:", 0) == 0) {
    const std::string path = ref.substr(8);
    struct stat sb {};
    if (::stat(path.c_str(), &sb) != 0) return std::optional<Frame>();
    STRATA_ASSIGN_OR_RETURN(
        Frame f,
        PublishView(ctx, step.name, "SELECT * FROM read_parquet(" + QuoteString(path) + ")"));
    return std::optional<Frame>(f);
  }
  if (ref.rfind("table:", 0) == 0) {
    auto tr = TableRef::Parse(ref.substr(6));
    if (!tr.ok()) return std::optional<Frame>();
    auto rt = ctx.lake->Resolve(*tr);
    if (!rt.ok()) return std::optional<Frame>();
    auto frame = rt->table->Scan(*rt->snapshot);
    if (!frame.ok()) return std::optional<Frame>();
    STRATA_ASSIGN_OR_RETURN(std::string sql, frame->to_sql());
    STRATA_ASSIGN_OR_RETURN(Frame f, PublishView(ctx, step.name, sql));
    return std::optional<Frame>(f);
  }
  // Steps whose output is a view of their inputs, recomputed from them.
  switch (step.kind) {
    case StepKind::kSql:
      if (step.materialize == Materialize::kView) {
        STRATA_ASSIGN_OR_RETURN(Frame f, PublishView(ctx, step.name, TrimSql(step.sql)));
        return std::optional<Frame>(f);
      }
      return std::optional<Frame>();
    case StepKind::kValidate: {
      if (step.policy != GatePolicy::kQuarantine || earlier.outputs.empty()) {
        STRATA_ASSIGN_OR_RETURN(std::string sql, inputs.frames.front().to_sql());
        STRATA_ASSIGN_OR_RETURN(Frame f, PublishView(ctx, step.name, sql));
        return std::optional<Frame>(f);
      }
      // The passing rows, recomputed without writing the failing ones again.
      STRATA_ASSIGN_OR_RETURN(quality::Suite suite, LoadSuite(ctx, step));
      STRATA_ASSIGN_OR_RETURN(quality::Quarantine split,
                              quality::Split(inputs.frames.front(), suite));
      STRATA_ASSIGN_OR_RETURN(std::string sql, split.passed.to_sql());
      STRATA_ASSIGN_OR_RETURN(Frame f, PublishView(ctx, step.name, sql));
      return std::optional<Frame>(f);
    }
    default:
      return std::optional<Frame>();
  }
}

}  // namespace strata::pipeline
