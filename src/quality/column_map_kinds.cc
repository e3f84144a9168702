// Column map expectations: each non-null value is expected or not.
#include "quality/families.h"

namespace strata::quality::detail {
namespace {

class NotBeNull final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  std::string ConsideredSql() const override { return "TRUE"; }
  std::string UnexpectedSql() const override { return Col() + " IS NULL"; }
  bool reports_missing() const override { return false; }
  bool unexpected_are_null() const override { return true; }
};

class BeNull final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  std::string ConsideredSql() const override { return "TRUE"; }
  std::string UnexpectedSql() const override { return Col() + " IS NOT NULL"; }
  bool reports_missing() const override { return false; }
};

// A value compared with a bound: numbers numerically (strings that are not numbers then
// count as unexpected), anything else in the column's own type.
std::string Compare(const DataInfo* data, const std::string& column, const std::string& op,
                    const Json& bound) {
  std::string c = Quote(column);
  if (bound.is_number() && data != nullptr && !data->IsNumeric(column))
    c = "TRY_CAST(" + c + " AS DOUBLE)";
  return c + " " + op + " " + SqlLiteral(bound);
}

class Between final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "min_value", &min_));
    STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "max_value", &max_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_min", &strict_min_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_max", &strict_max_));
    if (min_.is_null() && max_.is_null())
      return Status::InvalidArgument("min_value and max_value cannot both be null");
    if (min_.is_number() && max_.is_number() && min_.get<double>() > max_.get<double>()) {
      return Status::InvalidArgument("min_value " + min_.dump() + " is greater than max_value " +
                                     max_.dump());
    }
    return Status::OK();
  }
  Status BindKind(const DataInfo& data) override {
    if (as_datetimes_) return Status::OK();
    // GE refuses to compare text with numbers (and numbers with text).
    bool numeric = data.IsNumeric(column_);
    for (const Json* b : {&min_, &max_}) {
      if ((b->is_number() && !numeric) || (b->is_string() && numeric)) {
        return Status::TypeError(
            "TypeError: Column values, min_value, and max_value must either be None or of the "
            "same type (column " +
            Col() + " is " + data.Find(column_)->sql_type + ", bound " + b->dump() + ")");
      }
    }
    return Status::OK();
  }
  std::string UnexpectedSql() const override {
    std::string ok;
    if (!min_.is_null()) ok = Compare(data_, column_, strict_min_ ? ">" : ">=", min_);
    if (!max_.is_null())
      ok += (ok.empty() ? "" : " AND ") + Compare(data_, column_, strict_max_ ? "<" : "<=", max_);
    return "NOT coalesce((" + ok + "), FALSE)";
  }

 private:
  Json min_, max_;
  bool strict_min_ = false, strict_max_ = false;
  bool as_datetimes_ = false;
};

// value IN set, typed as the column: numbers against numeric columns, text otherwise.
std::string InSetSql(const DataInfo* data, const std::string& column, const Json& set) {
  if (set.empty()) return "FALSE";
  bool numeric_set = true, bool_set = true;
  for (const Json& v : set) {
    numeric_set = numeric_set && v.is_number();
    bool_set = bool_set && v.is_boolean();
  }
  std::string c = Quote(column), list;
  if ((numeric_set && data->IsNumeric(column)) || bool_set) {
    for (const Json& v : set) list += (list.empty() ? "" : ", ") + SqlLiteral(v);
    return c + " IN (" + list + ")";
  }
  if (numeric_set && data->IsString(column)) {
    for (const Json& v : set) list += (list.empty() ? "" : ", ") + SqlLiteral(v);
    return "TRY_CAST(" + c + " AS DOUBLE) IN (" + list + ")";
  }
  for (const Json& v : set) {
    if (v.is_null()) continue;
    list += (list.empty() ? "" : ", ") +
            engine::QuoteString(v.is_string() ? v.get<std::string>() : v.dump());
  }
  if (data->IsTemporal(column) || data->IsNumeric(column))
    return c + " IN (" + (list.empty() ? "NULL" : list) + ")";
  return "CAST(" + c + " AS VARCHAR) IN (" + (list.empty() ? "NULL" : list) + ")";
}

class InSet final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    return RequireList(kwargs, "value_set", &set_);
  }
  std::string UnexpectedSql() const override {
    return "NOT coalesce((" + InSetSql(data_, column_, set_) + "), FALSE)";
  }

 private:
  Json set_;
};

