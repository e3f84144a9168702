// Frame: an immutable, lazy query over files or SQL, with Polars' verbs.
//
//   auto result = strata::scan_csv("events.csv")
//       .with_columns({col("timestamp").cast(DataType::kDatetime), col("value").fill_null(0)})
//       .filter(col("quality_score") > 0.8)
//       .group_by({"category"})
//       .agg({col("value").mean().alias("avg_value"), col("value").std().alias("std_value")})
//       .collect();
//
// Nothing runs until collect(), explain(), schema() or a sink_*: each verb returns a new
// Frame that shares its inputs. A Frame compiles to one SQL query that DuckDB plans and
// runs as a whole; every identifier is quoted, so a column may have any name. Errors in
// building (an unknown column, a duplicate output name) are reported by the call that
// runs the Frame, naming the verb and the columns that do exist.
//
// The Polars-facing names (scan_csv, with_columns, group_by, collect, ...) keep Polars'
// spelling so that a Polars job reads the same in C++; the rest of Strata's API uses
// CamelCase.
//
// Thread-safety: Frame and Expr are immutable values; copies may be used from any
// thread. A Session is thread-safe (each run opens its own DuckDB connection).
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/dataframe.h"
#include "strata/engine.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata {

// Logical types for cast(), schema overrides and strptime().
enum class DataType {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
  kString,
  kDate,
  kDatetime,  // microsecond timestamp without time zone
  kTime,
};

// DuckDB's name for `type`, such as "BIGINT".
std::string_view SqlTypeName(DataType type);

namespace detail {
struct ExprNode;
}

class StringExpr;
class DatetimeExpr;

// A column expression. Implicitly built from a number, a bool or a string: those are
// literals (`col("a") > 0.8`, `col("s") == "x"`). Column names are made with col().
// A `column OP literal` comparison, OP one of = < <= > >=, the literal as text (numbers
// in full precision).
struct ColumnComparison {
  std::string column;
  std::string op;
  std::string value;
};

class Expr {
 public:
  Expr(int value);          // NOLINT: literal
  Expr(int64_t value);      // NOLINT: literal
  Expr(double value);       // NOLINT: literal
  Expr(bool value);         // NOLINT: literal
  Expr(const char* value);  // NOLINT: string literal
  Expr(std::string value);  // NOLINT: string literal
  explicit Expr(std::shared_ptr<const detail::ExprNode> node);

  // The output column name: the alias, else the first column the expression reads, else
  // "literal" (Polars' rule).
  std::string output_name() const;
  // The `column OP literal` comparisons among the parts of this expression joined by &
  // (a literal on the left is flipped to the right); every other part is left out, so
  // the result holds only conditions the whole expression implies. Used to skip files.
  std::vector<ColumnComparison> column_comparisons() const;

  Expr alias(std::string name) const;
  // strict=false turns values that do not convert into nulls instead of an error.
  Expr cast(DataType type, bool strict = true) const;
  Expr fill_null(const Expr& value) const;
  Expr is_null() const;
  Expr is_not_null() const;
  Expr is_in(const std::vector<Expr>& values) const;
  Expr abs() const;
  Expr round(int decimals = 0) const;

  // Aggregates (per group in group_by().agg(); over the whole frame elsewhere).
  Expr count() const;  // non-null values
  Expr sum() const;    // 0 for no values, as Polars
  Expr mean() const;
  Expr std(int ddof = 1) const;
  Expr var(int ddof = 1) const;
  Expr min() const;
  Expr max() const;
  Expr median() const;
  Expr quantile(double q) const;  // linear interpolation
  Expr n_unique() const;          // distinct values, a null counting as one
  Expr first() const;
  Expr last() const;
  // A window: the aggregate computed per group of `partition_by`, one value per row.
  Expr over(const std::vector<std::string>& partition_by) const;

  StringExpr str() const;
  DatetimeExpr dt() const;

  const std::shared_ptr<const detail::ExprNode>& node() const { return node_; }

 private:
  std::shared_ptr<const detail::ExprNode> node_;
};

class StringExpr {
 public:
  explicit StringExpr(Expr e) : e_(std::move(e)) {}
  // Regular expression (RE2 syntax) search, or a plain substring with literal=true.
  Expr contains(const std::string& pattern, bool literal = false) const;
  Expr starts_with(const std::string& prefix) const;
  Expr ends_with(const std::string& suffix) const;
  Expr lower() const;
  Expr upper() const;
  Expr len_chars() const;
  // Parses text with a strftime-style format (`%Y-%m-%d %H:%M:%S`) into `type`
  // (kDatetime or kDate). strict=false yields null where the text does not match.
  Expr strptime(DataType type, const std::string& format, bool strict = true) const;

