// Expectations over several columns of each row.
#include "quality/families.h"

namespace strata::quality::detail {
namespace {

class CompoundUnique final : public MultiColumnExpectation {
 public:
  explicit CompoundUnique(std::string type) : MultiColumnExpectation(std::move(type)) {}
  void PlanExtra(ScanPlan* plan) override {
    std::string cols;
    for (const auto& c : columns_) cols += (cols.empty() ? "" : ", ") + Quote(c);
    count_ = plan->RowColumn("count(*) OVER (PARTITION BY " + cols + ")");
  }
  std::string UnexpectedSql() const override { return count_ + " > 1"; }

 private:
  std::string count_ = "1";
};

class PairGreater final : public MultiColumnExpectation {
 public:
  explicit PairGreater(std::string type) : MultiColumnExpectation(std::move(type)) {
    pair_ = true;
    default_ignore_ = "both_values_are_missing";
  }
  Status ConfigureKind(const Json& kwargs) override {
    return OptionalBool(kwargs, "or_equal", &or_equal_);
  }
  std::string UnexpectedSql() const override {
    return "NOT coalesce(" + Quote(columns_[0]) + (or_equal_ ? " >= " : " > ") +
           Quote(columns_[1]) + ", FALSE)";
  }

 private:
  bool or_equal_ = false;
};

class PairEqual final : public MultiColumnExpectation {
 public:
  explicit PairEqual(std::string type) : MultiColumnExpectation(std::move(type)) {
    pair_ = true;
    default_ignore_ = "both_values_are_missing";
  }
  std::string UnexpectedSql() const override {
    return Quote(columns_[0]) + " IS DISTINCT FROM " + Quote(columns_[1]);
  }
};

class MulticolumnSum final : public MultiColumnExpectation {
 public:
  explicit MulticolumnSum(std::string type) : MultiColumnExpectation(std::move(type)) {}
  Status ConfigureKind(const Json& kwargs) override {
    return RequireNumber(kwargs, "sum_total", &total_);
  }
  std::string UnexpectedSql() const override {
    std::string sum;
    for (const auto& c : columns_)
      sum += (sum.empty() ? "" : " + ") + std::string("coalesce(") + Quote(c) + ", 0)";
    return "(" + sum + ") <> " + SqlLiteral(Json(total_));
  }

 private:
  double total_ = 0;
};

class UniqueWithinRecord final : public MultiColumnExpectation {
 public:
  explicit UniqueWithinRecord(std::string type) : MultiColumnExpectation(std::move(type)) {}
  std::string UnexpectedSql() const override {
    std::string any;
    for (size_t i = 0; i < columns_.size(); ++i) {
      for (size_t j = i + 1; j < columns_.size(); ++j) {
        any += (any.empty() ? "" : " OR ") + std::string("coalesce(") + Quote(columns_[i]) + " = " +
               Quote(columns_[j]) + ", FALSE)";
      }
    }
    return any.empty() ? "FALSE" : "(" + any + ")";
  }
};

}  // namespace

void RegisterMultiColumnKinds(Registry* registry) {
  registry->Add<CompoundUnique>("expect_compound_columns_to_be_unique", {"column_list"});
  registry->Add<PairGreater>("expect_column_pair_values_a_to_be_greater_than_b",
                             {"column_A", "column_B"});
  registry->Add<PairEqual>("expect_column_pair_values_to_be_equal", {"column_A", "column_B"});
  registry->Add<MulticolumnSum>("expect_multicolumn_sum_to_equal", {"column_list", "sum_total"});
  registry->Add<UniqueWithinRecord>("expect_select_column_values_to_be_unique_within_record",
                                    {"column_list"});
  // GE's earlier name for the same check (values unique within each record), still public.
  registry->Add<UniqueWithinRecord>("expect_multicolumn_values_to_be_unique", {"column_list"});
}

}  // namespace strata::quality::detail
