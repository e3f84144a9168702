// Tables: versioned data in the Delta Lake protocol (reader 1-3, writer 2, 3 and 7 with
// deletion vectors and CHECK constraints; column-mapped tables are read).
//
// A Lake is a directory; each table is a folder in it holding Parquet data files and a
// _delta_log/ of numbered JSON commits (with Parquet checkpoints every N commits), so
// Spark, Trino, delta-rs, Polars and DuckDB read the same tables. Every write is one
// atomic commit: the commit file is created with put-if-absent (link(2)), so two writers
// never both get a version; a blind append that loses the race retries on the next
// version, an overwrite, delete or metadata change that loses fails with kConflict
// naming the winning version. Any version can be read again (time travel).
//
// Thread-safety: Lake and Table are thread-safe (each operation opens its own DuckDB
// connection); Snapshot is immutable and shared. Several processes may write one table.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/clock.h"
#include "strata/filesystem.h"
#include "strata/frame.h"
#include "strata/observer.h"
#include "strata/quality.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata {

// One column of a table schema. `type` is Delta's type: a primitive name ("long",
// "string", "decimal(10,2)", "timestamp", ...) or the JSON text of a struct, array or
// map type.
struct TableField {
  std::string name;
  std::string type;
  bool nullable = true;
  // The field's Delta `metadata` as JSON object text (comments, invariants, column
  // mapping ids), kept as read through every write; empty for none.
  std::string metadata;
};

// Which rows of a data file are deleted: Delta's deletion vector descriptor. The rows
// are kept as a compressed bitmap of row positions (0-based, in file order), inline in
// the log or in a `deletion_vector_<uuid>.bin` file of the table, so deleting a few rows
// does not rewrite the file.
struct DeletionVector {
  std::string storage_type;       // "u" (a file named by a UUID), "p" (a path), "i" (inline)
  std::string path_or_inline;     // the protocol's pathOrInlineDv
  std::optional<int32_t> offset;  // where in the file the vector starts ("u", "p")
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;  // rows deleted
  // The protocol's uniqueId: with the file's path, what identifies one logical file.
  std::string UniqueId() const;
};

// A data file of a version (Delta's `add` action).
struct DataFile {
  std::string path;  // relative to the table folder, decoded
  std::map<std::string, std::optional<std::string>> partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  // Statistics, when the writer recorded them. numRecords counts the rows of the Parquet
  // file, deleted ones included.
  std::optional<int64_t> num_records;
  std::string stats_json;  // Delta's stats string, or empty
  std::optional<DeletionVector> deletion_vector;

  // Rows the file holds for readers: numRecords less the deleted ones (0 without stats).
  int64_t live_records() const;
  // Path and deletion vector: the protocol's key of a logical file.
  std::string Key() const;
};

// One version as `strata table log` shows it.
struct VersionInfo {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string operation;  // WRITE, DELETE, OPTIMIZE, RESTORE, CREATE TABLE, ...
  std::map<std::string, std::string> operation_parameters;
  std::map<std::string, std::string> user_metadata;  // --meta key=value, features, metrics
  std::string run_id;
  std::string engine_info;
  // Delta's commitInfo.operationMetrics (numOutputRows, numDeletedRows, numCopiedRows, ...).
  std::map<std::string, std::string> operation_metrics;
  int64_t files_added = 0, files_removed = 0;
  // Rows the version inserted and deleted: the rows of its data-changing files, less the
  // rows a rewrite only copied (numCopiedRows), so a delete of 3 rows from a file of 1000
  // is +0 -3 and a compaction +0 -0. Files without statistics count 0.
  int64_t rows_added = 0, rows_removed = 0;
  int64_t bytes_added = 0, bytes_removed = 0;
};

