// Validation: a suite becomes one aggregate query over the data, unexpected samples
// included (bounded aggregates).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <regex>
#include <set>

#include "quality/expectation.h"
#include "strata/version.h"

namespace strata::quality {

using detail::Json;

namespace {

const std::set<std::string> kStandardArgs = {"result_format", "catch_exceptions", "meta",
                                             "row_condition", "condition_parser", "include_config",
                                             "mostly"};

// GE's row_condition syntaxes to SQL: "sql" as it is; "great_expectations" writes
// col("x") for columns; "pandas" is pandas' query syntax (==, &, |, "text").
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

// GE's evaluation parameters: {"$PARAMETER": "now() - timedelta(weeks=52)"} and the like.
Status ResolveParameters(Json* value) {
  if (value->is_object() && value->size() == 1 && value->contains("$PARAMETER")) {
    std::string expr =
        (*value)["$PARAMETER"].is_string() ? (*value)["$PARAMETER"].get<std::string>() : "";
    static const std::regex kNow(
        R"(\s*now\(\)\s*(?:([-+])\s*timedelta\(\s*(weeks|days|hours|minutes|seconds)\s*=\s*(\d+)\s*\))?\s*)");
    std::smatch m;
    if (!std::regex_match(expr, m, kNow)) {
      return Status::NotSupported("evaluation parameter '" + expr +
                                  "': Strata evaluates now() +/- timedelta(...) only");
    }
    std::time_t t = std::time(nullptr);
    if (m[1].matched) {
      static const std::map<std::string, int64_t> kSeconds = {
          {"weeks", 604800}, {"days", 86400}, {"hours", 3600}, {"minutes", 60}, {"seconds", 1}};
      // Python's datetime spans years 1 to 9999: a timedelta that leaves them is an
      // OverflowError in GE, and an error here.
      constexpr int64_t kMaxSeconds = 315537897599;  // 9999-12-31T23:59:59Z
      const std::string digits = m[3];
      int64_t amount = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
      int64_t unit = kSeconds.at(m[2]);
      if (ec != std::errc() || amount > kMaxSeconds / unit ||
          (m[1] == "-" ? t - amount * unit < -62135596800 : t + amount * unit > kMaxSeconds)) {
        return Status::InvalidArgument("evaluation parameter '" + expr +
                                       "': the date falls outside years 1 to 9999");
      }
      t += m[1] == "-" ? -amount * unit : amount * unit;
    }
    char buf[32];
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) {
      return Status::InvalidArgument("evaluation parameter '" + expr + "' gives no valid date");
    }
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    *value = std::string(buf);
    return Status::OK();
  }
  if (value->is_object() || value->is_array()) {
    for (auto& item : *value) STRATA_RETURN_NOT_OK(ResolveParameters(&item));
  }
  return Status::OK();
}

struct Prepared {
  Expectation config;
  Json kwargs;
  std::unique_ptr<detail::ExpectationKind> kind;
};

std::string Label(size_t index, const std::string& type) {
  return "expectation " + std::to_string(index) + " (" + type + ")";
}

// Builds every expectation of the suite; a bad type or kwarg is an error for the whole
// suite (as GE raises on a bad configuration).
Result<std::vector<Prepared>> Prepare(const Suite& suite, const ValidateOptions& options,
                                      engine::Connection* conn) {
  std::vector<Prepared> out;
  const auto& registry = detail::Registry::Get();
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
    if (st.ok()) st = ResolveParameters(&p.kwargs);
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

// The rows the aggregates run over: the data, with a row index when some expectation
// needs row order, and the per-row window columns.
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

Json ExceptionInfo(const Status& st) {
  if (st.ok())
    return {{"raised_exception", false},
            {"exception_traceback", nullptr},
            {"exception_message", nullptr}};
  return {{"raised_exception", true},
          {"exception_traceback", nullptr},
          {"exception_message", st.message()}};
}

std::string ShortValue(const Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

// "e.g. a, b, c" from sampled unexpected values; empty when they are all null (a null
// check's samples say nothing its count does not).
std::string SampleText(const std::vector<std::string>& samples, size_t n) {
  std::string out;
  bool informative = false;
  for (size_t i = 0; i < samples.size() && i < n; ++i) {
    Json v = Json::parse(samples[i]);
    informative = informative || !v.is_null();
    out += (i ? ", " : "") + ShortValue(v);
  }
  return informative ? out : "";
}

std::string PercentText(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", pct);
  return buf;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Thousands(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

Result<ResultFormat> ParseResultFormat(const std::string& name) {
  if (name == "BOOLEAN_ONLY") return ResultFormat::kBooleanOnly;
  if (name == "BASIC") return ResultFormat::kBasic;
  if (name == "SUMMARY") return ResultFormat::kSummary;
  if (name == "COMPLETE") return ResultFormat::kComplete;
  return Status::InvalidArgument("result_format '" + name +
                                 "' is not one of BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE");
}

Status Suite::Check() const {
  ValidateOptions options;
  // Row conditions are checked by DuckDB's parser: a small database of its own for that.
  STRATA_ASSIGN_OR_RETURN(auto db, engine::Database::Open());
  STRATA_ASSIGN_OR_RETURN(auto conn, db->Connect());
  return Prepare(*this, options, conn.get()).status();
}

Result<ValidationResult> Validate(const Frame& data, const Suite& suite,
                                  const ValidateOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, data.session()->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::vector<Prepared> prepared, Prepare(suite, options, conn.get()));
  detail::DataInfo info;
  STRATA_ASSIGN_OR_RETURN(info.columns, conn->Describe(data_sql));

  ValidationResult out;
  out.suite_name = suite.name();
  std::vector<Json> evaluated(prepared.size());
  std::vector<Status> failures(prepared.size());
  // A failure here (a missing column) is reported as that expectation's exception_info.
  for (size_t i = 0; i < prepared.size(); ++i) failures[i] = prepared[i].kind->Bind(info);

  // One scan for every expectation; if it fails, one scan per expectation, so that a
  // failing one is reported on its own (exception_info) and the others still run.
  auto run_scan = [&](const std::vector<size_t>& which,
                      detail::ScanPlan* plan) -> Result<DataFrame> {
    for (size_t i : which) prepared[i].kind->Plan(plan);
    if (plan->aggregates().empty()) return DataFrame();
    std::string list;
    for (const auto& a : plan->aggregates()) list += (list.empty() ? "" : ", ") + a;
    ++out.scans;
    std::string sql = "SELECT " + list + " FROM (" + RowsSql(data_sql, *plan) + ") AS _v";
    if (out.sql.empty()) out.sql = sql;
    return conn->Collect(sql);
  };
  std::vector<size_t> live;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (failures[i].ok()) live.push_back(i);
  }
  std::vector<std::pair<std::vector<size_t>, std::pair<detail::ScanPlan, DataFrame>>> scans;
  {
    detail::ScanPlan plan;
    auto row = run_scan(live, &plan);
    if (row.ok()) {
      scans.push_back({live, {std::move(plan), std::move(row).value()}});
    } else {
      for (size_t i : live) {
        detail::ScanPlan one;
        auto r = run_scan({i}, &one);
        if (!r.ok()) {
          if (!prepared[i].kind->args.catch_exceptions)
            return r.status().WithContext(Label(i, prepared[i].config.type));
          failures[i] = r.status();
          continue;
        }
        scans.push_back({{i}, {std::move(one), std::move(r).value()}});
      }
      // Every expectation failing alone, with none failed before the scan: the data
      // itself cannot be read, which is an error rather than a result.
      if (scans.empty() && live.size() == prepared.size()) return row.status();
    }
  }

  for (auto& [which, scan] : scans) {
    detail::ScanValues values(&scan.second);
    for (size_t i : which) evaluated[i] = prepared[i].kind->Evaluate(values);
  }

  // Results in GE's shape.
  for (size_t i = 0; i < prepared.size(); ++i) {
    const Prepared& p = prepared[i];
    Json config = {
        {"type", p.config.type}, {"kwargs", p.kwargs}, {"meta", Json::parse(p.config.meta_json)}};
    Json result;
    ExpectationResult er;
    er.type = p.config.type;
    er.column = p.kind->column();
    if (!failures[i].ok()) {
      if (!p.kind->args.catch_exceptions) return failures[i].WithContext(Label(i, p.config.type));
      result = {{"success", false},
                {"expectation_config", config},
                {"result", Json::object()},
                {"meta", Json::object()},
                {"exception_info", ExceptionInfo(failures[i])}};
      er.raised_exception = true;
      er.exception_message = failures[i].message();
    } else {
      const Json& ev = evaluated[i];
      result = {{"success", ev.value("success", false)},
                {"expectation_config", config},
                {"result", ev.value("result", Json::object())},
                {"meta", Json::object()},
                {"exception_info", ExceptionInfo(Status::OK())}};
      const Json& r = result["result"];
      er.unexpected_count = r.value("unexpected_count", int64_t{0});
      er.unexpected_percent =
          r.contains("unexpected_percent") && r["unexpected_percent"].is_number()
              ? r["unexpected_percent"].get<double>()
              : 0.0;
      if (r.contains("observed_value")) er.observed_value = r["observed_value"].dump();
      if (r.contains("partial_unexpected_list")) {
        for (const auto& v : r["partial_unexpected_list"])
          er.partial_unexpected.push_back(v.dump());
      }
      if (r.contains("element_count")) out.element_count = r["element_count"].get<int64_t>();
    }
    er.success = result["success"].get<bool>();
    er.json = result.dump();
    ++out.evaluated;
    (er.success ? out.successful : out.unsuccessful) += 1;
    out.results.push_back(std::move(er));
  }
  out.success = out.unsuccessful == 0;
  return out;
}

std::string ValidationResult::ToJson(bool pretty) const {
  Json results = Json::array();
  for (const auto& r : this->results) results.push_back(Json::parse(r.json));
  std::time_t now = std::time(nullptr);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  Json doc = {{"success", success},
              {"results", results},
              {"suite_name", suite_name},
              {"statistics",
               {{"evaluated_expectations", evaluated},
                {"successful_expectations", successful},
                {"unsuccessful_expectations", unsuccessful},
                {"success_percent",
                 evaluated == 0 ? Json(nullptr) : Json(100.0 * successful / evaluated)}}},
              {"meta",
               {{"great_expectations_version", std::string("strata-") + kVersion},
                {"validation_time", ts},
                {"scans", scans}}}};
  return pretty ? doc.dump(2) + "\n" : doc.dump();
}

std::string ValidationResult::ToText(bool color) const {
  const char* red = color ? "\033[31m" : "";
  const char* green = color ? "\033[32m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out = std::string(success ? green : red) + (success ? "PASSED" : "FAILED") + reset +
                    "  suite '" + suite_name + "': " + std::to_string(successful) + " of " +
                    std::to_string(evaluated) + " expectations met";
  if (element_count > 0) out += ", " + Thousands(element_count) + " rows";
  out += "\n";
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : results) {
      if (r.success != (pass == 1)) continue;
      std::string name = r.type + (r.column.empty() ? "" : "(" + r.column + ")");
      out += std::string(r.success ? green : red) + (r.success ? "  ok    " : "  FAIL  ") + reset +
             name;
      if (r.raised_exception) {
        out += ": error: " + r.exception_message;
      } else if (!r.success && r.unexpected_count > 0) {
        out += ": " + Thousands(r.unexpected_count) + " unexpected (" +
               PercentText(r.unexpected_percent) + ")";
        std::string sample = SampleText(r.partial_unexpected, 5);
        if (!sample.empty()) out += ", e.g. " + sample;
      } else if (!r.observed_value.empty()) {
        out += ": observed " + ShortValue(Json::parse(r.observed_value));
      }
      out += "\n";
    }
  }
  return out;
}

std::string ValidationResult::ToHtml() const {
  std::string rows;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : results) {
      if (r.success != (pass == 1)) continue;
      Json j = Json::parse(r.json);
      std::string detail;
      if (r.raised_exception)
        detail = "error: " + r.exception_message;
      else if (j["result"].contains("unexpected_count")) {
        detail = Thousands(r.unexpected_count) + " unexpected (" +
                 PercentText(r.unexpected_percent) + ")";
        std::string sample = SampleText(r.partial_unexpected, 10);
        if (!sample.empty()) detail += "; sample: " + sample;
      } else if (!r.observed_value.empty()) {
        detail = "observed " + ShortValue(Json::parse(r.observed_value));
      }
      rows += std::string("<tr class=\"") + (r.success ? "ok" : "fail") + "\"><td>" +
              (r.success ? "&#10003;" : "&#10007;") + "</td><td><code>" + HtmlEscape(r.type) +
              "</code></td><td>" + HtmlEscape(r.column) + "</td><td><code>" +
              HtmlEscape(j["expectation_config"]["kwargs"].dump()) + "</code></td><td>" +
              HtmlEscape(detail) + "</td></tr>\n";
    }
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Validation: " +
         HtmlEscape(suite_name) +
         "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
         "h1{font-size:1.4em}.badge{padding:.2em .6em;border-radius:.3em;color:#fff}"
         ".pass{background:#2a7}.failed{background:#c33}table{border-collapse:collapse;width:100%}"
         "td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}"
         "tr.fail td:first-child{color:#c33}tr.ok "
         "td:first-child{color:#2a7}code{font-size:.9em}</style></head>\n"
         "<body><h1>Suite <code>" +
         HtmlEscape(suite_name) + "</code> <span class=\"badge " +
         (success ? "pass\">PASSED" : "failed\">FAILED") + "</span></h1>\n<p>" +
         std::to_string(successful) + " of " + std::to_string(evaluated) + " expectations met" +
         (element_count > 0 ? " on " + Thousands(element_count) + " rows" : "") +
         ".</p>\n<table><tr><th></th><th>expectation</th><th>column</th><th>kwargs</th><th>result</"
         "th></tr>\n" +
         rows +
         "</table>\n<p><small>Made by Strata; results in Great Expectations' shape with "
         "<code>--format json</code>.</small></p></body></html>\n";
}

