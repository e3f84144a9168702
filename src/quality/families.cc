// The shared behaviour of the expectation families: row-level expectations (counting,
// `mostly`, result formats, unexpected samples), column-map and multicolumn expectations,
// column aggregates compared with bounds.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "quality/families.h"

namespace strata::quality::detail {

// ---------------------------------------------------------------------------------------
// RowExpectation

void RowExpectation::Plan(ScanPlan* plan) {
  PlanExtra(plan);
  // The unexpected-row test is computed once per row, as a column every aggregate reads.
  const std::string flag = plan->RowColumn(Where());
  total_slot_ = plan->Aggregate(TotalCountSql());
  considered_slot_ = plan->Aggregate(ConsideredCountSql());
  unexpected_slot_ = plan->Aggregate("count_if(" + flag + ")");
  if (args.result_format == ResultFormat::kBooleanOnly) return;
  // Unexpected values come from the same scan: bounded aggregates keep the first N (by
  // row index when the format lists indexes), COMPLETE keeps them all. Values go in raw
  // and become JSON once, on the kept ones.
  const std::vector<std::string> cols = ReportColumns();
  std::string value;
  if (cols.size() == 1) {
    value = Quote(cols[0]);
  } else {
    std::string items;
    for (size_t c = 0; c < cols.size(); ++c) {
      items +=
          (c ? ", " : "") + engine::QuoteString("c" + std::to_string(c)) + ": " + Quote(cols[c]);
    }
    value = "{" + items + "}";
  }
  // The bounded aggregates skip rows whose ordering key is NULL: keying only the
  // unexpected rows costs far less than a FILTER clause, which DuckDB applies by slicing
  // every column of the scan for each filtered aggregate.
  const std::string n = std::to_string(std::max(args.partial_unexpected_count, 1));
  const bool sample_values = !unexpected_are_null();
  auto key = [&](const std::string& k) { return "CASE WHEN " + flag + " THEN " + k + " END"; };
  if (args.result_format == ResultFormat::kBasic) {
    if (sample_values)
      values_slot_ = plan->Aggregate("to_json(min_by(" + value + ", " + key("0") + ", " + n + "))");
    return;
  }
  plan->RequireRowIndex();
  if (args.result_format == ResultFormat::kComplete) {
    const std::string filter = " FILTER (WHERE " + flag + ")";
    if (sample_values)
      values_slot_ =
          plan->Aggregate("to_json(list(" + value + " ORDER BY __strata_row)" + filter + ")");
    rows_slot_ = plan->Aggregate("to_json(list(__strata_row ORDER BY __strata_row)" + filter + ")");
  } else {
    if (sample_values)
      values_slot_ =
          plan->Aggregate("to_json(min_by(" + value + ", " + key("__strata_row") + ", " + n + "))");
    rows_slot_ = plan->Aggregate("to_json(min(" + key("__strata_row") + ", " + n + "))");
  }
}

std::string RowExpectation::And(const std::vector<std::string>& conditions) {
  std::string out;
  for (const auto& c : conditions) {
    if (c == "TRUE" || c == "(TRUE)") continue;
    out += (out.empty() ? "" : " AND ") + c;
  }
  return out.empty() ? "TRUE" : out;
}

Json RowExpectation::ParseList(const ScanValues& values, int slot) {
  Json raw = slot < 0 ? Json() : values.Get(slot);
  return raw.is_string() ? ParseSqlJson(raw.get<std::string>()) : Json::array();
}

RowExpectation::Observed RowExpectation::Unexpected(const ScanValues& values) {
  return {values.Int(unexpected_slot_), ParseList(values, values_slot_),
          ParseList(values, rows_slot_)};
}

Json RowExpectation::Evaluate(const ScanValues& values) {
  const int64_t total = values.Int(total_slot_);
  const int64_t considered = values.Int(considered_slot_);
  auto [unexpected, sampled, rows] = Unexpected(values);
  const int64_t missing = total - considered;
  Json out = {{"success", MostlySuccess(considered, unexpected, mostly_)}};
  if (args.result_format == ResultFormat::kBooleanOnly) {
    out["result"] = Json::object();
    return out;
  }
  Json r = {{"element_count", total}, {"unexpected_count", unexpected}};
  // GE's percent is of the values it looked at; for null checks that is every row.
  r["unexpected_percent"] = considered == 0 ? Json(nullptr) : Json(Percent(unexpected, considered));
  Json partial = Json::array(), partial_index = Json::array(), all_values = Json::array(),
       all_index = Json::array();
  if (unexpected_are_null()) {
    // The unexpected values of a null check are nulls: as many as the format lists.
    int64_t listed = args.result_format == ResultFormat::kComplete
                         ? unexpected
                         : std::min<int64_t>(unexpected, args.partial_unexpected_count);
    sampled = Json::array();
    for (int64_t i = 0; i < listed; ++i) sampled.push_back(nullptr);
  }
  const std::vector<std::string> cols = ReportColumns();
  for (size_t i = 0; i < sampled.size(); ++i) {
    // Several columns come as {"c0": .., "c1": ..}: GE names them (or lists them, for pairs).
    const Json& raw = sampled[i];
    Json value = raw, index_entry = Json::object();
    if (cols.size() > 1) {
      value = report_as_list() ? Json::array() : Json::object();
      for (size_t c = 0; c < cols.size(); ++c) {
        Json v = raw.value("c" + std::to_string(c), Json());
        if (report_as_list())
          value.push_back(v);
        else
          value[cols[c]] = v;
        index_entry[cols[c]] = v;
      }
    } else {
      index_entry[cols[0]] = value;
    }
    if (i < rows.size()) index_entry["pk_index"] = rows[i];
    if (static_cast<int>(i) < args.partial_unexpected_count) {
      partial.push_back(value);
      partial_index.push_back(index_entry);
    }
    all_values.push_back(value);
    all_index.push_back(std::move(index_entry));
  }
  r["partial_unexpected_list"] = partial;
  if (reports_missing()) {
    r["missing_count"] = missing;
    r["missing_percent"] = Percent(missing, total);
    r["unexpected_percent_total"] = Percent(unexpected, total);
    r["unexpected_percent_nonmissing"] =
        considered == 0 ? Json(nullptr) : Json(Percent(unexpected, considered));
  } else {
    r["unexpected_percent_total"] = Percent(unexpected, total);
  }
  bool hashable = true;
  for (const Json& v : all_values) hashable = hashable && !v.is_object();
  if ((args.result_format == ResultFormat::kSummary ||
       args.result_format == ResultFormat::kComplete) &&
      !hashable) {
    r["details"] = {{"partial_unexpected_counts_error",
                     "partial_unexpected_counts requested, but requires a hashable type"}};
  } else if (args.result_format == ResultFormat::kSummary ||
             args.result_format == ResultFormat::kComplete) {
    // Counts of the distinct values among the sampled unexpected ones (GE, too, counts
    // the unexpected values it fetched, at most partial_unexpected_count of them).
    // Keyed by the value's JSON text: one hash lookup a value, so COMPLETE stays linear in
    // the unexpected rows (a search of the distinct values so far made it quadratic).
    std::vector<std::pair<Json, int64_t>> counts;
    std::unordered_map<std::string, size_t> slot_of;
    slot_of.reserve(all_values.size());
    for (const Json& v : all_values) {
      auto [it, added] = slot_of.try_emplace(v.dump(), counts.size());
      if (added)
        counts.push_back({v, 1});
      else
        ++counts[it->second].second;
    }
    // As GE: most frequent first, ties by value.
    auto value_less = [](const Json& a, const Json& b) {
      if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
      return (a.is_string() ? a.get<std::string>() : a.dump()) <
             (b.is_string() ? b.get<std::string>() : b.dump());
    };
    // Only the first partial_unexpected_count are listed: a partial sort keeps this
    // O(n log k) for the many distinct values COMPLETE can hold.
    const size_t listed =
        std::min(counts.size(), static_cast<size_t>(std::max(args.partial_unexpected_count, 0)));
    std::partial_sort(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(listed),
                      counts.end(), [&](const auto& a, const auto& b) {
                        return a.second != b.second ? a.second > b.second
                                                    : value_less(a.first, b.first);
                      });
    Json pc = Json::array();
    for (size_t i = 0; i < counts.size() && static_cast<int>(i) < args.partial_unexpected_count;
         ++i) {
      pc.push_back({{"value", counts[i].first}, {"count", counts[i].second}});
    }
    r["partial_unexpected_counts"] = pc;
  }
  if (args.result_format == ResultFormat::kSummary ||
      args.result_format == ResultFormat::kComplete) {
    r["partial_unexpected_index_list"] = partial_index;
    // SUMMARY lists what it sampled; COMPLETE lists every unexpected row.
    r["unexpected_list"] = all_values;
    r["unexpected_index_list"] = all_index;
  }
  out["result"] = r;
  return out;
}

// ---------------------------------------------------------------------------------------
// ColumnMapExpectation, MultiColumnExpectation

Status ReadMostly(const Json& kwargs, double* mostly) {
  std::optional<double> value;
  STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "mostly", &value));
  if (!value) return Status::OK();
  if (*value < 0 || *value > 1) {
    return Status::InvalidArgument(
        "kwarg 'mostly' must be a number greater than or equal to 0 and less than or equal to 1");
  }
  *mostly = *value;
  return Status::OK();
}

