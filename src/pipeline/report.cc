#include "pipeline/report.h"

#include <filesystem>

namespace strata::pipeline {

namespace {

RunEventType EndOf(bool succeeded, bool cancelled) {
  return succeeded   ? RunEventType::kComplete
         : cancelled ? RunEventType::kAbort
                     : RunEventType::kFail;
}

RunEvent Ended(RunEvent e, const std::string& error, const std::vector<ObservedDataset>& inputs,
               const std::vector<ObservedDataset>& outputs) {
  e.error = error;
  e.inputs = inputs;
  e.outputs = outputs;
  return e;
}

}  // namespace

RunReporter::RunReporter(RunContext& ctx) : ctx_(ctx), name_space_("file://" + ctx.lake_root) {}

ObservedDataset RunReporter::Source(const catalog::DataRef& ref) const {
  ObservedDataset d;
  if (ref.kind == catalog::DataRef::Kind::kTable) {
    d.name_space = name_space_;
    d.name = ref.name;
    d.version = ref.version;
  } else {
    d.name_space = "file";
    std::error_code ec;
    d.name = std::filesystem::absolute(ref.name, ec).lexically_normal().string();
  }
  d.rows = ref.rows;
  d.bytes = ref.bytes;
  return d;
}

ObservedDataset RunReporter::StepOutput(const StepSpec& step, const Frame& output) const {
  ObservedDataset d;
  d.name_space = name_space_;
  d.name = ctx_.spec->name + "/" + step.name;
  auto schema = output.schema();
  if (schema.ok()) {
    for (const auto& c : *schema) d.schema.push_back({c.name, c.sql_type});
  }
  return d;
}

RunEvent RunReporter::Base(RunEventType type, int64_t time_ms) const {
  RunEvent e;
  e.type = type;
  e.time_ms = time_ms;
  e.run_id = ctx_.run_id;
  e.job_namespace = name_space_;
  e.job_name = ctx_.spec->name;
  e.job_type = "JOB";
  return e;
}

void RunReporter::Send(const RunEvent& event) {
  for (const auto& o : ctx_.options->observers) o->OnRunEvent(event);
}

void RunReporter::RunStarted(int64_t time_ms) {
  if (active()) Send(Base(RunEventType::kStart, time_ms));
}

void RunReporter::RunEnded(catalog::RunStatus status, int64_t time_ms, const std::string& error,
                           const std::vector<ObservedDataset>& inputs,
                           const std::vector<ObservedDataset>& outputs) {
  if (!active()) return;
  RunEvent e = Base(
      EndOf(status == catalog::RunStatus::kSucceeded, status == catalog::RunStatus::kCancelled),
      time_ms);
  Send(Ended(std::move(e), error, inputs, outputs));
}

RunEvent RunReporter::StepBase(const StepSpec& step, RunEventType type, int64_t time_ms) const {
  RunEvent e = Base(type, time_ms);
  e.run_id = ctx_.run_id + "/" + step.name;
  e.job_name = ctx_.spec->name + "." + step.name;
  e.job_type = "TASK";
  e.parent_run_id = ctx_.run_id;
  e.parent_job_name = ctx_.spec->name;
  if (step.kind == StepKind::kSql) e.sql = TrimSql(step.sql);
  e.identity_columns = step.kind == StepKind::kRead || step.kind == StepKind::kValidate ||
                       step.kind == StepKind::kWrite;
  return e;
}

void RunReporter::StepStarted(const StepSpec& step, int64_t time_ms,
                              const std::vector<ObservedDataset>& inputs) {
  if (!active()) return;
  RunEvent e = StepBase(step, RunEventType::kStart, time_ms);
  e.inputs = inputs;
  Send(e);
}

void RunReporter::StepEnded(const StepSpec& step, catalog::StepStatus status, int64_t time_ms,
                            const std::string& error, const std::vector<ObservedDataset>& inputs,
                            const std::vector<ObservedDataset>& outputs) {
  if (!active()) return;
  RunEvent e = StepBase(
      step,
      EndOf(status == catalog::StepStatus::kSucceeded, status == catalog::StepStatus::kCancelled),
      time_ms);
  Send(Ended(std::move(e), error, inputs, outputs));
}

}  // namespace strata::pipeline
