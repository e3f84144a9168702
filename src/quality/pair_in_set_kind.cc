// expect_column_pair_values_to_be_in_set: each row's (column_A, column_B) is one of the
// given pairs. As in GE, a pair with one missing value is unexpected unless ignore_row_if
// says to skip it (by default only rows missing both are skipped).
#include "quality/families.h"

namespace strata::quality::detail {
namespace {

class PairInSet final : public MultiColumnExpectation {
 public:
  explicit PairInSet(std::string type) : MultiColumnExpectation(std::move(type)) {
    pair_ = true;
    default_ignore_ = "both_values_are_missing";
  }
  Status ConfigureKind(const Json& kwargs) override {
    Json pairs;
    STRATA_RETURN_NOT_OK(RequireList(kwargs, "value_pairs_set", &pairs));
    for (const Json& p : pairs) {
      if (!p.is_array() || p.size() != 2 || p[0].is_array() || p[0].is_object() ||
          p[1].is_array() || p[1].is_object()) {
        return Status::InvalidArgument(
            "kwarg 'value_pairs_set' must hold pairs of values such as [1, \"a\"], not " +
            p.dump());
      }
      pairs_.emplace_back(p[0], p[1]);
    }
    return Status::OK();
  }
  std::string UnexpectedSql() const override {
    std::string any;
    for (const auto& [a, b] : pairs_) {
      any += (any.empty() ? "" : " OR ") + std::string("(") + Side(columns_[0], a) + " AND " +
             Side(columns_[1], b) + ")";
    }
    return any.empty() ? "TRUE" : "NOT coalesce(" + any + ", FALSE)";
  }

 private:
  static std::string Side(const std::string& column, const Json& v) {
    return v.is_null() ? Quote(column) + " IS NULL" : Quote(column) + " = " + SqlLiteral(v);
  }
  std::vector<std::pair<Json, Json>> pairs_;
};

}  // namespace

void RegisterPairInSetKind(Registry* registry) {
  registry->Add<PairInSet>("expect_column_pair_values_to_be_in_set",
                           {"column_A", "column_B", "value_pairs_set"});
}

}  // namespace strata::quality::detail
