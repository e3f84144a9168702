// Profiling: a suite of expectations that describe the data as it is.
#include <algorithm>
#include <cmath>
#include <set>

#include "quality/expectation.h"

namespace strata::quality {

using detail::Json;

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
