// Pipeline files: YAML to a PipelineSpec, and the checks every pipeline passes before
// anything runs (names, inputs, cycles). Errors name the file, line, column and step.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/closest.h"
#include "common/yaml_json.h"
#include "strata/pipeline.h"

namespace strata::pipeline {

namespace {

const std::vector<std::string> kTopKeys = {"name", "description", "params", "steps"};
const std::vector<std::string> kKinds = {"read", "sql", "validate", "write", "exec"};
const std::vector<std::string> kCommonKeys = {"name",    "inputs",      "retries",    "retry_delay",
                                              "timeout", "materialize", "description"};
const std::vector<std::string> kReadKeys = {"path", "table", "delimiter"};
const std::vector<std::string> kValidateKeys = {"suite", "expectations", "policy",
                                                "quarantine_table", "suite_name"};
const std::vector<std::string> kWriteKeys = {"table", "mode", "keys", "partition_by", "metadata"};
const std::vector<std::string> kExecKeys = {"command", "env", "output", "deps"};

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  Result<PipelineSpec> Parse(const YAML::Node& root) {
    if (!root.IsMap()) return Err(root, "a pipeline file is a map with 'name' and 'steps'");
    STRATA_RETURN_NOT_OK(Known(root, kTopKeys, "a pipeline"));
    PipelineSpec spec;
    spec.source = source_;
    if (!root["name"]) return Err(root, "the pipeline has no 'name'");
    STRATA_ASSIGN_OR_RETURN(spec.name, Text(root["name"], "name"));
    if (const auto params = root["params"]) {
      if (!params.IsMap()) return Err(params, "'params' is a map of names to default values");
      for (const auto& kv : params) {
        STRATA_ASSIGN_OR_RETURN(std::string key, Text(kv.first, "a parameter name"));
        if (kv.second.IsNull()) {
          spec.params[key] = "";
          continue;
        }
        STRATA_ASSIGN_OR_RETURN(spec.params[key], Text(kv.second, "parameter '" + key + "'"));
      }
    }
    const auto steps = root["steps"];
    if (!steps) return Err(root, "the pipeline has no 'steps'");
    if (!steps.IsSequence()) return Err(steps, "'steps' is a list of steps");
    for (const auto& node : steps) {
      STRATA_ASSIGN_OR_RETURN(StepSpec step, Step(node));
      spec.steps.push_back(std::move(step));
    }
    return spec;
  }

 private:
  std::string Where(const YAML::Node& node) const { return YamlWhere(source_, node); }
  Status Err(const YAML::Node& node, const std::string& what) const {
    return Status::InvalidArgument(Where(node) + ": " + what);
  }
  Status StepErr(const YAML::Node& node, const std::string& step, const std::string& what) const {
    return Status::InvalidArgument(Where(node) + ": step '" + step + "': " + what);
  }

  Status Known(const YAML::Node& map, const std::vector<std::string>& known,
               const std::string& what) const {
    return YamlKnownKeys(source_, map, known, what);
  }
  Result<std::string> Text(const YAML::Node& node, const std::string& what) const {
    return YamlText(source_, node, what);
  }

  Result<std::vector<std::string>> List(const YAML::Node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) return Err(node, what + " must be a list of names");
    for (const auto& item : node) {
      STRATA_ASSIGN_OR_RETURN(std::string s, Text(item, "an item of " + what));
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::map<std::string, std::string>> TextMap(const YAML::Node& node,
                                                     const std::string& what) const {
    if (!node.IsMap()) return Err(node, what + " must be a map");
    std::map<std::string, std::string> out;
    for (const auto& kv : node) {
      STRATA_ASSIGN_OR_RETURN(std::string k, Text(kv.first, "a key of " + what));
      STRATA_ASSIGN_OR_RETURN(out[k], Text(kv.second, what + " '" + k + "'"));
    }
    return out;
  }

  // Seconds: a number, or a number with a unit (ms, s, m, h).
  Result<double> Seconds(const YAML::Node& node, const std::string& what) const {
    STRATA_ASSIGN_OR_RETURN(std::string s, Text(node, what));
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      return Err(node, what + " must be a duration such as 30, 30s, 5m or 1h, got '" + s + "'");
    }
    std::string unit = s.substr(used);
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1;
    if (unit == "ms") scale = 0.001;
    if (unit == "m") scale = 60;
    if (unit == "h") scale = 3600;
    if (scale == 0 || !std::isfinite(v) || v < 0) {
      return Err(node, what + " must be a duration such as 30, 30s, 5m or 1h, got '" + s + "'");
    }
    return v * scale;
  }