Status ColumnMapExpectation::Configure(const Json& kwargs) {
  STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
  STRATA_RETURN_NOT_OK(ReadMostly(kwargs, &mostly_));
  return ConfigureKind(kwargs);
}

Status ColumnMapExpectation::Bind(const DataInfo& data) {
  if (data.Find(column_) == nullptr) {
    std::string names;
    for (const auto& c : data.columns) names += (names.empty() ? "" : ", ") + Quote(c.name);
    return Status::NotFound("column " + Quote(column_) +
                            " is not in the data; the columns are: " + names);
  }
  data_ = &data;
  return BindKind(data);
}

Status MultiColumnExpectation::Configure(const Json& kwargs) {
  if (pair_) {
    std::string a, b;
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column_A", &a));
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column_B", &b));
    columns_ = {a, b};
  } else {
    Json list;
    STRATA_RETURN_NOT_OK(RequireList(kwargs, "column_list", &list));
    for (const Json& c : list) {
      if (!c.is_string())
        return Status::InvalidArgument("kwarg 'column_list' must hold column names");
      columns_.push_back(c.get<std::string>());
    }
  }
  ignore_row_if_ = default_ignore_;
  STRATA_RETURN_NOT_OK(OptionalString(kwargs, "ignore_row_if", &ignore_row_if_));
  static const std::vector<std::string> kIgnore = {"all_values_are_missing", "any_value_is_missing",
                                                   "both_values_are_missing",
                                                   "either_value_is_missing", "never"};
  if (std::find(kIgnore.begin(), kIgnore.end(), ignore_row_if_) == kIgnore.end()) {
    return Status::InvalidArgument(
        "kwarg 'ignore_row_if' must be one of all_values_are_missing, "
        "any_value_is_missing, both_values_are_missing, either_value_is_missing, never");
  }
  STRATA_RETURN_NOT_OK(ReadMostly(kwargs, &mostly_));
  return ConfigureKind(kwargs);
}

