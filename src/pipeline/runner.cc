// Running a pipeline: parameters, selection, fingerprints and reuse, a pool of workers
// that runs each step when its inputs are done, retries with backoff, timeouts and
// cancellation, and the run's record in the catalog.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/time_format.h"
#include "pipeline/internal.h"
#include "pipeline/report.h"
#include "pipeline/run_context.h"

namespace strata::pipeline {

using catalog::DataRef;
using catalog::RunStatus;
using catalog::StepStatus;
using Json = nlohmann::json;

namespace {

struct Node {
  const StepSpec* spec = nullptr;
  StepSpec resolved;       // parameters and environment substituted: what runs
  std::string definition;  // parameters substituted, environment kept by name: what is hashed
  std::vector<size_t> ins, outs;
  bool needed = true;    // selected, or upstream of a selected step
  bool selected = true;  // runs; otherwise only reused
  size_t waiting = 0;    // inputs not yet done
  bool done = false;
  bool ok = false;
  std::string fingerprint;
  std::optional<Frame> output;
  std::string gate_log;  // a validate step's summary (JSON)
  StepOutcome outcome;
  Interrupter interrupter;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool running = false;
  bool timed_out = false;
  bool cancel_marked = false;  // already being marked not_run
  // For observers: the datasets it reads, its output as a dataset, whether START was sent.
  std::vector<ObservedDataset> seen_inputs;
  std::optional<ObservedDataset> dataset;
  std::vector<ObservedAssertion> assertions;
  bool start_sent = false;
};

class Runner {
 public:
  Runner(RunContext& ctx, std::vector<Node>& nodes, int jobs, RunReporter* reporter)
      : ctx_(ctx), nodes_(nodes), jobs_(std::max(1, jobs)), reporter_(reporter) {}

