// Appending rows to a DuckDB table: value by value, or whole columns a chunk at a time.
#include <duckdb.h>

#include <algorithm>

#include "engine/duckdb_error.h"
#include "engine/engine_internal.h"

namespace strata::engine {

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