class NotInSet final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    return RequireList(kwargs, "value_set", &set_);
  }
  std::string UnexpectedSql() const override { return InSetSql(data_, column_, set_); }

 private:
  Json set_;
};

class Unique final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  // One strata_duplicates aggregate gives the count, the sample and (SUMMARY) its row
  // indexes. COMPLETE lists every unexpected row, and quarantine needs each row's own
  // verdict: those take a window over the column.
  void Plan(ScanPlan* plan) override {
    const ResultFormat f = args.result_format;
    native_ = !args.row_verdicts && data_->HasNativeType(column_) && f != ResultFormat::kComplete;
    if (!native_) return RowExpectation::Plan(plan);
    total_slot_ = plan->Aggregate(TotalCountSql());
    considered_slot_ = plan->Aggregate(ConsideredCountSql());
    const int n = f == ResultFormat::kBooleanOnly ? 0 : std::max(args.partial_unexpected_count, 0);
    std::string rows;
    if (f == ResultFormat::kSummary) {
      plan->RequireRowIndex();
      rows = ", __strata_row";
    }
    // Rows outside row_condition go in as NULL, which the aggregate skips (cheaper than
    // a FILTER clause, as for the samples).
    const std::string value =
        Scope() == "TRUE" ? Col() : "CASE WHEN " + Scope() + " THEN " + Col() + " END";
    duplicates_slot_ = plan->Aggregate("to_json(strata_duplicates(" + value + ", " +
                                       std::to_string(n) + rows + "))");
  }
  Observed Unexpected(const ScanValues& values) override {
    if (!native_) return RowExpectation::Unexpected(values);
    Json d = ParseSqlJson(values.Get(duplicates_slot_).get<std::string>());
    return {d["unexpected"].get<int64_t>(), d["sample"], d.value("rows", Json::array())};
  }
  void PlanExtra(ScanPlan* plan) override {
    count_ = plan->RowColumn("count(" + Col() + ") OVER (PARTITION BY " + Col() + ")");
  }
  std::string UnexpectedSql() const override { return count_ + " > 1"; }

 private:
  std::string count_ = "1";
  bool native_ = false;
  int duplicates_slot_ = -1;
};

std::string AsText(const std::string& col) { return "CAST(" + col + " AS VARCHAR)"; }

// Whether `text` matches `regex` anywhere (Python's re.search, as GE). A pattern anchored at
// both ends with no alternation can only match the whole value, and DuckDB's
// regexp_full_match decides that faster than regexp_matches' search: the 25-expectation
// benchmark's query on Parquet took 1.39 x as long with the search (farm-bench, 7 pairs).
std::string RegexSql(const std::string& text, const std::string& regex) {
  bool anchored = regex.size() >= 2 && regex.front() == '^' && regex.back() == '$' &&
                  regex.find('|') == std::string::npos;
  // "\\$" ends in a literal dollar sign, "\\\\$" in a backslash and the anchor.
  size_t escapes = 0;
  for (size_t i = regex.size() - 1; anchored && i > 0 && regex[i - 1] == '\\'; --i) ++escapes;
  anchored = anchored && escapes % 2 == 0;
  return std::string(anchored ? "regexp_full_match(" : "regexp_matches(") + text + ", " +
         engine::QuoteString(regex) + ")";
}

class MatchRegex final : public ColumnMapExpectation {
 public:
  MatchRegex(std::string type, bool negate)
      : ColumnMapExpectation(std::move(type)), negate_(negate) {}
  Status ConfigureKind(const Json& kwargs) override {
    return RequireString(kwargs, "regex", &regex_);
  }
  std::string UnexpectedSql() const override {
    std::string m = RegexSql(AsText(Col()), regex_);
    return negate_ ? m : "NOT " + m;
  }

 private:
  bool negate_;
  std::string regex_;
};

class MatchRegexList final : public ColumnMapExpectation {
 public:
  MatchRegexList(std::string type, bool negate)
      : ColumnMapExpectation(std::move(type)), negate_(negate) {}
  Status ConfigureKind(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireList(kwargs, "regex_list", &list_));
    if (list_.empty()) return Status::InvalidArgument("kwarg 'regex_list' must not be empty");
    for (const Json& r : list_) {
      if (!r.is_string()) return Status::InvalidArgument("kwarg 'regex_list' must hold strings");
    }
    STRATA_RETURN_NOT_OK(OptionalString(kwargs, "match_on", &match_on_));
    if (match_on_ != "any" && match_on_ != "all")
      return Status::InvalidArgument("kwarg 'match_on' must be any or all");
    return Status::OK();
  }
  std::string UnexpectedSql() const override {
    std::string joined;
    for (const Json& r : list_) {
      joined += std::string(joined.empty() ? "" : (match_on_ == "all" ? " AND " : " OR ")) +
                RegexSql(AsText(Col()), r.get<std::string>());
    }
    // not_match_regex_list: unexpected when any regex matches.
    if (negate_) return "(" + joined + ")";
    return "NOT (" + joined + ")";
  }

 private:
  bool negate_;
  Json list_;
  std::string match_on_ = "any";
};

