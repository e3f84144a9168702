// Profiling: a suite of expectations that describe the data as it is.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "quality/expectation.h"
#include "quality/report_text.h"

namespace strata::quality {

using detail::Json;

using detail::Number;

// Two scans. The first counts values, estimates distinct counts (HyperLogLog) and takes
// ranges; the second settles, exactly and only for the columns that need it, the value
// set of low-cardinality text columns and whether near-unique columns are unique. An
// exact distinct count of every column in one scan cost 18 s and 2 GB on 10M rows; this
// costs 4-6 s and 0.5 GB.
Result<Suite> Profile(const Frame& data, const ProfileOptions& options) {
  if (!(options.margin >= 0) || options.max_set < 0)
    return Status::InvalidArgument("profile: the margin and max_set must be 0 or more");
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
  const int64_t max_set = options.max_set;
  std::vector<int> set_slot(columns.size(), -1), unique_slot(columns.size(), -1);
  std::string exact;
  int slots = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    std::string q = detail::Quote(c.name);
    if (nonnull(i) == 0) continue;
    if (!info.IsNumeric(c.name) && estimate(i) <= 2 * max_set) {
      // Low cardinality: few values, each seen on average at least 10 times.
      exact += std::string(slots ? ", " : "") + "CASE WHEN count(DISTINCT " + q +
               ") <= " + std::to_string(max_set) + " AND 10 * count(DISTINCT " + q + ") <= count(" +
               q + ") THEN to_json(list(DISTINCT " + q + " ORDER BY " + q + ") FILTER (WHERE " + q +
               " IS NOT NULL)) END";
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
    const std::string over = " over " + std::to_string(rows) + " rows";
    if (rows > 0) {
      Json k = {{"column", c.name}};
      Json meta = {{"profiler", "strata"}};
      if (nonnull(i) < rows) {
        // The null share may grow by the margin, plus three standard errors of a share
        // measured on this many rows (rare nulls vary a lot from batch to batch); rounded
        // down, so that the data profiled passes.
        const double n = static_cast<double>(rows);
        const double nulls = static_cast<double>(rows - nonnull(i)) / n;
        const double allowed =
            nulls * (1 + options.margin) + 3 * std::sqrt(nulls * (1 - nulls) / n);
        k["mostly"] = std::max(0.0, std::floor(1000.0 * (1 - allowed)) / 1000.0);
        meta["derived"] = "null share " + Number(nulls) + over + ", allowed " + Number(allowed) +
                          " (+" + Number(100 * options.margin) + "% and 3 standard errors)";
      } else {
        meta["derived"] = "no null" + over;
      }
      if (nonnull(i) > 0) suite.Add("expect_column_values_to_not_be_null", k.dump(), meta.dump());
    }
    Json min, max;
    if (!stats.column(base + 2).IsNull(0) && nonnull(i) > 0) {
      min = detail::ParseSqlJson(std::string(stats.column(base + 2).GetString(0)));
      max = detail::ParseSqlJson(std::string(stats.column(base + 3).GetString(0)));
    }
    // A NaN or an infinity is no bound to write down; text has no range.
    const bool numeric = info.IsNumeric(c.name);
    if (numeric ? min.is_number() && max.is_number() : min.is_string() && max.is_string()) {
      Json wide_min = min, wide_max = max;
      if (numeric && options.margin > 0) {
        const double lo = min.get<double>(), hi = max.get<double>();
        const bool integral = min.is_number_integer() && max.is_number_integer();
        double pad = options.margin * (hi - lo);
        if (hi == lo) pad = options.margin * std::max(1.0, std::fabs(lo));
        wide_min = integral ? Json(static_cast<int64_t>(std::floor(lo - pad))) : Json(lo - pad);
        wide_max = integral ? Json(static_cast<int64_t>(std::ceil(hi + pad))) : Json(hi + pad);
      } else if (options.margin > 0) {
        // Dates and times, in DuckDB's arithmetic: dates move by whole days, times by
        // microseconds.
        const std::string m = Number(options.margin);
        const std::string pad = c.sql_type == "DATE"
                                    ? "CAST(ceil((hi - lo) * " + m + ") AS INTEGER)"
                                    : "to_microseconds(CAST(ceil((epoch_us(hi) - epoch_us(lo)) * " +
                                          m + ") AS BIGINT))";
        auto widened = conn->Collect("SELECT CAST(lo - " + pad + " AS VARCHAR), CAST(hi + " + pad +
                                     " AS VARCHAR) FROM (SELECT CAST(" + detail::SqlLiteral(min) +
                                     " AS " + c.sql_type + ") AS lo, CAST(" +
                                     detail::SqlLiteral(max) + " AS " + c.sql_type + ") AS hi)");
        if (widened.ok() && !widened->column(0).IsNull(0)) {
          wide_min = std::string(widened->column(0).GetString(0));
          wide_max = std::string(widened->column(1).GetString(0));
        }
      }
      const Json meta = {{"profiler", "strata"},
                         {"derived", "observed min " + min.dump() + ", max " + max.dump() + over +
                                         ", widened by " + Number(100 * options.margin) +
                                         "% of the span each side"}};
      suite.Add("expect_column_values_to_be_between",
                Json{{"column", c.name}, {"min_value", wide_min}, {"max_value", wide_max}}.dump(),
                meta.dump());
    }
    bool unique = unique_slot[i] >= 0 && settled.column(unique_slot[i]).GetBool(0);
    if (set_slot[i] >= 0 && !settled.column(set_slot[i]).IsNull(0) && !unique) {
      Json set = detail::ParseSqlJson(std::string(settled.column(set_slot[i]).GetString(0)));
      suite.Add(
          "expect_column_values_to_be_in_set", Json{{"column", c.name}, {"value_set", set}}.dump(),
          Json{{"profiler", "strata"},
               {"derived", std::to_string(set.size()) + " distinct values" + over +
                               " (a set is kept for at most " + std::to_string(options.max_set) +
                               " values seen 10 times each on average)"}}
              .dump());
    }
    if (unique)
      suite.Add("expect_column_values_to_be_unique", Json{{"column", c.name}}.dump(),
                Json{{"profiler", "strata"}, {"derived", "every value distinct" + over}}.dump());
  }
  return suite;
}

}  // namespace strata::quality