// A table as of one version. Immutable.
struct Snapshot {
  int64_t version = -1;
  int64_t timestamp_ms = 0;  // of the commit that made this version
  std::string table_id;
  std::vector<TableField> schema;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  int min_reader_version = 1, min_writer_version = 2;
  // The protocol's table features (reader version 3, writer version 7), as named there.
  std::vector<std::string> reader_features, writer_features;
  std::vector<DataFile> files;  // sorted by path
  // Files removed (Delta's `remove` tombstones) that the log still shows: path -> when
  // (ms). Checkpoints keep those younger than the deleted-file retention (7 days), so a
  // reader of a checkpoint still knows which files vacuum may delete and a concurrent
  // reader still sees them as removed.
  std::map<std::string, int64_t> tombstones;
  std::map<std::string, int64_t> app_versions;  // Delta `txn`: app id -> version
  // Which checkpoint replay started from (-1: none) and how many JSON commits it read.
  int64_t checkpoint_version = -1;
  int64_t commits_replayed = 0;

  // Rows of the version: the files' live_records() (files without stats count 0).
  int64_t num_records() const;
  int64_t size_bytes() const;
};

// What a write does to a table that exists (delta-rs' and Polars' write modes): add rows,
// replace them, refuse (AlreadyExists), or write nothing and return the current version.
// A table that does not exist is created by any mode.
enum class WriteMode { kAppend, kOverwrite, kErrorIfExists, kIgnore };

struct WriteOptions {
  WriteMode mode = WriteMode::kAppend;
  // Only when the table is created by this write.
  std::vector<std::string> partition_by;
  // Table properties (Delta's metaData.configuration) of a table this write creates, as
  // delta-rs' `configuration`: see Table::SetProperties for the keys allowed.
  std::map<std::string, std::string> properties;
  // Kept in the commit (commitInfo.userMetadata): features, quality metrics, anything.
  std::map<std::string, std::string> metadata;
  std::string run_id;
  // Add new columns of the data to the table (nullable); otherwise they are an error.
  bool merge_schema = false;
  // With mode kOverwrite: the table takes the data's schema (and partition_by, when given),
  // as Delta's overwriteSchema: the only way to change a column's type or drop a column.
  bool overwrite_schema = false;
  // Exactly-once writes: the commit records (app_id, app_version) as a Delta `txn`; a
  // write whose app_version is not above the recorded one is skipped (returns the
  // current version).
  std::string app_id;
  int64_t app_version = -1;
  // Fenced progress of several apps in one commit (a stream's Kafka partitions): each
  // entry is recorded as a Delta `txn` (app_id, version), and the write fails with
  // kConflict, writing nothing, unless the table records `expected` for app_id (-1: no
  // version recorded). A writer whose view of its progress is stale (another consumer
  // wrote its partition meanwhile) so never writes a range twice.
  struct AppProgress {
    std::string app_id;
    int64_t version = -1;
    int64_t expected = -1;
  };
  std::vector<AppProgress> app_progress;
  // Told of this write as a job run (START, then COMPLETE with the version written, or
  // FAIL), with `sources` as its inputs and `source_sql` as its query, for lineage and
  // metrics (lineage::OpenLineageObserver). Empty: nobody is told.
  std::vector<std::shared_ptr<RunObserver>> observers;
  std::vector<ObservedDataset> sources;
  std::string source_sql;
  std::string job_name;  // default: table_write.<table>
};

// What Table::WriteChecked did: the validation, and the version it wrote (none when the
// data failed the suite and failures were not allowed).
struct CheckedWrite {
  quality::ValidationResult validation;
  std::optional<int64_t> version;
};

// Records a validation in a write's metadata, as WriteChecked does: quality.suite,
// quality.success, quality.expectations_met and quality.unexpected.<expectation>.<column>.
void AddQualityMetadata(const quality::Suite& suite, const quality::ValidationResult& validation,
                        WriteOptions* options);

