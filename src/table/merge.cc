// Changing rows in place: DELETE, UPDATE and MERGE. All come down to one change: some target
// rows are dropped (by position in their files) and new rows are added. With deletion
// vectors the dropped rows are marked and the new rows go to new files; without, each
// file holding a dropped row is rewritten without it (copy-on-write).
#include <algorithm>
#include <set>

#include "table/deletion_vector.h"
#include "table/table_internal.h"

namespace strata {

using engine::QuoteIdentifier;
using namespace table_detail;

namespace {

constexpr const char* kDropped = "__strata_dropped";
constexpr const char* kAdded = "__strata_added";

// The table's columns, cast to their types, from source `alias` (which must have them).
Result<std::string> SourceColumns(const Snapshot& snap, const std::string& alias) {
  std::string list;
  for (const TableField& f : snap.schema) {
    STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
    list += (list.empty() ? "" : ", ") + std::string("CAST(") + alias + "." +
            QuoteIdentifier(f.name) + " AS " + t + ") AS " + QuoteIdentifier(f.name);
  }
  return list;
}

std::string Columns(const Snapshot& snap, const std::string& alias) {
  std::string list;
  for (const TableField& f : snap.schema)
    list += (list.empty() ? "" : ", ") + alias + "." + QuoteIdentifier(f.name);
  return list;
}

int64_t CountOf(engine::Connection* conn, const std::string& sql, Status* error) {
  auto df = conn->Collect("SELECT count(*) FROM (" + sql + ")");
  if (!df.ok()) {
    *error = df.status();
    return 0;
  }
  return df->column(0).GetInt64(0);
}

}  // namespace

Result<ChangeResult> Table::CommitChange(const std::shared_ptr<const Snapshot>& current,
                                         engine::Connection* conn, const Change& change) {
  const std::string what = change.operation + " of table '" + name_ + "'";
  STRATA_RETURN_NOT_OK(conn->Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kDropped) +
                                     " AS " + change.dropped_sql)
                           .WithContext(what));
  // Positions of the dropped rows, per file.
  STRATA_ASSIGN_OR_RETURN(
      DataFrame per_file,
      conn->Collect("SELECT __strata_file, string_agg(CAST(__strata_row AS VARCHAR), ',' ORDER BY "
                    "__strata_row), count(*) FROM " +
                    std::string(kDropped) + " GROUP BY 1"));
  std::map<std::string, std::string> rows_of;
  int64_t dropped = 0;
  for (size_t r = 0; r < per_file.num_rows(); ++r) {
    rows_of[std::string(per_file.column(0).GetString(r))] =
        std::string(per_file.column(1).GetString(r));
    dropped += per_file.column(2).GetInt64(r);
  }
  Status error;
  // The new rows are computed once (they may join the source with the whole table).
  const std::string added_sql = std::string("SELECT * FROM ") + kAdded;
  if (!change.added_sql.empty()) {
    STRATA_RETURN_NOT_OK(conn->Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kAdded) +
                                       " AS " + change.added_sql)
                             .WithContext(what));
  }
  const int64_t added_rows = change.added_sql.empty() ? 0 : CountOf(conn, added_sql, &error);
  STRATA_RETURN_NOT_OK(error.WithContext(what));
  ChangeResult result;
  result.version = current->version;
  result.updated =
      change.updated_count_sql.empty() ? 0 : CountOf(conn, change.updated_count_sql, &error);
  STRATA_RETURN_NOT_OK(error.WithContext(what));
  result.inserted = added_rows - result.updated;
  result.deleted = dropped - result.updated;
  if (dropped == 0 && added_rows == 0) return result;  // nothing changes: no version
  if (added_rows > 0) STRATA_RETURN_NOT_OK(CheckConstraints(conn, name_, *current, added_sql));

  std::vector<DataFile> touched;
  for (const DataFile& f : current->files) {
    if (rows_of.count(f.path)) touched.push_back(f);
  }
  WrittenFiles written;          // new data files (rewritten rows and added rows)
  std::vector<DataFile> marked;  // touched files kept, with a new deletion vector
  std::vector<DeletionVector> vectors;
  auto cleanup = [&] {
    RemoveWritten(fs_, path_, written.files);
    if (!vectors.empty()) {
      auto file = delta::DeletionVectorFile(vectors[0]);
      if (file.ok()) (void)fs_->RemoveFile(path_ + "/" + *file);
    }
  };
  std::vector<DataFile> removed;
  if (DeletionVectorsEnabled(*current)) {
    std::vector<std::vector<uint64_t>> positions;
    std::map<std::string, std::string> vector_files;
    for (const DataFile& f : touched) {
      std::vector<uint64_t> rows;
      if (f.deletion_vector) {
        STRATA_ASSIGN_OR_RETURN(
            rows, delta::ReadDeletionVector(fs_, path_, *f.deletion_vector, &vector_files));
      }
      const std::string& list = rows_of[f.path];
      for (const char* p = list.c_str(); *p != '\0';) {
        char* end = nullptr;
        rows.push_back(std::strtoull(p, &end, 10));
        p = *end == ',' ? end + 1 : end;
      }
      std::sort(rows.begin(), rows.end());
      removed.push_back(f);
      if (f.num_records && static_cast<int64_t>(rows.size()) >= *f.num_records) continue;
      marked.push_back(f);
      positions.push_back(std::move(rows));
    }
    if (!positions.empty()) {
      STRATA_ASSIGN_OR_RETURN(vectors, delta::WriteDeletionVectors(fs_, path_, positions));
    }
  } else {
    // Copy-on-write: each touched file's other rows go to a new file of their own (the
    // table's layout stays as it was).
    for (const DataFile& f : touched) {
      STRATA_ASSIGN_OR_RETURN(std::string scan,
                              ScanSql(fs_, conn, path_, *current, {f}, false, true));
      auto kept = WriteDataFiles(fs_, conn, path_, *current,
                                 "SELECT " + Columns(*current, "t") + " FROM (" + scan +
                                     ") AS t ANTI JOIN " + kDropped +
                                     " AS x ON t.__strata_file = x.__strata_file AND "
                                     "t.__strata_row = x.__strata_row");
      if (!kept.ok()) {
        cleanup();
        return kept.status().WithContext(what);
      }
      result.copied += kept->rows;
      for (DataFile& nf : kept->files) written.files.push_back(std::move(nf));
    }
    removed = touched;
  }
  if (added_rows > 0) {
    auto added = WriteDataFiles(fs_, conn, path_, *current, added_sql);
    if (!added.ok()) {
      cleanup();
      return added.status().WithContext(what);
    }
    for (DataFile& f : added->files) written.files.push_back(std::move(f));
  }
  const int64_t now = NowMs();
  std::vector<Json> actions = RemoveActions(removed, true, now);
  for (size_t i = 0; i < marked.size(); ++i) {
    DataFile f = marked[i];
    f.deletion_vector = vectors[i];
    Json stats = Json::parse(f.stats_json, nullptr, false);
    if (stats.is_object()) {
      stats["tightBounds"] = false;
      f.stats_json = stats.dump();
    }
    f.modification_time = now;
    actions.push_back(delta::AddAction(f, true));
  }
  for (const DataFile& f : written.files) actions.push_back(delta::AddAction(f, true));
  const bool merge = change.operation == "MERGE";
  Json metrics = {
      {merge ? "numTargetRowsInserted" : "numAddedRows", std::to_string(result.inserted)},
      {merge ? "numTargetRowsUpdated" : "numUpdatedRows", std::to_string(result.updated)},
      {merge ? "numTargetRowsDeleted" : "numDeletedRows", std::to_string(result.deleted)},
      {merge ? "numTargetRowsCopied" : "numCopiedRows", std::to_string(result.copied)},
      {"numCopiedRows", std::to_string(result.copied)},
      {merge ? "numTargetFilesAdded" : "numAddedFiles", std::to_string(written.files.size())},
      {merge ? "numTargetFilesRemoved" : "numRemovedFiles",
       std::to_string(removed.size() - marked.size())},
      {"numDeletionVectorsAdded", std::to_string(marked.size())}};
  int64_t removed_bytes = 0, added_bytes = 0;
  std::set<std::string> kept;  // files still there, with a new deletion vector
  for (const DataFile& f : marked) kept.insert(f.path);
  for (const DataFile& f : removed) removed_bytes += kept.count(f.path) ? 0 : f.size;
  for (const DataFile& f : written.files) added_bytes += f.size;
  metrics["numRemovedBytes"] = std::to_string(removed_bytes);
  metrics["numAddedBytes"] = std::to_string(added_bytes);
  Json info = CommitInfo(change.operation, change.parameters, current->version, false,
                         change.options, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, false, change.options);
  if (!version.ok()) {
    cleanup();
    return version.status();
  }
  result.version = *version;
  return result;
}