  void RunAll() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      if (!n.needed) {
        Finish(i, StepStatus::kNotRun, "not selected");
        continue;
      }
      n.waiting = 0;
      for (size_t j : n.ins) n.waiting += nodes_[j].needed ? 1 : 0;
    }
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].needed && nodes_[i].waiting == 0) ready_.push_back(i);
      }
    }
    std::vector<std::thread> workers;
    workers.reserve(static_cast<size_t>(jobs_));
    for (int w = 0; w < jobs_; ++w) workers.emplace_back([this] { Work(); });
    // The watchdog: timeouts and cancellation.
    {
      std::unique_lock lock(mu_);
      while (remaining_ > 0) {
        cv_.wait_for(lock, std::chrono::milliseconds(50));
        const bool cancel = ctx_.options->cancel != nullptr && ctx_.options->cancel->load();
        if (cancel && !cancelled_) {
          cancelled_ = true;
          cv_.notify_all();
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto& n : nodes_) {
          if (!n.running) continue;
          if (cancelled_) n.interrupter.Fire();
          if (now > n.deadline && !n.timed_out) {
            n.timed_out = true;
            n.interrupter.Fire();
          }
        }
      }
      stop_ = true;
      cv_.notify_all();
    }
    for (auto& t : workers) t.join();
  }

  bool cancelled() const { return cancelled_; }
  Status catalog_error() const { return catalog_error_; }

 private:
  void Work() {
    for (;;) {
      size_t i = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !ready_.empty(); });
        if (stop_) return;
        i = ready_.front();
        ready_.pop_front();
        if (cancelled_) {
          lock.unlock();
          Finish(i, StepStatus::kNotRun, "the run was cancelled");
          continue;
        }
      }
      Process(i);
    }
  }

  void Emit(const Node& n, StepStatus status, int attempt, const std::string& message, int64_t rows,
            double percent = -1) {
    if (!ctx_.options->on_event) return;
    StepEvent e;
    e.step = n.spec->name;
    e.status = status;
    e.attempt = attempt;
    e.message = message;
    e.rows = rows;
    e.percent = percent;
    std::lock_guard lock(event_mu_);
    ctx_.options->on_event(e);
  }

  catalog::StepRun Record(const Node& n) const {
    catalog::StepRun r;
    r.run_id = ctx_.run_id;
    r.step = n.spec->name;
    r.kind = std::string(ToString(n.spec->kind));
    r.status = n.outcome.status;
    r.started_ms = n.outcome.started_ms;
    r.ended_ms = n.outcome.ended_ms;
    r.attempts = n.outcome.attempts;
    r.rows_out = n.outcome.rows_out;
    r.error = n.outcome.error;
    r.fingerprint = n.fingerprint;
    r.output = output_refs_.count(n.spec->name) ? output_refs_.at(n.spec->name) : "";
    r.log = n.spec->kind == StepKind::kValidate ? n.gate_log
            : logs_.count(n.spec->name)         ? logs_.at(n.spec->name)
                                                : "";
    r.inputs = n.outcome.inputs;
    r.outputs = n.outcome.outputs;
    return r;
  }

  void Store(const Node& n) {
    Status st = ctx_.catalog->RecordStep(Record(n));
    if (!st.ok()) {
      std::lock_guard lock(mu_);
      if (catalog_error_.ok()) catalog_error_ = st;
    }
  }

  // Marks a step done; on failure, everything downstream will not run.
  void Finish(size_t i, StepStatus status, const std::string& error) {
    Node& n = nodes_[i];
    n.outcome.status = status;
    if (n.outcome.ended_ms == 0) n.outcome.ended_ms = NowMs();
    const bool ok = status == StepStatus::kSucceeded || status == StepStatus::kSkipped;
    if (!ok && status != StepStatus::kNotRun) n.outcome.error = error;
    if (status == StepStatus::kNotRun || status == StepStatus::kSkipped) n.outcome.note = error;
    if (n.needed && status != StepStatus::kNotRun) Store(n);
    if (reporter_->active()) Report(n, status, error);
    if (ok && n.output && ctx_.options->on_output) {
      std::lock_guard lock(event_mu_);
      ctx_.options->on_output(n.spec->name, *n.output);
    }
    Emit(n, status, n.outcome.attempts, error, n.outcome.rows_out);
    std::vector<size_t> skip_downstream;
    {
      std::lock_guard lock(mu_);
      n.done = true;
      n.ok = ok;
      n.running = false;
      if (n.needed) --remaining_;
      for (size_t j : n.outs) {
        Node& d = nodes_[j];
        if (!d.needed || d.done) continue;
        if (!ok) {
          skip_downstream.push_back(j);
        } else if (--d.waiting == 0) {
          ready_.push_back(j);
        }
      }
      cv_.notify_all();
    }
    for (size_t j : skip_downstream) {
      bool first = false;
      {
        std::lock_guard lock(mu_);
        first = !nodes_[j].done && !nodes_[j].cancel_marked;
        nodes_[j].cancel_marked = true;
      }
      if (first)
        Finish(j, StepStatus::kNotRun, "upstream step '" + n.spec->name + "' did not succeed");
    }
  }

  // The step's output as a dataset (for the steps downstream), and its end event.
  void Report(Node& n, StepStatus status, const std::string& error) {
    const bool ok = status == StepStatus::kSucceeded || status == StepStatus::kSkipped;
    std::vector<ObservedDataset> outputs;
    if (ok && n.output) {
      ObservedDataset out = reporter_->StepOutput(n.resolved, *n.output);
      for (const auto& d : n.outcome.outputs) {
        ObservedDataset table = reporter_->Source(d);
        if (n.spec->kind == StepKind::kWrite && d.name == n.outcome.outputs.front().name) {
          table.schema = out.schema;
          table.rows = n.outcome.rows_out;
          out = table;
        } else {
          outputs.push_back(table);  // a quarantine table
        }
      }
      outputs.insert(outputs.begin(), out);
      n.dataset = out;
    }
    if (!n.start_sent) return;
    std::vector<ObservedDataset> inputs = n.seen_inputs;
    if (!inputs.empty()) inputs.front().assertions = n.assertions;
    reporter_->StepEnded(n.resolved, status, n.outcome.ended_ms, error, inputs, outputs);
  }

  std::map<std::string, std::string> GateMetadata(size_t i) const {
    std::map<std::string, std::string> md;
    std::set<size_t> seen;
    std::function<void(size_t)> up = [&](size_t k) {
      for (size_t j : nodes_[k].ins) {
        if (!seen.insert(j).second) continue;
        const Node& g = nodes_[j];
        if (g.spec->kind == StepKind::kValidate && !g.gate_log.empty()) {
          Json j2 = Json::parse(g.gate_log, nullptr, false);
          if (j2.is_object()) {
            const std::string p = "quality." + g.spec->name + ".";
            if (j2.contains("suite") && j2["suite"].is_string()) md[p + "suite"] = j2["suite"];
            if (j2.contains("success") && j2["success"].is_boolean())
              md[p + "success"] = j2["success"].get<bool>() ? "true" : "false";
            if (j2.contains("met") && j2["met"].is_string()) md[p + "expectations_met"] = j2["met"];
          }
        }
        up(j);
      }
    };
    up(i);
    return md;
  }

  void Process(size_t i) {
    Node& n = nodes_[i];
    const StepSpec& step = n.resolved;
    n.outcome.started_ms = NowMs();
    StepInputs inputs;
    for (size_t j : n.ins) {
      if (!nodes_[j].output) {
        Finish(
            i, StepStatus::kFailed,
            "input '" + nodes_[j].spec->name + "' has no output (an exec step without 'output')");
        return;
      }
      inputs.names.push_back(nodes_[j].spec->name);
      inputs.frames.push_back(*nodes_[j].output);
    }
    auto sources = StepSources(ctx_, step);
    if (!sources.ok()) {
      n.outcome.attempts = 1;
      Finish(i, StepStatus::kFailed, sources.status().message());
      return;
    }
    n.outcome.inputs = *sources;
    if (reporter_->active()) {
      for (const auto& d : *sources) n.seen_inputs.push_back(reporter_->Source(d));
      for (size_t j : n.ins) {
        if (nodes_[j].dataset) n.seen_inputs.push_back(*nodes_[j].dataset);
      }
    }
    for (size_t j : n.ins) {
      for (const auto& d : nodes_[j].outcome.outputs) {
        if (d.kind == DataRef::Kind::kTable) n.outcome.inputs.push_back(d);
      }
    }
    Fingerprint fp;
    fp.Add(n.definition);
    for (size_t j : n.ins) fp.Add(nodes_[j].fingerprint);
    for (const auto& d : *sources) {
      fp.Add(d.name).Add(d.hash).Add(std::to_string(d.version));
    }
    n.fingerprint = fp.Finish();

    // Reuse: an earlier run of this step with the same fingerprint.
    if (!ctx_.options->force || !n.selected) {
      auto earlier = ctx_.catalog->FindReusable(ctx_.spec->name, step.name, n.fingerprint);
      if (!earlier.ok()) {
        Finish(i, StepStatus::kFailed, earlier.status().message());
        return;
      }
      if (*earlier) {
        Result<std::optional<Frame>> reused = std::optional<Frame>();
        if (step.kind == StepKind::kRead) {
          auto work =
              ExecuteStep(ctx_, step, inputs, *sources, {}, n.fingerprint, &n.interrupter, nullptr);
          reused = work.ok() ? Result<std::optional<Frame>>(work->output) : work.status();
        } else {
          reused = ReuseOutput(ctx_, step, **earlier, inputs);
        }
        if (!reused.ok()) {
          Finish(i, StepStatus::kFailed, reused.status().message());
          return;
        }
        if (*reused) {
          n.output = **reused;
          n.outcome.rows_out = (*earlier)->rows_out;
          n.outcome.outputs = (*earlier)->outputs;
          n.gate_log = (*earlier)->log;
          {
            std::lock_guard lock(mu_);
            output_refs_[step.name] = (*earlier)->output;
          }
          Finish(i, StepStatus::kSkipped, "unchanged since run " + (*earlier)->run_id);
          return;
        }
      }
      if (!n.selected) {
        Finish(i, StepStatus::kFailed,
               "not selected, and no earlier run with the same inputs left its output; select it "
               "too ('+" +
                   ctx_.spec->name + "' selects a step and everything upstream)");
        return;
      }
    }

    // Run it, with retries.
    {
      std::lock_guard lock(mu_);
      n.running = true;
    }
    n.outcome.status = StepStatus::kRunning;
    Store(n);
    reporter_->StepStarted(step, n.outcome.started_ms, n.seen_inputs);
    n.start_sent = reporter_->active();
    const auto gates =
        step.kind == StepKind::kWrite ? GateMetadata(i) : std::map<std::string, std::string>{};
    Status last;
    for (int attempt = 1; attempt <= step.retries + 1; ++attempt) {
      n.outcome.attempts = attempt;
      Emit(n, StepStatus::kRunning, attempt, "", -1);
      if (ctx_.options->on_event) {
        // Progress costs a little per query (run in steps, polled): only when someone listens.
        n.interrupter.SetProgress([this, &n, attempt](double percent) {
          Emit(n, StepStatus::kRunning, attempt, "", -1, percent);
        });
      }
      {
        std::lock_guard lock(mu_);
        n.interrupter.Reset();
        n.timed_out = false;
        n.deadline =
            step.timeout_seconds > 0
                ? std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(step.timeout_seconds * 1000))
                : std::chrono::steady_clock::time_point::max();
        if (cancelled_) n.interrupter.Fire();
      }
      AttemptNotes notes;
      auto work =
          ExecuteStep(ctx_, step, inputs, *sources, gates, n.fingerprint, &n.interrupter, &notes);
      if (!notes.log.empty()) {
        std::lock_guard lock(mu_);
        logs_[step.name] = notes.log;
      }
      n.assertions = notes.assertions;
      if (work.ok()) {
        n.output = work->output;
        n.outcome.rows_out = work->rows_out;
        n.outcome.outputs = work->outputs;
        n.outcome.note = work->note;
        n.assertions = work->assertions;
        if (step.kind == StepKind::kValidate) n.gate_log = work->log;
        {
          std::lock_guard lock(mu_);
          output_refs_[step.name] = work->output_ref;
          if (step.kind != StepKind::kValidate) logs_[step.name] = work->log;
        }
        Finish(i, StepStatus::kSucceeded, work->note);
        return;
      }
      last = work.status();
      if (n.timed_out) {
        last =
            Status::Interrupted("timed out after " + std::to_string(step.timeout_seconds) + " s");
      }
      if (cancelled_) {
        Finish(i, StepStatus::kCancelled, "cancelled: " + last.message());
        return;
      }
      // A failed gate is a verdict on the data, not a fault: retrying cannot change it.
      if (step.kind == StepKind::kValidate) break;
      if (attempt <= step.retries) {
        Emit(n, StepStatus::kRunning, attempt,
             "attempt " + std::to_string(attempt) + " failed: " + last.message(), -1);
        double delay = step.retry_delay_seconds * std::pow(2.0, attempt - 1);
        const auto until = std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(static_cast<int64_t>(delay * 1000));
        while (std::chrono::steady_clock::now() < until && !cancelled_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (cancelled_) {
          Finish(i, StepStatus::kCancelled, "cancelled while waiting to retry: " + last.message());
          return;
        }
      }
    }
    Finish(i, StepStatus::kFailed, last.message());
  }

  RunContext& ctx_;
  std::vector<Node>& nodes_;
  int jobs_;
  RunReporter* reporter_;
  std::mutex mu_;
  std::mutex event_mu_;
  std::condition_variable cv_;
  std::deque<size_t> ready_;
  size_t remaining_ = 0;
  bool stop_ = false;
  std::atomic<bool> cancelled_{false};
  Status catalog_error_;
  std::map<std::string, std::string> output_refs_;
  std::map<std::string, std::string> logs_;

 public:
  void CountNeeded() {
    remaining_ = 0;
    for (const auto& n : nodes_) remaining_ += n.needed ? 1 : 0;
  }
};

