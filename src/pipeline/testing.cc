// Pipeline tests: each case runs the pipeline in a temporary lake, its read steps fed
// from fixtures (inline rows or files), and checks expectations on step outputs, as the
// seed's test_feature_pipeline asserts on its result.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/yaml_json.h"
#include "strata/pipeline.h"

namespace strata::pipeline {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxNodes = 1'000'000;

std::string Where(const std::string& file, const YAML::Node& node) { return YamlWhere(file, node); }

// A temporary folder removed when the case ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "strata-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Case {
  std::string name;
  std::string where;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> fixture_files;  // step -> file
  std::map<std::string, Json> fixture_rows;          // step -> array of objects
  std::map<std::string, quality::Suite> expect;      // step -> expectations on its output
  std::string status = "succeeded";
};

Result<Case> ParseCase(const std::string& file, const std::filesystem::path& dir,
                       const YAML::Node& node, size_t index) {
  Case c;
  c.where = Where(file, node);
  if (!node.IsMap()) return Status::InvalidArgument(c.where + ": a test case is a map");
  c.name = node["name"] && node["name"].IsScalar() ? node["name"].Scalar()
                                                   : "case " + std::to_string(index + 1);
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key != "name" && key != "params" && key != "fixtures" && key != "expect" &&
        key != "status") {
      return Status::InvalidArgument(
          Where(file, kv.first) + ": unknown key '" + key +
          "' in a test case (known: name, params, fixtures, expect, status)");
    }
  }
  if (const auto p = node["params"]) {
    if (!p.IsMap()) return Status::InvalidArgument(Where(file, p) + ": 'params' is a map");
    for (const auto& kv : p) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar())
        return Status::InvalidArgument(Where(file, kv.first) + ": a parameter is NAME: VALUE");
      c.params[kv.first.Scalar()] = kv.second.Scalar();
    }
  }
  if (const auto f = node["fixtures"]) {
    if (!f.IsMap())
      return Status::InvalidArgument(Where(file, f) + ": 'fixtures' maps read steps to data");
    for (const auto& kv : f) {
      const std::string step = kv.first.Scalar();
      const YAML::Node v = kv.second;
      if (v.IsScalar() || (v.IsMap() && v["file"])) {
        std::filesystem::path path(v.IsScalar() ? v.Scalar() : v["file"].Scalar());
        if (path.is_relative()) path = dir / path;
        c.fixture_files[step] = path.string();
      } else if (v.IsMap() && v["rows"]) {
        STRATA_ASSIGN_OR_RETURN(Json rows,
                                YamlToJson(v["rows"], Where(file, v), kMaxDepth, kMaxNodes));
        if (!rows.is_array() || rows.empty()) {
          return Status::InvalidArgument(Where(file, v["rows"]) +
                                         ": 'rows' is a non-empty list of maps");
        }
        for (const auto& r : rows) {
          if (!r.is_object())
            return Status::InvalidArgument(Where(file, v["rows"]) +
                                           ": each row is a map of column: value");
        }
        c.fixture_rows[step] = std::move(rows);
      } else {
        return Status::InvalidArgument(Where(file, v) +
                                       ": a fixture is a file path, {file: PATH} or {rows: [...]}");
      }
    }
  }
  if (const auto e = node["expect"]) {
    if (!e.IsMap())
      return Status::InvalidArgument(Where(file, e) + ": 'expect' maps steps to expectations");
    for (const auto& kv : e) {
      const std::string step = kv.first.Scalar();
      YAML::Emitter out;
      out << YAML::BeginMap << YAML::Key << "expectation_suite_name" << YAML::Value
          << (c.name + ": " + step) << YAML::Key << "expectations" << YAML::Value << kv.second
          << YAML::EndMap;
      STRATA_ASSIGN_OR_RETURN(quality::Suite suite,
                              quality::Suite::FromYaml(out.c_str(), Where(file, kv.second)));
      c.expect.emplace(step, std::move(suite));
    }
  }
  if (const auto s = node["status"]) {
    c.status = s.IsScalar() ? s.Scalar() : "";
    if (c.status != "succeeded" && c.status != "failed")
      return Status::InvalidArgument(Where(file, s) + ": 'status' is succeeded or failed");
  }
  return c;
}

