// Expectation kinds and how a suite becomes one scan. Internal to libstrata.
//
// Each kind is a class in a kinds file, added by that file's Register*Kinds function. A kind
// reads its kwargs in Configure(), adds the aggregates it needs to the suite's single
// scan in Plan(), and turns the scanned values into a GE result in Evaluate(). Column
// map kinds only say which non-null values are unexpected (UnexpectedSql); the base class
// does the counting, `mostly`, result formats and unexpected samples.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/engine.h"
#include "strata/quality.h"

namespace strata::quality::detail {

using Json = nlohmann::ordered_json;

// What an expectation can know before the scan: the data's columns and types.
struct DataInfo {
  std::vector<engine::ColumnSchema> columns;
  // The data's SQL, the connection the suite runs on, and how a table name other than the
  // data's becomes SQL (ValidateOptions::table_sql): for kinds that read more than the
  // data (unexpected_rows_expectation, expect_table_row_count_to_equal_other_table).
  std::string sql;
  engine::Connection* conn = nullptr;
  std::function<Result<std::string>(const std::string&)> table_sql;
  const engine::ColumnSchema* Find(const std::string& name) const;
  bool IsNumeric(const std::string& name) const;
  bool IsTemporal(const std::string& name) const;
  bool IsString(const std::string& name) const;
  // Whether Strata's strata_duplicates aggregate takes the column: integers up to
  // BIGINT, DOUBLE and VARCHAR.
  bool HasNativeType(const std::string& name) const;
};

// The single aggregate query being built for a suite.
class ScanPlan {
 public:
  // An aggregate over the scanned rows; returns its slot. Identical SQL shares a slot.
  int Aggregate(const std::string& sql);
  // A per-row column computed before aggregation (windows such as count(*) OVER
  // (PARTITION BY c)); returns the name to use in aggregates. `needs_row_order` adds the
  // row index first (for lag()).
  std::string RowColumn(const std::string& sql, bool needs_row_order = false);

  // Adds the 0-based row index column __strata_row (row_number() OVER ()).
  void RequireRowIndex() { needs_row_order_ = true; }

  const std::vector<std::string>& aggregates() const { return aggregates_; }
  const std::vector<std::pair<std::string, std::string>>& row_columns() const {
    return row_columns_;
  }
  bool needs_row_order() const { return needs_row_order_; }

 private:
  std::vector<std::string> aggregates_;
  std::map<std::string, int> slots_;
  std::vector<std::pair<std::string, std::string>> row_columns_;  // (name, sql)
  std::map<std::string, std::string> row_names_;
  bool needs_row_order_ = false;
};

// The scan's one row of results.
class ScanValues {
 public:
  explicit ScanValues(const DataFrame* row) : row_(row) {}
  Json Get(int slot) const;  // number, string, bool or null
  int64_t Int(int slot) const;

 private:
  const DataFrame* row_;
};

// Settings every expectation has (GE's standard arguments).
struct StandardArgs {
  ResultFormat result_format = ResultFormat::kBasic;
  int partial_unexpected_count = 20;
  bool catch_exceptions = true;
  std::string row_condition;  // SQL, empty for none
  Json meta = Json::object();
  // Quarantine: every row needs its own verdict, so no whole-column shortcut applies.
  bool row_verdicts = false;
};

struct Samples {
  std::vector<Json> values;   // per row: a value, or a list of values for several columns
  std::vector<int64_t> rows;  // 0-based row indexes
};

class ExpectationKind {
 public:
  virtual ~ExpectationKind() = default;

  // Reads the kwargs (already stripped of the standard ones). Errors name the kwarg.
  virtual Status Configure(const Json& kwargs) = 0;
  // Checks the data's columns; an error here becomes exception_info for this
  // expectation only.
  virtual Status Bind(const DataInfo& data) { return Status::OK(); }
  virtual void Plan(ScanPlan* plan) = 0;
  virtual Json Evaluate(const ScanValues& values) = 0;
  // A SQL condition true for the rows this expectation finds unexpected (for
  // quarantine); empty for expectations about the table or a column as a whole.
  virtual std::string RowFailureSql() const { return ""; }
  // The column it is about, if one.
  virtual std::string column() const { return ""; }