Result<ChangeResult> Table::Update(const std::string& predicate_sql,
                                   const std::map<std::string, std::string>& set,
                                   const WriteOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_RETURN_NOT_OK(CheckWritable(name_, *current, "update", true));
  if (set.empty()) return Status::InvalidArgument("an update needs a column to set");
  std::set<std::string> columns;
  for (const TableField& f : current->schema) columns.insert(f.name);
  for (const auto& [column, expr] : set) {
    if (!columns.count(column)) {
      return Status::InvalidArgument("table '" + name_ + "' has no column " +
                                     QuoteIdentifier(column) + " to update");
    }
  }
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  Change change;
  change.operation = "UPDATE";
  change.options = options;
  Json assignments = Json::object();
  for (const auto& [column, expr] : set) assignments[column] = expr;
  change.parameters = {{"predicate", Json::array({predicate_sql}).dump()},
                       {"set", assignments.dump()}};
  STRATA_ASSIGN_OR_RETURN(change.scan_sql,
                          ScanSql(fs_, conn.get(), path_, *current, current->files, false, true));
  const std::string where = " WHERE coalesce((" + predicate_sql + "), false)";
  change.dropped_sql = "SELECT __strata_file, __strata_row FROM (" + change.scan_sql + ")" + where;
  std::string values;
  for (const TableField& f : current->schema) {
    auto it = set.find(f.name);
    STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
    values +=
        (values.empty() ? "" : ", ") +
        (it == set.end() ? QuoteIdentifier(f.name) : "CAST((" + it->second + ") AS " + t + ")") +
        " AS " + QuoteIdentifier(f.name);
  }
  change.added_sql = "SELECT " + values + " FROM (" + change.scan_sql + ")" + where;
  change.updated_count_sql = "SELECT * FROM " + std::string(kAdded);
  return CommitChange(current, conn.get(), change);
}

