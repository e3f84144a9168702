// Prepared statements and their results: binding parameters, running (streaming or
// materialized, with progress), reading chunks into Columns.
#include <duckdb.h>

#include <chrono>
#include <thread>

#include "engine/duckdb_error.h"
#include "engine/engine_internal.h"

namespace strata::engine {

PreparedStatement::PreparedStatement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PreparedStatement::~PreparedStatement() = default;
QueryResult::QueryResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryResult::~QueryResult() = default;

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
    impl->progress = impl_->progress;
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
    duckdb_state state = DuckDBSuccess;
    {
      ProgressWatch watch(impl_->conn, impl_->progress);
      state = streaming ? duckdb_execute_prepared_streaming(impl_->stmt, &result->result)
                        : duckdb_execute_prepared(impl_->stmt, &result->result);
    }
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

ProgressWatch::ProgressWatch(duckdb_connection conn, const ProgressCallback* callback) {
  if (callback == nullptr || !*callback) return;
  thread_ = std::thread([this, conn, callback] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; })) {
      duckdb_query_progress_type p = duckdb_query_progress(conn);
      (*callback)(Progress{p.percentage, p.rows_processed, p.total_rows_to_process});
    }
  });
}

ProgressWatch::~ProgressWatch() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

}  // namespace strata::engine
