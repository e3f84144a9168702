// --select: dbt's and Dagster's selection syntax over the step graph.
#include <functional>
#include <map>

#include "pipeline/internal.h"
#include "strata/pipeline.h"

namespace strata::pipeline {

Status SelectSteps(const PipelineSpec& spec, const std::vector<std::string>& select,
                   const std::vector<std::vector<size_t>>& ins,
                   const std::vector<std::vector<size_t>>& outs, std::vector<bool>* selected,
                   std::vector<bool>* needed_out) {
  const size_t n_steps = spec.steps.size();
  selected->assign(n_steps, true);
  needed_out->assign(n_steps, true);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n_steps; ++i) index[spec.steps[i].name] = i;
  if (select.empty()) return Status::OK();
  std::vector<bool> chosen(n_steps, false);
  std::function<void(size_t, bool)> walk = [&](size_t i, bool up) {
    if (chosen[i]) return;
    chosen[i] = true;
    for (size_t j : up ? ins[i] : outs[i]) walk(j, up);
  };
  for (const auto& raw : select) {
    std::string name = raw;
    bool up = false, down = false;
    if (!name.empty() && name.front() == '+') {
      up = true;
      name.erase(0, 1);
    }
    if (!name.empty() && name.back() == '+') {
      down = true;
      name.pop_back();
    }
    auto it = index.find(name);
    if (it == index.end()) {
      std::string known;
      for (const auto& s : spec.steps) known += (known.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument("--select '" + raw + "': no step '" + name +
                                     "' (steps: " + known + ")");
    }
    const size_t i = it->second;
    if (up) {
      chosen[i] = false;
      walk(i, true);
    }
    if (down) {
      chosen[i] = false;
      walk(i, false);
    }
    chosen[i] = true;
  }
  // Upstream of a chosen step but not chosen: reused from an earlier run.
  std::vector<bool> needed = chosen;
  std::function<void(size_t)> up = [&](size_t i) {
    for (size_t j : ins[i]) {
      if (!needed[j]) {
        needed[j] = true;
        up(j);
      }
    }
  };
  for (size_t i = 0; i < n_steps; ++i) {
    if (chosen[i]) up(i);
  }
  *selected = chosen;
  *needed_out = needed;
  return Status::OK();
}

}  // namespace strata::pipeline
