// expect_table_row_count_to_equal_other_table: the data has as many rows as another
// table (a lake table through ValidateOptions::table_sql, else a table or view of the
// session's database). Both counts are in the suite's one scan; observed_value is
// {"self": n, "other": m} as in GE.
#include "quality/families.h"

namespace strata::quality::detail {
namespace {

class RowCountEqualOtherTable final : public ExpectationKind {
 public:
  explicit RowCountEqualOtherTable(const std::string& /*type*/) {}
  Status Configure(const Json& kwargs) override {
    return RequireString(kwargs, "other_table_name", &other_);
  }
  Status Bind(const DataInfo& data) override {
    if (data.table_sql) {
      auto sql = data.table_sql(other_);
      if (!sql.ok()) return sql.status().WithContext("other_table_name '" + other_ + "'");
      other_sql_ = "(" + *sql + ")";
    } else {
      other_sql_ = Quote(other_);
    }
    if (data.conn != nullptr) {
      // A missing table fails this expectation alone, with the name.
      Status st = data.conn->Prepare("SELECT count(*) FROM " + other_sql_ + " AS _o").status();
      if (!st.ok()) return st.WithContext("other_table_name '" + other_ + "'");
    }
    return Status::OK();
  }
  void Plan(ScanPlan* plan) override {
    self_ = plan->Aggregate(args.row_condition.empty()
                                ? "count(*)"
                                : "count(*) FILTER (WHERE " + args.row_condition + ")");
    other_count_ = plan->Aggregate("(SELECT count(*) FROM " + other_sql_ + " AS _o)");
  }
  Json Evaluate(const ScanValues& values) override {
    const int64_t self = values.Int(self_), other = values.Int(other_count_);
    return {{"success", self == other},
            {"result", {{"observed_value", {{"self", self}, {"other", other}}}}}};
  }

 private:
  std::string other_, other_sql_;
  int self_ = 0, other_count_ = 0;
};

}  // namespace

void RegisterOtherTableKind(Registry* registry) {
  registry->Add<RowCountEqualOtherTable>("expect_table_row_count_to_equal_other_table",
                                         {"other_table_name"});
}

}  // namespace strata::quality::detail
