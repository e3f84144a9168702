// How DuckDB's column types map to Strata's value kinds, and DuckDB's vectors read into
// Columns (decimals scaled, wide integers checked, other types cast to text first).
#include <cmath>

#include "engine/engine_internal.h"

namespace strata::engine {

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

namespace {
double HugeToDouble(uint64_t lower, double upper) {
  return upper * 18446744073709551616.0 + static_cast<double>(lower);
}
}  // namespace

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

}  // namespace strata::engine
