// strata run PIPELINE.yaml; strata runs [show RUN_ID].
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/time_format.h"
#include "strata/lineage.h"
#include "strata/pipeline.h"

namespace strata::cli {
namespace {

using catalog::StepStatus;

std::atomic<bool> g_cancel{false};

void OnSignal(int) {
  g_cancel = true;
  // A second Ctrl-C ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

std::string Duration(int64_t ms) {
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
  } else if (ms < 120000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60000),
                  static_cast<long long>((ms / 1000) % 60));
  }
  return buf;
}

std::string DataText(const catalog::DataRef& d) {
  if (d.kind == catalog::DataRef::Kind::kTable) {
    return d.name + "@" + std::to_string(d.version) +
           (d.rows >= 0 ? " (" + std::to_string(d.rows) + " rows)" : "");
  }
  return d.name + " (xxh3 " + d.hash.substr(0, 12) + ")";
}

std::string Rows(int64_t rows) {
  char buf[32];
  if (rows >= 10'000'000) {
    std::snprintf(buf, sizeof buf, "%.0fM", static_cast<double>(rows) / 1e6);
  } else if (rows >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(rows) / 1e6);
  } else if (rows >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.0fk", static_cast<double>(rows) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(rows));
  }
  return buf;
}

// What a person sees while a run goes on. On a terminal: a line per step as it ends, and
// under them one status line, redrawn, with the steps running (for how long, and how far
// along as DuckDB estimates it) and how many are done, skipped, failed and waiting. Otherwise
// (a log file, CI): one line per step event with an ISO 8601 time.
class RunDisplay {
 public:
  RunDisplay(bool tty, size_t steps) : tty_(tty), steps_(steps) {
    if (tty_) ticker_ = std::thread([this] { Tick(); });
  }
  ~RunDisplay() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      ClearStatus();
    }
    cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
  }

  void On(const pipeline::StepEvent& e) {
    std::lock_guard lock(mu_);
    const int64_t now = NowMs();
    if (e.status == StepStatus::kRunning) {
      if (!e.message.empty()) {
        Line(e.step, "retrying", e.message, now);
      } else if (e.percent >= 0) {
        running_[e.step].percent = e.percent;
      } else if (running_.count(e.step) == 0) {
        running_[e.step] = Running{now, -1};
        if (!tty_) Line(e.step, "started", "", now);
      }
      return;
    }
    auto it = running_.find(e.step);
    std::string detail;
    if (e.rows >= 0) detail += Rows(e.rows) + " rows";
    if (e.status == StepStatus::kSucceeded && it != running_.end())
      detail += (detail.empty() ? "" : ", ") + Duration(now - it->second.started_ms);
    if (!e.message.empty()) detail += (detail.empty() ? "" : "  ") + e.message;
    if (it != running_.end()) running_.erase(it);
    ++counts_[e.status];
    Line(e.step, std::string(catalog::ToString(e.status)), detail, now);
  }

 private:
  struct Running {
    int64_t started_ms = 0;
    double percent = -1;
  };

  void Line(const std::string& step, const std::string& status, const std::string& detail,
            int64_t now) {
    if (tty_) {
      ClearStatus();
      const char* color = status == "failed"      ? "\033[31m"
                          : status == "skipped"   ? "\033[2m"
                          : status == "succeeded" ? "\033[32m"
                                                  : "\033[33m";
      std::fprintf(stderr, "%s%-9s\033[0m %-24s %s\n", color, status.c_str(), step.c_str(),
                   detail.c_str());
      DrawStatus(now);
    } else {
      std::fprintf(stderr, "%s  %-24s %s  %s\n", IsoTimeMs(now).c_str(), step.c_str(),
                   status.c_str(), detail.c_str());
    }
  }

  void ClearStatus() {
    if (tty_ && status_shown_) std::fprintf(stderr, "\r\033[K");
    status_shown_ = false;
  }

  void DrawStatus(int64_t now) {
    if (!tty_ || stopped_) return;
    std::string line;
    for (const auto& [step, r] : running_) {
      line += (line.empty() ? "" : ", ") + step;
      line += " " + Duration(now - r.started_ms);
      if (r.percent >= 0) line += " " + std::to_string(static_cast<int>(r.percent)) + "%";
    }
    size_t finished = 0;
    for (const auto& [st, n] : counts_) finished += n;
    const size_t waiting =
        steps_ > finished + running_.size() ? steps_ - finished - running_.size() : 0;
    std::string tail = std::to_string(counts_[StepStatus::kSucceeded]) + " done, " +
                       std::to_string(counts_[StepStatus::kSkipped]) + " skipped, " +
                       std::to_string(counts_[StepStatus::kFailed]) + " failed, " +
                       std::to_string(waiting) + " waiting";
    std::string text = (line.empty() ? "" : "running: " + line + " | ") + tail;
    if (text.size() > 160) text = text.substr(0, 157) + "...";
    std::fprintf(stderr, "\r\033[K\033[2m%s\033[0m", text.c_str());
    status_shown_ = true;
  }

  void Tick() {
    std::unique_lock lock(mu_);
    while (!stopped_) {
      cv_.wait_for(lock, std::chrono::milliseconds(250));
      if (!stopped_ && !running_.empty()) DrawStatus(NowMs());
    }
  }

  const bool tty_;
  const size_t steps_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread ticker_;
  bool stopped_ = false;
  bool status_shown_ = false;
  std::map<std::string, Running> running_;
  std::map<StepStatus, size_t> counts_;
};

