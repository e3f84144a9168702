// Databases and connections: opening DuckDB with Strata's settings, functions and file
// sandbox; running SQL on a connection.
#include <duckdb.h>

#include <cstdlib>
#include <filesystem>

#include "engine/duckdb_error.h"
#include "engine/engine_internal.h"
#include "engine/functions.h"

namespace strata::engine {

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
  ProgressCallback progress;
  // Each connection turns DuckDB's progress estimate on (a per-connection setting, which a
  // locked configuration refuses: there only the time and bytes can be reported).
  bool estimate_progress = false;
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

// Sets the session time zone of every connection; an unknown name is an error naming it.
Status SetTimeZone(duckdb_connection conn, const std::string& time_zone) {
  const std::string sql = "SET GLOBAL TimeZone = " + QuoteString(time_zone);
  duckdb_result result;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    std::string message = duckdb_result_error(&result);
    duckdb_destroy_result(&result);
    return Status::InvalidArgument("unknown time zone '" + time_zone +
                                   "' (from $STRATA_TIME_ZONE or the options): " + message +
                                   "; use an IANA name such as UTC or Europe/Paris");
  }
  duckdb_destroy_result(&result);
  return Status::OK();
}

}  // namespace

std::string DatabaseOptions::DefaultTimeZone() {
  const char* env = std::getenv("STRATA_TIME_ZONE");
  return env != nullptr && *env != '\0' ? env : "UTC";
}

DatabaseOptions SandboxedTo(const std::vector<std::string>& paths) {
  DatabaseOptions options;
  options.allowed_directories = std::vector<std::string>{};
  for (const std::string& path : paths) {
    const size_t glob = path.find_first_of("*?[");
    std::error_code ec;
    if (glob != std::string::npos) {
      const size_t slash = path.find_last_of('/', glob);
      options.allowed_directories->push_back(slash == std::string::npos ? "."
                                                                        : path.substr(0, slash));
    } else if (std::filesystem::is_directory(path, ec)) {
      options.allowed_directories->push_back(path);
    } else {
      options.allowed_files.push_back(path);
    }
  }
  return options;
}

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
  const std::string time_zone = options.time_zone.empty() ? "UTC" : options.time_zone;
  auto impl = std::make_unique<Impl>();
  impl->progress = options.progress;
  impl->estimate_progress = (options.track_progress || options.progress) &&
                            !(options.allowed_directories && options.lock_configuration);
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
  if (st.ok()) st = SetTimeZone(conn, time_zone);
  if (st.ok() && options.allowed_directories) st = RestrictFileAccess(conn, options);
  duckdb_disconnect(&conn);
  STRATA_RETURN_NOT_OK(st);
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Status Database::RegisterScalarFunction(ScalarFunction function) {
  duckdb_connection conn = nullptr;
  if (duckdb_connect(impl_->db, &conn) == DuckDBError)
    return Status::IOError("cannot connect to DuckDB database");
  Status st = engine::RegisterScalarFunction(conn, std::move(function));
  duckdb_disconnect(&conn);
  return st;
}

// ---------------------------------------------------------------------------------------

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Database::Connect() {
  auto impl = std::make_unique<Connection::Impl>();
  if (duckdb_connect(impl_->db, &impl->conn) == DuckDBError) {
    impl->conn = nullptr;
    return Status::IOError("cannot connect to DuckDB database");
  }
  if (impl_->progress) impl->progress = &impl_->progress;
  auto conn = std::unique_ptr<Connection>(new Connection(std::move(impl)));
  if (impl_->estimate_progress) {
    // DuckDB must not print its own bar.
    STRATA_RETURN_NOT_OK(
        conn->Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false"));
  }
  return conn;
}

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
  impl->progress = impl_->progress;
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
  duckdb_state state = DuckDBSuccess;
  {
    ProgressWatch watch(impl_->conn, impl_->progress);
    state = duckdb_query(impl_->conn, sql.c_str(), &result);
  }
  if (state == DuckDBError) {
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

Status Connection::RegisterScalarFunction(ScalarFunction function) {
  return engine::RegisterScalarFunction(impl_->conn, std::move(function));
}

}  // namespace strata::engine
