// Turns a suite's expectations into configured kinds: GE's standard arguments, row
// conditions in GE's three syntaxes, evaluation parameters; and the rows a scan reads.
#include "quality/prepare.h"

#include <chrono>

#include <set>

#include "quality/parameters.h"

namespace strata::quality::detail {

namespace {

// GE's row_condition syntaxes to SQL: "sql" as it is; "great_expectations" writes
// col("x") for columns; "pandas" is pandas' query syntax (==, != with pandas' missing
// values, &, |, "text").
Result<std::string> RowConditionSql(const std::string& condition, const std::string& parser) {
  static const std::set<std::string> kParsers = {
      "sql", "great_expectations", "great_expectations__experimental__", "pandas", "spark"};
  if (!kParsers.count(parser)) {
    return Status::InvalidArgument("'" + parser +
                                   "' is not a valid enumeration member of condition_parser "
                                   "(sql, great_expectations, pandas, spark)");
  }
  if (parser == "sql" || parser == "spark") return condition;
  std::string out;
  for (size_t i = 0; i < condition.size(); ++i) {
    char c = condition[i];
    if (condition.compare(i, 5, "col(\"") == 0) {
      size_t end = condition.find("\")", i + 5);
      if (end == std::string::npos)
        return Status::ParseError("row_condition: unterminated col(\"...\")");
      out += detail::Quote(condition.substr(i + 5, end - i - 5));
      i = end + 1;
    } else if (c == '"') {
      size_t end = condition.find('"', i + 1);
      if (end == std::string::npos) return Status::ParseError("row_condition: unterminated string");
      out += engine::QuoteString(condition.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '=' && i + 1 < condition.size() && condition[i + 1] == '=') {
      out += "=";
      ++i;
    } else if (parser == "pandas" && c == '!' && i + 1 < condition.size() &&
               condition[i + 1] == '=') {
      // pandas: a missing value is unequal to everything (NaN != 1 is True), where SQL's
      // NULL <> 1 is NULL.
      out += " IS DISTINCT FROM ";
      ++i;
    } else if (c == '&') {
      out += " AND ";
    } else if (c == '|') {
      out += " OR ";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Label(size_t index, const std::string& type) {
  return "expectation " + std::to_string(index) + " (" + type + ")";
}

Result<std::vector<Prepared>> Prepare(const Suite& suite, const ValidateOptions& options,
                                      engine::Connection* conn) {
  std::vector<Prepared> out;
  const auto& registry = detail::Registry::Get();
  std::map<std::string, Json> parameters;
  for (const auto& [name, text] : options.parameters) parameters[name] = ParameterValue(text);
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (size_t i = 0; i < suite.expectations().size(); ++i) {
    const Expectation& e = suite.expectations()[i];
    Prepared p;
    p.config = e;
    p.kind = registry.Make(e.type);
    if (!p.kind) {
      std::string near;
      for (const auto& n : registry.Closest(e.type)) near += (near.empty() ? "" : ", ") + n;
      return Status::InvalidArgument("expectation " + std::to_string(i) +
                                     ": unknown expectation type '" + e.type +
                                     "'; the closest known are: " + near);
    }
    try {
      p.kwargs = Json::parse(e.kwargs_json);
    } catch (const Json::exception& ex) {
      return Status::ParseError(Label(i, e.type) + ": kwargs are not valid JSON: " + ex.what());
    }
    if (!p.kwargs.is_object())
      return Status::InvalidArgument(Label(i, e.type) + ": kwargs must be an object");
    detail::StandardArgs& args = p.kind->args;
    args.partial_unexpected_count = options.partial_unexpected_count;
    if (p.kwargs.contains("result_format")) {
      const Json& rf = p.kwargs["result_format"];
      if (!rf.is_string() && !rf.is_object()) {
        return Status::InvalidArgument(Label(i, e.type) +
                                       ": 'result_format' must be a name such as \"SUMMARY\" or "
                                       "an object with one, not " +
                                       rf.dump());
      }
      std::string name = "BASIC";
      if (rf.is_string()) {
        name = rf.get<std::string>();
      } else if (rf.contains("result_format")) {
        if (!rf["result_format"].is_string()) {
          return Status::InvalidArgument(Label(i, e.type) +
                                         ": 'result_format.result_format' must be a name, not " +
                                         rf["result_format"].dump());
        }
        name = rf["result_format"].get<std::string>();
      }
      auto parsed = ParseResultFormat(name);
      if (!parsed.ok()) return parsed.status().WithContext(Label(i, e.type));
      args.result_format = *parsed;
      if (rf.is_object() && rf.contains("partial_unexpected_count") &&
          rf["partial_unexpected_count"].is_number()) {
        double n = rf["partial_unexpected_count"].get<double>();
        if (!(n >= 0 && n <= 1'000'000)) {
          return Status::InvalidArgument(Label(i, e.type) +
                                         ": 'partial_unexpected_count' must be 0 to 1000000");
        }
        args.partial_unexpected_count = static_cast<int>(n);
      }
    }
    if (options.result_format) args.result_format = *options.result_format;
    Status st = detail::OptionalBool(p.kwargs, "catch_exceptions", &args.catch_exceptions);
    if (st.ok()) st = ResolveParameters(&p.kwargs, parameters, now_us);
    if (st.ok()) st = detail::OptionalString(p.kwargs, "row_condition", &args.row_condition);
    if (st.ok() && !args.row_condition.empty()) {
      std::string parser = "sql";
      st = detail::OptionalString(p.kwargs, "condition_parser", &parser);
      if (st.ok()) {
        auto sql = RowConditionSql(args.row_condition, parser);
        // One condition, as DuckDB parses and renders it: the text can never reshape the
        // suite's query around it.
        if (sql.ok()) sql = engine::ParseScalarExpression(conn, *sql);
        if (sql.ok())
          args.row_condition = *sql;
        else
          st = Status(sql.status().code(), "row_condition " + sql.status().message());
      }
    }
    if (st.ok()) st = p.kind->Configure(p.kwargs);
    if (!st.ok()) return Status(st.code(), Label(i, e.type) + ": " + st.message());
    out.push_back(std::move(p));
  }
  return out;
}

std::string RowsSql(const std::string& data_sql, const detail::ScanPlan& plan) {
  std::string base = "SELECT * FROM (" + data_sql + ") AS _d";
  if (plan.needs_row_order()) {
    base = "SELECT *, row_number() OVER () - 1 AS __strata_row FROM (" + data_sql + ") AS _d";
  }
  if (plan.row_columns().empty()) return base;
  std::string cols;
  for (const auto& [name, sql] : plan.row_columns()) cols += ", " + sql + " AS " + name;
  return "SELECT *" + cols + " FROM (" + base + ") AS _r";
}

}  // namespace strata::quality::detail