  Result<StepSpec> Step(const YAML::Node& node) {
    if (!node.IsMap())
      return Err(node,
                 "a step is a map with 'name' and one of: read, sql, "
                 "validate, write, exec");
    StepSpec step;
    step.where = Where(node);
    if (!node["name"]) return Err(node, "a step has no 'name'");
    STRATA_ASSIGN_OR_RETURN(step.name, Text(node["name"], "a step name"));
    // The kind: exactly one of the kind keys.
    std::vector<std::string> kinds;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return Err(kv.first, "a key must be plain text");
      const std::string& key = kv.first.Scalar();
      if (std::find(kKinds.begin(), kKinds.end(), key) != kKinds.end()) {
        kinds.push_back(key);
        continue;
      }
      if (std::find(kCommonKeys.begin(), kCommonKeys.end(), key) != kCommonKeys.end()) continue;
      std::vector<std::string> known = kCommonKeys;
      known.insert(known.end(), kKinds.begin(), kKinds.end());
      auto near = ClosestNames(key, known, 1);
      return StepErr(kv.first, step.name,
                     "unknown key '" + key + "' (did you mean '" + near[0] + "'?)");
    }
    if (kinds.empty()) {
      return StepErr(node, step.name, "no step kind: give one of read, sql, validate, write, exec");
    }
    if (kinds.size() > 1) {
      return StepErr(
          node, step.name,
          "one step has one kind, this one has '" + kinds[0] + "' and '" + kinds[1] + "'");
    }
    if (const auto inputs = node["inputs"]) {
      STRATA_ASSIGN_OR_RETURN(step.inputs, List(inputs, "'inputs'"));
    }
    if (const auto r = node["retries"]) {
      STRATA_ASSIGN_OR_RETURN(std::string s, Text(r, "'retries'"));
      char* end = nullptr;
      long v = std::strtol(s.c_str(), &end, 10);
      if (end == s.c_str() || *end != '\0' || v < 0 || v > 100)
        return StepErr(r, step.name, "'retries' must be a whole number from 0 to 100");
      step.retries = static_cast<int>(v);
    }
    if (const auto d = node["retry_delay"]) {
      STRATA_ASSIGN_OR_RETURN(step.retry_delay_seconds, Seconds(d, "'retry_delay'"));
    }
    if (const auto t = node["timeout"]) {
      STRATA_ASSIGN_OR_RETURN(step.timeout_seconds, Seconds(t, "'timeout'"));
    }
    if (const auto m = node["materialize"]) {
      STRATA_ASSIGN_OR_RETURN(std::string s, Text(m, "'materialize'"));
      if (s == "parquet") {
        step.materialize = Materialize::kParquet;
      } else if (s == "view") {
        step.materialize = Materialize::kView;
      } else {
        return StepErr(m, step.name, "'materialize' is parquet or view, got '" + s + "'");
      }
    }
    const std::string& kind = kinds[0];
    const YAML::Node body = node[kind];
    if (kind == "read") {
      step.kind = StepKind::kRead;
      if (body.IsScalar()) {
        step.path = body.Scalar();
      } else {
        if (!body.IsMap()) return StepErr(body, step.name, "'read' is a path or a map");
        STRATA_RETURN_NOT_OK(Known(body, kReadKeys, "step '" + step.name + "' read"));
        if (body["path"]) {
          STRATA_ASSIGN_OR_RETURN(step.path, Text(body["path"], "'path'"));
        }
        if (body["table"]) {
          STRATA_ASSIGN_OR_RETURN(step.table, Text(body["table"], "'table'"));
        }
        if (body["delimiter"]) {
          STRATA_ASSIGN_OR_RETURN(step.delimiter, Text(body["delimiter"], "'delimiter'"));
        }
      }
      if (step.path.empty() == step.table.empty())
        return StepErr(body, step.name, "'read' takes a 'path' or a 'table' (one of them)");
    } else if (kind == "sql") {
      step.kind = StepKind::kSql;
      STRATA_ASSIGN_OR_RETURN(step.sql, Text(body, "'sql'"));
    } else if (kind == "validate") {
      step.kind = StepKind::kValidate;
      STRATA_RETURN_NOT_OK(Validate(body, &step));
    } else if (kind == "write") {
      step.kind = StepKind::kWrite;
      STRATA_RETURN_NOT_OK(Write(body, &step));
    } else {
      step.kind = StepKind::kExec;
      STRATA_RETURN_NOT_OK(Exec(body, &step));
    }
    return step;
  }

