// Validation: a suite becomes one aggregate query over the data, unexpected samples
// included (bounded aggregates), and the scanned values GE-shaped results.
#include <algorithm>
#include <functional>

#include "common/time_format.h"
#include "quality/column_summary.h"
#include "quality/prepare.h"
#include "strata/log.h"

namespace strata::quality {

using detail::Json;
using detail::Label;
using detail::Prepare;
using detail::Prepared;
using detail::RowsSql;

namespace {

Json ExceptionInfo(const Status& st) {
  if (st.ok())
    return {{"raised_exception", false},
            {"exception_traceback", nullptr},
            {"exception_message", nullptr}};
  return {{"raised_exception", true},
          {"exception_traceback", nullptr},
          {"exception_message", st.message()}};
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

Status Suite::Check() const { return Check(ValidateOptions()); }

Status Suite::Check(const ValidateOptions& options) const {
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
  info.sql = data_sql;
  info.conn = conn.get();
  info.table_sql = options.table_sql;

  ValidationResult out;
  out.data_name = options.data_name;
  out.validated_at_ms = NowMs();
  out.suite_name = suite.name();
  std::vector<Json> evaluated(prepared.size());
  std::vector<Status> failures(prepared.size());
  // A failure here (a missing column) is reported as that expectation's exception_info.
  for (size_t i = 0; i < prepared.size(); ++i) failures[i] = prepared[i].kind->Bind(info);

  // One scan for every expectation. If it fails, the failing expectations are found and
  // reported on their own (exception_info) while the rest still run together: first each
  // expectation's aggregates are bound without running (type errors), then the scan runs
  // again without those; an error that only shows while running (a failed cast) splits
  // the set in halves until it is pinned to one expectation. k failing expectations of n
  // cost about k log n scans, never one scan per expectation.
  auto aggregates_sql = [&](const std::vector<size_t>& which, detail::ScanPlan* plan) {
    for (size_t i : which) prepared[i].kind->Plan(plan);
    std::string list;
    for (const auto& a : plan->aggregates()) list += (list.empty() ? "" : ", ") + a;
    if (list.empty()) return std::string();
    return "SELECT " + list + " FROM (" + RowsSql(data_sql, *plan) + ") AS _v";
  };
  auto run_scan = [&](const std::vector<size_t>& which,
                      detail::ScanPlan* plan) -> Result<DataFrame> {
    const std::string sql = aggregates_sql(which, plan);
    if (sql.empty()) return DataFrame();
    ++out.scans;
    if (out.sql.empty()) out.sql = sql;
    return conn->Collect(sql);
  };
  std::vector<size_t> live;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (failures[i].ok()) live.push_back(i);
  }
  std::vector<std::pair<std::vector<size_t>, std::pair<detail::ScanPlan, DataFrame>>> scans;
  Status first_error;
  // Runs `which` in one scan, or finds its failing members by halving.
  std::function<void(const std::vector<size_t>&)> settle = [&](const std::vector<size_t>& which) {
    if (which.empty()) return;
    detail::ScanPlan plan;
    auto row = run_scan(which, &plan);
    if (row.ok()) {
      scans.push_back({which, {std::move(plan), std::move(row).value()}});
      return;
    }
    if (first_error.ok()) first_error = row.status();
    if (which.size() == 1) {
      failures[which[0]] = row.status();
      return;
    }
    const auto half = which.begin() + static_cast<std::ptrdiff_t>(which.size() / 2);
    settle(std::vector<size_t>(which.begin(), half));
    settle(std::vector<size_t>(half, which.end()));
  };
  {
    detail::ScanPlan plan;
    auto row = run_scan(live, &plan);
    if (row.ok()) {
      scans.push_back({live, {std::move(plan), std::move(row).value()}});
    } else {
      first_error = row.status();
      // Data that cannot be read at all is an error, not n failed expectations.
      STRATA_RETURN_NOT_OK(conn->Collect("SELECT count(*) FROM (" + data_sql + ") AS _d").status());
      std::vector<size_t> bound;
      for (size_t i : live) {
        detail::ScanPlan one;
        const std::string sql = aggregates_sql({i}, &one);
        Status st = sql.empty() ? Status::OK() : conn->Prepare(sql).status();
        if (st.ok()) {
          bound.push_back(i);
        } else {
          failures[i] = st;
        }
      }
      settle(bound);
      // Every expectation failing, with none failed before the scan: the data itself
      // cannot be read, which is an error rather than a result.
      if (scans.empty() && live.size() == prepared.size()) return first_error;
    }
  }
  for (size_t i : live) {
    if (!failures[i].ok() && !prepared[i].kind->args.catch_exceptions)
      return failures[i].WithContext(Label(i, prepared[i].config.type));
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
  if (options.column_summaries) {
    // The checked columns, in suite order. A summary that fails costs the report its
    // charts, not the validation its result.
    std::vector<std::string> columns;
    for (const auto& r : out.results) {
      if (!r.column.empty() && info.Find(r.column) != nullptr &&
          std::find(columns.begin(), columns.end(), r.column) == columns.end())
        columns.push_back(r.column);
    }
    auto summaries = detail::SummarizeColumns(conn.get(), info, columns);
    if (summaries.ok()) {
      out.columns = std::move(summaries).value();
    } else {
      Log(LogLevel::kWarning, "quality",
          "validation succeeded but its column summaries failed: " + summaries.status().ToString());
    }
  }
  return out;
}

}  // namespace strata::quality