class MatchLike final : public ColumnMapExpectation {
 public:
  MatchLike(std::string type, bool negate)
      : ColumnMapExpectation(std::move(type)), negate_(negate) {}
  Status ConfigureKind(const Json& kwargs) override {
    return RequireString(kwargs, "like_pattern", &pattern_);
  }
  std::string UnexpectedSql() const override {
    std::string m = AsText(Col()) + " LIKE " + engine::QuoteString(pattern_);
    return negate_ ? m : "NOT (" + m + ")";
  }

 private:
  bool negate_;
  std::string pattern_;
};

class MatchLikeList final : public ColumnMapExpectation {
 public:
  MatchLikeList(std::string type, bool negate)
      : ColumnMapExpectation(std::move(type)), negate_(negate) {}
  Status ConfigureKind(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireList(kwargs, "like_pattern_list", &list_));
    if (list_.empty())
      return Status::InvalidArgument("kwarg 'like_pattern_list' must not be empty");
    return OptionalString(kwargs, "match_on", &match_on_);
  }
  std::string UnexpectedSql() const override {
    std::string joined;
    for (const Json& p : list_) {
      joined += std::string(joined.empty() ? "" : (match_on_ == "all" ? " AND " : " OR ")) +
                AsText(Col()) + " LIKE " +
                engine::QuoteString(p.is_string() ? p.get<std::string>() : p.dump());
    }
    return negate_ ? "(" + joined + ")" : "NOT (" + joined + ")";
  }

 private:
  bool negate_;
  Json list_;
  std::string match_on_ = "any";
};

class Monotonic final : public ColumnMapExpectation {
 public:
  Monotonic(std::string type, bool increasing)
      : ColumnMapExpectation(std::move(type)), increasing_(increasing) {}
  Status ConfigureKind(const Json& kwargs) override {
    return OptionalBool(kwargs, "strictly", &strictly_);
  }
  void PlanExtra(ScanPlan* plan) override {
    prev_ = plan->RowColumn("lag(" + Col() + " IGNORE NULLS) OVER (ORDER BY __strata_row)",
                            /*needs_row_order=*/true);
  }
  std::string UnexpectedSql() const override {
    std::string op = increasing_ ? (strictly_ ? "<=" : "<") : (strictly_ ? ">=" : ">");
    return prev_ + " IS NOT NULL AND " + Col() + " " + op + " " + prev_;
  }

 private:
  bool increasing_;
  bool strictly_ = false;
  std::string prev_ = "NULL";
};

class StrftimeFormat final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    return RequireString(kwargs, "strftime_format", &format_);
  }
  Status BindKind(const DataInfo& data) override {
    if (!data.IsString(column_)) {
      return Status::TypeError(
          "Values passed to expect_column_values_to_match_strftime_format must be of type "
          "string; column " +
          Col() + " is " + data.Find(column_)->sql_type);
    }
    return Status::OK();
  }
  std::string UnexpectedSql() const override {
    // The whole value must parse, and print back the same (strptime alone accepts
    // "2020-1-1" for %Y-%m-%d).
    return "try_strptime(" + AsText(Col()) + ", " + engine::QuoteString(format_) + ") IS NULL";
  }

 private:
  std::string format_;
};

class JsonParseable final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  std::string UnexpectedSql() const override { return "NOT json_valid(" + AsText(Col()) + ")"; }
};