struct RunArgs {
  std::string file, format = "text", resume, at, openlineage_url;
  std::vector<std::string> params, select;
  int jobs = 0;
  bool force = false;
};

int RunPipeline(const GlobalOptions& g, const RunArgs& a) {
  auto spec = pipeline::LoadPipelineFile(a.file);
  if (!spec.ok()) return ReportError(spec.status(), 2);
  pipeline::RunOptions options;
  for (const auto& p : a.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return ReportError(Status::InvalidArgument("--param '" + p + "' is not NAME=VALUE"), 2);
    options.params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  options.jobs = a.jobs;
  options.force = a.force;
  options.select = a.select;
  options.resume = a.resume;
  options.at = a.at;
  options.cancel = &g_cancel;
  // Every run leaves OpenLineage events in the lake (LAKE/_strata/lineage/), and sends
  // them to a collector when one is named.
  auto observer = OpenLineageFor(g, a.openlineage_url);
  if (!observer.ok()) return ReportError(observer.status(), 2);
  options.observers.push_back(*observer);
  const bool json = a.format == "json";
  RunDisplay display(::isatty(2) != 0, spec->steps.size());
  options.on_event = [&](const pipeline::StepEvent& e) { display.On(e); };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto outcome = pipeline::Run(g.lake, *spec, options);
  display.Stop();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!outcome.ok()) return ReportError(outcome.status(), 2);
  FinishLineage(g, observer->get());

  if (json) {
    std::printf("%s\n", outcome->ToJson().c_str());
  } else {
    std::map<StepStatus, int> counts;
    for (const auto& s : outcome->steps) ++counts[s.status];
    std::string summary;
    for (auto s : {StepStatus::kSucceeded, StepStatus::kSkipped, StepStatus::kFailed,
                   StepStatus::kCancelled, StepStatus::kNotRun}) {
      if (counts[s] > 0)
        summary += (summary.empty() ? "" : ", ") + std::to_string(counts[s]) + " " +
                   std::string(catalog::ToString(s));
    }
    std::printf("run %s %s in %s: %s\n", outcome->run_id.c_str(),
                std::string(catalog::ToString(outcome->status)).c_str(),
                Duration(outcome->ended_ms - outcome->started_ms).c_str(), summary.c_str());
    for (const auto& s : outcome->steps) {
      for (const auto& d : s.outputs) {
        if (d.kind == catalog::DataRef::Kind::kTable)
          std::printf("  %s %s %s\n", s.name.c_str(),
                      s.status == StepStatus::kSkipped ? "reused" : "wrote", DataText(d).c_str());
      }
    }
    if (!outcome->error.empty()) std::printf("  %s\n", outcome->error.c_str());
  }
  return outcome->succeeded() ? 0 : 1;
}