 private:
  Expr e_;
};

class DatetimeExpr {
 public:
  explicit DatetimeExpr(Expr e) : e_(std::move(e)) {}
  Expr year() const;
  Expr month() const;
  Expr day() const;
  Expr hour() const;
  Expr minute() const;
  Expr second() const;
  Expr weekday() const;      // 1 = Monday .. 7 = Sunday
  Expr ordinal_day() const;  // 1..366
  Expr date() const;

 private:
  Expr e_;
};

Expr col(std::string name);
Expr lit(const Expr& value);
Expr lit_null();
Expr len();  // the number of rows (of the group)

Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);  // true division, as Polars
Expr operator%(const Expr& a, const Expr& b);
Expr operator-(const Expr& a);
Expr operator==(const Expr& a, const Expr& b);
Expr operator!=(const Expr& a, const Expr& b);
Expr operator<(const Expr& a, const Expr& b);
Expr operator<=(const Expr& a, const Expr& b);
Expr operator>(const Expr& a, const Expr& b);
Expr operator>=(const Expr& a, const Expr& b);
Expr operator&(const Expr& a, const Expr& b);
Expr operator|(const Expr& a, const Expr& b);
Expr operator!(const Expr& a);
Expr floor_div(const Expr& a, const Expr& b);

// when(cond).then(v).when(cond2).then(v2).otherwise(v3)
class When;
class Then {
 public:
  When when(const Expr& condition) const;
  Expr otherwise(const Expr& value) const;
  operator Expr() const;  // NOLINT: no otherwise means null, as Polars

 private:
  friend class When;
  std::vector<std::pair<Expr, Expr>> branches_;
};
class When {
 public:
  Then then(const Expr& value) const;

 private:
  friend When when(const Expr& condition);
  friend class Then;
  std::vector<std::pair<Expr, Expr>> branches_;
  std::optional<Expr> pending_;
};
When when(const Expr& condition);

// Where Polars takes "a column name or an expression": a string is a column name.
struct IntoExpr {
  IntoExpr(const char* name) : expr(col(name)) {}         // NOLINT
  IntoExpr(const std::string& name) : expr(col(name)) {}  // NOLINT
  IntoExpr(Expr e) : expr(std::move(e)) {}                // NOLINT
  IntoExpr(Then t) : expr(t) {}                           // NOLINT
  Expr expr;
};

struct CsvOptions {
  // Empty: found from the first file's header line, as the one of , | ; and tab that splits
  // it into the most fields (',' when none does); ".tsv" files default to tab.
  std::string delimiter;
  bool has_header = true;
  char quote = '"';
  // Column types to use instead of the inferred ones.
  std::map<std::string, DataType> schema_overrides;
  // Strings read as null (besides empty fields).
  std::vector<std::string> null_values;
  // Skip rows that do not parse instead of failing.
  bool ignore_errors = false;
  int64_t skip_rows = 0;
  // Rows sampled to infer types; -1 samples the whole file.
  int64_t infer_schema_length = 20480;
  // strftime-style formats for DATE and TIMESTAMP columns (DuckDB's dateformat and
  // timestampformat); empty: detected.
  std::string date_format, timestamp_format;
};

enum class JoinType { kInner, kLeft, kFull, kSemi, kAnti, kCross };

struct JoinOptions {
  std::vector<std::string> on;       // key columns named alike on both sides
  std::vector<std::string> left_on;  // or: keys by side
  std::vector<std::string> right_on;
  JoinType how = JoinType::kInner;
  std::string suffix = "_right";  // for right columns whose name is taken
  bool coalesce_full = false;     // full join: one key column instead of two
};

enum class UniqueKeep { kAny, kFirst, kLast, kNone };

struct SinkOptions {
  std::string compression = "zstd";  // parquet: zstd, snappy, gzip, uncompressed
  int64_t row_group_size = 0;        // parquet: 0 keeps DuckDB's default
  std::string delimiter = ",";       // csv
  bool header = true;                // csv
};

class Frame;