class LengthsBetween final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "min_value", &min_));
    STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "max_value", &max_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_min", &strict_min_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_max", &strict_max_));
    if (!min_ && !max_)
      return Status::InvalidArgument("min_value and max_value cannot both be null");
    if ((min_ && *min_ != static_cast<int64_t>(*min_)) ||
        (max_ && *max_ != static_cast<int64_t>(*max_))) {
      return Status::InvalidArgument("min_value and max_value must be integers");
    }
    return Status::OK();
  }
  Status BindKind(const DataInfo& data) override {
    if (!data.IsString(column_)) {
      return Status::TypeError("column " + Col() + " is " + data.Find(column_)->sql_type +
                               ": value lengths need text (object of type 'int' has no len())");
    }
    return Status::OK();
  }
  std::string UnexpectedSql() const override {
    std::string len = "length(" + AsText(Col()) + ")", ok;
    if (min_)
      ok = len + (strict_min_ ? " > " : " >= ") + std::to_string(static_cast<int64_t>(*min_));
    if (max_)
      ok += (ok.empty() ? "" : " AND ") + len + (strict_max_ ? " < " : " <= ") +
            std::to_string(static_cast<int64_t>(*max_));
    return "NOT (" + ok + ")";
  }

 private:
  std::optional<double> min_, max_;
  bool strict_min_ = false, strict_max_ = false;
};

class LengthsEqual final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    return RequireNumber(kwargs, "value", &value_);
  }
  std::string UnexpectedSql() const override {
    return "length(" + AsText(Col()) + ") <> " + std::to_string(static_cast<int64_t>(value_));
  }

 private:
  double value_ = 0;
};

class ZScores final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireNumber(kwargs, "threshold", &threshold_));
    return OptionalBool(kwargs, "double_sided", &double_sided_);
  }
  Status BindKind(const DataInfo& data) override {
    if (!data.IsNumeric(column_)) return Status::TypeError("column " + Col() + " is not numeric");
    return Status::OK();
  }
  void PlanExtra(ScanPlan* plan) override {
    z_ = "((" + Col() + " - " + plan->RowColumn("avg(" + Col() + ") OVER ()") + ") / nullif(" +
         plan->RowColumn("stddev_samp(" + Col() + ") OVER ()") + ", 0))";
  }
  std::string UnexpectedSql() const override {
    return (double_sided_ ? "abs(" + z_ + ")" : z_) + " >= " + SqlLiteral(Json(threshold_));
  }

 private:
  double threshold_ = 0;
  bool double_sided_ = true;
  std::string z_ = "0";
};

}  // namespace

void RegisterColumnMapKinds(Registry* registry) {
  registry->Add<NotBeNull>("expect_column_values_to_not_be_null");
  registry->Add<BeNull>("expect_column_values_to_be_null");
  registry->Add<Between>("expect_column_values_to_be_between",
                         {"column", "min_value", "max_value"});
  registry->Add<InSet>("expect_column_values_to_be_in_set", {"column", "value_set"});
  registry->Add<NotInSet>("expect_column_values_to_not_be_in_set", {"column", "value_set"});
  registry->Add<Unique>("expect_column_values_to_be_unique");
  registry->Add<MatchRegex>("expect_column_values_to_match_regex", {"column", "regex"},
                            /*negate=*/false);
  registry->Add<MatchRegex>("expect_column_values_to_not_match_regex", {"column", "regex"},
                            /*negate=*/true);
  registry->Add<MatchRegexList>("expect_column_values_to_match_regex_list",
                                {"column", "regex_list"}, /*negate=*/false);
  registry->Add<MatchRegexList>("expect_column_values_to_not_match_regex_list",
                                {"column", "regex_list"}, /*negate=*/true);
  registry->Add<MatchLike>("expect_column_values_to_match_like_pattern", {"column", "like_pattern"},
                           /*negate=*/false);
  registry->Add<MatchLike>("expect_column_values_to_not_match_like_pattern",
                           {"column", "like_pattern"}, /*negate=*/true);
  registry->Add<MatchLikeList>("expect_column_values_to_match_like_pattern_list",
                               {"column", "like_pattern_list"}, /*negate=*/false);
  registry->Add<MatchLikeList>("expect_column_values_to_not_match_like_pattern_list",
                               {"column", "like_pattern_list"}, /*negate=*/true);
  registry->Add<Monotonic>("expect_column_values_to_be_increasing", {"column"},
                           /*increasing=*/true);
  registry->Add<Monotonic>("expect_column_values_to_be_decreasing", {"column"},
                           /*increasing=*/false);
  registry->Add<StrftimeFormat>("expect_column_values_to_match_strftime_format",
                                {"column", "strftime_format"});
  registry->Add<JsonParseable>("expect_column_values_to_be_json_parseable");
  registry->Add<LengthsBetween>("expect_column_value_lengths_to_be_between",
                                {"column", "min_value", "max_value"});
  registry->Add<LengthsEqual>("expect_column_value_lengths_to_equal", {"column", "value"});
  registry->Add<ZScores>("expect_column_value_z_scores_to_be_less_than", {"column", "threshold"});
}

}  // namespace strata::quality::detail
