// Validation: a suite becomes one aggregate query over the data, unexpected samples
// included (bounded aggregates), and the scanned values GE-shaped results.
#include "quality/prepare.h"

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

}  // namespace strata::quality
