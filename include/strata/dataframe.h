// DataFrame: a materialized, immutable, columnar query result (what Frame::collect()
// returns). Columns keep one of six value kinds; DuckDB types outside them are converted
// when the result is collected (DECIMAL, HUGEINT and unsigned 64-bit to Float64; nested,
// interval, time, UUID and blob values to their text form) and the column remembers the
// original SQL type name.
//
// Thread-safety: immutable after construction; safe to read from any number of threads.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

STRATA_API_BEGIN
namespace strata {

enum class ValueKind {
  kBool,
  kInt64,
  kFloat64,
  kString,
  kDate,       // days since 1970-01-01
  kTimestamp,  // microseconds since 1970-01-01 00:00:00 (UTC for TIMESTAMPTZ)
};

std::string_view ValueKindName(ValueKind kind);

// One column of a DataFrame. Accessors take a row index in [0, size()); calling an
// accessor of another kind than kind() is a programmer error (asserted), except that
// GetDouble() also reads Int64 and Bool columns.
class Column {
 public:
  Column(std::string name, ValueKind kind, std::string sql_type);

  const std::string& name() const { return name_; }
  ValueKind kind() const { return kind_; }
  // The DuckDB type the query produced, such as "DECIMAL(10,2)" or "VARCHAR".
  const std::string& sql_type() const { return sql_type_; }
  size_t size() const { return valid_.size(); }
  size_t null_count() const;

  bool IsNull(size_t row) const { return !valid_[row]; }
  bool GetBool(size_t row) const;
  int64_t GetInt64(size_t row) const;  // Int64, Date (days), Timestamp (micros), Bool
  double GetDouble(size_t row) const;
  std::string_view GetString(size_t row) const;
  // The value as text, as it prints ("null" for a null): dates as YYYY-MM-DD,
  // timestamps as YYYY-MM-DD HH:MM:SS[.ffffff], floats with up to 17 significant digits.
  std::string Format(size_t row) const;

  // Building (used by the engine while collecting).
  void AppendNull();
  void AppendInt64(int64_t v);
  void AppendDouble(double v);
  void AppendString(std::string_view v);
  void Reserve(size_t rows);

 private:
  std::string name_;
  ValueKind kind_;
  std::string sql_type_;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> ints_;    // Bool, Int64, Date, Timestamp
  std::vector<double> doubles_;  // Float64
  std::vector<std::string> strings_;
};

class DataFrame {
 public:
  DataFrame() = default;
  explicit DataFrame(std::vector<Column> columns);

  size_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t index) const { return columns_[index]; }
  // NotFound, listing the columns that exist, when there is no column `name`.
  Result<const Column*> column(std::string_view name) const;
  std::vector<std::string> column_names() const;

  // A box-drawn table like Polars prints: shape, names, types, and at most `max_rows`
  // rows (the first and last halves, with an ellipsis row between).
  std::string ToString(size_t max_rows = 20) const;

 private:
  std::vector<Column> columns_;
};

}  // namespace strata

STRATA_API_END
