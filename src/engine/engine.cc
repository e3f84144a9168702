#include "strata/engine.h"

#include <duckdb.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "engine/duckdb_error.h"
#include "engine/functions.h"

namespace strata::engine {
namespace {

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

Reader ReaderFor(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return Reader::kBool;
    case DUCKDB_TYPE_TINYINT:
      return Reader::kInt8;
    case DUCKDB_TYPE_SMALLINT:
      return Reader::kInt16;
    case DUCKDB_TYPE_INTEGER:
      return Reader::kInt32;
    case DUCKDB_TYPE_BIGINT:
      return Reader::kInt64;
    case DUCKDB_TYPE_UTINYINT:
      return Reader::kUInt8;
    case DUCKDB_TYPE_USMALLINT:
      return Reader::kUInt16;
    case DUCKDB_TYPE_UINTEGER:
      return Reader::kUInt32;
    case DUCKDB_TYPE_FLOAT:
      return Reader::kFloat;
    case DUCKDB_TYPE_DOUBLE:
      return Reader::kDouble;
    case DUCKDB_TYPE_VARCHAR:
      return Reader::kVarchar;
    case DUCKDB_TYPE_DATE:
      return Reader::kDate;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Reader::kTimestamp;
    case DUCKDB_TYPE_TIMESTAMP_S:
      return Reader::kTimestampS;
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return Reader::kTimestampMs;
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Reader::kTimestampNs;
    case DUCKDB_TYPE_UBIGINT:
      return Reader::kUInt64;
    case DUCKDB_TYPE_HUGEINT:
      return Reader::kHugeInt;
    case DUCKDB_TYPE_UHUGEINT:
      return Reader::kUHugeInt;
    case DUCKDB_TYPE_DECIMAL:
      return Reader::kDecimal64;  // refined by ReaderForLogical
    default:
      return Reader::kCastVarchar;
  }
}

ValueKind KindFor(Reader reader) {
  switch (reader) {
    case Reader::kBool:
      return ValueKind::kBool;
    case Reader::kInt8:
    case Reader::kInt16:
    case Reader::kInt32:
    case Reader::kInt64:
    case Reader::kUInt8:
    case Reader::kUInt16:
    case Reader::kUInt32:
    case Reader::kHugeInt:
      return ValueKind::kInt64;
    case Reader::kFloat:
    case Reader::kDouble:
    case Reader::kUInt64:
    case Reader::kUHugeInt:
    case Reader::kDecimal16:
    case Reader::kDecimal32:
    case Reader::kDecimal64:
    case Reader::kDecimal128:
      return ValueKind::kFloat64;
    case Reader::kDate:
      return ValueKind::kDate;
    case Reader::kTimestamp:
    case Reader::kTimestampS:
    case Reader::kTimestampMs:
    case Reader::kTimestampNs:
      return ValueKind::kTimestamp;
    case Reader::kVarchar:
    case Reader::kCastVarchar:
      return ValueKind::kString;
  }
  return ValueKind::kString;
}

std::string TypeName(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    default:
      return "UNKNOWN";
  }
}

ColumnReader ReaderForLogical(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  ColumnReader r{ReaderFor(id)};
  if (id == DUCKDB_TYPE_DECIMAL) {
    r.scale = duckdb_decimal_scale(type);
    switch (duckdb_decimal_internal_type(type)) {
      case DUCKDB_TYPE_SMALLINT:
        r.reader = Reader::kDecimal16;
        break;
      case DUCKDB_TYPE_INTEGER:
        r.reader = Reader::kDecimal32;
        break;
      case DUCKDB_TYPE_BIGINT:
        r.reader = Reader::kDecimal64;
        break;
      default:
        r.reader = Reader::kDecimal128;
        break;
    }
  }
  return r;
}

double HugeToDouble(uint64_t lower, double upper) {
  return upper * 18446744073709551616.0 + static_cast<double>(lower);
}