// A run the catalog says is running, whose process on this host is gone (killed, or the
// machine restarted): it will never finish; `strata run --resume` completes it.
bool Abandoned(const catalog::RunRecord& r) {
  if (r.status != catalog::RunStatus::kRunning || r.pid <= 0) return false;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  if (r.host != host) return false;
  return ::kill(static_cast<pid_t>(r.pid), 0) != 0 && errno == ESRCH;
}

std::string StatusText(const catalog::RunRecord& r) {
  std::string s(catalog::ToString(r.status));
  return Abandoned(r) ? s + " (process gone)" : s;
}

struct RunsArgs {
  std::string pipeline, status, format = "text", run_id;
  int limit = 20;
};

int ListRuns(const GlobalOptions& g, const RunsArgs& a) {
  auto cat = catalog::Catalog::OpenForLake(g.lake);
  if (!cat.ok()) return ReportError(cat.status(), 2);
  catalog::RunFilter f;
  f.pipeline = a.pipeline;
  f.limit = a.limit;
  if (!a.status.empty()) {
    auto st = catalog::ParseRunStatus(a.status);
    if (!st.ok()) return ReportError(st.status(), 2);
    f.status = *st;
  }
  auto runs = (*cat)->ListRuns(f);
  if (!runs.ok()) return ReportError(runs.status());
  if (a.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : *runs) {
      nlohmann::ordered_json j;
      j["run_id"] = r.run_id;
      j["pipeline"] = r.pipeline;
      j["status"] = std::string(catalog::ToString(r.status));
      if (r.status == catalog::RunStatus::kRunning) j["process_gone"] = Abandoned(r);
      j["started"] = IsoTimeMs(r.started_ms);
      j["ended"] = r.ended_ms ? nlohmann::ordered_json(IsoTimeMs(r.ended_ms)) : nullptr;
      j["params"] = nlohmann::ordered_json::parse(r.params_json, nullptr, false);
      j["error"] =
          r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (runs->empty()) {
    std::printf("no runs recorded\n");
    return 0;
  }
  std::printf("%-24s  %-24s  %-24s  %-24s  %s\n", "RUN", "PIPELINE", "STATUS", "STARTED", "TOOK");
  for (const auto& r : *runs) {
    std::string status = StatusText(r);
    std::printf("%-24s  %-24s  %-24s  %-24s  %s\n", r.run_id.c_str(), r.pipeline.c_str(),
                status.c_str(), IsoTimeMs(r.started_ms).c_str(),
                r.ended_ms ? Duration(r.ended_ms - r.started_ms).c_str() : "-");
  }
  return 0;
}

int ShowRun(const GlobalOptions& g, const RunsArgs& a) {
  auto cat = catalog::Catalog::OpenForLake(g.lake);
  if (!cat.ok()) return ReportError(cat.status(), 2);
  auto run = (*cat)->GetRun(a.run_id);
  if (!run.ok()) return ReportError(run.status());
  if (!*run) return ReportError(Status::NotFound("no run '" + a.run_id + "' in the catalog"));
  const auto& r = **run;
  if (a.format == "json") {
    std::printf("%s\n", pipeline::RunRecordToJson(r).c_str());
    return 0;
  }
  std::printf("run %s of %s (%s)\n", r.run_id.c_str(), r.pipeline.c_str(), r.pipeline_file.c_str());
  std::printf(
      "status %s, started %s%s\n", std::string(catalog::ToString(r.status)).c_str(),
      IsoTimeMs(r.started_ms).c_str(),
      r.ended_ms ? (", took " + Duration(r.ended_ms - r.started_ms)).c_str() : ", not finished");
  std::printf("params %s, host %s, pid %lld\n", r.params_json.c_str(), r.host.c_str(),
              static_cast<long long>(r.pid));
  if (!r.resumed_from.empty()) std::printf("completes run %s (resumed)\n", r.resumed_from.c_str());
  if (!r.error.empty()) std::printf("error: %s\n", r.error.c_str());
  // A text timeline: each step's bar placed by its start and length within the run.
  const int64_t t0 = r.started_ms;
  int64_t t1 = r.ended_ms;
  for (const auto& s : r.steps) t1 = std::max(t1, s.ended_ms);
  const double span = std::max<int64_t>(1, t1 - t0);
  constexpr int kWidth = 40;
  std::printf("\n%-24s %-9s %-*s %s\n", "STEP", "STATUS", kWidth, "TIMELINE", "TOOK");
  for (const auto& s : r.steps) {
    std::string bar(kWidth, ' ');
    if (s.started_ms > 0) {
      int from = static_cast<int>((s.started_ms - t0) / span * kWidth);
      int to = static_cast<int>(((s.ended_ms ? s.ended_ms : t1) - t0) / span * kWidth);
      from = std::clamp(from, 0, kWidth - 1);
      to = std::clamp(to, from + 1, kWidth);
      for (int i = from; i < to; ++i) bar[i] = s.status == StepStatus::kSkipped ? '.' : '#';
    }
    std::printf("%-24s %-9s %s %s\n", s.step.c_str(),
                std::string(catalog::ToString(s.status)).c_str(), bar.c_str(),
                s.ended_ms ? Duration(s.ended_ms - s.started_ms).c_str() : "-");
  }
  std::printf("\n");
  for (const auto& s : r.steps) {
    for (const auto& d : s.inputs)
      std::printf("  %-22s read  %s\n", s.step.c_str(), DataText(d).c_str());
    for (const auto& d : s.outputs)
      std::printf("  %-22s wrote %s\n", s.step.c_str(), DataText(d).c_str());
    if (!s.error.empty()) std::printf("  %-22s error: %s\n", s.step.c_str(), s.error.c_str());
    if (s.status == StepStatus::kFailed && !s.log.empty() && s.kind == "exec")
      std::printf("  %-22s output (tail):\n%s\n", s.step.c_str(), s.log.c_str());
  }
  return 0;
}

}  // namespace

