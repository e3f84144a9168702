// Scalar SQL functions written in C++ (engine::ScalarFunction), registered through
// DuckDB's C API: each chunk's arguments are read into Columns, the function computes a
// Column, and that is written into DuckDB's output vector.
#include <duckdb.h>

#include <cstring>
#include <exception>

#include "engine/duckdb_error.h"
#include "engine/engine_internal.h"

namespace strata::engine {

namespace {

struct Kind {
  duckdb_type type;
  Reader reader;
  const char* sql;
};

Result<Kind> KindOf(ValueKind kind, const std::string& function, const std::string& what) {
  switch (kind) {
    case ValueKind::kBool:
      return Kind{DUCKDB_TYPE_BOOLEAN, Reader::kBool, "BOOLEAN"};
    case ValueKind::kInt64:
      return Kind{DUCKDB_TYPE_BIGINT, Reader::kInt64, "BIGINT"};
    case ValueKind::kFloat64:
      return Kind{DUCKDB_TYPE_DOUBLE, Reader::kDouble, "DOUBLE"};
    case ValueKind::kString:
      return Kind{DUCKDB_TYPE_VARCHAR, Reader::kVarchar, "VARCHAR"};
    default:
      return Status::InvalidArgument("scalar function '" + function + "': " + what + " is " +
                                     std::string(ValueKindName(kind)) +
                                     "; a function takes and gives BOOLEAN, BIGINT, DOUBLE or "
                                     "VARCHAR");
  }
}

// What DuckDB keeps with the function: the definition and its argument readers.
struct Registered {
  ScalarFunction function;
  std::vector<Kind> arguments;
  Kind result;
};

void Fail(duckdb_function_info info, const Registered& r, const std::string& message) {
  const std::string text = r.function.name + ": " + message;
  duckdb_scalar_function_set_error(info, text.c_str());
}

// Writes `column` (of the result kind) into DuckDB's output vector.
bool WriteResult(const Column& column, size_t rows, duckdb_vector output) {
  if (column.null_count() > 0) duckdb_vector_ensure_validity_writable(output);
  uint64_t* validity = duckdb_vector_get_validity(output);
  void* data = duckdb_vector_get_data(output);
  for (size_t i = 0; i < rows; ++i) {
    if (column.IsNull(i)) {
      duckdb_validity_set_row_invalid(validity, i);
      continue;
    }
    switch (column.kind()) {
      case ValueKind::kBool:
        static_cast<bool*>(data)[i] = column.GetBool(i);
        break;
      case ValueKind::kInt64:
        static_cast<int64_t*>(data)[i] = column.GetInt64(i);
        break;
      case ValueKind::kFloat64:
        static_cast<double*>(data)[i] = column.GetDouble(i);
        break;
      case ValueKind::kString: {
        std::string_view s = column.GetString(i);
        duckdb_vector_assign_string_element_len(output, i, s.data(), s.size());
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

void Run(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const auto& r = *static_cast<const Registered*>(duckdb_scalar_function_get_extra_info(info));
  const size_t rows = duckdb_data_chunk_get_size(input);
  std::vector<Column> args;
  args.reserve(r.arguments.size());
  for (size_t a = 0; a < r.arguments.size(); ++a) {
    Column column("arg" + std::to_string(a + 1), r.function.arguments[a], r.arguments[a].sql);
    column.Reserve(rows);
    if (!ReadVector(duckdb_data_chunk_get_vector(input, a), rows,
                    ColumnReader{r.arguments[a].reader}, &column)) {
      return Fail(info, r, "argument " + std::to_string(a + 1) + " could not be read");
    }
    args.push_back(std::move(column));
  }
  Column out("result", r.function.result, r.result.sql);
  out.Reserve(rows);
  Status st;
  try {
    st = r.function.compute(args, rows, &out);
  } catch (const std::exception& e) {
    st = Status::Internal(std::string("threw: ") + e.what());
  }
  if (!st.ok()) return Fail(info, r, st.message());
  if (out.size() != rows || out.kind() != r.function.result) {
    return Fail(info, r,
                "gave " + std::to_string(out.size()) + " values for " + std::to_string(rows) +
                    " rows (or a column of another kind than its result)");
  }
  if (!WriteResult(out, rows, output)) Fail(info, r, "cannot write its result");
}

struct LogicalType {
  duckdb_logical_type type;
  explicit LogicalType(duckdb_type t) : type(duckdb_create_logical_type(t)) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type); }
};

}  // namespace

Status RegisterScalarFunction(duckdb_connection conn, ScalarFunction function) {
  if (function.name.empty() || !function.compute)
    return Status::InvalidArgument("a scalar function needs a name and a compute function");
  auto r = std::make_unique<Registered>();
  for (size_t a = 0; a < function.arguments.size(); ++a) {
    STRATA_ASSIGN_OR_RETURN(
        Kind k, KindOf(function.arguments[a], function.name, "argument " + std::to_string(a + 1)));
    r->arguments.push_back(k);
  }
  STRATA_ASSIGN_OR_RETURN(r->result, KindOf(function.result, function.name, "the result"));
  r->function = std::move(function);
  const std::string name = r->function.name;
  duckdb_scalar_function f = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(f, name.c_str());
  for (const Kind& k : r->arguments) {
    LogicalType t(k.type);
    duckdb_scalar_function_add_parameter(f, t.type);
  }
  {
    LogicalType t(r->result.type);
    duckdb_scalar_function_set_return_type(f, t.type);
  }
  // Nulls reach the function, which decides what they give.
  duckdb_scalar_function_set_special_handling(f);
  if (!r->function.deterministic) duckdb_scalar_function_set_volatile(f);
  duckdb_scalar_function_set_function(f, Run);
  Registered* raw = r.release();
  duckdb_scalar_function_set_extra_info(f, raw,
                                        [](void* p) { delete static_cast<Registered*>(p); });
  const duckdb_state state = duckdb_register_scalar_function(conn, f);
  duckdb_destroy_scalar_function(&f);
  if (state == DuckDBError) {
    return Status::InvalidArgument("scalar function '" + name +
                                   "' cannot be registered: DuckDB already has a function of "
                                   "that name for these arguments, or the name is not valid");
  }
  return Status::OK();
}

}  // namespace strata::engine
