// The C++ builder of pipelines (Dagster's @op / @job).
#include "strata/pipeline.h"

namespace strata::pipeline {

namespace {
StepSpec Named(const std::string& name, StepKind kind, std::vector<std::string> inputs = {}) {
  StepSpec s;
  s.name = name;
  s.kind = kind;
  s.inputs = std::move(inputs);
  return s;
}
}  // namespace

Pipeline::Pipeline(std::string name) { spec_.name = std::move(name); }

Pipeline& Pipeline::param(const std::string& name, const std::string& default_value) {
  spec_.params[name] = default_value;
  return *this;
}

Pipeline& Pipeline::step(StepSpec spec) {
  if (spec.where.empty()) spec.where = "step " + std::to_string(spec_.steps.size() + 1);
  spec_.steps.push_back(std::move(spec));
  return *this;
}

StepSpec& Pipeline::last() { return spec_.steps.back(); }

Pipeline& Pipeline::read(const std::string& name, const std::string& path) {
  StepSpec s = Named(name, StepKind::kRead);
  s.path = path;
  return step(std::move(s));
}

Pipeline& Pipeline::read_table(const std::string& name, const std::string& table_ref) {
  StepSpec s = Named(name, StepKind::kRead);
  s.table = table_ref;
  return step(std::move(s));
}

Pipeline& Pipeline::sql(const std::string& name, std::vector<std::string> inputs,
                        std::string query) {
  StepSpec s = Named(name, StepKind::kSql, std::move(inputs));
  s.sql = std::move(query);
  return step(std::move(s));
}

Pipeline& Pipeline::op(const std::string& name, std::vector<std::string> inputs,
                       OpFunction function, std::string version) {
  StepSpec s = Named(name, StepKind::kOp, std::move(inputs));
  s.op = std::move(function);
  s.op_version = std::move(version);
  return step(std::move(s));
}

Pipeline& Pipeline::validate(const std::string& name, const std::string& input,
                             quality::Suite suite, GatePolicy policy) {
  StepSpec s = Named(name, StepKind::kValidate, {input});
  s.suite = std::move(suite);
  s.policy = policy;
  return step(std::move(s));
}

Pipeline& Pipeline::write(const std::string& name, const std::string& input,
                          const std::string& table, WriteMode mode) {
  StepSpec s = Named(name, StepKind::kWrite, {input});
  s.table = table;
  s.mode = mode;
  return step(std::move(s));
}

Pipeline& Pipeline::exec(const std::string& name, std::vector<std::string> inputs,
                         std::vector<std::string> command, std::string output) {
  StepSpec s = Named(name, StepKind::kExec, std::move(inputs));
  s.command = std::move(command);
  s.output = std::move(output);
  return step(std::move(s));
}

}  // namespace strata::pipeline