// MERGE INTO the table USING a source ON key columns (Delta's MERGE, delta-rs' merge
// builder): target rows whose keys match a source row are updated to the source row's
// values, deleted, or left alone; source rows that match no target row are inserted, or
// not. Keys compare with `=` (a NULL key matches nothing). Two source rows matching one
// target row is an error, as in Delta.
struct MergeOptions {
  std::vector<std::string> on;  // key columns, by name in both the table and the source
  enum class Matched { kUpdate, kDelete, kIgnore } when_matched = Matched::kUpdate;
  bool insert_not_matched = true;
  WriteOptions write;  // metadata, run_id; the mode is ignored
};

// What a MERGE or UPDATE changed (Delta's operationMetrics).
struct ChangeResult {
  int64_t version = -1;  // the new version, or the current one when nothing changed
  int64_t inserted = 0, updated = 0, deleted = 0;
  int64_t copied = 0;  // rows rewritten unchanged (0 with deletion vectors)
};

struct VacuumResult {
  std::vector<std::string> files;  // removed, or to be removed with dry_run
  int64_t bytes = 0;
};

// What Table::Check found. Each problem names the file or version it is about.
struct TableCheckReport {
  int64_t latest_version = -1;  // the newest version, -1 if none could be read
  int64_t commits_checked = 0;
  int64_t checkpoints_checked = 0;
  std::vector<std::string> problems;
  std::vector<std::string> missing_files;  // data files the latest version lists that are gone
  bool healthy() const { return problems.empty(); }
};

// What Table::Repair did.
struct TableRepairReport {
  // _last_checkpoint now names this version (-1: it was removed, no checkpoint reads).
  int64_t last_checkpoint = -1;
  bool last_checkpoint_rewritten = false;
  std::vector<std::string> removed_files;  // entries of missing files taken out
  int64_t version = -1;                    // the version that took them out, or -1
};

struct TableDiff {
  int64_t from_version = 0, to_version = 0;
  std::vector<std::string> columns_added, columns_removed;
  std::vector<std::string> columns_retyped;  // "name: old -> new"
  std::vector<std::string> files_added, files_removed;
  // Rows inserted and deleted by the versions after from_version up to to_version (as
  // VersionInfo counts them); going back in time, the other way round.
  int64_t rows_added = 0, rows_removed = 0;
  // Per column, "min/max/nulls" before and after, where file statistics differ.
  std::map<std::string, std::pair<std::string, std::string>> stats_changed;
};

// A simple predicate for file skipping: column OP literal, OP one of = < <= > >=.
struct FilePredicate {
  std::string column;
  std::string op;
  std::string value;  // compared as a number when both sides parse as numbers
};

struct TableOptions {
  int checkpoint_interval = 10;
  // The time commits record and vacuum's retention counts from; null: the system clock.
  std::shared_ptr<Clock> clock;
};

class Table;

// A reference to a table as users write it: `name` (the latest version), `name@VERSION`
// (a version number) or `name@'TIME'` (the last version committed at or before an ISO 8601
// time such as '2026-11-20T10:00:00Z'). The one parser of these references; the CLI,
// suites and pipelines all go through it.
struct TableRef {
  std::string name;
  std::optional<int64_t> version;
  std::optional<std::string> time;  // as written, without the quotes

  // Parses `text`. InvalidArgument naming the text and what is wrong: a bad table name,
  // a version that is not a non-negative integer or does not fit 64 bits, an unterminated
  // time.
  static Result<TableRef> Parse(std::string_view text);
  // The text form, parsed back by Parse.
  std::string ToString() const;
};

// A table and one of its snapshots, as Lake::Resolve finds them.
struct ResolvedTable {
  std::unique_ptr<Table> table;
  std::shared_ptr<const Snapshot> snapshot;
};

class BoundQuery;

// How a lake is opened (as LevelDB's Options).
struct LakeOptions {
  // Where the transaction logs, _last_checkpoint and lake metadata are read and written;
  // null means the local disk. Data files and Parquet checkpoints are read and written by
  // DuckDB on local paths, not through this interface (see strata/filesystem.h).
  std::shared_ptr<FileSystem> file_system;
  // The DuckDB session the lake's tables are scanned and written on; null opens one.
  std::shared_ptr<Session> session;
  // Make the lake (its _strata/ folder) if it is not there.
  bool create_if_missing = false;
  // Options for every table the lake opens (a checkpoint every N commits, ...).
  TableOptions table_options;
};

