// What the observers of a pipeline run hear (strata/observer.h): START, then COMPLETE,
// FAIL or ABORT, for the run and for each step that runs, with the data each read and
// wrote. A step's output is a dataset too ("<pipeline>/<step>" in the lake's namespace),
// so the events draw the whole graph from the files read to the tables written.
#pragma once

#include <string>
#include <vector>

#include "pipeline/run_context.h"
#include "strata/observer.h"

namespace strata::pipeline {

class RunReporter {
 public:
  explicit RunReporter(RunContext& ctx);
  bool active() const { return !ctx_.options->observers.empty(); }

  // A dataset for data read from outside (a file, a table version).
  ObservedDataset Source(const catalog::DataRef& ref) const;
  // The output of `step` as a dataset, with its schema.
  ObservedDataset StepOutput(const StepSpec& step, const Frame& output) const;

  void RunStarted(int64_t time_ms);
  void RunEnded(catalog::RunStatus status, int64_t time_ms, const std::string& error,
                const std::vector<ObservedDataset>& inputs,
                const std::vector<ObservedDataset>& outputs);
  void StepStarted(const StepSpec& step, int64_t time_ms,
                   const std::vector<ObservedDataset>& inputs);
  void StepEnded(const StepSpec& step, catalog::StepStatus status, int64_t time_ms,
                 const std::string& error, const std::vector<ObservedDataset>& inputs,
                 const std::vector<ObservedDataset>& outputs);

 private:
  void Send(const RunEvent& event);
  RunEvent Base(RunEventType type, int64_t time_ms) const;
  RunEvent StepBase(const StepSpec& step, RunEventType type, int64_t time_ms) const;

  RunContext& ctx_;
  std::string name_space_;
};

}  // namespace strata::pipeline