  Status Validate(const YAML::Node& body, StepSpec* step) {
    if (!body.IsMap())
      return StepErr(body, step->name, "'validate' is a map with 'suite' or 'expectations'");
    STRATA_RETURN_NOT_OK(Known(body, kValidateKeys, "step '" + step->name + "' validate"));
    if (body["suite"] && body["expectations"])
      return StepErr(body, step->name, "give 'suite' (a file) or 'expectations', not both");
    if (const auto s = body["suite"]) {
      STRATA_ASSIGN_OR_RETURN(step->suite_file, Text(s, "'suite'"));
    } else if (const auto e = body["expectations"]) {
      YAML::Emitter out;
      out << YAML::BeginMap << YAML::Key << "expectation_suite_name" << YAML::Value;
      if (body["suite_name"]) {
        STRATA_ASSIGN_OR_RETURN(std::string n, Text(body["suite_name"], "'suite_name'"));
        out << n;
      } else {
        out << step->name;
      }
      out << YAML::Key << "expectations" << YAML::Value << e << YAML::EndMap;
      auto suite = quality::Suite::FromYaml(out.c_str(), Where(e));
      if (!suite.ok())
        return Status::InvalidArgument("step '" + step->name + "': " + suite.status().message());
      step->suite = std::move(*suite);
    } else {
      return StepErr(body, step->name, "'validate' needs 'suite' (a file) or 'expectations'");
    }
    if (const auto p = body["policy"]) {
      STRATA_ASSIGN_OR_RETURN(std::string s, Text(p, "'policy'"));
      if (s == "fail") {
        step->policy = GatePolicy::kFail;
      } else if (s == "warn") {
        step->policy = GatePolicy::kWarn;
      } else if (s == "quarantine") {
        step->policy = GatePolicy::kQuarantine;
      } else {
        return StepErr(p, step->name, "'policy' is fail, warn or quarantine, got '" + s + "'");
      }
    }
    if (body["quarantine_table"]) {
      STRATA_ASSIGN_OR_RETURN(step->quarantine_table,
                              Text(body["quarantine_table"], "'quarantine_table'"));
    }
    return Status::OK();
  }

  Status Write(const YAML::Node& body, StepSpec* step) {
    if (body.IsScalar()) {
      step->table = body.Scalar();
      return Status::OK();
    }
    if (!body.IsMap()) return StepErr(body, step->name, "'write' is a table name or a map");
    STRATA_RETURN_NOT_OK(Known(body, kWriteKeys, "step '" + step->name + "' write"));
    if (!body["table"]) return StepErr(body, step->name, "'write' needs 'table'");
    STRATA_ASSIGN_OR_RETURN(step->table, Text(body["table"], "'table'"));
    if (const auto m = body["mode"]) {
      STRATA_ASSIGN_OR_RETURN(std::string s, Text(m, "'mode'"));
      if (s == "append") {
        step->mode = WriteMode::kAppend;
      } else if (s == "overwrite") {
        step->mode = WriteMode::kOverwrite;
      } else if (s == "merge") {
        step->mode = WriteMode::kOverwrite;
        if (!body["keys"]) return StepErr(m, step->name, "mode merge needs 'keys'");
      } else {
        return StepErr(m, step->name, "'mode' is append, overwrite or merge, got '" + s + "'");
      }
    }
    if (const auto k = body["keys"]) {
      STRATA_ASSIGN_OR_RETURN(step->merge_keys, List(k, "'keys'"));
      if (step->merge_keys.empty()) return StepErr(k, step->name, "'keys' is empty");
    }
    if (const auto p = body["partition_by"]) {
      STRATA_ASSIGN_OR_RETURN(step->partition_by, List(p, "'partition_by'"));
    }
    if (const auto md = body["metadata"]) {
      STRATA_ASSIGN_OR_RETURN(step->metadata, TextMap(md, "'metadata'"));
    }
    return Status::OK();
  }

  Status Exec(const YAML::Node& body, StepSpec* step) {
    if (body.IsScalar()) {
      step->command = {body.Scalar()};
      return Status::OK();
    }
    if (!body.IsMap()) return StepErr(body, step->name, "'exec' is a command or a map");
    STRATA_RETURN_NOT_OK(Known(body, kExecKeys, "step '" + step->name + "' exec"));
    if (!body["command"]) return StepErr(body, step->name, "'exec' needs 'command'");
    STRATA_ASSIGN_OR_RETURN(step->command, List(body["command"], "'command'"));
    if (step->command.empty() || step->command[0].empty())
      return StepErr(body["command"], step->name, "'command' is empty");
    if (body["env"]) {
      STRATA_ASSIGN_OR_RETURN(step->env, TextMap(body["env"], "'env'"));
    }
    if (body["output"]) {
      STRATA_ASSIGN_OR_RETURN(step->output, Text(body["output"], "'output'"));
    }
    if (body["deps"]) {
      STRATA_ASSIGN_OR_RETURN(step->deps, List(body["deps"], "'deps'"));
    }
    return Status::OK();
  }

  std::string source_;
};