// A lake: a directory of tables. Table names are one path segment of letters, digits,
// '_', '-' and '.', not starting with '.' or '_'. Names are case-insensitive, as DuckDB's
// and Spark's identifiers are: `Events` and `events` name one table, stored under the
// spelling it was created with; a lake folder holding two tables whose names differ only
// in case is refused as ambiguous rather than guessed at.
class Lake {
 public:
  // Opens the lake at `root`. NotFound unless it was made by Init (or
  // options.create_if_missing).
  static Result<std::unique_ptr<Lake>> Open(const std::string& root, const LakeOptions& options);
  // The same, with the local file system: Open(root, {nullptr, session, create}).
  static Result<std::unique_ptr<Lake>> Open(const std::string& root, bool create = false,
                                            std::shared_ptr<Session> session = nullptr);
  // Creates the lake directory (and _strata/); OK if it exists.
  static Status Init(const std::string& root);

  const std::string& root() const { return root_; }
  Session* session() const { return session_.get(); }
  std::shared_ptr<Session> shared_session() const { return session_; }
  FileSystem* fs() const { return fs_.get(); }

  Result<std::vector<std::string>> ListTables();
  // The table `name` (matched without regard to case); it need not exist yet (the first
  // write creates it under this spelling).
  // Without `options`, the lake's LakeOptions::table_options apply.
  Result<std::unique_ptr<Table>> OpenTable(const std::string& name);
  Result<std::unique_ptr<Table>> OpenTable(const std::string& name, const TableOptions& options);
  // The table and snapshot a reference names. NotFound if the table or version does not
  // exist; InvalidArgument if a time does not parse.
  Result<ResolvedTable> Resolve(const TableRef& ref);
  // SQL reading what a reference ("name", "name@3", "name@'TIME'") names, on the lake's
  // session (for a suite's other_table_name, say).
  Result<std::string> ReferenceSql(const std::string& reference);
  // The options the lake opens its tables with (LakeOptions::table_options).
  const TableOptions& table_options() const { return table_options_; }
  // Makes the lake's tables readable by name in `sql` on this lake's session: every
  // reference to a table (a bare or double-quoted name, `name@VERSION`, `name@'TIME'`) is
  // rewritten to a view of that snapshot in a schema of its own, which the returned
  // BoundQuery drops when destroyed. Concurrent binds on one session never see each
  // other's views. Strings and comments in `sql` are left alone.
  Result<std::unique_ptr<BoundQuery>> BindTables(const std::string& sql);

 private:
  Lake(std::string root, std::shared_ptr<Session> session, std::shared_ptr<FileSystem> fs,
       TableOptions table_options)
      : root_(std::move(root)),
        session_(std::move(session)),
        fs_(std::move(fs)),
        table_options_(std::move(table_options)) {}
  std::string root_;
  std::shared_ptr<Session> session_;
  std::shared_ptr<FileSystem> fs_;
  TableOptions table_options_;
};

// Checks a table name; InvalidArgument saying what is wrong.
Status ValidateTableName(const std::string& name);

// A query whose table references Lake::BindTables resolved. Holds the views it reads
// until destroyed; it must not outlive the Lake's session.
class BoundQuery {
 public:
  ~BoundQuery();
  BoundQuery(const BoundQuery&) = delete;
  BoundQuery& operator=(const BoundQuery&) = delete;
  // The rewritten query, to run on the lake's session.
  const std::string& sql() const { return sql_; }
  // The table versions the query reads, each with the view name the rewritten query uses
  // (the reference as written: `events`, `events@3`).
  struct Table {
    std::string view;
    std::string name;
    int64_t version = -1;
    std::vector<TableField> schema;
  };
  const std::vector<Table>& tables() const { return tables_; }

