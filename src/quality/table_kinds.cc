// Table expectations (rows, columns) and column type expectations: they read the
// schema, or one count of the scan.
#include <algorithm>
#include <set>

#include "quality/families.h"

namespace strata::quality::detail {
namespace {

class RowCount final : public ExpectationKind {
 public:
  RowCount(const std::string& /*type*/, bool equal) : equal_(equal) {}
  Status Configure(const Json& kwargs) override {
    if (equal_) {
      double v;
      STRATA_RETURN_NOT_OK(RequireNumber(kwargs, "value", &v));
      min_ = max_ = Json(static_cast<int64_t>(v));
      return Status::OK();
    }
    STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "min_value", &min_));
    STRATA_RETURN_NOT_OK(OptionalBound(kwargs, "max_value", &max_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_min", &strict_min_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "strict_max", &strict_max_));
    if ((!min_.is_null() && !min_.is_number()) || (!max_.is_null() && !max_.is_number())) {
      return Status::InvalidArgument("min_value and max_value must be numbers");
    }
    if (min_.is_number() && max_.is_number() && min_.get<double>() > max_.get<double>()) {
      return Status::InvalidArgument("min_value is greater than max_value");
    }
    return Status::OK();
  }
  void Plan(ScanPlan* plan) override {
    slot_ = plan->Aggregate(args.row_condition.empty()
                                ? "count(*)"
                                : "count(*) FILTER (WHERE " + args.row_condition + ")");
  }
  Json Evaluate(const ScanValues& values) override {
    int64_t n = values.Int(slot_);
    bool ok = true;
    if (min_.is_number())
      ok = ok && (strict_min_ ? n > min_.get<double>() : n >= min_.get<double>());
    if (max_.is_number())
      ok = ok && (strict_max_ ? n < max_.get<double>() : n <= max_.get<double>());
    return {{"success", ok}, {"result", {{"observed_value", n}}}};
  }

 private:
  bool equal_;
  Json min_, max_;
  bool strict_min_ = false, strict_max_ = false;
  int slot_ = -1;
};

// Expectations answered from the schema alone.
class SchemaExpectation : public ExpectationKind {
 public:
  void Plan(ScanPlan*) override {}
  Status Bind(const DataInfo& data) override {
    data_ = &data;
    return Status::OK();
  }

 protected:
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& c : data_->columns) out.push_back(c.name);
    return out;
  }
  const DataInfo* data_ = nullptr;
};

class ColumnCount final : public SchemaExpectation {
 public:
  ColumnCount(const std::string& /*type*/, bool equal) : equal_(equal) {}
  Status Configure(const Json& kwargs) override {
    if (equal_) {
      double v;
      STRATA_RETURN_NOT_OK(RequireNumber(kwargs, "value", &v));
      min_ = max_ = v;
      return Status::OK();
    }
    STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "min_value", &min_));
    STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "max_value", &max_));
    // GE raises on such a configuration rather than failing the data.
    if (min_ && max_ && *min_ > *max_)
      return Status::InvalidArgument("min_value is greater than max_value");
    return Status::OK();
  }
  Json Evaluate(const ScanValues&) override {
    int64_t n = static_cast<int64_t>(data_->columns.size());
    bool ok = (!min_ || n >= *min_) && (!max_ || n <= *max_);
    return {{"success", ok}, {"result", {{"observed_value", n}}}};
  }

 private:
  bool equal_;
  std::optional<double> min_, max_;
};

class ColumnsOrdered final : public SchemaExpectation {
 public:
  explicit ColumnsOrdered(const std::string& /*type*/) {}
  Status Configure(const Json& kwargs) override {
    if (kwargs.contains("column_list") && kwargs["column_list"].is_null()) return Status::OK();
    return RequireList(kwargs, "column_list", &list_);
  }
  Json Evaluate(const ScanValues&) override {
    std::vector<std::string> names = Names();
    Json observed = names;
    if (list_.is_null()) return {{"success", true}, {"result", {{"observed_value", observed}}}};
    bool ok = list_.size() == names.size();
    Json mismatched = Json::array();
    for (size_t i = 0; i < std::max(list_.size(), names.size()); ++i) {
      Json expected = i < list_.size() ? list_[i] : Json(nullptr);
      Json found = i < names.size() ? Json(names[i]) : Json(nullptr);
      if (expected != found) {
        ok = false;
        mismatched.push_back(
            {{"Expected Column Position", i}, {"Expected", expected}, {"Found", found}});
      }
    }
    Json r = {{"observed_value", observed}};
    if (!ok) r["details"] = {{"mismatched", mismatched}};
    return {{"success", ok}, {"result", r}};
  }

 private:
  Json list_;
};

class ColumnsSet final : public SchemaExpectation {
 public:
  explicit ColumnsSet(const std::string& /*type*/) {}
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "exact_match", &exact_));
    // GE accepts a null set: nothing to match, the columns are reported.
    if (kwargs.contains("column_set") && kwargs["column_set"].is_null()) return Status::OK();
    return RequireList(kwargs, "column_set", &set_);
  }
  Json Evaluate(const ScanValues&) override {
    std::vector<std::string> names = Names();
    if (set_.is_null()) return {{"success", true}, {"result", {{"observed_value", names}}}};
    std::set<std::string> have(names.begin(), names.end()), want;
    for (const Json& c : set_) want.insert(c.is_string() ? c.get<std::string>() : c.dump());
    Json missing = Json::array(), unexpected = Json::array();
    for (const auto& w : want) {
      if (!have.count(w)) missing.push_back(w);
    }
    for (const auto& h : have) {
      if (!want.count(h)) unexpected.push_back(h);
    }
    bool ok = missing.empty() && (!exact_ || unexpected.empty());
    Json r = {{"observed_value", names},
              {"details", {{"mismatched", {{"unexpected", unexpected}, {"missing", missing}}}}}};
    return {{"success", ok}, {"result", r}};
  }

 private:
  Json set_;
  bool exact_ = true;
};

