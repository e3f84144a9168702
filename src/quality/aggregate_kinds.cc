// Column aggregate expectations: one statistic of a column against bounds or a set.
#include <algorithm>
#include <set>

#include "quality/families.h"

namespace strata::quality::detail {
namespace {

// The distinct non-null values of a column with their counts, sorted by value, as one
// aggregate (histogram() skips nulls).
std::string HistogramSql(const std::string& column, const std::string& filter) {
  return "to_json({'k': map_keys(histogram(" + column + ")" + filter +
         "), 'v': map_values(histogram(" + column + ")" + filter + ")})";
}

std::vector<std::pair<Json, int64_t>> ParseHistogram(const Json& raw) {
  std::vector<std::pair<Json, int64_t>> out;
  Json h = raw.is_string() ? ParseSqlJson(raw.get<std::string>()) : Json::object();
  if (!h.contains("k") || !h["k"].is_array()) return out;
  for (size_t i = 0; i < h["k"].size(); ++i) out.push_back({h["k"][i], h["v"][i].get<int64_t>()});
  return out;
}

#define SIMPLE_AGGREGATE(cls, sql, numeric, bound)                \
  class cls final : public ColumnAggregateExpectation {           \
   public:                                                        \
    using ColumnAggregateExpectation::ColumnAggregateExpectation; \
                                                                  \
   protected:                                                     \
    std::string AggregateSql() const override { return sql; }     \
    bool needs_numeric() const override { return numeric; }       \
    bool needs_a_bound() const override { return bound; }         \
  };

SIMPLE_AGGREGATE(Mean, "avg(" + Col() + ")" + Filter(), true, false)
SIMPLE_AGGREGATE(Median, "median(" + Col() + ")" + Filter(), true, false)
SIMPLE_AGGREGATE(Stdev, "stddev_samp(" + Col() + ")" + Filter(), true, false)
SIMPLE_AGGREGATE(Sum, "sum(" + Col() + ")" + Filter(), true, true)
SIMPLE_AGGREGATE(Min, "min(" + Col() + ")" + Filter(), false, true)
SIMPLE_AGGREGATE(Max, "max(" + Col() + ")" + Filter(), false, true)
SIMPLE_AGGREGATE(UniqueCount, "count(DISTINCT " + Col() + ")" + Filter(), false, false)
SIMPLE_AGGREGATE(UniqueProportion,
                 "CAST(count(DISTINCT " + Col() + ")" + Filter() + " AS DOUBLE) / nullif(count(" +
                     Col() + ")" + Filter() + ", 0)",
                 false, false)

class Quantiles final : public ColumnAggregateExpectation {
 public:
  using ColumnAggregateExpectation::ColumnAggregateExpectation;
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    if (!kwargs.contains("quantile_ranges") || !kwargs["quantile_ranges"].is_object()) {
      return Status::InvalidArgument(
          "missing kwarg 'quantile_ranges' ({quantiles: [...], value_ranges: [[min, max], ...]})");
    }
    const Json& qr = kwargs["quantile_ranges"];
    if (!qr.contains("quantiles") || !qr.contains("value_ranges") || !qr["quantiles"].is_array() ||
        !qr["value_ranges"].is_array()) {
      return Status::InvalidArgument(
          "kwarg 'quantile_ranges' needs lists 'quantiles' and 'value_ranges'");
    }
    quantiles_ = qr["quantiles"];
    ranges_ = qr["value_ranges"];
    if (quantiles_.size() != ranges_.size()) {
      return Status::InvalidArgument("quantile_ranges: " + std::to_string(quantiles_.size()) +
                                     " quantiles but " + std::to_string(ranges_.size()) +
                                     " value_ranges");
    }
    for (const Json& q : quantiles_) {
      if (!q.is_number() || q.get<double>() < 0 || q.get<double>() > 1) {
        return Status::InvalidArgument(
            "quantile_ranges: quantiles must be numbers between 0 and 1");
      }
    }
    for (const Json& r : ranges_) {
      if (!r.is_array() || r.size() != 2)
        return Status::InvalidArgument("quantile_ranges: each value range is [min, max]");
      if (r[0].is_number() && r[1].is_number() && r[0].get<double>() > r[1].get<double>()) {
        return Status::InvalidArgument("quantile_ranges must consist of ordered pairs: " +
                                       r.dump());
      }
    }
    return Status::OK();
  }

 protected:
  std::string AggregateSql() const override {
    std::string list;
    for (const Json& q : quantiles_) list += (list.empty() ? "" : ", ") + SqlLiteral(q);
    return "to_json(quantile_disc(" + Col() + ", [" + list + "])" + Filter() + ")";
  }
  Json Evaluate(const ScanValues& values) override {
    Json raw = values.Get(slot_);
    Json observed = raw.is_string() ? ParseSqlJson(raw.get<std::string>()) : Json::array();
    bool success = observed.is_array() && observed.size() == quantiles_.size();
    for (size_t i = 0; success && i < quantiles_.size(); ++i) {
      success = WithinBounds(observed[i], ranges_[i][0], ranges_[i][1], false, false);
    }
    return {{"success", success},
            {"result",
             {{"observed_value", {{"quantiles", quantiles_}, {"values", observed}}},
              {"details", {{"success_details", Json::array()}}}}}};
  }

