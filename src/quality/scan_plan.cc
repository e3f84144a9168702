// What a suite's one scan needs to know and collects: the data's columns and types
// (DataInfo), the aggregates and per-row columns (ScanPlan), the values read back (ScanValues).
#include <set>

#include "quality/expectation.h"

namespace strata::quality::detail {

const engine::ColumnSchema* DataInfo::Find(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {
bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
}  // namespace

bool DataInfo::IsNumeric(const std::string& name) const {
  const auto* c = Find(name);
  if (c == nullptr) return false;
  const std::string& t = c->sql_type;
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "HUGEINT" ||
         t == "FLOAT" || t == "DOUBLE" || StartsWith(t, "DECIMAL") || t == "UTINYINT" ||
         t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT";
}

bool DataInfo::IsTemporal(const std::string& name) const {
  const auto* c = Find(name);
  return c != nullptr &&
         (StartsWith(c->sql_type, "TIMESTAMP") || c->sql_type == "DATE" || c->sql_type == "TIME");
}

bool DataInfo::IsString(const std::string& name) const {
  const auto* c = Find(name);
  return c != nullptr && c->sql_type == "VARCHAR";
}

bool DataInfo::HasNativeType(const std::string& name) const {
  static const std::set<std::string> kTypes = {"TINYINT",  "SMALLINT", "INTEGER",
                                               "BIGINT",   "UTINYINT", "USMALLINT",
                                               "UINTEGER", "DOUBLE",   "VARCHAR"};
  const auto* c = Find(name);
  return c != nullptr && kTypes.count(c->sql_type) > 0;
}

int ScanPlan::Aggregate(const std::string& sql) {
  auto it = slots_.find(sql);
  if (it != slots_.end()) return it->second;
  int slot = static_cast<int>(aggregates_.size());
  aggregates_.push_back(sql);
  slots_[sql] = slot;
  return slot;
}

std::string ScanPlan::RowColumn(const std::string& sql, bool needs_row_order) {
  needs_row_order_ = needs_row_order_ || needs_row_order;
  auto it = row_names_.find(sql);
  if (it != row_names_.end()) return it->second;
  std::string name = "__strata_w" + std::to_string(row_columns_.size());
  row_columns_.push_back({name, sql});
  row_names_[sql] = name;
  return name;
}

Json ScanValues::Get(int slot) const {
  const Column& c = row_->column(static_cast<size_t>(slot));
  if (c.IsNull(0)) return nullptr;
  switch (c.kind()) {
    case ValueKind::kBool:
      return c.GetBool(0);
    case ValueKind::kInt64:
      return c.GetInt64(0);
    case ValueKind::kFloat64: {
      double d = c.GetDouble(0);
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      return d;
    }
    default:
      return c.Format(0);
  }
}

int64_t ScanValues::Int(int slot) const {
  Json v = Get(slot);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return static_cast<int64_t>(v.get<double>());
  return 0;
}

}  // namespace strata::quality::detail