  StandardArgs args;
};

using Factory = std::function<std::unique_ptr<ExpectationKind>()>;

// The registry of expectation kinds. Each kinds file adds its kinds in one Register*Kinds
// function, and Registry::Get() calls them all once: explicit registration, so a static
// link keeps every kind (self-registering static objects are dropped by the linker).
class Registry {
 public:
  static Registry& Get();
  void Register(const std::string& type, Factory factory, std::vector<std::string> positional);
  // Registers kind class `Kind`, made as Kind(type, args...).
  template <typename Kind, typename... Args>
  void Add(const std::string& type, const std::vector<std::string>& positional = {"column"},
           Args... args) {
    Register(
        type, [type, args...] { return std::unique_ptr<ExpectationKind>(new Kind(type, args...)); },
        positional);
  }
  std::unique_ptr<ExpectationKind> Make(const std::string& type) const;
  // The kwargs names a positional argument list maps to ("column", "min_value", ...).
  const std::vector<std::string>* Positional(const std::string& type) const;
  std::vector<std::string> Types() const;
  // Known names closest to `type` (for "did you mean").
  std::vector<std::string> Closest(const std::string& type, size_t n = 3) const;

 private:
  std::map<std::string, std::pair<Factory, std::vector<std::string>>> kinds_;
};

// One per kinds file.
void RegisterColumnMapKinds(Registry* registry);
void RegisterAggregateKinds(Registry* registry);
void RegisterTableKinds(Registry* registry);
void RegisterMultiColumnKinds(Registry* registry);
void RegisterPairInSetKind(Registry* registry);
void RegisterUnexpectedRowsKind(Registry* registry);
void RegisterOtherTableKind(Registry* registry);
void RegisterDateutilKind(Registry* registry);
void RegisterJsonSchemaKind(Registry* registry);
void RegisterKlDivergenceKind(Registry* registry);

// Registers `function` on the database of `conn` unless a function of that name is
// there already (several validations may share a database).
Status EnsureScalarFunction(engine::Connection* conn, engine::ScalarFunction function);

// Whether dateutil.parser.parse (default settings) reads `text` as a date or time
// (dateutil_kind.cc).
bool DateutilParseable(std::string_view text);

// Kwarg readers: errors say "kwarg 'name' must be ..., got ...".
Status RequireString(const Json& kwargs, const std::string& name, std::string* out);
Status OptionalString(const Json& kwargs, const std::string& name, std::string* out);
Status OptionalBool(const Json& kwargs, const std::string& name, bool* out);
Status OptionalNumber(const Json& kwargs, const std::string& name, std::optional<double>* out);
Status RequireList(const Json& kwargs, const std::string& name, Json* out);
Status RequireNumber(const Json& kwargs, const std::string& name, double* out);
// `mostly`: a number in [0, 1]; `mostly` is left as it is when the kwarg is absent.
Status ReadMostly(const Json& kwargs, double* mostly);
// A bound: a number, a string (compared in the column's type) or null.
Status OptionalBound(const Json& kwargs, const std::string& name, Json* out);

// SQL for a JSON scalar literal (numbers as DOUBLE or BIGINT, strings quoted).
std::string SqlLiteral(const Json& value);
std::string Quote(const std::string& identifier);
// Parses DuckDB's to_json text, whose doubles may be the bare words NaN, Infinity and
// -Infinity (not JSON): they become the strings "NaN", "Infinity", "-Infinity".
Json ParseSqlJson(const std::string& text);

// Common result pieces.
double Percent(int64_t part, int64_t whole);
bool MostlySuccess(int64_t considered, int64_t unexpected, double mostly);

}  // namespace strata::quality::detail