void RegisterRun(CLI::App& app, const GlobalOptions* global, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd =
      app.add_subcommand("run", "Run a pipeline (YAML), recording the run in the lake's catalog");
  cmd->add_option("pipeline", args->file, "Pipeline file (YAML)")->required();
  OneValueEach(cmd->add_option("--param,-p", args->params, "Parameter NAME=VALUE (repeatable)"));
  cmd->add_option("--jobs,-j", args->jobs, "Steps run at once (default: the number of cores)");
  cmd->add_flag("--force", args->force, "Run every step, reusing nothing from earlier runs");
  OneValueEach(cmd->add_option(
      "--select,-s", args->select,
      "Steps to run: NAME, +NAME (and upstream), NAME+ (and downstream); repeatable"));
  cmd->add_option("--resume", args->resume, "Run again what did not succeed in RUN_ID");
  cmd->add_option("--at", args->at, "Read exactly the table versions that RUN_ID read");
  cmd->add_option("--openlineage-url", args->openlineage_url,
                  "Also send lineage events to this collector (default: $OPENLINEAGE_URL)");
  cmd->add_option("--format", args->format, "Summary format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->footer(
      "Exit code: 0 when the run succeeded, 1 when a step or gate failed or the run was "
      "cancelled, 2 on an error before running.");
  cmd->callback([global, args, exit_code] { *exit_code = RunPipeline(*global, *args); });

  auto runs_args = std::make_shared<RunsArgs>();
  auto* runs = app.add_subcommand("runs", "List pipeline runs recorded in the lake's catalog");
  runs->add_option("--pipeline", runs_args->pipeline, "Only runs of this pipeline");
  runs->add_option("--status", runs_args->status, "Only runs with this status")
      ->check(CLI::IsMember({"running", "succeeded", "failed", "cancelled"}));
  runs->add_option("--limit,-n", runs_args->limit, "At most this many runs (default 20)");
  runs->add_option("--format", runs_args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  auto* show = runs->add_subcommand("show", "Show one run: steps, timeline, data read and written");
  show->add_option("run_id", runs_args->run_id, "Run id")->required();
  show->add_option("--format", runs_args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([global, runs_args, exit_code] { *exit_code = ShowRun(*global, *runs_args); });
  runs->callback([global, runs_args, exit_code, show] {
    if (show->parsed()) return;
    *exit_code = ListRuns(*global, *runs_args);
  });
}

}  // namespace strata::cli