Result<ChangeResult> Table::Merge(const Frame& source, const MergeOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  const bool removes = options.when_matched == MergeOptions::Matched::kDelete;
  STRATA_RETURN_NOT_OK(CheckWritable(name_, *current, "merge into", removes));
  if (options.on.empty()) return Status::InvalidArgument("a merge needs key columns (on)");
  STRATA_ASSIGN_OR_RETURN(std::string source_sql, source.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(auto source_schema, conn->Describe(source_sql));
  std::set<std::string> in_source, in_table;
  for (const auto& c : source_schema) in_source.insert(c.name);
  for (const TableField& f : current->schema) in_table.insert(f.name);
  std::string missing, extra;
  for (const std::string& c : in_table)
    if (!in_source.count(c)) missing += (missing.empty() ? "" : ", ") + QuoteIdentifier(c);
  for (const std::string& c : in_source)
    if (!in_table.count(c)) extra += (extra.empty() ? "" : ", ") + QuoteIdentifier(c);
  for (const std::string& k : options.on) {
    if (!in_table.count(k))
      return Status::InvalidArgument("merge key " + QuoteIdentifier(k) +
                                     " is not a column of table '" + name_ + "'");
  }
  if (!missing.empty() || !extra.empty()) {
    return Status::InvalidArgument("the merge source must have the columns of table '" + name_ +
                                   "'" + (missing.empty() ? "" : "; it lacks " + missing) +
                                   (extra.empty() ? "" : "; the table has no " + extra));
  }
  Change change;
  change.operation = "MERGE";
  change.options = options.write;
  std::string on, keys;
  for (const std::string& k : options.on) {
    on += (on.empty() ? "" : " AND ") + std::string("t.") + QuoteIdentifier(k) + " = s." +
          QuoteIdentifier(k);
    keys += (keys.empty() ? "" : ", ") + QuoteIdentifier(k);
  }
  const char* matched = options.when_matched == MergeOptions::Matched::kUpdate   ? "update"
                        : options.when_matched == MergeOptions::Matched::kDelete ? "delete"
                                                                                 : "ignore";
  Json matched_actions = Json::array(), not_matched = Json::array();
  matched_actions.push_back({{"actionType", matched}});
  if (options.insert_not_matched) not_matched.push_back({{"actionType", "insert"}});
  change.parameters = {{"predicate", on},
                       {"matchedPredicates", matched_actions.dump()},
                       {"notMatchedPredicates", not_matched.dump()}};
  STRATA_ASSIGN_OR_RETURN(change.scan_sql,
                          ScanSql(fs_, conn.get(), path_, *current, current->files, false, true));
  STRATA_ASSIGN_OR_RETURN(std::string cast, SourceColumns(*current, "s0"));
  const std::string src = "(SELECT " + cast + " FROM (" + source_sql + ") AS s0)";
  // Delta refuses a merge where two source rows match one target row.
  if (options.when_matched != MergeOptions::Matched::kIgnore) {
    STRATA_ASSIGN_OR_RETURN(
        DataFrame dup, conn->Collect("SELECT " + keys + " FROM (SELECT s.* FROM " + src +
                                     " AS s SEMI JOIN (" + change.scan_sql + ") AS t ON " + on +
                                     ") GROUP BY ALL HAVING count(*) > 1 "
                                     "LIMIT 1"));
    if (dup.num_rows() > 0) {
      std::string key;
      for (size_t c = 0; c < dup.num_columns(); ++c)
        key += (c ? ", " : "") + dup.column(c).name() + "=" + dup.column(c).Format(0);
      return Status::InvalidArgument(
          "merge into '" + name_ + "': several source rows match the same target row (" + key +
          "); a merge updates or deletes each target row once, so deduplicate the source; "
          "nothing was written");
    }
  }
  std::vector<std::string> added;
  if (options.when_matched == MergeOptions::Matched::kIgnore) {
    change.dropped_sql =
        "SELECT __strata_file, __strata_row FROM (" + change.scan_sql + ") WHERE false";
  } else {
    change.dropped_sql = "SELECT t.__strata_file, t.__strata_row FROM (" + change.scan_sql +
                         ") AS t SEMI JOIN " + src + " AS s ON " + on;
  }
  if (options.when_matched == MergeOptions::Matched::kUpdate) {
    change.updated_count_sql =
        "SELECT s.* FROM " + src + " AS s SEMI JOIN (" + change.scan_sql + ") AS t ON " + on;
    added.push_back(change.updated_count_sql);
  }
  if (options.insert_not_matched) {
    added.push_back("SELECT s.* FROM " + src + " AS s ANTI JOIN (" + change.scan_sql +
                    ") AS t ON " + on);
  }
  for (const std::string& a : added)
    change.added_sql += (change.added_sql.empty() ? "" : " UNION ALL ") + a;
  return CommitChange(current, conn.get(), change);
}

}  // namespace strata