Result<Quarantine> Split(const Frame& data, const Suite& suite) {
  ValidateOptions options;
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, data.session()->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::vector<Prepared> prepared, Prepare(suite, options, conn.get()));
  detail::DataInfo info;
  STRATA_ASSIGN_OR_RETURN(info.columns, conn->Describe(data_sql));
  detail::ScanPlan plan;
  std::string checks;
  for (size_t i = 0; i < prepared.size(); ++i) {
    Status st = prepared[i].kind->Bind(info);
    if (!st.ok()) return st.WithContext(Label(i, prepared[i].config.type));
    prepared[i].kind->args.row_verdicts = true;
    prepared[i].kind->Plan(&plan);
    std::string cond = prepared[i].kind->RowFailureSql();
    if (cond.empty()) continue;
    std::string name = prepared[i].config.type;
    if (!prepared[i].kind->column().empty()) name += "(" + prepared[i].kind->column() + ")";
    checks += (checks.empty() ? "" : ", ") + std::string("CASE WHEN ") + cond + " THEN " +
              engine::QuoteString(name) + " END";
  }
  std::string columns;
  for (const auto& c : info.columns)
    columns += (columns.empty() ? "" : ", ") + detail::Quote(c.name);
  std::string tagged = "SELECT " + columns + ", list_filter([" + checks +
                       "]::VARCHAR[], x -> x IS NOT NULL) AS failed_expectations FROM (" +
                       RowsSql(data_sql, plan) + ") AS _q";
  if (checks.empty())
    tagged = "SELECT " + columns + ", []::VARCHAR[] AS failed_expectations FROM (" + data_sql + ")";
  const auto& session = data.session();
  return Quarantine{
      session->sql("SELECT " + columns + " FROM (" + tagged +
                   ") WHERE len(failed_expectations) = 0"),
      session->sql("SELECT * FROM (" + tagged + ") WHERE len(failed_expectations) > 0")};
}