 private:
  Json quantiles_, ranges_;
};

// Set comparisons on the column's distinct values.
class DistinctValues final : public ColumnAggregateExpectation {
 public:
  using ColumnAggregateExpectation::ColumnAggregateExpectation;
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    if (kwargs.contains("value_set") && kwargs["value_set"].is_null()) {
      set_ = Json::array();
      null_set_ = true;
      return Status::OK();
    }
    return RequireList(kwargs, "value_set", &set_);
  }

 protected:
  bool needs_numeric() const override { return false; }
  std::string AggregateSql() const override {
    // Distinct values with their counts (histogram skips nulls), sorted by value.
    return HistogramSql(Col(), Filter());
  }
  Json Evaluate(const ScanValues& values) override {
    Json observed = Json::array(), counts = Json::array();
    for (const auto& [value, count] : ParseHistogram(values.Get(slot_))) {
      observed.push_back(value);
      counts.push_back({{"value", value}, {"count", count}});
    }
    auto key = [](const Json& v) {
      return v.is_number() ? Json(v.get<double>()).dump() : v.dump();
    };
    std::set<std::string> have, want;
    for (const Json& v : observed) have.insert(key(v));
    for (const Json& v : set_) want.insert(key(v));
    bool success = false;
    if (type_ == "expect_column_distinct_values_to_be_in_set") {
      success = null_set_ || std::includes(want.begin(), want.end(), have.begin(), have.end());
    } else if (type_ == "expect_column_distinct_values_to_contain_set") {
      success = std::includes(have.begin(), have.end(), want.begin(), want.end());
    } else {
      success = have == want;
    }
    Json r = {{"observed_value", observed}, {"details", {{"value_counts", counts}}}};
    return {{"success", success}, {"result", r}};
  }

 private:
  Json set_;
  bool null_set_ = false;
};

class MostCommon final : public ColumnAggregateExpectation {
 public:
  using ColumnAggregateExpectation::ColumnAggregateExpectation;
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    STRATA_RETURN_NOT_OK(RequireList(kwargs, "value_set", &set_));
    return OptionalBool(kwargs, "ties_okay", &ties_okay_);
  }

 protected:
  bool needs_numeric() const override { return false; }
  std::string AggregateSql() const override { return HistogramSql(Col(), Filter()); }
  Json Evaluate(const ScanValues& values) override {
    const auto histogram = ParseHistogram(values.Get(slot_));
    Json modes = Json::array();
    int64_t best = 0;
    for (const auto& [value, count] : histogram) best = std::max(best, count);
    for (const auto& [value, count] : histogram) {
      if (count == best) modes.push_back(value);
    }
    auto in_set = [&](const Json& v) {
      for (const Json& s : set_) {
        if (s == v || (s.is_number() && v.is_number() && s.get<double>() == v.get<double>()))
          return true;
      }
      return false;
    };
    bool success = !modes.empty() && (modes.size() == 1 || ties_okay_);
    for (const Json& m : modes) success = success && in_set(m);
    if (ties_okay_ && !modes.empty()) {
      success = false;
      for (const Json& m : modes) success = success || in_set(m);
    }
    return {{"success", success}, {"result", {{"observed_value", modes}}}};
  }

 private:
  Json set_;
  bool ties_okay_ = false;
};

}  // namespace

void RegisterAggregateKinds(Registry* registry) {
  registry->Add<Mean>("expect_column_mean_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<Median>("expect_column_median_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<Stdev>("expect_column_stdev_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<Sum>("expect_column_sum_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<Min>("expect_column_min_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<Max>("expect_column_max_to_be_between", {"column", "min_value", "max_value"});
  registry->Add<UniqueCount>("expect_column_unique_value_count_to_be_between",
                             {"column", "min_value", "max_value"});
  registry->Add<UniqueProportion>("expect_column_proportion_of_unique_values_to_be_between",
                                  {"column", "min_value", "max_value"});
  registry->Add<Quantiles>("expect_column_quantile_values_to_be_between",
                           {"column", "quantile_ranges"});
  registry->Add<DistinctValues>("expect_column_distinct_values_to_be_in_set",
                                {"column", "value_set"});
  registry->Add<DistinctValues>("expect_column_distinct_values_to_contain_set",
                                {"column", "value_set"});
  registry->Add<DistinctValues>("expect_column_distinct_values_to_equal_set",
                                {"column", "value_set"});
  registry->Add<MostCommon>("expect_column_most_common_value_to_be_in_set",
                            {"column", "value_set"});
}

}  // namespace strata::quality::detail
