// Writing rows: new data files with their statistics (Table::Write), and rewriting the
// files that hold deleted rows (Table::Delete).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <unistd.h>

#include <random>

#include "common/random.h"
#include "strata/log.h"
#include "table/column_mapping.h"
#include "table/table_internal.h"

namespace strata {

using engine::QuoteIdentifier;
using engine::QuoteString;
using namespace table_detail;

bool table_detail::IsNested(const std::string& delta_type) {
  return !delta_type.empty() && delta_type[0] == '{';
}

namespace {

// Hive-style directory name for one partition value. The column name is escaped as the
// value is (as Spark does): neither can hold a '/', so no name or value leaves the table.
std::string PartitionDir(const std::string& column, const std::optional<std::string>& value) {
  std::string v = value ? *value : "__HIVE_DEFAULT_PARTITION__";
  return delta::PercentEncode(column, "-_. ") + "=" + delta::PercentEncode(v, "-_. :");
}

// JSON value of a statistic, as Delta writes them: a `timestamp` (an instant) in UTC
// with a 'Z', a `timestamp_ntz` (`utc` false) without a zone.
Json StatValue(const Column& col, size_t row, bool utc) {
  switch (col.kind()) {
    case ValueKind::kInt64:
      return col.GetInt64(row);
    case ValueKind::kFloat64: {
      double v = col.GetDouble(row);
      return std::isfinite(v) ? Json(v) : Json(nullptr);
    }
    case ValueKind::kDate:
      return col.Format(row);
    case ValueKind::kTimestamp: {
      std::string s = col.Format(row);  // "YYYY-MM-DD HH:MM:SS[.ffffff]"
      s[10] = 'T';
      if (s.size() == 19)
        s += ".000";
      else
        s = s.substr(0, 23);
      return utc ? s + "Z" : s;
    }
    case ValueKind::kString: {
      std::string_view v = col.GetString(row);
      if (v.size() > 64) return nullptr;  // long strings add more log than they save
      return std::string(v);
    }
    case ValueKind::kBool:
      return nullptr;
  }
  return nullptr;
}

// SQL for the text of partition column `column` (of Delta type `type`) in the log, in the
// protocol's formats: a `timestamp` (an instant) as ISO 8601 in UTC with a 'Z'
// ("2024-03-01T12:00:00.500000Z"), so no reader places it in its own session time zone; a
// `timestamp_ntz` as "YYYY-MM-DD HH:MM:SS.ffffff"; the rest as DuckDB casts them. An empty
// string is null, as the protocol defines it (and Spark writes it): the row reads back
// with a null there.
std::string PartitionText(const std::string& column, const std::string& type) {
  const std::string c = QuoteIdentifier(column);
  if (type == "timestamp") return "strftime(" + c + " AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')";
  if (type == "timestamp_ntz") return "strftime(" + c + ", '%Y-%m-%d %H:%M:%S.%f')";
  return "NULLIF(CAST(" + c + " AS VARCHAR), '')";
}

// A decimal statistic from its exact text: a JSON number when a double holds it exactly
// enough that its shortest form is the same digits (at most 15 significant ones), else
// null, so no bound is recorded. A rounded bound could exclude a file holding a matching
// row (a decimal(38,18) max rounded down), and readers parse these numbers as decimals.
Json DecimalStat(std::string_view text) {
  size_t significant = 0;
  bool leading = true;
  std::string digits(text);
  // Trailing zeros after the point are not significant.
  if (digits.find('.') != std::string::npos) {
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (!digits.empty() && digits.back() == '.') digits.pop_back();
  }
  for (char ch : digits) {
    if (ch < '0' || ch > '9') continue;
    if (leading && ch == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > 15) return nullptr;
  return std::strtod(digits.c_str(), nullptr);
}

// Whether values of Delta type `data` go into a column of type `column` without loss: a
// narrower integer into a wider one, float into double, a decimal into a wider decimal, a
// naive timestamp into a `timestamp` (in the session time zone), as Spark's store
// assignment widens them.
bool WritesInto(const std::string& data, const std::string& column) {
  static const std::vector<std::string> kIntegers = {"byte", "short", "integer", "long"};
  auto rank = [](const std::string& t) {
    auto it = std::find(kIntegers.begin(), kIntegers.end(), t);
    return it == kIntegers.end() ? -1 : static_cast<int>(it - kIntegers.begin());
  };
  if (rank(data) >= 0 && rank(column) >= 0) return rank(data) < rank(column);
  // decimal(p, s) into one with as many digits on each side of the point.
  int p1 = 0, s1 = 0, p2 = 0, s2 = 0;
  if (std::sscanf(data.c_str(), "decimal(%d,%d)", &p1, &s1) == 2 &&
      std::sscanf(column.c_str(), "decimal(%d,%d)", &p2, &s2) == 2)
    return s2 >= s1 && p2 - s2 >= p1 - s1;
  return (data == "float" && column == "double") ||
         (data == "timestamp_ntz" && column == "timestamp");
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writing

namespace {

// Computes numRecords/min/max/nullCount of freshly written files in one query.
Status AddStats(engine::Connection* conn, const std::string& table_path, const Snapshot& schema_of,
                std::vector<DataFile>* files) {
  if (files->empty()) return Status::OK();
  std::set<std::string> partition(schema_of.partition_columns.begin(),
                                  schema_of.partition_columns.end());
  // Files and statistics name columns by their physical names (column mapping).
  const std::map<std::string, std::string> physical = delta::PhysicalNames(schema_of);
  std::vector<std::string> cols;
  for (const TableField& f : schema_of.schema) {
    if (!partition.count(f.name) && !IsNested(f.type) && f.type != "binary")
      cols.push_back(physical.at(f.name));
  }
  std::string paths, select = "filename, count(*) AS n";
  for (const DataFile& f : *files)
    paths += (paths.empty() ? "" : ", ") + QuoteString(table_path + "/" + f.path);
  std::set<std::string> decimals, naive;
  for (const TableField& f : schema_of.schema) {
    if (f.type.rfind("decimal", 0) == 0) decimals.insert(physical.at(f.name));
    if (f.type == "timestamp_ntz") naive.insert(physical.at(f.name));
  }
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string c = QuoteIdentifier(cols[i]);
    // Decimals as their exact text (DuckDB's doubles would round them).
    if (decimals.count(cols[i])) {
      select += ", CAST(min(" + c + ") AS VARCHAR), CAST(max(" + c +
                ") AS VARCHAR), count(*) - count(" + c + ")";
    } else {
      select += ", min(" + c + "), max(" + c + "), count(*) - count(" + c + ")";
    }
  }
  STRATA_ASSIGN_OR_RETURN(DataFrame df,
                          conn->Collect("SELECT " + select + " FROM read_parquet([" + paths +
                                        "], filename=true) GROUP BY filename"));
  std::map<std::string, size_t> row_of;
  for (size_t r = 0; r < df.num_rows(); ++r) row_of[std::string(df.column(0).GetString(r))] = r;
  for (DataFile& f : *files) {
    auto it = row_of.find(table_path + "/" + f.path);
    Json stats = {{"numRecords", 0},
                  {"minValues", Json::object()},
                  {"maxValues", Json::object()},
                  {"nullCount", Json::object()}};
    if (it != row_of.end()) {
      size_t r = it->second;
      stats["numRecords"] = df.column(1).GetInt64(r);
      for (size_t i = 0; i < cols.size(); ++i) {
        const Column& mn = df.column(2 + 3 * i);
        const Column& mx = df.column(3 + 3 * i);
        const Column& nc = df.column(4 + 3 * i);
        if (!mn.IsNull(r)) {
          const bool utc = !naive.count(cols[i]);
          Json a = decimals.count(cols[i]) ? DecimalStat(mn.GetString(r)) : StatValue(mn, r, utc);
          Json b = decimals.count(cols[i]) ? DecimalStat(mx.GetString(r)) : StatValue(mx, r, utc);
          if (!a.is_null() && !b.is_null()) {
            stats["minValues"][cols[i]] = a;
            stats["maxValues"][cols[i]] = b;
          }
        }
        stats["nullCount"][cols[i]] = nc.GetInt64(r);
      }
    }
    f.num_records = stats["numRecords"].get<int64_t>();
    f.stats_json = stats.dump();
  }
  return Status::OK();
}

}  // namespace

void table_detail::RemoveWritten(FileSystem* fs, const std::string& table_path,
                                 const std::vector<DataFile>& files) {
  for (const DataFile& f : files) (void)fs->RemoveFile(table_path + "/" + f.path);
}

// Writes the rows of `select_sql` (columns already in table order) as new data files.
Result<WrittenFiles> table_detail::WriteDataFiles(FileSystem* fs, engine::Connection* conn,
                                                  const std::string& table_path,
                                                  const Snapshot& target,
                                                  const std::string& select_sql) {
  WrittenFiles out;
  std::vector<std::pair<std::map<std::string, std::optional<std::string>>, std::string>> groups;
  std::set<std::string> partition(target.partition_columns.begin(), target.partition_columns.end());
  // With column mapping, files and partition values use physical names.
  const std::map<std::string, std::string> physical = delta::PhysicalNames(target);
  std::string data_cols;
  for (const TableField& f : target.schema) {
    if (partition.count(f.name)) continue;
    const std::string& stored = physical.at(f.name);
    // Nested fields under their physical names too (a table another engine mapped).
    const auto nested = delta::PhysicalValueSql(QuoteIdentifier(f.name), f.type);
    data_cols += (data_cols.empty() ? "" : ", ") + nested.value_or(QuoteIdentifier(f.name)) +
                 (stored != f.name || nested ? " AS " + QuoteIdentifier(stored) : "");
  }
  if (target.partition_columns.empty()) {
    groups.push_back({{}, "SELECT " + data_cols + " FROM (" + select_sql + ")"});
  } else {
    // Partitioned: materialize once, then one file per partition value.
    STRATA_RETURN_NOT_OK(
        conn->Execute("CREATE OR REPLACE TEMP TABLE __strata_write AS " + select_sql));
    std::vector<std::string> texts;
    std::string keys;
    for (const std::string& pc : target.partition_columns) {
      std::string type;
      for (const TableField& f : target.schema) {
        if (f.name == pc) type = f.type;
      }
      texts.push_back(PartitionText(pc, type));
      keys += (keys.empty() ? "" : ", ") + texts.back();
    }
    STRATA_ASSIGN_OR_RETURN(DataFrame parts,
                            conn->Collect("SELECT DISTINCT " + keys + " FROM __strata_write"));
    for (size_t r = 0; r < parts.num_rows(); ++r) {
      std::map<std::string, std::optional<std::string>> values;
      std::string where;
      for (size_t c = 0; c < target.partition_columns.size(); ++c) {
        const std::string& pc = target.partition_columns[c];
        std::string cond;
        if (parts.column(c).IsNull(r)) {
          values[physical.at(pc)] = std::nullopt;
          cond = texts[c] + " IS NULL";
        } else {
          std::string v(parts.column(c).GetString(r));
          values[physical.at(pc)] = v;
          cond = texts[c] + " = " + QuoteString(v);
        }
        where += (where.empty() ? "" : " AND ") + cond;
      }
      groups.push_back({values, "SELECT " + data_cols + " FROM __strata_write WHERE " + where});
    }
  }
  for (const auto& [values, sql] : groups) {
    DataFile f;
    std::string dir;
    for (const std::string& pc : target.partition_columns)
      dir += PartitionDir(physical.at(pc), values.at(physical.at(pc))) + "/";
    f.path = dir + "part-00000-" + RandomUuid() + ".zstd.parquet";
    if (f.path.find("/../") != std::string::npos || f.path.rfind("../", 0) == 0) {
      return Status::Internal("data file path '" + f.path + "' would leave table '" + table_path +
                              "'");
    }
    f.partition_values = values;
    if (!dir.empty())
      STRATA_RETURN_NOT_OK(fs->CreateDirs(table_path + "/" + dir.substr(0, dir.size() - 1)));
    Status st = conn->Execute("COPY (" + sql + ") TO " + QuoteString(table_path + "/" + f.path) +
                              " (FORMAT parquet, COMPRESSION zstd)");
    if (!st.ok()) {
      RemoveWritten(fs, table_path, out.files);
      (void)fs->RemoveFile(table_path + "/" + f.path);
      return st;
    }
    STRATA_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(table_path + "/" + f.path));
    f.size = static_cast<int64_t>(info.size);
    f.modification_time = info.modified_ms;
    out.files.push_back(std::move(f));
  }
  if (!target.partition_columns.empty()) (void)conn->Execute("DROP TABLE IF EXISTS __strata_write");
  Status st = AddStats(conn, table_path, target, &out.files);
  if (!st.ok()) {
    RemoveWritten(fs, table_path, out.files);
    return st;
  }
  // A file without rows adds nothing a reader needs (the schema is in the log): an empty
  // batch commits only its metadata, not a file per commit.
  std::vector<DataFile> kept;
  for (DataFile& f : out.files) {
    if (f.num_records.has_value() && *f.num_records == 0) {
      (void)fs->RemoveFile(table_path + "/" + f.path);
    } else {
      kept.push_back(std::move(f));
    }
  }
  out.files = std::move(kept);
  for (const DataFile& f : out.files) {
    out.rows += f.num_records.value_or(0);
    out.bytes += f.size;
  }
  return out;
}

Result<int64_t> Table::WriteVersion(const Frame& data, const WriteOptions& options) {
  std::shared_ptr<const Snapshot> current;
  auto latest = Latest();
  // Another writer may have created the table between the listing Latest() made and now.
  if (!latest.ok() && latest.status().code() == StatusCode::kNotFound && exists())
    latest = Latest();
  if (latest.ok()) {
    current = *latest;
    STRATA_RETURN_NOT_OK(CheckWritable(
        name_, *current, options.mode == WriteMode::kOverwrite ? "overwrite" : "write",
        options.mode == WriteMode::kOverwrite));
    if (!options.app_id.empty()) {
      auto it = current->app_versions.find(options.app_id);
      if (it != current->app_versions.end() && it->second >= options.app_version)
        return current->version;
    }
    STRATA_RETURN_NOT_OK(CheckAppProgress(name_, *current, options));
    if (options.mode == WriteMode::kErrorIfExists) {
      return Status::AlreadyExists("table '" + name_ + "' exists (version " +
                                   std::to_string(current->version) +
                                   "); write in mode append or overwrite to change it");
    }
    if (options.mode == WriteMode::kIgnore) return current->version;
  } else if (exists()) {
    return latest.status();  // the table is there but unreadable: never write over it
  } else {
    STRATA_RETURN_NOT_OK(CheckAppProgress(name_, Snapshot{}, options));
  }
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(auto data_schema, conn->Describe(data_sql));
  // DuckDB 1.4's Parquet writer and the statistics query fail (a SIGFPE at 20,000 columns)
  // long past any real table's width; refuse before it gets there.
  if (data_schema.size() > kMaxTableColumns) {
    return Status::InvalidArgument(
        "the data for table '" + name_ + "' has " + std::to_string(data_schema.size()) +
        " columns; a table holds at most " + std::to_string(kMaxTableColumns));
  }
  if (!current) STRATA_RETURN_NOT_OK(fs_->CreateDirs(path_ + "/_delta_log"));

  Snapshot target;
  bool metadata_change = false;
  if (options.overwrite_schema && options.mode != WriteMode::kOverwrite) {
    return Status::InvalidArgument("overwrite_schema (--overwrite-schema) replaces table '" +
                                   name_ + "' and needs mode overwrite");
  }
  const bool replace_schema = current && options.overwrite_schema;
  std::map<std::string, std::string> kept_metadata;
  if (replace_schema) {
    // The data's columns become the table's; the partitioning stays unless given anew.
    target = table_detail::MetadataOf(*current);
    // Columns that stay (by name) keep their metadata: comments, invariants.
    for (const TableField& f : target.schema) {
      if (!f.metadata.empty()) kept_metadata[f.name] = f.metadata;
    }
    target.schema.clear();
    if (!options.partition_by.empty()) target.partition_columns = options.partition_by;
    metadata_change = true;
  } else if (current) {
    target = table_detail::MetadataOf(*current);
    if (!options.partition_by.empty() && options.partition_by != current->partition_columns) {
      return Status::InvalidArgument("table '" + name_ + "' is partitioned by " + std::string("[") +
                                     [&] {
                                       std::string s;
                                       for (const auto& c : current->partition_columns)
                                         s += (s.empty() ? "" : ", ") + QuoteIdentifier(c);
                                       return s;
                                     }() +
                                     "]" + "; a write cannot change its partitioning");
    }
  } else {
    target.table_id = RandomUuid();
    target.partition_columns = options.partition_by;
    target.min_reader_version = 1;
    target.min_writer_version = 2;
    STRATA_RETURN_NOT_OK(CheckProperties(options.properties));
    for (const auto& [key, value] : options.properties) {
      if (!value.empty()) target.configuration[key] = value;
    }
    metadata_change = true;
  }
  // Schema enforcement: every column of the data must be in the table with the same type.
  std::vector<std::string> problems;
  bool retyped = false;
  std::map<std::string, std::string> data_types;
  for (const auto& c : data_schema) {
    auto delta_type = delta::DeltaTypeOf(c.sql_type);
    if (!delta_type.ok())
      return delta_type.status().WithContext("column " + QuoteIdentifier(c.name));
    data_types[c.name] = *delta_type;
    auto existing = std::find_if(target.schema.begin(), target.schema.end(),
                                 [&](const TableField& f) { return f.name == c.name; });
    if (existing == target.schema.end()) {
      if (current && !options.merge_schema && !replace_schema) {
        problems.push_back("new column " + QuoteIdentifier(c.name) + " " + *delta_type);
      } else {
        target.schema.push_back({c.name, *delta_type, true, kept_metadata[c.name]});
        metadata_change = true;
      }
    } else if (delta::TypeWithoutMetadata(existing->type) !=
                   delta::TypeWithoutMetadata(*delta_type) &&
               !WritesInto(*delta_type, existing->type)) {
      retyped = true;
      problems.push_back("column " + QuoteIdentifier(c.name) + " is " + *delta_type +
                         " in the data but " + existing->type + " in the table");
    }
  }
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
    return Status::TypeError(
        "data does not match the schema of table '" + name_ + "': " + list +
        (retyped ? " (a column's type changes only by replacing the table: mode overwrite with "
                   "overwrite_schema, --mode overwrite --overwrite-schema)"
         : options.merge_schema ? ""
                                : " (new columns need merge_schema / --merge-schema)"));
  }
  for (const std::string& pc : target.partition_columns) {
    auto it = std::find_if(target.schema.begin(), target.schema.end(),
                           [&](const TableField& f) { return f.name == pc; });
    if (it == target.schema.end()) {
      return Status::InvalidArgument("partition column " + QuoteIdentifier(pc) +
                                     " is not a column of the data");
    }
    if (IsNested(it->type))
      return Status::InvalidArgument("partition column " + QuoteIdentifier(pc) + " is nested");
  }
  // New columns of a mapped table get their ids and physical names.
  if (metadata_change) delta::AssignColumnMapping(&target, /*fresh_names=*/true);
  std::string select;
  for (const TableField& f : target.schema) {
    std::string expr = data_types.count(f.name) ? QuoteIdentifier(f.name) : "NULL";
    // A value of a narrower type takes the column's (WritesInto). Delta's `timestamp` is
    // an instant, stored UTC-adjusted: a naive value is placed in the session time zone
    // (DuckDB's cast, under DatabaseOptions::time_zone).
    if (data_types.count(f.name) && WritesInto(data_types.at(f.name), f.type)) {
      STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
      expr = "CAST(" + expr + " AS " + t + ")";
    }
    if (!data_types.count(f.name)) {
      STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
      expr = "CAST(NULL AS " + t + ")";
    }
    select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  const std::string rows_sql = "SELECT " + select + " FROM (" + data_sql + ")";
  // CHECK constraints and invariants: every row, before anything is written.
  if (current) STRATA_RETURN_NOT_OK(CheckConstraints(conn.get(), name_, target, rows_sql));
  STRATA_ASSIGN_OR_RETURN(WrittenFiles written,
                          WriteDataFiles(fs_, conn.get(), path_, target, rows_sql));

  std::vector<Json> actions;
  // A new table's protocol; a new column may need a feature (timestamp_ntz).
  if (!current || metadata_change) {
    if (auto protocol = ProtocolFor(current.get(), target)) actions.push_back(*protocol);
  }
  if (metadata_change) actions.push_back(delta::MetadataAction(target, NowMs()));
  int64_t removed_rows = 0, removed_bytes = 0;
  const int64_t now = NowMs();
  if (options.mode == WriteMode::kOverwrite && current) {
    for (const DataFile& f : current->files) {
      Json remove = delta::RemoveAction(f, now, true);
      if (!f.stats_json.empty()) remove["remove"]["stats"] = f.stats_json;
      actions.push_back(remove);
      removed_rows += f.live_records();
      removed_bytes += f.size;
    }
  }
  for (const DataFile& f : written.files) actions.push_back(delta::AddAction(f, true));
  if (!options.app_id.empty())
    actions.push_back(delta::TxnAction(options.app_id, options.app_version, now));
  for (const WriteOptions::AppProgress& p : options.app_progress)
    actions.push_back(delta::TxnAction(p.app_id, p.version, now));

  // Delta's (Spark's SaveMode) names; a create in mode error or ignore is recorded as such.
  const char* mode_name = options.mode == WriteMode::kAppend      ? "Append"
                          : options.mode == WriteMode::kOverwrite ? "Overwrite"
                          : options.mode == WriteMode::kIgnore    ? "Ignore"
                                                                  : "ErrorIfExists";
  Json params = {{"mode", mode_name}, {"partitionBy", Json(target.partition_columns).dump()}};
  Json metrics = {{"numFiles", std::to_string(written.files.size())},
                  {"numOutputRows", std::to_string(written.rows)},
                  {"numOutputBytes", std::to_string(written.bytes)}};
  if (options.mode == WriteMode::kOverwrite) {
    metrics["numRemovedFiles"] = std::to_string(current ? current->files.size() : 0);
    metrics["numRemovedRows"] = std::to_string(removed_rows);
    metrics["numRemovedBytes"] = std::to_string(removed_bytes);
  }
  bool blind = options.mode == WriteMode::kAppend && !metadata_change;
  Json info = CommitInfo(current ? "WRITE" : "CREATE TABLE AS SELECT", params,
                         current ? current->version : -1, blind, options, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, blind, options);
  if (!version.ok()) {
    RemoveWritten(fs_, path_, written.files);
    // Two writers creating the same table: the loser writes again against the table the
    // winner created (its schema checks apply).
    if (!current && version.status().code() == StatusCode::kConflict && exists())
      return WriteVersion(data, options);
    return version.status();
  }
  if (options_.checkpoint_interval > 0 && *version > 0 &&
      *version % options_.checkpoint_interval == 0) {
    // A failed checkpoint costs readers time, not data: the commit stands.
    if (Status st = Checkpoint(*version); !st.ok()) {
      Log(LogLevel::kWarning, "table",
          "table '" + name_ + "' version " + std::to_string(*version) +
              " committed, but its checkpoint was not written: " + st.ToString());
    }
  }
  return *version;
}

Status Table::Checkpoint(int64_t version) {
  STRATA_ASSIGN_OR_RETURN(auto snap, AtVersion(version));
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  return delta::WriteCheckpoint(fs_, conn.get(), path_, *snap);
}

Result<int64_t> Table::Delete(const std::string& predicate_sql, const WriteOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_RETURN_NOT_OK(CheckWritable(name_, *current, "delete", true));
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  // A change that drops the matching rows and adds none (merge.cc): by deletion vectors
  // when the table enables them, else by rewriting the files that hold them.
  Change change;
  change.operation = "DELETE";
  change.options = options;
  change.parameters = {{"predicate", Json::array({predicate_sql}).dump()}};
  STRATA_ASSIGN_OR_RETURN(change.scan_sql,
                          ScanSql(fs_, conn.get(), path_, *current, current->files, false, true));
  change.dropped_sql = "SELECT __strata_file, __strata_row FROM (" + change.scan_sql +
                       ") WHERE coalesce((" + predicate_sql + "), false)";
  auto result = CommitChange(current, conn.get(), change);
  if (!result.ok())
    return result.status().WithContext("delete from '" + name_ + "' where " + predicate_sql);
  return result->version;
}

}  // namespace strata