bool ValidStepName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string_view ToString(StepKind kind) {
  switch (kind) {
    case StepKind::kRead:
      return "read";
    case StepKind::kSql:
      return "sql";
    case StepKind::kValidate:
      return "validate";
    case StepKind::kWrite:
      return "write";
    case StepKind::kExec:
      return "exec";
    case StepKind::kOp:
      return "op";
  }
  return "?";
}

Result<PipelineSpec> ParsePipelineYaml(const std::string& text, const std::string& source) {
  Parser parser(source);
  Result<PipelineSpec> spec = ParseYaml<PipelineSpec>(
      text, source, [&](const YAML::Node& root) { return parser.Parse(root); });
  if (!spec.ok()) return spec.status();
  STRATA_RETURN_NOT_OK(CheckPipeline(*spec));
  return spec;
}

Result<PipelineSpec> LoadPipelineFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("pipeline file '" + path + "' cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParsePipelineYaml(buf.str(), path);
}

Status CheckPipeline(const PipelineSpec& spec) {
  const std::string file = spec.source;
  if (spec.name.empty()) return Status::InvalidArgument(file + ": the pipeline has no name");
  std::map<std::string, const StepSpec*> by_name;
  for (const auto& s : spec.steps) {
    const std::string where = s.where.empty() ? file : s.where;
    if (!ValidStepName(s.name)) {
      return Status::InvalidArgument(where + ": step name '" + s.name +
                                     "' must be letters, digits and '_', starting with a letter "
                                     "(steps are SQL names)");
    }
    if (s.name == "params")
      return Status::InvalidArgument(where + ": 'params' is reserved (the parameters' view)");
    if (!by_name.emplace(s.name, &s).second) {
      return Status::InvalidArgument(where + ": step '" + s.name + "' is defined twice (first at " +
                                     by_name[s.name]->where + ")");
    }
  }
  std::vector<std::string> names;
  for (const auto& s : spec.steps) names.push_back(s.name);
  for (const auto& s : spec.steps) {
    const std::string where = s.where.empty() ? file : s.where;
    for (const auto& in : s.inputs) {
      if (by_name.count(in) == 0) {
        auto near = ClosestNames(in, names, 1);
        return Status::InvalidArgument(where + ": step '" + s.name + "' reads '" + in +
                                       "', which is not a step" +
                                       (near.empty() ? "" : " (did you mean '" + near[0] + "'?)"));
      }
      if (in == s.name)
        return Status::InvalidArgument(where + ": step '" + s.name + "' reads itself");
    }
    const size_t n = s.inputs.size();
    auto need = [&](bool ok, const std::string& what) {
      return ok ? Status::OK()
                : Status::InvalidArgument(where + ": step '" + s.name + "' (" +
                                          std::string(ToString(s.kind)) + ") " + what);
    };
    switch (s.kind) {
      case StepKind::kRead:
        STRATA_RETURN_NOT_OK(need(n == 0, "has no inputs"));
        STRATA_RETURN_NOT_OK(need(s.path.empty() != s.table.empty(), "reads a path or a table"));
        break;
      case StepKind::kSql:
        STRATA_RETURN_NOT_OK(need(!s.sql.empty(), "has no SQL"));
        break;
      case StepKind::kValidate:
        STRATA_RETURN_NOT_OK(need(n == 1, "checks exactly one input"));
        STRATA_RETURN_NOT_OK(need(s.suite.has_value() || !s.suite_file.empty(), "has no suite"));
        break;
      case StepKind::kWrite:
        STRATA_RETURN_NOT_OK(need(n == 1, "writes exactly one input"));
        STRATA_RETURN_NOT_OK(
            ValidateTableName(s.table).WithContext(where + ": step '" + s.name + "'"));
        break;
      case StepKind::kExec:
        STRATA_RETURN_NOT_OK(need(!s.command.empty(), "has no command"));
        break;
      case StepKind::kOp:
        STRATA_RETURN_NOT_OK(need(static_cast<bool>(s.op), "has no function"));
        break;
    }
  }
  // Cycles: depth-first search; the error names the steps on the cycle in order.
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<Status(const StepSpec&)> visit = [&](const StepSpec& s) -> Status {
    state[s.name] = 1;
    stack.push_back(s.name);
    for (const auto& in : s.inputs) {
      if (state[in] == 1) {
        std::string cycle;
        auto it = std::find(stack.begin(), stack.end(), in);
        for (; it != stack.end(); ++it) cycle += *it + " -> ";
        return Status::InvalidArgument(file + ": the steps form a cycle: " + cycle + in);
      }
      if (state[in] == 0) STRATA_RETURN_NOT_OK(visit(*by_name[in]));
    }
    stack.pop_back();
    state[s.name] = 2;
    return Status::OK();
  };
  for (const auto& s : spec.steps) {
    if (state[s.name] == 0) STRATA_RETURN_NOT_OK(visit(s));
  }
  return Status::OK();
}

}  // namespace strata::pipeline