class ColumnExists final : public SchemaExpectation {
 public:
  explicit ColumnExists(const std::string& /*type*/) {}
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    std::optional<double> index;
    STRATA_RETURN_NOT_OK(OptionalNumber(kwargs, "column_index", &index));
    if (index) index_ = static_cast<int64_t>(*index);
    return Status::OK();
  }
  std::string column() const override { return column_; }
  Json Evaluate(const ScanValues&) override {
    std::vector<std::string> names = Names();
    auto it = std::find(names.begin(), names.end(), column_);
    bool ok = it != names.end() && (index_ < 0 || (it - names.begin()) == index_);
    return {{"success", ok}, {"result", Json::object()}};
  }

 private:
  std::string column_;
  int64_t index_ = -1;
};

// Type names: DuckDB's, plus the SQL spellings other backends' suites use.
std::set<std::string> TypeNames(const std::string& duck) {
  std::set<std::string> names = {duck};
  auto add = [&](std::initializer_list<const char*> list) {
    for (const char* n : list) names.insert(n);
  };
  if (duck == "BIGINT")
    add({"BIGINT", "INT8", "LONG", "INTEGER", "int", "int64", "Int64", "LongType"});
  if (duck == "INTEGER") add({"INTEGER", "INT", "INT4", "int", "int32", "Int32", "IntegerType"});
  if (duck == "SMALLINT") add({"SMALLINT", "INT2", "SHORT", "int16", "ShortType"});
  if (duck == "TINYINT") add({"TINYINT", "INT1", "int8", "ByteType"});
  if (duck == "DOUBLE")
    add({"DOUBLE", "FLOAT8", "FLOAT", "REAL", "DOUBLE_PRECISION", "float", "float64", "DoubleType",
         "NUMERIC"});
  if (duck == "FLOAT") add({"FLOAT", "FLOAT4", "REAL", "float32", "FloatType"});
  if (duck == "VARCHAR")
    add({"VARCHAR", "TEXT", "STRING", "CHAR", "str", "string", "object", "StringType"});
  if (duck == "BOOLEAN") add({"BOOLEAN", "BOOL", "bool", "BooleanType"});
  if (duck == "DATE") add({"DATE", "DateType"});
  if (duck.rfind("TIMESTAMP", 0) == 0)
    add({"TIMESTAMP", "DATETIME", "datetime64", "datetime64[ns]", "TimestampType"});
  if (duck.rfind("DECIMAL", 0) == 0) add({"DECIMAL", "NUMERIC", "DecimalType"});
  return names;
}

class OfType final : public ExpectationKind {
 public:
  OfType(const std::string& /*type*/, bool list) : list_(list) {}
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    if (list_) {
      if (kwargs.contains("type_list") && kwargs["type_list"].is_null()) return Status::OK();
      return RequireList(kwargs, "type_list", &types_);
    }
    std::string t;
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "type_", &t));
    types_ = Json::array({t});
    return Status::OK();
  }
  Status Bind(const DataInfo& data) override {
    const auto* c = data.Find(column_);
    if (c == nullptr) return Status::NotFound("column " + Quote(column_) + " is not in the data");
    observed_ = c->sql_type;
    return Status::OK();
  }
  void Plan(ScanPlan*) override {}
  std::string column() const override { return column_; }
  Json Evaluate(const ScanValues&) override {
    std::set<std::string> names = TypeNames(observed_);
    bool ok = types_.is_null();
    for (const Json& t : types_) {
      std::string want = t.is_string() ? t.get<std::string>() : t.dump();
      std::string upper = want;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      ok = ok || names.count(want) || names.count(upper);
    }
    return {{"success", ok}, {"result", {{"observed_value", observed_}}}};
  }

 private:
  bool list_;
  std::string column_, observed_;
  Json types_;
};

}  // namespace

void RegisterTableKinds(Registry* registry) {
  registry->Add<RowCount>("expect_table_row_count_to_be_between", {"min_value", "max_value"},
                          /*equal=*/false);
  registry->Add<RowCount>("expect_table_row_count_to_equal", {"value"}, /*equal=*/true);
  registry->Add<ColumnCount>("expect_table_column_count_to_equal", {"value"}, /*equal=*/true);
  registry->Add<ColumnCount>("expect_table_column_count_to_be_between", {"min_value", "max_value"},
                             /*equal=*/false);
  registry->Add<ColumnsOrdered>("expect_table_columns_to_match_ordered_list", {"column_list"});
  registry->Add<ColumnsSet>("expect_table_columns_to_match_set", {"column_set"});
  registry->Add<ColumnExists>("expect_column_to_exist");
  registry->Add<OfType>("expect_column_values_to_be_of_type", {"column", "type_"}, /*list=*/false);
  registry->Add<OfType>("expect_column_values_to_be_in_type_list", {"column", "type_list"},
                        /*list=*/true);
}

}  // namespace strata::quality::detail
