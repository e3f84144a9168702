// Reading a snapshot: file skipping by statistics and partition values, and the scan SQL.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "table/column_mapping.h"
#include "table/deletion_vector.h"
#include "table/table_internal.h"

namespace strata {

using engine::QuoteIdentifier;
using engine::QuoteString;
using table_detail::Json;
using table_detail::ScanSql;

namespace {

// A timestamp's text in one comparable form, "YYYY-MM-DD HH:MM:SS.ffffff", from any of
// the forms statistics, partition values and filters use ('T' or ' ', 0 to 9 fraction
// digits, "Z" or "+00:00"); `zoned` tells whether it named UTC. Nothing for another
// offset or for text that is not a timestamp.
std::optional<std::string> TimestampKey(const std::string& text, bool* zoned) {
  static const std::regex kTimestamp(
      R"((\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?)");
  std::smatch m;
  if (!std::regex_match(text, m, kTimestamp)) return std::nullopt;
  std::string fraction = m[3].str().substr(0, 6);
  fraction.append(6 - fraction.size(), '0');
  *zoned = m[4].matched;
  return m[1].str() + " " + m[2].str() + "." + fraction;
}

// Whether a file's statistics prove that no row matches `p`. Statistics and partition
// values name columns by their physical name (`physical`, from the logical one); `type`
// is the column's Delta type.
bool StatsExclude(const DataFile& f, const FilePredicate& p, const std::string& type,
                  const std::vector<std::string>& partition_columns,
                  const std::map<std::string, std::string>& physical) {
  auto mapped = physical.find(p.column);
  const std::string& column = mapped == physical.end() ? p.column : mapped->second;
  const bool is_timestamp = type == "timestamp" || type == "timestamp_ntz";
  auto compare = [&](const Json& bound, bool is_max) -> std::optional<int> {
    // Returns sign(bound - value), numerically when both are numbers. `is_max`: the
    // bound is a statistics maximum.
    if (bound.is_null()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(p.value.c_str(), &end);
    bool value_numeric = end != p.value.c_str() && *end == '\0';
    if (bound.is_number() && value_numeric) {
      double b = bound.get<double>();
      return b < v ? -1 : (b > v ? 1 : 0);
    }
    if (bound.is_string() && is_timestamp) {
      // Compared as instants in one form. A `timestamp` value without a zone is in the
      // session time zone, unknown here: no skipping then. Statistics keep milliseconds
      // (truncated), so a maximum stands for up to 999 microseconds more.
      bool bound_zoned = false, value_zoned = false;
      auto b = TimestampKey(bound.get<std::string>(), &bound_zoned);
      auto val = TimestampKey(p.value, &value_zoned);
      if (!b || !val || (type == "timestamp" && (!bound_zoned || !value_zoned)) ||
          (type == "timestamp_ntz" && value_zoned))
        return std::nullopt;
      if (is_max) b->replace(b->size() - 3, 3, "999");
      int c = b->compare(*val);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (bound.is_string()) {
      int c = bound.get<std::string>().compare(p.value);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::nullopt;
  };
  if (std::find(partition_columns.begin(), partition_columns.end(), p.column) !=
      partition_columns.end()) {
    auto it = f.partition_values.find(column);
    // A null partition value never satisfies a comparison with a literal.
    if (it == f.partition_values.end() || !it->second) return true;
    Json v = *it->second;
    char* end = nullptr;
    double num = std::strtod(it->second->c_str(), &end);
    if (end != it->second->c_str() && *end == '\0') v = num;
    auto c = compare(v, false);
    if (!c) return false;
    if (p.op == "=") return *c != 0;
    if (p.op == "<") return *c >= 0;
    if (p.op == "<=") return *c > 0;
    if (p.op == ">") return *c <= 0;
    if (p.op == ">=") return *c < 0;
    return false;
  }
  if (f.stats_json.empty()) return false;
  Json stats;
  try {
    stats = Json::parse(f.stats_json);
  } catch (const Json::exception&) {
    return false;
  }
  auto bound_of = [&](const char* key) {
    if (!stats.is_object() || !stats.contains(key) || !stats[key].is_object()) return Json();
    auto it = stats[key].find(column);
    return it == stats[key].end() ? Json() : *it;
  };
  Json min = bound_of("minValues"), max = bound_of("maxValues");
  auto cmin = compare(min, false), cmax = compare(max, true);
  if (p.op == "=") return (cmin && *cmin > 0) || (cmax && *cmax < 0);
  if (p.op == "<") return cmin && *cmin >= 0;
  if (p.op == "<=") return cmin && *cmin > 0;
  if (p.op == ">") return cmax && *cmax <= 0;
  if (p.op == ">=") return cmax && *cmax < 0;
  return false;
}

}  // namespace

// SQL reading `files` of `snap` with the table's columns in order. With `with_file`, a
// column __strata_file names each row's file (relative path).
namespace table_detail {
Snapshot MetadataOf(const Snapshot& snap) {
  Snapshot out;
  out.version = snap.version;
  out.timestamp_ms = snap.timestamp_ms;
  out.table_id = snap.table_id;
  out.schema = snap.schema;
  out.partition_columns = snap.partition_columns;
  out.configuration = snap.configuration;
  out.min_reader_version = snap.min_reader_version;
  out.min_writer_version = snap.min_writer_version;
  out.app_versions = snap.app_versions;
  out.checkpoint_version = snap.checkpoint_version;
  out.commits_replayed = snap.commits_replayed;
  return out;
}

// The value of a partition column from its text in the log (`text`, SQL), as type `t`.
// A `timestamp` value with a zone or 'Z' is that instant; one without is in the session
// time zone (DatabaseOptions::time_zone: UTC unless $STRATA_TIME_ZONE says otherwise),
// which DuckDB's cast of a naive timestamp uses.
std::string PartitionValueSql(const std::string& text, const std::string& delta_type,
                              const std::string& t) {
  if (delta_type == "timestamp") {
    return "CASE WHEN regexp_matches(" + text +
           ", '\\d:\\d\\d(\\.\\d+)?\\s*(Z|[+-]\\d\\d(:?\\d\\d)?)$') THEN CAST(" + text +
           " AS TIMESTAMPTZ) ELSE CAST(CAST(" + text + " AS TIMESTAMP) AS TIMESTAMPTZ) END";
  }
  return "CAST(" + text + " AS " + t + ")";
}

Result<std::string> ScanSql(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                            const Snapshot& snap, const std::vector<DataFile>& files,
                            bool with_file, bool with_row) {
  with_file = with_file || with_row;
  std::set<std::string> partition(snap.partition_columns.begin(), snap.partition_columns.end());
  // With column mapping, files and partition values use physical names.
  const std::map<std::string, std::string> physical = delta::PhysicalNames(snap);
  if (files.empty()) {
    std::string list;
    for (const TableField& f : snap.schema) {
      STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
      list += (list.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + t + ") AS " +
              QuoteIdentifier(f.name);
    }
    if (with_file) list += ", CAST(NULL AS VARCHAR) AS __strata_file";
    if (with_row) list += ", CAST(NULL AS BIGINT) AS __strata_row";
    return "SELECT " + list + " WHERE false";
  }
  // The rows deletion vectors delete: (file, row position) pairs, each file's positions
  // as one text list (a list literal of many numbers is slow to parse).
  std::string deleted;
  std::map<std::string, std::string> vector_files;
  for (const DataFile& f : files) {
    if (!f.deletion_vector || f.deletion_vector->cardinality == 0) continue;
    STRATA_ASSIGN_OR_RETURN(
        std::vector<uint64_t> rows,
        delta::ReadDeletionVector(fs, table_path, *f.deletion_vector, &vector_files));
    std::string text;
    text.reserve(rows.size() * 8);
    for (uint64_t r : rows) text += (text.empty() ? "" : ",") + std::to_string(r);
    deleted += (deleted.empty() ? "(" : ", (") + QuoteString(table_path + "/" + f.path) + ", '" +
               text + "')";
  }
  std::string paths;
  for (const DataFile& f : files)
    paths += (paths.empty() ? "" : ", ") + QuoteString(table_path + "/" + f.path);
  const bool row_numbers = with_row || !deleted.empty();
  const std::string source = "read_parquet([" + paths + "], filename=true, union_by_name=true" +
                             (row_numbers ? ", file_row_number=true" : "") + ")";
  STRATA_ASSIGN_OR_RETURN(auto present, conn->Describe("SELECT * FROM " + source));
  std::set<std::string> in_files;
  for (const auto& c : present) in_files.insert(c.name);
  in_files.erase("filename");
  in_files.erase("file_row_number");
  std::string list;
  for (const TableField& f : snap.schema) {
    STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
    std::string expr;
    const std::string& stored = physical.at(f.name);
    if (partition.count(f.name))
      expr = PartitionValueSql("p." + QuoteIdentifier(f.name), f.type, t);
    else if (in_files.count(stored) && f.type == "timestamp")
      // Files other writers (and earlier Strata) wrote with isAdjustedToUTC=false:
      // placed in the session time zone, as Spark does.
      expr = "CAST(d." + QuoteIdentifier(stored) + " AS TIMESTAMPTZ)";
    else if (in_files.count(stored))
      expr = delta::LogicalValueSql("d." + QuoteIdentifier(stored), f.type)
                 .value_or("d." + QuoteIdentifier(stored));
    else
      expr = "CAST(NULL AS " + t + ")";  // a column added after these files were written
    list += (list.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  std::string sql = "SELECT " + list;
  if (with_file) sql += ", p.__strata_file";
  if (with_row) sql += ", d.file_row_number AS __strata_row";
  std::string from = source + " AS d";
  if (!deleted.empty()) {
    from +=
        " ANTI JOIN (SELECT __strata_path, CAST(unnest(string_split(__strata_rows, ',')) AS "
        "BIGINT) AS __strata_row FROM (VALUES " +
        deleted +
        ") AS v(__strata_path, __strata_rows)) AS x ON d.filename = x.__strata_path AND "
        "d.file_row_number = x.__strata_row";
  }
  bool need_join = !partition.empty() || with_file;
  if (!need_join) return sql + " FROM " + from;
  // Partition values live in the log, not in the files: join them on the file name.
  std::string values;
  for (const DataFile& f : files) {
    std::string row = QuoteString(table_path + "/" + f.path) + ", " + QuoteString(f.path);
    for (const std::string& pc : snap.partition_columns) {
      auto mapped = physical.find(pc);
      auto it = f.partition_values.find(mapped == physical.end() ? pc : mapped->second);
      row += ", " + ((it == f.partition_values.end() || !it->second) ? std::string("NULL")
                                                                     : QuoteString(*it->second));
    }
    values += (values.empty() ? "(" : ", (") + row + ")";
  }
  std::string names = "__strata_path, __strata_file";
  for (const std::string& pc : snap.partition_columns) names += ", " + QuoteIdentifier(pc);
  return sql + " FROM " + from + " JOIN (VALUES " + values + ") AS p(" + names +
         ") ON d.filename = p.__strata_path";
}

}  // namespace table_detail

namespace {
// The files of `snapshot` that the statistics do not rule out for `skip`.
std::vector<DataFile> FilesToRead(const Snapshot& snapshot,
                                  const std::vector<FilePredicate>& skip) {
  const std::map<std::string, std::string> physical = delta::PhysicalNames(snapshot);
  std::map<std::string, std::string> types;
  for (const TableField& field : snapshot.schema) types[field.name] = field.type;
  std::vector<DataFile> files;
  for (const DataFile& f : snapshot.files) {
    bool excluded = false;
    for (const FilePredicate& p : skip)
      excluded =
          excluded || StatsExclude(f, p, types[p.column], snapshot.partition_columns, physical);
    if (!excluded) files.push_back(f);
  }
  return files;
}
}  // namespace

Result<Frame> Table::Scan(const Snapshot& snapshot, const std::vector<FilePredicate>& skip) {
  const std::vector<DataFile> files = FilesToRead(snapshot, skip);
  for (const DataFile& f : files) {
    if (!fs_->Exists(path_ + "/" + f.path)) {
      return Status::NotFound("table '" + name_ + "' version " + std::to_string(snapshot.version) +
                              " needs data file '" + f.path + "', which is missing");
    }
  }
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::string sql, ScanSql(fs_, conn.get(), path_, snapshot, files, false));
  return session_->sql(sql);
}

Result<Frame> Table::Scan(const Snapshot& snapshot, const Expr& filter, size_t* files_read) {
  std::vector<FilePredicate> skip;
  for (ColumnComparison& c : filter.column_comparisons())
    skip.push_back({std::move(c.column), std::move(c.op), std::move(c.value)});
  if (files_read != nullptr) *files_read = FilesToRead(snapshot, skip).size();
  STRATA_ASSIGN_OR_RETURN(Frame frame, Scan(snapshot, skip));
  return frame.filter(filter);
}

Result<Frame> Table::Scan() {
  STRATA_ASSIGN_OR_RETURN(auto snap, Latest());
  return Scan(*snap);
}

}  // namespace strata
