// What the files of table/ share and the public API does not show: the Table's private
// state, the commit step every operation ends with, and writing data files. Internal to
// libstrata.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/table.h"
#include "strata/version.h"
#include "table/delta_log.h"

namespace strata {

struct Table::Impl {
  std::unique_ptr<FileSystem> owned_fs;  // for OpenPath
  std::mutex mutex;
  // Guarded by mutex: the newest snapshot this Table has read; a later Latest() replays
  // only the commits after it.
  std::shared_ptr<const Snapshot> cached;
};

// A change of rows (delete, update, merge), as SQL over the scan of every file of the
// version it starts from (Table::CommitChange, merge.cc). (clang-tidy sees nlohmann's
// allocator-aware members as able to throw from the implicit destructor; they cannot.)
struct Table::Change {    // NOLINT(bugprone-exception-escape)
  std::string operation;  // DELETE, UPDATE, MERGE
  delta::Json parameters;
  std::string scan_sql;     // the version's rows with __strata_file, __strata_row
  std::string dropped_sql;  // __strata_file, __strata_row of the target rows that go
  std::string added_sql;    // the rows that come, in table column order (or empty)
  // The rows of added_sql that replace a dropped row (updated) rather than being new
  // (inserted); the other dropped rows are deleted. Empty: none.
  std::string updated_count_sql;
  WriteOptions options;
};

namespace table_detail {

using Json = delta::Json;

// Who wrote a commit (commitInfo.engineInfo).
inline constexpr const char* kEngineInfo = "strata/" STRATA_VERSION_STRING;

// Tables wider than this are refused: DuckDB 1.4's Parquet writer and the statistics
// query fail (a SIGFPE at 20,000 columns) long past any real table's width.
inline constexpr size_t kMaxTableColumns = 4096;

// Whether a Delta type is a struct, array or map (its JSON form).
bool IsNested(const std::string& delta_type);

// Data files written for a commit that is not made yet.
struct WrittenFiles {
  std::vector<DataFile> files;
  int64_t rows = 0;
  int64_t bytes = 0;
};

// Writes the rows of `select_sql` (columns already in table order) as new data files of
// `target` (one per partition value), with statistics. On failure nothing is left behind.
Result<WrittenFiles> WriteDataFiles(FileSystem* fs, engine::Connection* conn,
                                    const std::string& table_path, const Snapshot& target,
                                    const std::string& select_sql);
// Removes files written for a commit that failed.
void RemoveWritten(FileSystem* fs, const std::string& table_path,
                   const std::vector<DataFile>& files);

// A snapshot's metadata without its file list (which can be long): what a new version's
// metaData action and data files need.
Snapshot MetadataOf(const Snapshot& snap);

// SQL reading `files` of `snap` with the table's columns in order, without the rows their
// deletion vectors delete. With `with_file`, a __strata_file column names each row's file
// (its path in the log); with `with_row`, __strata_file and __strata_row (the row's
// position in its file, as deletion vectors count).
Result<std::string> ScanSql(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                            const Snapshot& snap, const std::vector<DataFile>& files,
                            bool with_file, bool with_row = false);

// The commitInfo action of an operation.
Json CommitInfo(const std::string& operation, const Json& parameters, int64_t read_version,
                bool blind_append, const WriteOptions& options, const Json& metrics);
// `remove` actions for `files`.
std::vector<Json> RemoveActions(const std::vector<DataFile>& files, bool data_change,
                                int64_t now_ms);
// The writer rules of the protocol for a commit to `snapshot` by `operation`: NotSupported
// when the table needs a writer version (or writer features) Strata does not implement;
// InvalidArgument when the table is append-only (delta.appendOnly) and the operation
// would remove rows (`removes_rows`). Each names the table, and says nothing was written.
Status CheckWritable(const std::string& table, const Snapshot& snapshot,
                     const std::string& operation, bool removes_rows);

// Whether deletes write deletion vectors: the table enables them
// (delta.enableDeletionVectors) and its protocol has the deletionVectors feature.
bool DeletionVectorsEnabled(const Snapshot& snapshot);
// The protocol action a commit must carry for a table whose metadata becomes `target`'s
// (schema, configuration): for a new table (`current` null) always; for an existing one
// only when the metadata needs a feature its protocol lacks (delta.enableDeletionVectors
// = true: deletionVectors; a timestamp_ntz column: timestampNtz; delta.checkpointPolicy
// = v2: v2Checkpoint; all reader 3 / writer 7; a CHECK constraint: writer 3 or
// checkConstraints).
std::optional<Json> ProtocolFor(const Snapshot* current, const Snapshot& target);

// A rule every row of the table must satisfy: a CHECK constraint or a column invariant.
struct TableConstraint {
  std::string name;  // "CHECK constraint 'positive'", "invariant of column 'x'"
  std::string expression;
};
std::vector<TableConstraint> ConstraintsOf(const Snapshot& snapshot);
// InvalidArgument naming the first constraint of `snapshot` some row of `rows_sql` breaks
// (false or NULL), with how many rows and a sample of them.
Status CheckConstraints(engine::Connection* conn, const std::string& table,
                        const Snapshot& snapshot, const std::string& rows_sql);

// InvalidArgument unless every key of `properties` is one Strata honours (see
// Table::SetProperties) with a valid value.
Status CheckProperties(const std::map<std::string, std::string>& properties);

// kConflict unless `snapshot` records each of options.app_progress's apps at its
// expected version.
Status CheckAppProgress(const std::string& table, const Snapshot& snapshot,
                        const WriteOptions& options);
// Commits `actions` (after commitInfo) at the version after `read`: refuses when `read`
// lists data files that are gone (unless the actions remove them). Blind appends retry on
// a lost race; everything else fails with kConflict naming the winner.
Result<int64_t> CommitWithRetry(Table* table, FileSystem* fs, const std::string& path,
                                const std::shared_ptr<const Snapshot>& read, Json commit_info,
                                std::vector<Json> actions, bool blind_append,
                                const WriteOptions& options);

}  // namespace table_detail
}  // namespace strata
