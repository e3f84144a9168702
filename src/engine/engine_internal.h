// The DuckDB handles behind the engine's public classes, and how DuckDB's vectors are
// read into Columns. Internal to libstrata's engine files.
#pragma once

#include <duckdb.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "strata/engine.h"

namespace strata::engine {

// How a DuckDB column type is read into a Column, or cast first.
enum class Reader {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kFloat,
  kDouble,
  kVarchar,
  kDate,
  kTimestamp,
  kTimestampS,
  kTimestampMs,
  kTimestampNs,
  kUInt64,
  kHugeInt,
  kUHugeInt,
  kDecimal16,
  kDecimal32,
  kDecimal64,
  kDecimal128,   // read as double, scaled
  kCastVarchar,  // everything else: the query is wrapped to cast it to VARCHAR
};

struct ColumnReader {
  Reader reader;
  uint8_t scale = 0;  // decimals
};

Reader ReaderFor(duckdb_type type);
ValueKind KindFor(Reader reader);
// The SQL name of a DuckDB type ("BIGINT", "DECIMAL", ...).
std::string TypeName(duckdb_type type);
ColumnReader ReaderForLogical(duckdb_logical_type type);
// Reads rows [0, count) of `vector` into `column` with `reader`. Returns false when a
// HUGEINT value does not fit in 64 bits.
bool ReadVector(duckdb_vector vector, idx_t count, ColumnReader column_reader, Column* column);

// Registers `function` in the catalog of `conn`'s database (scalar_functions.cc).
Status RegisterScalarFunction(duckdb_connection conn, ScalarFunction function);

// Reports the progress of the statement running on `conn` to `callback` from a thread of
// its own, about every 100 ms, from construction to destruction (which joins the
// thread). Does nothing when `callback` is null or empty.
class ProgressWatch {
 public:
  ProgressWatch(duckdb_connection conn, const ProgressCallback* callback);
  ~ProgressWatch();
  ProgressWatch(const ProgressWatch&) = delete;
  ProgressWatch& operator=(const ProgressWatch&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

struct Connection::Impl {
  duckdb_connection conn = nullptr;
  const ProgressCallback* progress = nullptr;  // the database's, which outlives this
  ~Impl() {
    if (conn != nullptr) duckdb_disconnect(&conn);
  }
};

struct PreparedStatement::Impl {
  duckdb_connection conn = nullptr;            // borrowed from the Connection
  const ProgressCallback* progress = nullptr;  // the database's
  duckdb_prepared_statement stmt = nullptr;
  std::string sql;
  ~Impl() {
    if (stmt != nullptr) duckdb_destroy_prepare(&stmt);
  }
};

struct QueryResult::Impl {
  // The cast-wrapping statement this result came from, kept alive while it streams.
  std::unique_ptr<PreparedStatement> owner;
  duckdb_result result{};
  bool owned = false;
  std::vector<ColumnSchema> columns;
  std::vector<ColumnReader> readers;
  ~Impl() {
    if (owned) duckdb_destroy_result(&result);
  }
};

}  // namespace strata::engine