TestCaseResult RunCase(const PipelineSpec& base, const Case& c) {
  TestCaseResult result;
  result.name = c.name;
  ScratchDir scratch;
  if (scratch.path().empty()) {
    result.failures.push_back("cannot create a temporary folder");
    return result;
  }
  PipelineSpec spec = base;
  std::set<std::string> fixtures;
  for (auto& step : spec.steps) {
    std::string fixture;
    if (auto it = c.fixture_files.find(step.name); it != c.fixture_files.end())
      fixture = it->second;
    if (auto it = c.fixture_rows.find(step.name); it != c.fixture_rows.end()) {
      fixture = scratch.path() + "/" + step.name + ".jsonl";
      std::ofstream out(fixture, std::ios::binary);
      for (const auto& row : it->second) out << row.dump() << "\n";
    }
    if (fixture.empty()) continue;
    fixtures.insert(step.name);
    if (step.kind != StepKind::kRead) {
      result.failures.push_back("fixture for '" + step.name + "', which is not a read step");
      return result;
    }
    step.path = fixture;
    step.table.clear();
    step.delimiter.clear();
  }
  for (const auto& [step, rows] : c.fixture_rows) {
    if (!fixtures.count(step))
      result.failures.push_back("fixture for '" + step + "', which is not a step");
  }
  for (const auto& [step, file] : c.fixture_files) {
    if (!fixtures.count(step))
      result.failures.push_back("fixture for '" + step + "', which is not a step");
  }
  for (const auto& [step, suite] : c.expect) {
    bool known = false;
    for (const auto& s : spec.steps) known = known || s.name == step;
    if (!known) result.failures.push_back("expectations on '" + step + "', which is not a step");
  }
  if (!result.failures.empty()) return result;
  const std::string lake = scratch.path() + "/lake";
  if (Status st = Lake::Init(lake); !st.ok()) {
    result.failures.push_back(st.message());
    return result;
  }
  RunOptions options;
  options.params = c.params;
  std::mutex mu;
  std::set<std::string> checked;
  options.on_output = [&](const std::string& step, const Frame& output) {
    auto it = c.expect.find(step);
    if (it == c.expect.end()) return;
    auto v = quality::Validate(output, it->second);
    std::lock_guard lock(mu);
    checked.insert(step);
    if (!v.ok()) {
      result.failures.push_back(step + ": " + v.status().message());
      return;
    }
    for (const auto& r : v->results) {
      if (r.success) continue;
      std::string line = step + ": " + r.type + (r.column.empty() ? "" : "(" + r.column + ")");
      if (r.raised_exception)
        line += " raised: " + r.exception_message;
      else if (r.unexpected_count > 0)
        line += ": " + std::to_string(r.unexpected_count) + " unexpected";
      else if (!r.observed_value.empty())
        line += ": observed " + r.observed_value;
      result.failures.push_back(line);
    }
  };
  auto outcome = Run(lake, spec, options);
  if (!outcome.ok()) {
    result.failures.push_back(outcome.status().message());
    return result;
  }
  result.run_status = std::string(catalog::ToString(outcome->status));
  if (result.run_status != c.status) {
    result.failures.push_back("the run " + result.run_status + ", expected " + c.status +
                              (outcome->error.empty() ? "" : ": " + outcome->error));
  }
  for (const auto& [step, suite] : c.expect) {
    if (!checked.count(step))
      result.failures.push_back(step + ": did not produce an output to check");
  }
  result.passed = result.failures.empty();
  return result;
}

}  // namespace

Result<TestReport> RunPipelineTests(const std::string& test_file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(test_file);
  } catch (const YAML::BadFile&) {
    return Status::NotFound("test file '" + test_file + "' cannot be opened");
  } catch (const YAML::Exception& e) {
    return YamlParseError(test_file, e);
  }
  TestReport report;
  report.file = test_file;
  try {
    if (!root.IsMap() || !root["pipeline"] || !root["cases"] || !root["cases"].IsSequence()) {
      return Status::InvalidArgument(test_file +
                                     ": a test file has 'pipeline' (a file) and 'cases' (a list)");
    }
    const std::filesystem::path dir = std::filesystem::path(test_file).parent_path();
    std::filesystem::path pipeline_path(root["pipeline"].Scalar());
    if (pipeline_path.is_relative()) pipeline_path = dir / pipeline_path;
    STRATA_ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipelineFile(pipeline_path.string()));
    std::vector<Case> cases;
    size_t i = 0;
    for (const auto& node : root["cases"]) {
      STRATA_ASSIGN_OR_RETURN(Case c, ParseCase(test_file, dir, node, i++));
      cases.push_back(std::move(c));
    }
    for (const auto& c : cases) {
      TestCaseResult r = RunCase(spec, c);
      (r.passed ? report.passed : report.failed) += 1;
      report.cases.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return YamlParseError(test_file, e);
  }
  return report;
}

}  // namespace strata::pipeline