Status MultiColumnExpectation::Bind(const DataInfo& data) {
  for (const auto& c : columns_) {
    if (data.Find(c) == nullptr)
      return Status::NotFound("column " + Quote(c) + " is not in the data");
  }
  data_ = &data;
  return Status::OK();
}

std::string MultiColumnExpectation::ConsideredSql() const {
  std::string all_missing, any_missing;
  for (const auto& c : columns_) {
    all_missing += (all_missing.empty() ? "" : " AND ") + Quote(c) + " IS NULL";
    any_missing += (any_missing.empty() ? "" : " OR ") + Quote(c) + " IS NULL";
  }
  if (ignore_row_if_ == "never") return "TRUE";
  if (ignore_row_if_ == "any_value_is_missing" || ignore_row_if_ == "either_value_is_missing") {
    return "NOT (" + any_missing + ")";
  }
  return "NOT (" + all_missing + ")";
}

// ---------------------------------------------------------------------------------------
// ColumnAggregateExpectation

Status ColumnAggregateExpectation::Configure(const Json& kwargs) {
  STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
  STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "min_value", &min_));
  STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "max_value", &max_));
  STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_min", &strict_min_));
  STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_max", &strict_max_));
  if (needs_a_bound() && min_.is_null() && max_.is_null()) {
    return Status::InvalidArgument("min_value and max_value cannot both be None");
  }
  if (min_.is_number() && max_.is_number() && min_.get<double>() > max_.get<double>()) {
    return Status::InvalidArgument("min_value " + min_.dump() + " is greater than max_value " +
                                   max_.dump());
  }
  return Status::OK();
}