std::string SafeName(const std::string& name) {
  std::string out;
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

Result<RunOutcome> Run(const std::string& lake_root, const PipelineSpec& spec,
                       const RunOptions& options) {
  STRATA_RETURN_NOT_OK(CheckPipeline(spec));
  STRATA_ASSIGN_OR_RETURN(auto catalog, catalog::Catalog::OpenForLake(lake_root));
  RunContext ctx;
  ctx.spec = &spec;
  ctx.options = &options;
  ctx.catalog = catalog.get();
  ctx.lake_root = std::filesystem::absolute(lake_root).lexically_normal().string();
  if (spec.source != "<c++>") {
    ctx.spec_dir = std::filesystem::path(spec.source).parent_path().string();
  }
  ctx.run_id = catalog::NewRunId();
  ctx.idempotency_id = ctx.run_id;

  // Parameters: the file's defaults, then --param; a resumed run keeps its own.
  std::map<std::string, std::string> given = options.params;
  std::string resumed_from;
  // The parameters an earlier run recorded.
  auto recorded_params = [](const catalog::RunRecord& run) {
    std::map<std::string, std::string> out;
    const Json p = Json::parse(run.params_json, nullptr, false);
    if (p.is_object()) {
      for (const auto& [k, v] : p.items()) {
        if (v.is_string()) out[k] = v.get<std::string>();
      }
    }
    return out;
  };
  if (!options.resume.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto old, catalog->GetRun(options.resume));
    if (!old) return Status::NotFound("no run '" + options.resume + "' in the catalog");
    if (old->pipeline != spec.name) {
      return Status::InvalidArgument("run " + options.resume + " is of pipeline '" + old->pipeline +
                                     "', not '" + spec.name + "'");
    }
    if (old->status == RunStatus::kSucceeded)
      return Status::InvalidArgument("run " + options.resume +
                                     " succeeded; there is nothing to resume");
    if (!given.empty())
      return Status::InvalidArgument(
          "--resume keeps the parameters of the run it resumes; drop --param");
    given = recorded_params(*old);
    // Writes are made exactly once across the original run and all its resumptions: a
    // resumed run records the original, however long the chain.
    ctx.idempotency_id = old->resumed_from.empty() ? old->run_id : old->resumed_from;
    resumed_from = ctx.idempotency_id;
  }
  if (!options.at.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto old, catalog->GetRun(options.at));
    if (!old) return Status::NotFound("no run '" + options.at + "' in the catalog");
    for (const auto& st : old->steps) ctx.pinned_inputs[st.step] = st.inputs;
    if (given.empty()) given = recorded_params(*old);
  }
  ctx.params = spec.params;
  for (const auto& [k, v] : given) {
    if (spec.params.count(k) == 0) {
      std::string known;
      for (const auto& [pk, pv] : spec.params) known += (known.empty() ? "" : ", ") + pk;
      return Status::InvalidArgument("unknown parameter '" + k + "' (the pipeline's parameters: " +
                                     (known.empty() ? "none" : known) + ")");
    }
    ctx.params[k] = v;
  }

  std::vector<Node> nodes(spec.steps.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < spec.steps.size(); ++i) index[spec.steps[i].name] = i;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    Node& n = nodes[i];
    n.spec = &spec.steps[i];
    StepSpec unused;
    STRATA_ASSIGN_OR_RETURN(n.definition, ResolveStep(*n.spec, ctx.params, false, &unused));
    STRATA_RETURN_NOT_OK(ResolveStep(*n.spec, ctx.params, true, &n.resolved).status());
    for (const auto& in : n.spec->inputs) {
      n.ins.push_back(index[in]);
      nodes[index[in]].outs.push_back(i);
    }
    n.outcome.name = n.spec->name;
    n.outcome.kind = std::string(ToString(n.spec->kind));
  }
  // A quarantine gate's table: given, else the write step's target downstream.
  for (auto& n : nodes) {
    if (n.spec->kind != StepKind::kValidate || n.spec->policy != GatePolicy::kQuarantine) continue;
    if (n.resolved.quarantine_table.empty()) {
      std::string target;
      std::function<void(size_t)> down = [&](size_t k) {
        for (size_t j : nodes[k].outs) {
          if (!target.empty()) return;
          if (nodes[j].spec->kind == StepKind::kWrite) target = nodes[j].resolved.table;
          down(j);
        }
      };
      down(static_cast<size_t>(&n - nodes.data()));
      n.resolved.quarantine_table =
          (target.empty() ? spec.name + "_" + n.spec->name : target) + "_quarantine";
    }
    STRATA_RETURN_NOT_OK(ValidateTableName(n.resolved.quarantine_table)
                             .WithContext(n.spec->where + ": step '" + n.spec->name + "'"));
  }
  {
    std::vector<std::vector<size_t>> ins, outs;
    for (const auto& n : nodes) {
      ins.push_back(n.ins);
      outs.push_back(n.outs);
    }
    std::vector<bool> selected, needed;
    STRATA_RETURN_NOT_OK(SelectSteps(spec, options.select, ins, outs, &selected, &needed));
    for (size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].selected = selected[i];
      nodes[i].needed = needed[i];
    }
  }

  // The run's own DuckDB database, and the lake on it.
  ctx.cache_dir = ctx.lake_root + "/_strata/cache/" + SafeName(spec.name);
  ctx.tmp_dir = ctx.lake_root + "/_strata/tmp/" + ctx.run_id;
  engine::DatabaseOptions database = options.database;
  if (database.temp_directory.empty()) database.temp_directory = ctx.tmp_dir + "/duckdb";
  // The run's DuckDB reads and writes only the lake and the files the read steps declare
  // (and exec steps' outputs): a sql step that reads a file by path would escape the
  // fingerprint, so it is an error that says to declare the file as a read step.
  if (!database.allowed_directories) {
    std::vector<std::string> dirs = {lake_root};  // as given and (added by the engine) absolute
    for (const auto& n : nodes) {
      const StepSpec& s = n.resolved;
      if (s.kind == StepKind::kRead && !s.path.empty()) {
        const size_t wild = s.path.find_first_of("*?[");
        if (wild == std::string::npos) {
          database.allowed_files.push_back(s.path);
        } else {
          const size_t slash = s.path.find_last_of('/', wild);
          dirs.push_back(slash == std::string::npos ? "." : s.path.substr(0, slash));
        }
      }
      if (s.kind == StepKind::kExec && !s.output.empty())
        database.allowed_files.push_back(s.output);
    }
    database.allowed_directories = dirs;
    // A guard, not a wall: exec steps run any command anyway, and progress tracking needs
    // per-connection settings, which a locked configuration refuses.
    database.lock_configuration = false;
  }
  STRATA_ASSIGN_OR_RETURN(ctx.session, Session::Open(database));
  LakeOptions lo;
  lo.session = ctx.session;
  STRATA_ASSIGN_OR_RETURN(ctx.lake, Lake::Open(lake_root, lo));
  {
    // `params`: one row, a text column per parameter.
    std::string select = "SELECT ";
    bool first = true;
    for (const auto& [k, v] : ctx.params) {
      select += (first ? "" : ", ") + engine::QuoteString(v) + " AS " + engine::QuoteIdentifier(k);
      first = false;
    }
    if (first) select += "NULL AS no_parameters";
    STRATA_RETURN_NOT_OK(PublishView(ctx, "params", select).status());
  }

  catalog::RunRecord record;
  record.run_id = ctx.run_id;
  record.pipeline = spec.name;
  record.pipeline_file = spec.source;
  record.started_ms = NowMs();
  Json params_json = Json::object();
  for (const auto& [k, v] : ctx.params) params_json[k] = v;
  record.params_json = params_json.dump();
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  record.host = host;
  record.pid = ::getpid();
  record.resumed_from = resumed_from;
  STRATA_RETURN_NOT_OK(catalog->CreateRun(record));

  int jobs = options.jobs > 0 ? options.jobs
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  RunReporter reporter(ctx);
  reporter.RunStarted(record.started_ms);
  Runner runner(ctx, nodes, jobs, &reporter);
  runner.CountNeeded();
  runner.RunAll();

  RunOutcome out;
  out.run_id = ctx.run_id;
  out.pipeline = spec.name;
  out.started_ms = record.started_ms;
  out.status = RunStatus::kSucceeded;
  for (const auto& n : nodes) {
    out.steps.push_back(n.outcome);
    if (n.outcome.status == StepStatus::kFailed && out.status == RunStatus::kSucceeded) {
      out.status = RunStatus::kFailed;
      out.error = "step '" + n.spec->name + "' failed: " + n.outcome.error;
    }
  }
  if (runner.cancelled()) {
    out.status = RunStatus::kCancelled;
    out.error = "cancelled";
  }
  if (!runner.catalog_error().ok() && out.status == RunStatus::kSucceeded) {
    out.status = RunStatus::kFailed;
    out.error = runner.catalog_error().message();
  }
  out.ended_ms = NowMs();
  std::error_code ec;
  std::filesystem::remove_all(ctx.tmp_dir, ec);
  if (reporter.active()) {
    // The run's datasets: what its steps read from outside, and the tables they wrote.
    std::vector<ObservedDataset> inputs, outputs;
    std::set<std::string> seen;
    for (const auto& n : nodes) {
      for (const auto& d : n.seen_inputs) {
        if (d.name.find('/') == std::string::npos || d.name_space == "file") {
          if (seen.insert(d.name_space + " " + d.name).second) inputs.push_back(d);
        }
      }
      if (n.spec->kind == StepKind::kWrite && n.dataset &&
          n.outcome.status == StepStatus::kSucceeded)
        outputs.push_back(*n.dataset);
    }
    reporter.RunEnded(out.status, out.ended_ms, out.error, inputs, outputs);
  }
  STRATA_RETURN_NOT_OK(catalog->FinishRun(ctx.run_id, out.status, out.ended_ms, out.error));
  return out;
}

}  // namespace strata::pipeline