// Reads rows [0, count) of `vector` into `column` with `reader`. Returns false when a
// HUGEINT value does not fit in 64 bits.
bool ReadVector(duckdb_vector vector, idx_t count, ColumnReader column_reader, Column* column) {
  const Reader reader = column_reader.reader;
  const double scale = std::pow(10.0, column_reader.scale);
  void* data = duckdb_vector_get_data(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  for (idx_t row = 0; row < count; ++row) {
    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) {
      column->AppendNull();
      continue;
    }
    switch (reader) {
      case Reader::kBool:
        column->AppendInt64(static_cast<const bool*>(data)[row] ? 1 : 0);
        break;
      case Reader::kInt8:
        column->AppendInt64(static_cast<const int8_t*>(data)[row]);
        break;
      case Reader::kInt16:
        column->AppendInt64(static_cast<const int16_t*>(data)[row]);
        break;
      case Reader::kInt32:
        column->AppendInt64(static_cast<const int32_t*>(data)[row]);
        break;
      case Reader::kInt64:
        column->AppendInt64(static_cast<const int64_t*>(data)[row]);
        break;
      case Reader::kUInt8:
        column->AppendInt64(static_cast<const uint8_t*>(data)[row]);
        break;
      case Reader::kUInt16:
        column->AppendInt64(static_cast<const uint16_t*>(data)[row]);
        break;
      case Reader::kUInt32:
        column->AppendInt64(static_cast<const uint32_t*>(data)[row]);
        break;
      case Reader::kFloat:
        column->AppendDouble(static_cast<const float*>(data)[row]);
        break;
      case Reader::kDouble:
        column->AppendDouble(static_cast<const double*>(data)[row]);
        break;
      case Reader::kUInt64:
        column->AppendDouble(static_cast<double>(static_cast<const uint64_t*>(data)[row]));
        break;
      case Reader::kHugeInt: {
        // sum() of integers is a HUGEINT in DuckDB; Polars keeps it a 64-bit integer.
        const auto& h = static_cast<const duckdb_hugeint*>(data)[row];
        bool fits = (h.upper == 0 && h.lower <= static_cast<uint64_t>(INT64_MAX)) ||
                    (h.upper == -1 && h.lower >= static_cast<uint64_t>(INT64_MAX) + 1);
        if (!fits) return false;
        column->AppendInt64(static_cast<int64_t>(h.lower));
        break;
      }
      case Reader::kUHugeInt: {
        const auto& h = static_cast<const duckdb_uhugeint*>(data)[row];
        column->AppendDouble(HugeToDouble(h.lower, static_cast<double>(h.upper)));
        break;
      }
      case Reader::kDecimal16:
        column->AppendDouble(static_cast<const int16_t*>(data)[row] / scale);
        break;
      case Reader::kDecimal32:
        column->AppendDouble(static_cast<const int32_t*>(data)[row] / scale);
        break;
      case Reader::kDecimal64:
        column->AppendDouble(static_cast<double>(static_cast<const int64_t*>(data)[row]) / scale);
        break;
      case Reader::kDecimal128: {
        const auto& h = static_cast<const duckdb_hugeint*>(data)[row];
        column->AppendDouble(HugeToDouble(h.lower, static_cast<double>(h.upper)) / scale);
        break;
      }
      case Reader::kDate:
        column->AppendInt64(static_cast<const int32_t*>(data)[row]);
        break;
      case Reader::kTimestamp:
        column->AppendInt64(static_cast<const int64_t*>(data)[row]);
        break;
      case Reader::kTimestampS:
        column->AppendInt64(static_cast<const int64_t*>(data)[row] * 1000000);
        break;
      case Reader::kTimestampMs:
        column->AppendInt64(static_cast<const int64_t*>(data)[row] * 1000);
        break;
      case Reader::kTimestampNs:
        column->AppendInt64(static_cast<const int64_t*>(data)[row] / 1000);
        break;
      case Reader::kCastVarchar:
        // Only reached when the query could not be wrapped in a cast (a statement that
        // is not a SELECT, or one with parameters): the value cannot be shown.
        column->AppendNull();
        break;
      case Reader::kVarchar: {
        auto* s = static_cast<duckdb_string_t*>(data) + row;
        column->AppendString(std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
        break;
      }
    }
  }
  return true;
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// ---------------------------------------------------------------------------------------

struct Database::Impl {
  duckdb_database db = nullptr;
  bool track_progress = false;
  ~Impl() {
    if (db != nullptr) duckdb_close(&db);
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

namespace {

// Limits the database's file access to the given folders and files, for good: DuckDB's
// own sandbox (external access off, allow lists, locked configuration).
Status RestrictFileAccess(duckdb_connection conn, const DatabaseOptions& options) {
  auto list = [](const std::vector<std::string>& items, bool as_dirs) {
    std::string out = "[";
    for (const std::string& item : items) {
      if (item.empty()) continue;
      // DuckDB compares the path text a query uses: allow each path as given (queries
      // built from it use that form) and made absolute.
      std::error_code ec;
      std::string absolute = std::filesystem::absolute(item, ec).lexically_normal().string();
      for (std::string path : {item, ec ? item : absolute}) {
        if (as_dirs && path.back() != '/') path += '/';
        out += (out.size() > 1 ? ", " : "") + QuoteString(path);
      }
    }
    return out + "]";
  };
  const std::string sql = "SET allowed_directories = " + list(*options.allowed_directories, true) +
                          "; SET allowed_paths = " + list(options.allowed_files, false) +
                          "; SET enable_external_access = false;" +
                          (options.lock_configuration ? " SET lock_configuration = true;" : "");
  duckdb_result result;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    Status st = StatusFromDuckDB(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return st.WithContext("restricting the database's file access");
  }
  duckdb_destroy_result(&result);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Status::Internal("cannot create DuckDB configuration");
  }
  auto set = [&](const char* name, const std::string& value) -> Status {
    if (duckdb_set_config(config, name, value.c_str()) == DuckDBError) {
      return Status::InvalidArgument(std::string("bad DuckDB setting ") + name + "=" + value);
    }
    return Status::OK();
  };
  Status st;
  if (options.threads > 0) st = set("threads", std::to_string(options.threads));
  if (st.ok() && !options.memory_limit.empty()) st = set("memory_limit", options.memory_limit);
  if (st.ok() && !options.temp_directory.empty())
    st = set("temp_directory", options.temp_directory);

  if (!st.ok()) {
    duckdb_destroy_config(&config);
    return st;
  }
  auto impl = std::make_unique<Impl>();
  impl->track_progress = options.track_progress;
  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  duckdb_state state = duckdb_open_ext(path, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string msg = error != nullptr ? error : "unknown error";
    if (error != nullptr) duckdb_free(error);
    impl->db = nullptr;
    return Status::IOError("cannot open DuckDB database '" +
                           (options.path.empty() ? std::string(":memory:") : options.path) +
                           "': " + msg);
  }
  // Strata's own aggregates live in the database's system catalog: registered once,
  // seen by every connection.
  duckdb_connection conn = nullptr;
  if (duckdb_connect(impl->db, &conn) == DuckDBError) {
    return Status::IOError("cannot connect to DuckDB database");
  }
  st = RegisterFunctions(conn);
  if (st.ok() && options.allowed_directories) st = RestrictFileAccess(conn, options);
  duckdb_disconnect(&conn);
  STRATA_RETURN_NOT_OK(st);
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

// ---------------------------------------------------------------------------------------

struct Connection::Impl {
  duckdb_connection conn = nullptr;
  ~Impl() {
    if (conn != nullptr) duckdb_disconnect(&conn);
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Database::Connect() {
  auto impl = std::make_unique<Connection::Impl>();
  if (duckdb_connect(impl_->db, &impl->conn) == DuckDBError) {
    impl->conn = nullptr;
    return Status::IOError("cannot connect to DuckDB database");
  }
  auto conn = std::unique_ptr<Connection>(new Connection(std::move(impl)));
  if (impl_->track_progress) {
    // Progress is a per-connection setting; DuckDB must not print its own bar.
    STRATA_RETURN_NOT_OK(
        conn->Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false"));
  }
  return conn;
}

struct PreparedStatement::Impl {
  duckdb_connection conn = nullptr;  // borrowed from the Connection
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

PreparedStatement::PreparedStatement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PreparedStatement::~PreparedStatement() = default;
QueryResult::QueryResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryResult::~QueryResult() = default;

namespace {
// DuckDB takes SQL as a C string: a NUL byte would silently cut it short.
Status CheckNoNul(const std::string& sql) {
  size_t at = sql.find('\0');
  if (at == std::string::npos) return Status::OK();
  return Status::InvalidArgument("the SQL text holds a NUL byte at offset " + std::to_string(at) +
                                 " (a name or value with a NUL byte in it?)");
}
}  // namespace

Result<std::unique_ptr<PreparedStatement>> Connection::Prepare(const std::string& sql) {
  STRATA_RETURN_NOT_OK(CheckNoNul(sql));
  auto impl = std::make_unique<PreparedStatement::Impl>();
  impl->conn = impl_->conn;
  impl->sql = sql;
  if (duckdb_prepare(impl_->conn, sql.c_str(), &impl->stmt) == DuckDBError) {
    const char* err = duckdb_prepare_error(impl->stmt);
    return StatusFromDuckDB(err != nullptr ? err : "unknown error");
  }
  return std::unique_ptr<PreparedStatement>(new PreparedStatement(std::move(impl)));
}

Status Connection::Execute(const std::string& sql) {
  STRATA_RETURN_NOT_OK(CheckNoNul(sql));
  duckdb_result result;
  if (duckdb_query(impl_->conn, sql.c_str(), &result) == DuckDBError) {
    Status st = StatusFromDuckDB(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return st;
  }
  duckdb_destroy_result(&result);
  return Status::OK();
}

Result<std::unique_ptr<QueryResult>> Connection::Query(const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<PreparedStatement> stmt, Prepare(sql));
  return stmt->Execute(/*streaming=*/true);
}

Result<DataFrame> Connection::Collect(const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<PreparedStatement> stmt, Prepare(sql));
  return stmt->Collect();
}

Result<std::vector<ColumnSchema>> Connection::Describe(const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(DataFrame described, Collect("DESCRIBE " + sql));
  STRATA_ASSIGN_OR_RETURN(const Column* names, described.column("column_name"));
  STRATA_ASSIGN_OR_RETURN(const Column* types, described.column("column_type"));
  std::vector<ColumnSchema> out;
  for (size_t i = 0; i < described.num_rows(); ++i) {
    std::string name(names->GetString(i));
    if (size_t nul = name.find('\0'); nul != std::string::npos) {
      return Status::InvalidArgument("column " + std::to_string(i + 1) + " ('" +
                                     name.substr(0, nul) +
                                     "\\0...') has a NUL byte in its name; "
                                     "rename it (in a CSV file: fix the header line)");
    }
    out.push_back({std::move(name), std::string(types->GetString(i))});
  }
  return out;
}

void Connection::Interrupt() { duckdb_interrupt(impl_->conn); }

// ---------------------------------------------------------------------------------------

namespace {
Status BindCheck(duckdb_state state, int index, const std::string& sql) {
  if (state == DuckDBError) {
    return Status::InvalidArgument("cannot bind parameter $" + std::to_string(index) +
                                   " of: " + sql);
  }
  return Status::OK();
}
}  // namespace

Status PreparedStatement::BindInt64(int index, int64_t value) {
  return BindCheck(duckdb_bind_int64(impl_->stmt, index, value), index, impl_->sql);
}
Status PreparedStatement::BindDouble(int index, double value) {
  return BindCheck(duckdb_bind_double(impl_->stmt, index, value), index, impl_->sql);
}
Status PreparedStatement::BindString(int index, const std::string& value) {
  return BindCheck(duckdb_bind_varchar_length(impl_->stmt, index, value.data(), value.size()),
                   index, impl_->sql);
}
Status PreparedStatement::BindBool(int index, bool value) {
  return BindCheck(duckdb_bind_boolean(impl_->stmt, index, value), index, impl_->sql);
}
Status PreparedStatement::BindNull(int index) {
  return BindCheck(duckdb_bind_null(impl_->stmt, index), index, impl_->sql);
}
size_t PreparedStatement::parameter_count() const { return duckdb_nparams(impl_->stmt); }

std::vector<ColumnSchema> PreparedStatement::columns() const {
  std::vector<ColumnSchema> out;
  idx_t n = duckdb_prepared_statement_column_count(impl_->stmt);
  for (idx_t i = 0; i < n; ++i) {
    const char* name = duckdb_prepared_statement_column_name(impl_->stmt, i);
    out.push_back({name != nullptr ? name : "",
                   TypeName(duckdb_prepared_statement_column_type(impl_->stmt, i))});
    if (name != nullptr) duckdb_free(const_cast<char*>(name));
  }
  return out;
}

Result<std::unique_ptr<QueryResult>> PreparedStatement::Execute(bool streaming,
                                                                const ProgressCallback& progress) {
  // Types outside the value kinds (nested, interval, UUID, blob, ...) are cast to VARCHAR
  // by a wrapping query, so that DuckDB formats them exactly as its own CAST would.
  // Statements with parameters or that are not queries are run as they are.
  std::vector<ColumnSchema> cols = columns();
  bool needs_cast = false;
  std::string select;
  for (idx_t i = 0; i < cols.size(); ++i) {
    duckdb_type type = duckdb_prepared_statement_column_type(impl_->stmt, i);
    std::string ref = "t." + QuoteIdentifier(cols[i].name);
    if (ReaderFor(type) == Reader::kCastVarchar && type != DUCKDB_TYPE_INVALID) {
      needs_cast = true;
      ref = "CAST(" + ref + " AS VARCHAR) AS " + QuoteIdentifier(cols[i].name);
    }
    select += (i ? ", " : "") + ref;
  }
  if (needs_cast && parameter_count() == 0) {
    auto impl = std::make_unique<PreparedStatement::Impl>();
    impl->conn = impl_->conn;
    impl->sql = "SELECT " + select + " FROM (" + impl_->sql + ") AS t";
    if (duckdb_prepare(impl->conn, impl->sql.c_str(), &impl->stmt) != DuckDBError) {
      auto wrapped = std::unique_ptr<PreparedStatement>(new PreparedStatement(std::move(impl)));
      STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result,
                              wrapped->Execute(streaming, progress));
      // The columns remember the type the query produced, not the one read.
      for (size_t i = 0; i < cols.size(); ++i)
        result->impl_->columns[i].sql_type = cols[i].sql_type;
      result->impl_->owner = std::move(wrapped);
      return result;
    }
  }

  auto result = std::make_unique<QueryResult::Impl>();
  if (!progress) {
    duckdb_state state = streaming ? duckdb_execute_prepared_streaming(impl_->stmt, &result->result)
                                   : duckdb_execute_prepared(impl_->stmt, &result->result);
    result->owned = true;
    if (state == DuckDBError) return StatusFromDuckDB(duckdb_result_error(&result->result));
  } else {
    duckdb_pending_result pending = nullptr;
    duckdb_state state = streaming ? duckdb_pending_prepared_streaming(impl_->stmt, &pending)
                                   : duckdb_pending_prepared(impl_->stmt, &pending);
    if (state == DuckDBError) {
      Status st = StatusFromDuckDB(duckdb_pending_error(pending));
      duckdb_destroy_pending(&pending);
      return st;
    }
    auto last_report = std::chrono::steady_clock::now();
    for (;;) {
      duckdb_pending_state ps = duckdb_pending_execute_task(pending);
      if (ps == DUCKDB_PENDING_RESULT_READY) break;
      if (ps == DUCKDB_PENDING_ERROR) {
        Status st = StatusFromDuckDB(duckdb_pending_error(pending));
        duckdb_destroy_pending(&pending);
        return st;
      }
      if (ps == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
        // Other threads hold the work; a short wait keeps small queries quick.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      auto now = std::chrono::steady_clock::now();
      if (now - last_report >= std::chrono::milliseconds(100)) {
        last_report = now;
        duckdb_query_progress_type p = duckdb_query_progress(impl_->conn);
        progress(Progress{p.percentage, p.rows_processed, p.total_rows_to_process});
      }
    }
    state = duckdb_execute_pending(pending, &result->result);
    duckdb_destroy_pending(&pending);
    result->owned = true;
    if (state == DuckDBError) return StatusFromDuckDB(duckdb_result_error(&result->result));
  }
  idx_t n = duckdb_column_count(&result->result);
  for (idx_t i = 0; i < n; ++i) {
    duckdb_type type = duckdb_column_type(&result->result, i);
    result->columns.push_back({duckdb_column_name(&result->result, i), TypeName(type)});
    duckdb_logical_type logical = duckdb_column_logical_type(&result->result, i);
    result->readers.push_back(ReaderForLogical(logical));
    duckdb_destroy_logical_type(&logical);
  }
  return std::unique_ptr<QueryResult>(new QueryResult(std::move(result)));
}

Result<DataFrame> PreparedStatement::Collect(const ProgressCallback& progress) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result,
                          Execute(/*streaming=*/true, progress));
  return result->ToDataFrame();
}

// ---------------------------------------------------------------------------------------

const std::vector<ColumnSchema>& QueryResult::columns() const { return impl_->columns; }

Result<size_t> QueryResult::AppendNextChunk(std::vector<Column>* out) {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(impl_->result);
  if (chunk == nullptr) {
    const char* err = duckdb_result_error(&impl_->result);
    if (err != nullptr) return StatusFromDuckDB(err, "reading query result");
    return size_t{0};
  }
  idx_t rows = duckdb_data_chunk_get_size(chunk);
  for (size_t c = 0; c < impl_->columns.size(); ++c) {
    if (!ReadVector(duckdb_data_chunk_get_vector(chunk, c), rows, impl_->readers[c], &(*out)[c])) {
      duckdb_destroy_data_chunk(&chunk);
      return Status::TypeError(
          "a value of column '" + impl_->columns[c].name +
          "' does not fit in 64 bits; cast it to DOUBLE or VARCHAR in the query");
    }
  }
  duckdb_destroy_data_chunk(&chunk);
  return static_cast<size_t>(rows);
}

std::vector<Column> QueryResult::NewColumns() const {
  std::vector<Column> columns;
  for (size_t c = 0; c < impl_->columns.size(); ++c) {
    columns.emplace_back(impl_->columns[c].name, KindFor(impl_->readers[c].reader),
                         impl_->columns[c].sql_type);
  }
  return columns;
}

Result<DataFrame> QueryResult::ToDataFrame() {
  std::vector<Column> columns = NewColumns();
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(size_t rows, AppendNextChunk(&columns));
    if (rows == 0) break;
  }
  return DataFrame(std::move(columns));
}

int64_t QueryResult::rows_changed() const {
  return static_cast<int64_t>(duckdb_rows_changed(&impl_->result));
}

// ---------------------------------------------------------------------------------------

struct Appender::Impl {
  duckdb_appender appender = nullptr;
  std::string table;
  ~Impl() {
    if (appender != nullptr) duckdb_appender_destroy(&appender);
  }
  Status Check(duckdb_state state, const char* what) {
    if (state != DuckDBError) return Status::OK();
    const char* err = duckdb_appender_error(appender);
    return StatusFromDuckDB(err != nullptr ? err : "unknown error",
                            std::string(what) + " to table '" + table + "'");
  }
};

Appender::Appender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Appender::~Appender() = default;

Result<std::unique_ptr<Appender>> Appender::Make(Connection* connection, const std::string& table) {
  auto impl = std::make_unique<Impl>();
  impl->table = table;
  if (duckdb_appender_create(connection->impl_->conn, nullptr, table.c_str(), &impl->appender) ==
      DuckDBError) {
    const char* err = duckdb_appender_error(impl->appender);
    return StatusFromDuckDB(err != nullptr ? err : "unknown error",
                            "cannot append to table '" + table + "'");
  }
  return std::unique_ptr<Appender>(new Appender(std::move(impl)));
}

Status Appender::AppendInt64(int64_t v) {
  return impl_->Check(duckdb_append_int64(impl_->appender, v), "append");
}
Status Appender::AppendDouble(double v) {
  return impl_->Check(duckdb_append_double(impl_->appender, v), "append");
}
Status Appender::AppendString(std::string_view v) {
  return impl_->Check(duckdb_append_varchar_length(impl_->appender, v.data(), v.size()), "append");
}
Status Appender::AppendBool(bool v) {
  return impl_->Check(duckdb_append_bool(impl_->appender, v), "append");
}
Status Appender::AppendNull() {
  return impl_->Check(duckdb_append_null(impl_->appender), "append");
}
Status Appender::EndRow() {
  return impl_->Check(duckdb_appender_end_row(impl_->appender), "end row");
}
Status Appender::AppendColumns(const std::vector<ColumnData>& columns) {
  const idx_t ncols = duckdb_appender_column_count(impl_->appender);
  if (columns.size() != ncols) {
    return Status::InvalidArgument("append to table '" + impl_->table +
                                   "': " + std::to_string(columns.size()) +
                                   " columns given, the table has " + std::to_string(ncols));
  }
  if (columns.empty()) return Status::OK();
  const size_t rows = std::max(columns[0].ints.size(), columns[0].texts.size());
  std::vector<duckdb_logical_type> types(ncols);
  for (idx_t c = 0; c < ncols; ++c) {
    types[c] = duckdb_appender_column_type(impl_->appender, c);
    const size_t n = std::max(columns[c].ints.size(), columns[c].texts.size());
    const duckdb_type id = duckdb_get_type_id(types[c]);
    const bool fits =
        (id == DUCKDB_TYPE_BIGINT && columns[c].texts.empty()) ||
        ((id == DUCKDB_TYPE_VARCHAR || id == DUCKDB_TYPE_BLOB) && columns[c].ints.empty());
    if (n != rows || !fits || (!columns[c].nulls.empty() && columns[c].nulls.size() != rows)) {
      for (auto& t : types) {
        if (t != nullptr) duckdb_destroy_logical_type(&t);
      }
      return Status::InvalidArgument("append to table '" + impl_->table + "': column " +
                                     std::to_string(c) + " has the wrong length or kind");
    }
  }
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), ncols);
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  const size_t step = duckdb_vector_size();
  Status st;
  for (size_t start = 0; start < rows && st.ok(); start += step) {
    const size_t n = std::min(step, rows - start);
    duckdb_data_chunk_reset(chunk);
    for (idx_t c = 0; c < ncols; ++c) {
      const ColumnData& col = columns[c];
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
      if (!col.ints.empty()) {
        auto* data = static_cast<int64_t*>(duckdb_vector_get_data(vec));
        std::copy(col.ints.begin() + static_cast<std::ptrdiff_t>(start),
                  col.ints.begin() + static_cast<std::ptrdiff_t>(start + n), data);
      } else {
        for (size_t r = 0; r < n; ++r) {
          const std::string_view v = col.texts[start + r];
          duckdb_vector_assign_string_element_len(vec, r, v.data(), v.size());
        }
      }
      if (!col.nulls.empty()) {
        duckdb_vector_ensure_validity_writable(vec);
        uint64_t* validity = duckdb_vector_get_validity(vec);
        for (size_t r = 0; r < n; ++r) {
          if (col.nulls[start + r]) duckdb_validity_set_row_invalid(validity, r);
        }
      }
    }
    duckdb_data_chunk_set_size(chunk, n);
    st = impl_->Check(duckdb_append_data_chunk(impl_->appender, chunk), "append");
  }
  duckdb_destroy_data_chunk(&chunk);
  return st;
}
Status Appender::Flush() { return impl_->Check(duckdb_appender_flush(impl_->appender), "flush"); }
Status Appender::Close() { return impl_->Check(duckdb_appender_close(impl_->appender), "close"); }

}  // namespace strata::engine