// A DuckDB database that Frames run on. Session::Default() is an in-memory database
// shared by the process.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static Result<std::shared_ptr<Session>> Open(const engine::DatabaseOptions& options = {});
  static std::shared_ptr<Session> Default();

  engine::Database* database() { return database_.get(); }

  Frame scan_csv(std::vector<std::string> paths, const CsvOptions& options = {});
  Frame scan_parquet(const std::vector<std::string>& paths);
  Frame scan_ndjson(const std::vector<std::string>& paths);
  // A Frame whose rows are a SQL query's result.
  Frame sql(std::string query);
  // A file (or glob) read by its extension: .parquet, .json/.ndjson/.jsonl, else CSV.
  Frame scan_file(const std::string& path);
  // Files (or globs) read by the first one's extension, as scan_file; CSV with `csv`, and
  // a .tsv file with the default delimiter read tab-separated.
  Frame scan_files(std::vector<std::string> paths, const CsvOptions& csv = {});

 private:
  explicit Session(std::unique_ptr<engine::Database> database) : database_(std::move(database)) {}
  std::unique_ptr<engine::Database> database_;
};

namespace detail {
struct PlanNode;
}

class GroupBy;

class Frame {
 public:
  Frame select(const std::vector<IntoExpr>& exprs) const;
  Frame with_columns(const std::vector<IntoExpr>& exprs) const;
  Frame filter(const Expr& predicate) const;
  GroupBy group_by(const std::vector<IntoExpr>& keys) const;
  // `descending` is one flag for all keys or one per key; nulls sort first unless
  // nulls_last (as Polars).
  Frame sort(const std::vector<IntoExpr>& by, std::vector<bool> descending = {false},
             bool nulls_last = false) const;
  Frame limit(int64_t n) const;
  Frame head(int64_t n = 5) const { return limit(n); }
  Frame join(const Frame& other, const JoinOptions& options) const;
  Frame unique(const std::vector<std::string>& subset = {},
               UniqueKeep keep = UniqueKeep::kAny) const;
  Frame rename(const std::vector<std::pair<std::string, std::string>>& mapping) const;
  Frame drop(const std::vector<std::string>& columns) const;

  // The SQL this Frame runs, after checking every column reference.
  Result<std::string> to_sql() const;
  // The SQL and DuckDB's physical plan for it.
  Result<std::string> explain() const;
  // Output column names and DuckDB types (binds the query; reads no data beyond what
  // type inference of the sources samples).
  Result<std::vector<engine::ColumnSchema>> schema() const;
  // Runs the query and materializes the result. `progress`, if given, is called about
  // every 100 ms with DuckDB's estimate.
  Result<DataFrame> collect(const engine::ProgressCallback& progress = nullptr) const;
  // Stream the result to a file without materializing it. The file appears whole or
  // not at all: a failed run leaves no file behind and an existing file untouched.
  Status sink_parquet(const std::string& path, const SinkOptions& options = {},
                      const engine::ProgressCallback& progress = nullptr) const;
  Status sink_csv(const std::string& path, const SinkOptions& options = {},
                  const engine::ProgressCallback& progress = nullptr) const;

  const std::shared_ptr<Session>& session() const { return session_; }

 private:
  friend class Session;
  friend class GroupBy;
  Frame(std::shared_ptr<Session> session, std::shared_ptr<const detail::PlanNode> plan)
      : session_(std::move(session)), plan_(std::move(plan)) {}
  Frame With(std::shared_ptr<detail::PlanNode> node) const;
  Status Sink(const std::string& path, const std::string& copy_options,
              const engine::ProgressCallback& progress) const;

  std::shared_ptr<Session> session_;
  std::shared_ptr<const detail::PlanNode> plan_;
};

class GroupBy {
 public:
  // One row per distinct key; columns: the keys, then one per aggregate. An expression
  // with no aggregate in it collects the group's values into a list (as Polars).
  Frame agg(const std::vector<IntoExpr>& aggs) const;

 private:
  friend class Frame;
  GroupBy(Frame input, std::vector<Expr> keys) : input_(std::move(input)), keys_(std::move(keys)) {}
  Frame input_;
  std::vector<Expr> keys_;
};

// Whether `path` ends with `extension` (such as ".parquet"), ignoring case.
bool HasExtension(const std::string& path, const std::string& extension);

// Checks the local files a SQL text reads by path (`FROM 'x.csv'`, `JOIN 'y.parquet'`,
// `read_csv('z.csv', ...)`): a directory or an empty file is an error naming it, found
// before DuckDB would read it (DuckDB reads an empty CSV as one empty column).
Status CheckFilesReferencedBy(const std::string& sql);

// Sources on Session::Default().
Frame scan_csv(const std::string& path, const CsvOptions& options = {});
Frame scan_parquet(const std::string& path);
Frame scan_ndjson(const std::string& path);
Frame sql(const std::string& query);

}  // namespace strata

STRATA_API_END