 private:
  friend class Lake;
  BoundQuery(std::shared_ptr<Session> session, std::string schema, std::string sql)
      : session_(std::move(session)), schema_(std::move(schema)), sql_(std::move(sql)) {}
  std::shared_ptr<Session> session_;
  std::string schema_;  // empty when the query names no table
  std::string sql_;
  std::vector<Table> tables_;
};

class Table {
 public:
  // A Delta table folder anywhere (for reading tables other tools wrote).
  static Result<std::unique_ptr<Table>> OpenPath(const std::string& path,
                                                 std::shared_ptr<Session> session,
                                                 const TableOptions& options = {});

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }
  bool exists();

  // The latest version, a given version, or the last version committed at or before a
  // time (milliseconds since the epoch).
  Result<std::shared_ptr<const Snapshot>> Latest();
  Result<std::shared_ptr<const Snapshot>> AtVersion(int64_t version);
  Result<std::shared_ptr<const Snapshot>> AsOf(int64_t timestamp_ms);

  // The rows of a snapshot as a Frame; `skip` prunes files whose statistics prove no
  // row can match (the caller still filters rows).
  Result<Frame> Scan(const Snapshot& snapshot, const std::vector<FilePredicate>& skip = {});
  Result<Frame> Scan();  // latest
  // The rows of a snapshot that satisfy `filter`. Files are skipped by their statistics
  // and partition values using the `column OP literal` parts of the filter joined by &
  // (OP one of == < <= > >=, either side); the whole filter then applies to the rows.
  // `files_read`, if given, receives how many files the scan reads.
  Result<Frame> Scan(const Snapshot& snapshot, const Expr& filter, size_t* files_read = nullptr);

  // Writes `data` as a new version; returns it.
  Result<int64_t> Write(const Frame& data, const WriteOptions& options = {});
  // A quality gate, then a write: validates `data` against `suite` (one scan) and writes
  // it only if the suite passes or `allow_failed`. Either way the version's metadata
  // carries the outcome: quality.suite, quality.success, quality.expectations_met
  // ("9/10") and quality.unexpected.<expectation>.<column> counts. A failed suite is a
  // result (no version), not an error.
  Result<CheckedWrite> WriteChecked(const Frame& data, const quality::Suite& suite,
                                    WriteOptions options = {}, bool allow_failed = false);
  // Deletes rows matching a SQL predicate: by deletion vectors when the table enables them
  // (delta.enableDeletionVectors = true; a file whose rows all go is removed), else by
  // rewriting the files that hold them.
  Result<int64_t> Delete(const std::string& predicate_sql, const WriteOptions& options = {});
  // UPDATE ... SET column = expression, ... WHERE predicate (SQL over the table's
  // columns): the matching rows are rewritten with the new values (by deletion vectors
  // plus a new file when the table enables them, else by rewriting the files that hold
  // them). Constraints are checked on the new rows.
  Result<ChangeResult> Update(const std::string& predicate_sql,
                              const std::map<std::string, std::string>& set,
                              const WriteOptions& options = {});
  // MERGE: see MergeOptions. The source has the table's columns (by name, any order; as
  // Delta's updateAll / insertAll need), cast to the table's types; updated and inserted
  // rows take the source row whole. Constraints are checked on them.
  Result<ChangeResult> Merge(const Frame& source, const MergeOptions& options);
  // Compacts files smaller than `target_bytes` into files of about that size; one new
  // version with the same rows. Returns the new version, or the current one if there
  // was nothing to do.
  Result<int64_t> Optimize(int64_t target_bytes = 128ll << 20);
  // Writes a checkpoint of `version` (a Parquet file of its state, so readers replay
  // from there). Writes do this every TableOptions::checkpoint_interval commits; a writer
  // that opened the table with interval 0 calls it when it suits it.
  Status Checkpoint(int64_t version);
  const TableOptions& options() const { return options_; }
  // Now, by the table's clock (TableOptions::clock), in milliseconds since the epoch.
  int64_t NowMs() const;
  // Makes a new version whose files are those of `version`.
  Result<int64_t> Restore(int64_t version);
  // Sets table properties (ALTER TABLE ... SET TBLPROPERTIES): one new version with the
  // metadata changed. Keys outside `delta.` are the user's, kept as given; of Delta's own,
  // Strata takes those whose rules it honours: delta.appendOnly (true|false: writes may
  // only add rows), delta.enableDeletionVectors (true: deletes write deletion vectors;
  // the protocol becomes reader 3 / writer 7 with the deletionVectors feature),
  // delta.logRetentionDuration ("interval N days"; Strata never removes commits). Any
  // other delta.* key (column mapping, change data feed, ...) is refused naming it, since
  // the table would claim a feature Strata does not keep; CHECK constraints have their
  // own calls. An empty value removes the key.
  Result<int64_t> SetProperties(const std::map<std::string, std::string>& properties);
  // Adds a CHECK constraint (ALTER TABLE ... ADD CONSTRAINT name CHECK (expression)): a
  // SQL condition every row must make true (false or NULL is a violation), stored as
  // Delta's delta.constraints.<name> (the name in lower case). The rows the table holds
  // must satisfy it already. From then on every write is checked, as are columns'
  // delta.invariants; a violation fails the write naming the constraint and showing
  // some of the rows, and nothing is written. Needs writer version 3 (or the
  // checkConstraints feature), which the table is given.
  Result<int64_t> AddConstraint(const std::string& name, const std::string& expression);
  Result<int64_t> DropConstraint(const std::string& name);
  // Renames a top-level column (ALTER TABLE ... RENAME COLUMN): a metadata-only commit,
  // no file rewritten, which Delta allows with column mapping (delta.columnMapping.mode
  // = name: files name columns by physical names that stay). Refused without it, for a
  // name the table has (in any case), and for a column a CHECK constraint uses.
  Result<int64_t> RenameColumn(const std::string& from, const std::string& to);
  // Removes data files no version newer than `retain_hours` ago needs.
  Result<VacuumResult> Vacuum(double retain_hours = 168, bool dry_run = false);

  // Verifies the table for an operator: every commit parses, versions are contiguous,
  // every checkpoint reads, _last_checkpoint names a checkpoint that is there, and every
  // data file the latest version lists is on disk with its recorded size. Problems are
  // reported, not returned as errors; an error means the check itself could not run.
  Result<TableCheckReport> Check();
  // Rewrites _last_checkpoint to name the newest checkpoint that reads (or removes it).
  // With `remove_missing`, also commits a version that removes the entries of data files
  // that are gone (as Delta's FSCK REPAIR TABLE): their rows are lost either way, and the
  // table can be read and written again.
  Result<TableRepairReport> Repair(bool remove_missing);

  Result<std::vector<VersionInfo>> History();
  // One version's entry of History(), from its commit alone: what it added and removed
  // (files, rows where the files carry statistics, bytes), its operation and metadata.
  Result<VersionInfo> VersionAt(int64_t version);
  Result<TableDiff> Diff(int64_t from_version, int64_t to_version);

 private:
  friend class Lake;
  struct Impl;
  // Write without telling observers.
  Result<int64_t> WriteVersion(const Frame& data, const WriteOptions& options);
  // Commits a change of rows (delete, update, merge): see merge.cc.
  struct Change;
  Result<ChangeResult> CommitChange(const std::shared_ptr<const Snapshot>& current,
                                    engine::Connection* conn, const Change& change);
  Table(std::string name, std::string path, std::shared_ptr<Session> session, FileSystem* fs,
        TableOptions options);

 public:
  ~Table();

 private:
  std::string name_;
  std::string path_;
  std::shared_ptr<Session> session_;
  FileSystem* fs_;  // borrowed from the Lake (or owned by Impl for OpenPath)
  TableOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata

STRATA_API_END
