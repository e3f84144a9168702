// Reading an expectation's kwargs with errors that name the kwarg, and the SQL helpers
// the kinds share (quoting, literals, JSON read back from SQL, percentages, `mostly`).
#include <charconv>
#include <cmath>
#include <cstring>

#include <mutex>

#include "quality/expectation.h"

namespace strata::quality::detail {

namespace {
Status KwargError(const std::string& name, const std::string& want, const Json& got) {
  return Status::InvalidArgument("kwarg '" + name + "' must be " + want + ", got " + got.dump());
}
}  // namespace

Status RequireString(const Json& kwargs, const std::string& name, std::string* out) {
  if (!kwargs.contains(name)) return Status::InvalidArgument("missing kwarg '" + name + "'");
  if (!kwargs[name].is_string()) return KwargError(name, "a string", kwargs[name]);
  *out = kwargs[name].get<std::string>();
  return Status::OK();
}

Status OptionalString(const Json& kwargs, const std::string& name, std::string* out) {
  if (!kwargs.contains(name) || kwargs[name].is_null()) return Status::OK();
  if (!kwargs[name].is_string()) return KwargError(name, "a string", kwargs[name]);
  *out = kwargs[name].get<std::string>();
  return Status::OK();
}

Status OptionalBool(const Json& kwargs, const std::string& name, bool* out) {
  if (!kwargs.contains(name) || kwargs[name].is_null()) return Status::OK();
  if (!kwargs[name].is_boolean()) return KwargError(name, "true or false", kwargs[name]);
  *out = kwargs[name].get<bool>();
  return Status::OK();
}

Status OptionalNumber(const Json& kwargs, const std::string& name, std::optional<double>* out) {
  if (!kwargs.contains(name) || kwargs[name].is_null()) return Status::OK();
  if (!kwargs[name].is_number()) return KwargError(name, "a number", kwargs[name]);
  *out = kwargs[name].get<double>();
  return Status::OK();
}

Status RequireNumber(const Json& kwargs, const std::string& name, double* out) {
  if (!kwargs.contains(name)) return Status::InvalidArgument("missing kwarg '" + name + "'");
  if (!kwargs[name].is_number()) return KwargError(name, "a number", kwargs[name]);
  *out = kwargs[name].get<double>();
  return Status::OK();
}

Status RequireList(const Json& kwargs, const std::string& name, Json* out) {
  if (!kwargs.contains(name)) return Status::InvalidArgument("missing kwarg '" + name + "'");
  if (!kwargs[name].is_array()) return KwargError(name, "a list", kwargs[name]);
  *out = kwargs[name];
  return Status::OK();
}

Status OptionalBound(const Json& kwargs, const std::string& name, Json* out) {
  *out = nullptr;
  if (!kwargs.contains(name) || kwargs[name].is_null()) return Status::OK();
  const Json& v = kwargs[name];
  if (!v.is_number() && !v.is_string()) return KwargError(name, "a number, a string or null", v);
  *out = v;
  return Status::OK();
}

std::string Quote(const std::string& identifier) { return engine::QuoteIdentifier(identifier); }

Json ParseSqlJson(const std::string& text) {
  std::string fixed;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      fixed += c;
      if (c == '\\' && i + 1 < text.size()) {
        fixed += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool matched = false;
    for (const char* word : {"-Infinity", "Infinity", "NaN"}) {
      size_t n = std::strlen(word);
      if (text.compare(i, n, word) == 0) {
        fixed += std::string("\"") + word + "\"";
        i += n - 1;
        matched = true;
        break;
      }
    }
    if (!matched) fixed += c;
  }
  return Json::parse(fixed);
}

std::string SqlLiteral(const Json& v) {
  if (v.is_null()) return "NULL";
  if (v.is_boolean()) return v.get<bool>() ? "TRUE" : "FALSE";
  if (v.is_number_integer()) return "CAST(" + std::to_string(v.get<int64_t>()) + " AS BIGINT)";
  if (v.is_number()) {
    double d = v.get<double>();
    if (!std::isfinite(d))
      return std::isnan(d) ? "CAST('nan' AS DOUBLE)"
                           : (d > 0 ? "CAST('inf' AS DOUBLE)" : "CAST('-inf' AS DOUBLE)");
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return "CAST('" + std::string(buf, end) + "' AS DOUBLE)";
  }
  if (v.is_string()) return engine::QuoteString(v.get<std::string>());
  return engine::QuoteString(v.dump());
}

double Percent(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

bool MostlySuccess(int64_t considered, int64_t unexpected, double mostly) {
  if (considered == 0) return true;
  double ok = static_cast<double>(considered - unexpected) / static_cast<double>(considered);
  return ok + 1e-12 >= mostly;  // mostly = 0.9 with 9 of 10 must pass despite rounding
}

Status EnsureScalarFunction(engine::Connection* conn, engine::ScalarFunction function) {
  const std::string probe = "SELECT count(*) FROM duckdb_functions() WHERE function_name = " +
                            engine::QuoteString(function.name);
  STRATA_ASSIGN_OR_RETURN(DataFrame found, conn->Collect(probe));
  if (found.column(0).GetInt64(0) > 0) return Status::OK();
  static std::mutex mu;
  std::lock_guard lock(mu);
  Status st = conn->RegisterScalarFunction(std::move(function));
  if (!st.ok()) {
    // Another validation on this database may have registered it meanwhile.
    auto again = conn->Collect(probe);
    if (again.ok() && again->column(0).GetInt64(0) > 0) return Status::OK();
  }
  return st;
}

}  // namespace strata::quality::detail
