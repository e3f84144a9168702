// The three families most expectations belong to. A kind derives from one and says
// only what is particular to it.
#pragma once

#include "quality/expectation.h"

namespace strata::quality::detail {

// Row-level expectations: each row is expected or not. Counting, `mostly`, the result
// formats, unexpected samples and quarantine are shared.
class RowExpectation : public ExpectationKind {
 public:
  explicit RowExpectation(std::string type) : type_(std::move(type)) {}

  // Counts, and the unexpected values (and row indexes) the result format asks for,
  // all as aggregates of the one scan.
  void Plan(ScanPlan* plan) override;
  Json Evaluate(const ScanValues& values) override;
  std::string RowFailureSql() const override { return Where(); }

 protected:
  // The rows looked at at all (row_condition), and among them the ones considered
  // (not missing) and the unexpected ones, as SQL conditions.
  std::string Scope() const {
    return args.row_condition.empty() ? "TRUE" : "(" + args.row_condition + ")";
  }
  virtual std::string ConsideredSql() const = 0;
  virtual std::string UnexpectedSql() const = 0;  // evaluated only on considered rows
  // Columns whose values are reported for unexpected rows.
  virtual std::vector<std::string> ReportColumns() const = 0;
  // Several columns are reported as an object per row, or (pairs) as a list.
  virtual bool report_as_list() const { return false; }
  // Every unexpected value is null (not_be_null): no need to sample them.
  virtual bool unexpected_are_null() const { return false; }
  // Whether missing values are counted apart (most column map kinds) or are the point
  // (not_be_null, be_null).
  virtual bool reports_missing() const { return true; }
  virtual void PlanExtra(ScanPlan* plan) {}
  // The unexpected count, the sampled unexpected values and their row indexes (JSON
  // lists; no indexes unless the format lists them).
  struct Observed {
    int64_t unexpected = 0;
    Json values, rows;
  };
  virtual Observed Unexpected(const ScanValues& values);
  static Json ParseList(const ScanValues& values, int slot);
  // NULL where the test is NULL: every reader (count_if, CASE WHEN, FILTER) takes
  // NULL as false.
  std::string Where() const {
    return And({Scope(), "(" + ConsideredSql() + ")", "(" + UnexpectedSql() + ")"});
  }
  // The counts of rows looked at and of rows considered, as aggregates.
  std::string TotalCountSql() const { return CountWhere(Scope()); }
  virtual std::string ConsideredCountSql() const {
    return CountWhere(And({Scope(), "(" + ConsideredSql() + ")"}));
  }
  // "a AND b", leaving out the conditions that are just TRUE.
  static std::string And(const std::vector<std::string>& conditions);
  // The number of rows where `condition` holds; plain count(*) for TRUE.
  static std::string CountWhere(const std::string& condition) {
    return condition == "TRUE" ? "count(*)" : "count_if(" + condition + ")";
  }

  std::string type_;
  double mostly_ = 1.0;
  int total_slot_ = -1, considered_slot_ = -1, unexpected_slot_ = -1;
  int values_slot_ = -1, rows_slot_ = -1;
  const DataInfo* data_ = nullptr;  // set by Bind
};

// A column map expectation: column, mostly; nulls are skipped.
class ColumnMapExpectation : public RowExpectation {
 public:
  using RowExpectation::RowExpectation;
  Status Configure(const Json& kwargs) final;
  Status Bind(const DataInfo& data) final;
  std::string column() const override { return column_; }

 protected:
  virtual Status ConfigureKind(const Json& kwargs) { return Status::OK(); }
  virtual Status BindKind(const DataInfo& data) { return Status::OK(); }
  std::string ConsideredSql() const override { return Col() + " IS NOT NULL"; }
  std::string ConsideredCountSql() const override {
    // The non-null values, unless the kind is about missing values (the null checks
    // consider every row).
    bool non_null = args.row_condition.empty() && reports_missing();
    return non_null ? "count(" + Col() + ")" : RowExpectation::ConsideredCountSql();
  }
  std::vector<std::string> ReportColumns() const override { return {column_}; }
  std::string Col() const { return Quote(column_); }

  std::string column_;
};

// A multi-column row expectation (column_A/column_B or column_list) with GE's
// ignore_row_if.
class MultiColumnExpectation : public RowExpectation {
 public:
  using RowExpectation::RowExpectation;
  Status Configure(const Json& kwargs) final;
  Status Bind(const DataInfo& data) final;

 protected:
  virtual Status ConfigureKind(const Json& kwargs) { return Status::OK(); }
  // "column_A"/"column_B" kinds set pair_ and read them; list kinds read column_list.
  bool pair_ = false;
  std::string default_ignore_ = "all_values_are_missing";
  bool report_as_list() const override { return pair_; }
  std::string ConsideredSql() const override;
  std::vector<std::string> ReportColumns() const override { return columns_; }

  std::vector<std::string> columns_;
  std::string ignore_row_if_;
};

// A column aggregate with min_value/max_value/strict_min/strict_max bounds on one
// observed value.
class ColumnAggregateExpectation : public ExpectationKind {
 public:
  explicit ColumnAggregateExpectation(std::string type) : type_(std::move(type)) {}
  Status Configure(const Json& kwargs) override;
  Status Bind(const DataInfo& data) override;
  void Plan(ScanPlan* plan) override;
  Json Evaluate(const ScanValues& values) override;
  std::string column() const override { return column_; }

 protected:
  // The aggregate over the column's values (nulls skipped), in SQL.
  virtual std::string AggregateSql() const = 0;
  virtual bool needs_numeric() const { return true; }
  // Whether a bound is required (GE: "min_value and max_value cannot both be None").
  virtual bool needs_a_bound() const { return false; }
  // The column; booleans count as 0 and 1 in numeric aggregates, as in GE.
  std::string Col() const {
    bool is_bool = data_ != nullptr && data_->Find(column_) != nullptr &&
                   data_->Find(column_)->sql_type == "BOOLEAN";
    return is_bool && needs_numeric() ? "CAST(" + Quote(column_) + " AS INTEGER)" : Quote(column_);
  }
  std::string Filter() const {
    return args.row_condition.empty() ? "" : " FILTER (WHERE " + args.row_condition + ")";
  }
  static bool WithinBounds(const Json& observed, const Json& min, const Json& max, bool strict_min,
                           bool strict_max);

  std::string type_;
  std::string column_;
  Json min_, max_;
  bool strict_min_ = false, strict_max_ = false;
  int slot_ = -1, count_slot_ = -1, nonnull_slot_ = -1;
  const DataInfo* data_ = nullptr;
};

}  // namespace strata::quality::detail
