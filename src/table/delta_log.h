// The Delta transaction log: reading (listing, checkpoint + JSON replay into a
// Snapshot) and writing (one commit file, put-if-absent; Parquet checkpoints).
// Internal to libstrata; the public API is strata/table.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include <string>
#include <vector>

#include "common/time_format.h"
#include "strata/engine.h"
#include "strata/filesystem.h"
#include "strata/table.h"

namespace strata::delta {

using Json = nlohmann::ordered_json;

// "00000000000000000042.json"
std::string CommitFileName(int64_t version);

// What _delta_log/ holds.
struct LogListing {
  std::vector<int64_t> commits;  // versions with a JSON commit, ascending
  // version -> checkpoint files (one, or the parts of a multi-part checkpoint, in order)
  std::map<int64_t, std::vector<std::string>> checkpoints;
  // (A v2 checkpoint, NNN.checkpoint.<uuid>.json|parquet, is one file here too.)
  bool has_last_checkpoint = false;
};

Result<LogListing> ListLog(FileSystem* fs, const std::string& table_path);

// Replays the log up to `target_version` (-1: latest). `conn` reads Parquet checkpoints.
// Errors name the file and version: a missing _delta_log, a gap in versions, a corrupt
// line, no protocol or metadata, an unsupported protocol, a checkpoint that does not
// match _last_checkpoint.
Result<Snapshot> Replay(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                        int64_t target_version = -1);

// Replays the commits after `base` up to `target_version` on top of it (the log must
// hold every one of them). Much cheaper than Replay for a reader that keeps up.
Result<Snapshot> ReplayAfter(FileSystem* fs, const std::string& table_path, const Snapshot& base,
                             int64_t target_version);

// Reads the checkpoint of `version` (its file, or its parts in order; a v2 one with its
// sidecars) and checks every action in it; returns how many actions it holds.
Result<size_t> ReadCheckpointActions(FileSystem* fs, engine::Connection* conn,
                                     const std::string& table_path,
                                     const std::vector<std::string>& parts, int64_t version);

// The commitInfo of one version (or an empty object if it has none).
Result<Json> ReadCommitInfo(FileSystem* fs, const std::string& table_path, int64_t version,
                            std::vector<Json>* actions = nullptr);

// Writes `actions` as version `version`, put-if-absent: AlreadyExists if another writer
// got that version first (nothing of ours is left behind), OK once the version exists.
Status WriteCommit(FileSystem* fs, const std::string& table_path, int64_t version,
                   const std::vector<Json>& actions);

// A Delta interval property ("interval 7 days", hours, minutes, weeks) in milliseconds;
// nullopt when the text is not one.
std::optional<int64_t> IntervalMs(const std::string& text);

// How long a removed file's tombstone is kept (delta.deletedFileRetentionDuration, else 7
// days), in milliseconds.
int64_t DeletedFileRetentionMs(const std::map<std::string, std::string>& configuration);

// Writes `snapshot` as a Parquet checkpoint at its version and points _last_checkpoint
// at it. Local file systems only (DuckDB writes the Parquet).
Status WriteCheckpoint(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                       const Snapshot& snapshot);

// Actions.
Json ProtocolAction(int min_reader, int min_writer);
// The protocol of `snapshot`, its table features included.
Json ProtocolAction(const Snapshot& snapshot);
Json MetadataAction(const Snapshot& s, int64_t created_time);
Json AddAction(const DataFile& f, bool data_change);
Json RemoveAction(const DataFile& f, int64_t deletion_timestamp, bool data_change);
Json TxnAction(const std::string& app_id, int64_t version, int64_t last_updated);

// Delta's schema JSON <-> fields.
std::string SchemaString(const std::vector<TableField>& fields);
Result<std::vector<TableField>> ParseSchemaString(const std::string& schema_string);
// DuckDB type text for a Delta type ("long" -> "BIGINT", struct JSON -> "STRUCT(...)").
Result<std::string> DuckTypeOf(const std::string& delta_type);
// Delta type for a DuckDB type, or NotSupported naming it.
Result<std::string> DeltaTypeOf(const std::string& duck_type);

// Reads of one field of a JSON object that never throw: the default when the object is
// not an object, or the field is missing, null or of another type. For fields the
// protocol leaves free (commitInfo) and fields CheckAction already checked.
std::string StringField(const Json& object, const char* key, std::string fallback = "");
int64_t IntField(const Json& object, const char* key, int64_t fallback);

// Checks that the fields Strata reads from one action (add, remove, metaData, protocol,
// txn, commitInfo) have the protocol's types: `add.path` a string, `add.size` a number,
// `metaData.schemaString` a string, and so on. InvalidArgument naming the field, such as
// "add.path must be a string, not a number".
Status CheckAction(const Json& action);

// The paths of `files` (relative to the table folder) that are not on disk. Absolute
// paths and URIs are not checked.
std::vector<std::string> MissingFiles(FileSystem* fs, const std::string& table_path,
                                      const std::vector<DataFile>& files);

// Percent-decoding of add/remove paths (they are URIs).
std::string DecodePath(const std::string& path);
// Percent-encoding of every byte that is not a letter, a digit or one of `safe`.
std::string PercentEncode(std::string_view text, std::string_view safe);

using ::strata::NowMs;  // common/time_format.h

}  // namespace strata::delta