// Two scans. The first counts values, estimates distinct counts (HyperLogLog) and takes
// ranges; the second settles, exactly and only for the columns that need it, the value
// set of low-cardinality text columns and whether near-unique columns are unique. An
// exact distinct count of every column in one scan cost 18 s and 2 GB on 10M rows; this
// costs 4-6 s and 0.5 GB.
Result<Suite> Profile(const Frame& data) {
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, data.session()->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(auto columns, conn->Describe(data_sql));
  detail::DataInfo info;
  info.columns = columns;
  constexpr size_t kPerColumn = 4;
  std::string aggs = "count(*)";
  for (const auto& c : columns) {
    std::string q = detail::Quote(c.name);
    bool ordered = info.IsNumeric(c.name) || info.IsTemporal(c.name);
    aggs += ", count(" + q + "), approx_count_distinct(" + q + ")";
    aggs += ordered ? ", to_json(min(" + q + ")), to_json(max(" + q + "))" : ", NULL, NULL";
  }
  STRATA_ASSIGN_OR_RETURN(DataFrame stats,
                          conn->Collect("SELECT " + aggs + " FROM (" + data_sql + ")"));
  const int64_t rows = stats.column(0).GetInt64(0);
  auto nonnull = [&](size_t i) { return stats.column(1 + i * kPerColumn).GetInt64(0); };
  auto estimate = [&](size_t i) { return stats.column(2 + i * kPerColumn).GetInt64(0); };

  // The second scan: a set for text columns of at most about 20 values, a uniqueness
  // check for columns whose estimate is near their count.
  constexpr int64_t kMaxSet = 20;
  std::vector<int> set_slot(columns.size(), -1), unique_slot(columns.size(), -1);
  std::string exact;
  int slots = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    std::string q = detail::Quote(c.name);
    if (nonnull(i) == 0) continue;
    if (!info.IsNumeric(c.name) && estimate(i) <= 2 * kMaxSet) {
      exact += std::string(slots ? ", " : "") + "CASE WHEN count(DISTINCT " + q +
               ") <= " + std::to_string(kMaxSet) + " THEN to_json(list(DISTINCT " + q +
               " ORDER BY " + q + ") FILTER (WHERE " + q + " IS NOT NULL)) END";
      set_slot[i] = slots++;
    }
    // DuckDB's estimate is off by up to about 15 %: a unique column estimates well
    // above half its count.
    if (static_cast<double>(estimate(i)) >= 0.5 * static_cast<double>(nonnull(i))) {
      // strata_duplicates takes numbers and text; microsecond times and dates go in as
      // their epoch microseconds (exact); anything else is counted by DuckDB.
      static const std::set<std::string> kEpochTypes = {"DATE", "TIMESTAMP",
                                                        "TIMESTAMP WITH TIME ZONE"};
      std::string key = info.HasNativeType(c.name)      ? q
                        : kEpochTypes.count(c.sql_type) ? "epoch_us(" + q + ")"
                                                        : "";
      exact += std::string(slots ? ", " : "") +
               (!key.empty() ? "strata_duplicates(" + key + ", 0).unexpected = 0"
                             : "count(DISTINCT " + q + ") = count(" + q + ")");
      unique_slot[i] = slots++;
    }
  }
  DataFrame settled;
  if (slots > 0) {
    STRATA_ASSIGN_OR_RETURN(settled, conn->Collect("SELECT " + exact + " FROM (" + data_sql + ")"));
  }

  Suite suite("profiled");
  Json names = Json::array();
  for (const auto& c : columns) names.push_back(c.name);
  suite.Add("expect_table_columns_to_match_ordered_list", Json{{"column_list", names}}.dump());
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    const size_t base = 1 + i * kPerColumn;
    suite.Add("expect_column_values_to_be_of_type",
              Json{{"column", c.name}, {"type_", c.sql_type}}.dump());
    if (rows > 0) {
      Json k = {{"column", c.name}};
      if (nonnull(i) < rows) {
        // Rounded down, so that the data profiled passes.
        k["mostly"] =
            std::floor(1000.0 * static_cast<double>(nonnull(i)) / static_cast<double>(rows)) /
            1000.0;
      }
      if (nonnull(i) > 0) suite.Add("expect_column_values_to_not_be_null", k.dump());
    }
    if (!stats.column(base + 2).IsNull(0) && nonnull(i) > 0) {
      Json min = detail::ParseSqlJson(std::string(stats.column(base + 2).GetString(0))),
           max = detail::ParseSqlJson(std::string(stats.column(base + 3).GetString(0)));
      // A NaN or an infinity is no bound to write down.
      if (!info.IsNumeric(c.name) || (min.is_number() && max.is_number())) {
        suite.Add("expect_column_values_to_be_between",
                  Json{{"column", c.name}, {"min_value", min}, {"max_value", max}}.dump());
      }
    }
    bool unique = unique_slot[i] >= 0 && settled.column(unique_slot[i]).GetBool(0);
    if (set_slot[i] >= 0 && !settled.column(set_slot[i]).IsNull(0) && !unique) {
      Json set = detail::ParseSqlJson(std::string(settled.column(set_slot[i]).GetString(0)));
      suite.Add("expect_column_values_to_be_in_set",
                Json{{"column", c.name}, {"value_set", set}}.dump());
    }
    if (unique) suite.Add("expect_column_values_to_be_unique", Json{{"column", c.name}}.dump());
  }
  return suite;
}

}  // namespace strata::quality
