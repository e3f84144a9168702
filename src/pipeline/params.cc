// ${name} and ${env:NAME} in pipeline text, and a step with them substituted.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "pipeline/internal.h"

namespace strata::pipeline {

Result<std::string> Substitute(std::string_view text,
                               const std::map<std::string, std::string>& params, bool resolve_env,
                               const std::string& where) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return Status::InvalidArgument(where + ": '${' without a closing '}'");
    std::string name(text.substr(i + 2, close - i - 2));
    if (name.rfind("env:", 0) == 0) {
      if (!resolve_env) {
        out += text.substr(i, close - i + 1);
      } else {
        const char* v = std::getenv(name.substr(4).c_str());
        if (v == nullptr)
          return Status::InvalidArgument(where + ": environment variable " + name.substr(4) +
                                         " is not set");
        out += v;
      }
    } else {
      auto it = params.find(name);
      if (it == params.end()) {
        std::string known;
        for (const auto& [k, v] : params) known += (known.empty() ? "" : ", ") + k;
        return Status::InvalidArgument(where + ": unknown parameter '" + name +
                                       "' (known: " + (known.empty() ? "none" : known) + ")");
      }
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

namespace {
using Json = nlohmann::json;
}  // namespace

Result<std::string> ResolveStep(const StepSpec& s, const std::map<std::string, std::string>& params,
                                bool resolve_env, StepSpec* resolved) {
  const std::string where = s.where + ": step '" + s.name + "'";
  auto sub = [&](const std::string& t) { return Substitute(t, params, resolve_env, where); };
  *resolved = s;
  Json d;
  d["kind"] = std::string(ToString(s.kind));
  switch (s.kind) {
    case StepKind::kRead: {
      STRATA_ASSIGN_OR_RETURN(resolved->path, sub(s.path));
      STRATA_ASSIGN_OR_RETURN(resolved->table, sub(s.table));
      d["path"] = resolved->path;
      d["table"] = resolved->table;
      d["delimiter"] = s.delimiter;
      break;
    }
    case StepKind::kSql: {
      STRATA_ASSIGN_OR_RETURN(resolved->sql, sub(s.sql));
      d["sql"] = resolved->sql;
      d["materialize"] = s.materialize == Materialize::kView ? "view" : "parquet";
      if (resolved->sql.find("params") != std::string::npos) d["params"] = params;
      break;
    }
    case StepKind::kValidate:
      d["suite"] = s.suite ? s.suite->ToJson() : s.suite_file;
      d["policy"] = static_cast<int>(s.policy);
      d["quarantine_table"] = s.quarantine_table;
      break;
    case StepKind::kWrite: {
      STRATA_ASSIGN_OR_RETURN(resolved->table, sub(s.table));
      d["table"] = resolved->table;
      d["mode"] = static_cast<int>(s.mode);
      d["keys"] = s.merge_keys;
      d["partition_by"] = s.partition_by;
      for (auto& kv : resolved->metadata) {
        STRATA_ASSIGN_OR_RETURN(kv.second, sub(kv.second));
      }
      d["metadata"] = resolved->metadata;
      break;
    }
    case StepKind::kExec: {
      for (auto& c : resolved->command) {
        STRATA_ASSIGN_OR_RETURN(c, sub(c));
      }
      for (auto& kv : resolved->env) {
        STRATA_ASSIGN_OR_RETURN(kv.second, sub(kv.second));
      }
      STRATA_ASSIGN_OR_RETURN(resolved->output, sub(s.output));
      d["command"] = resolved->command;
      d["env"] = resolved->env;
      d["output"] = resolved->output;
      d["materialize"] = s.materialize == Materialize::kView ? "view" : "parquet";
      break;
    }
    case StepKind::kOp:
      d["version"] = s.op_version;
      d["materialize"] = s.materialize == Materialize::kView ? "view" : "parquet";
      break;
  }
  return d.dump();
}

}  // namespace strata::pipeline