Status ColumnAggregateExpectation::Bind(const DataInfo& data) {
  if (data.Find(column_) == nullptr) {
    return Status::NotFound("column " + Quote(column_) + " is not in the data");
  }
  if (needs_numeric() && (min_.is_string() || max_.is_string())) {
    return Status::TypeError("bounds of " + type_ + " must be numbers, got " +
                             (min_.is_string() ? min_ : max_).dump() +
                             " (invalid datetime format)");
  }
  if (needs_numeric() && !data.IsNumeric(column_) && data.Find(column_)->sql_type != "BOOLEAN") {
    return Status::TypeError("column " + Quote(column_) + " is " + data.Find(column_)->sql_type +
                             ", not numeric, so " + type_ + " cannot apply");
  }
  data_ = &data;
  return Status::OK();
}

void ColumnAggregateExpectation::Plan(ScanPlan* plan) {
  slot_ = plan->Aggregate(AggregateSql());
  count_slot_ = plan->Aggregate("count(*)" + Filter());
  nonnull_slot_ = plan->Aggregate("count(" + Quote(column_) + ")" + Filter());
}

bool ColumnAggregateExpectation::WithinBounds(const Json& v, const Json& min, const Json& max,
                                              bool strict_min, bool strict_max) {
  if (v.is_null()) return false;
  // Non-finite doubles come as "NaN", "Infinity", "-Infinity" (see ParseSqlJson).
  auto number = [](const Json& a) -> std::optional<double> {
    if (a.is_number()) return a.get<double>();
    if (a == "NaN") return std::nan("");
    if (a == "Infinity") return HUGE_VAL;
    if (a == "-Infinity") return -HUGE_VAL;
    return std::nullopt;
  };
  if (auto x = number(v); x && std::isnan(*x)) return false;  // NaN is within no bounds
  auto cmp = [&](const Json& a, const Json& b) -> int {       // sign(a - b)
    if (number(a) && b.is_number()) {
      double x = *number(a), y = b.get<double>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    std::string x = a.is_string() ? a.get<std::string>() : a.dump();
    std::string y = b.is_string() ? b.get<std::string>() : b.dump();
    // Timestamps compare as text once both separate date and time alike ("2001-01-01
    // 12:00:01", as DuckDB writes them, and ISO 8601's "2001-01-01T12:00:01").
    for (std::string* t : {&x, &y}) {
      if (t->size() > 10 && (*t)[4] == '-' && (*t)[7] == '-' && (*t)[10] == 'T') (*t)[10] = ' ';
    }
    return x < y ? -1 : (x > y ? 1 : 0);
  };
  if (!min.is_null()) {
    int c = cmp(v, min);
    if (strict_min ? c <= 0 : c < 0) return false;
  }
  if (!max.is_null()) {
    int c = cmp(v, max);
    if (strict_max ? c >= 0 : c > 0) return false;
  }
  return true;
}

Json ColumnAggregateExpectation::Evaluate(const ScanValues& values) {
  Json observed = values.Get(slot_);
  Json r = {{"observed_value", observed}};
  if (args.result_format == ResultFormat::kSummary ||
      args.result_format == ResultFormat::kComplete) {
    int64_t n = values.Int(count_slot_), missing = n - values.Int(nonnull_slot_);
    r["element_count"] = n;
    r["missing_count"] = missing;
    r["missing_percent"] = Percent(missing, n);
  }
  return {{"success", WithinBounds(observed, min_, max_, strict_min_, strict_max_)}, {"result", r}};
}

}  // namespace strata::quality::detail
