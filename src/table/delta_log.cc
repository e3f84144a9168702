#include "table/delta_log.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <set>

#include "common/json_depth.h"
#include "common/random.h"
#include "strata/log.h"
#include "table/deletion_vector.h"

namespace strata::delta {
namespace {

using engine::QuoteString;

std::string LogDir(const std::string& table_path) { return table_path + "/_delta_log"; }

std::string Pad20(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(v));
  return buf;
}

// Reader features Strata can honor: column mapping and deletion vectors it applies; the
// others change nothing for a reader of Parquet files.
const std::set<std::string> kSupportedReaderFeatures = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"};

Status CheckReadable(const Json& protocol, const Json& metadata, int64_t version) {
  int64_t reader = IntField(protocol, "minReaderVersion", 1);
  std::string where = "table version " + std::to_string(version);
  if (reader > 3 || reader < 1) {
    return Status::NotSupported(where + " needs Delta reader version " + std::to_string(reader) +
                                "; Strata reads versions 1 to 3");
  }
  if (reader == 3) {
    std::vector<std::string> unsupported;
    if (protocol.contains("readerFeatures") && protocol["readerFeatures"].is_array()) {
      for (const auto& f : protocol["readerFeatures"]) {
        if (f.is_string() && !kSupportedReaderFeatures.count(f.get<std::string>()))
          unsupported.push_back(f.get<std::string>());
      }
    }
    if (!unsupported.empty()) {
      std::string list;
      for (const auto& f : unsupported) list += (list.empty() ? "" : ", ") + f;
      return Status::NotSupported(where +
                                  " uses Delta reader features Strata does not support: " + list);
    }
  }
  if (metadata.contains("configuration") && metadata["configuration"].is_object()) {
    auto mode = StringField(metadata["configuration"], "delta.columnMapping.mode", "none");
    if (mode != "none" && mode != "name" && mode != "id") {
      return Status::NotSupported(where + " uses Delta column mapping mode '" + mode +
                                  "', which is not one of the protocol's (none, name, id)");
    }
  }
  return Status::OK();
}

const char* TypeName(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "a list";
  return "an object";
}

enum class Want { kString, kInteger, kBool, kObject, kStringList, kStringMap };

// Checks `object[key]` (a field of action `action`): required fields must be present and
// not null; present fields must have the wanted type.
Status CheckField(const Json& object, const char* action, const char* key, Want want,
                  bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (!required) return Status::OK();
    return Status::InvalidArgument(std::string(action) + "." + key + " is missing");
  }
  const Json& v = *it;
  bool ok = false;
  const char* wanted = "";
  switch (want) {
    case Want::kString:
      ok = v.is_string(), wanted = "a string";
      break;
    case Want::kInteger:
      ok = v.is_number_integer(), wanted = "a whole number";
      break;
    case Want::kBool:
      ok = v.is_boolean(), wanted = "a boolean";
      break;
    case Want::kObject:
      ok = v.is_object(), wanted = "an object";
      break;
    case Want::kStringList:
      ok = v.is_array() &&
           std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); });
      wanted = "a list of strings";
      break;
    case Want::kStringMap:
      ok = v.is_object() && std::all_of(v.begin(), v.end(),
                                        [](const Json& x) { return x.is_string() || x.is_null(); });
      wanted = "an object of strings";
      break;
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument(std::string(action) + "." + key + " must be " + wanted + ", not " +
                                 TypeName(v));
}

DataFile FileFromAdd(const Json& add) {
  DataFile f;
  f.path = DecodePath(StringField(add, "path"));
  if (add.contains("partitionValues") && add["partitionValues"].is_object()) {
    for (const auto& [k, v] : add["partitionValues"].items()) {
      if (v.is_null())
        f.partition_values[k] = std::nullopt;
      else
        f.partition_values[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  f.size = IntField(add, "size", 0);
  if (add.contains("deletionVector") && add["deletionVector"].is_object())
    f.deletion_vector = DeletionVectorFromJson(add["deletionVector"]);
  f.modification_time = IntField(add, "modificationTime", 0);
  if (add.contains("stats") && add["stats"].is_string()) {
    f.stats_json = add["stats"].get<std::string>();
    // Only numRecords is needed up front; a full parse of every file's statistics
    // would dominate opening a table of many files.
    size_t at = f.stats_json.find("\"numRecords\":");
    if (at != std::string::npos) {
      const char* p = f.stats_json.c_str() + at + 13;
      char* end = nullptr;
      long long n = std::strtoll(p, &end, 10);
      if (end != p) f.num_records = n;
    }
  }
  return f;
}

// The state replay builds, action by action. (clang-tidy sees nlohmann's allocator-aware
// members as able to throw from the implicit destructor; they cannot.)
struct ReplayState {  // NOLINT(bugprone-exception-escape)
  Json protocol;
  Json metadata;
  std::map<std::string, DataFile> files;      // by DataFile::Key(): path and deletion vector
  std::map<std::string, int64_t> tombstones;  // path -> deletionTimestamp
  std::map<std::string, int64_t> txns;
  int64_t timestamp_ms = 0;
};

void Apply(const Json& action, ReplayState* state) {
  if (action.contains("add") && action["add"].is_object()) {
    DataFile f = FileFromAdd(action["add"]);
    state->tombstones.erase(f.path);
    std::string key = f.Key();
    state->files[key] = std::move(f);
  } else if (action.contains("remove") && action["remove"].is_object()) {
    // A remove names a logical file: its path and deletion vector (as its add did).
    DataFile removed = FileFromAdd(action["remove"]);
    state->files.erase(removed.Key());
    state->tombstones[removed.path] = IntField(action["remove"], "deletionTimestamp", 0);
  } else if (action.contains("metaData") && action["metaData"].is_object()) {
    state->metadata = action["metaData"];
  } else if (action.contains("protocol") && action["protocol"].is_object()) {
    state->protocol = action["protocol"];
  } else if (action.contains("txn") && action["txn"].is_object()) {
    state->txns[StringField(action["txn"], "appId")] = IntField(action["txn"], "version", 0);
  } else if (action.contains("commitInfo") && action["commitInfo"].is_object()) {
    state->timestamp_ms = IntField(action["commitInfo"], "timestamp", state->timestamp_ms);
  }
}

constexpr size_t kMaxActionDepth = 64;

// Parses one commit file into actions; errors name the file, version and line.
Result<std::vector<Json>> ParseCommit(const std::string& text, const std::string& file,
                                      int64_t version) {
  std::vector<Json> actions;
  size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    bool last = end == std::string::npos;
    if (last) end = text.size();
    std::string line = text.substr(start, end - start);
    ++line_no;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // Actions nest a few levels; deeper text would only exhaust the stack of the
    // recursive code that copies and prints JSON.
    if (JsonDepth(line) > kMaxActionDepth) {
      return Status::ParseError("corrupt log line in '" + file + "' (version " +
                                std::to_string(version) + ") line " + std::to_string(line_no) +
                                ": nested deeper than " + std::to_string(kMaxActionDepth) +
                                " levels");
    }
    try {
      Json action = Json::parse(line);
      if (!action.is_object() || action.size() != 1) {
        return Status::ParseError("corrupt log line in '" + file + "' (version " +
                                  std::to_string(version) + ") line " + std::to_string(line_no) +
                                  ": an action is an object with one key");
      }
      if (Status st = CheckAction(action); !st.ok()) {
        return Status::ParseError("corrupt log line in '" + file + "' (version " +
                                  std::to_string(version) + ") line " + std::to_string(line_no) +
                                  ": " + st.message());
      }
      actions.push_back(std::move(action));
    } catch (const Json::exception& e) {
      return Status::ParseError("corrupt log line in '" + file + "' (version " +
                                std::to_string(version) + ") line " + std::to_string(line_no) +
                                (last ? " (truncated?)" : "") + ": " + e.what());
    }
  }
  if (actions.empty()) {
    return Status::ParseError("corrupt commit '" + file + "' (version " + std::to_string(version) +
                              "): the file holds no action (a commit is never empty; was it "
                              "truncated?). The table cannot be read or written past version " +
                              std::to_string(version - 1) + " until it is repaired");
  }
  return actions;
}

// What a checkpoint holds: the actions a reader applies, and whether it is a v2 one (a
// UUID-named file, or any with sidecar files), whose _last_checkpoint size counts
// differently.
struct CheckpointRead {
  std::vector<Json> actions;
  bool v2 = false;
};

// Appends the actions of `row` (one checkpoint or sidecar row as JSON: one action, the
// other columns null) to `read`, and its sidecar actions to `sidecars`.
Status AddCheckpointRow(const Json& row, const std::string& where, CheckpointRead* read,
                        std::vector<Json>* sidecars) {
  for (const auto& [key, value] : row.items()) {
    if (value.is_null()) continue;
    Json action;
    action[key] = value;
    if (Status st = CheckAction(action); !st.ok())
      return Status::ParseError("corrupt checkpoint " + where + ": " + st.message());
    if (key == "add" || key == "remove" || key == "metaData" || key == "protocol" || key == "txn") {
      read->actions.push_back(std::move(action));
    } else if (key == "sidecar") {
      if (!value.is_object() || !value.contains("path") || !value["path"].is_string())
        return Status::ParseError("corrupt checkpoint " + where + ": a sidecar without a path");
      sidecars->push_back(value);
    }
    // checkpointMetadata, domainMetadata and others: nothing for a reader of rows.
  }
  return Status::OK();
}

// The rows of Parquet `files` (checkpoint parts or sidecars), each as JSON.
Status ReadParquetRows(engine::Connection* conn, const std::vector<std::string>& files,
                       const std::string& what, CheckpointRead* read, std::vector<Json>* sidecars) {
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ", ") + QuoteString(f);
  auto df = conn->Collect("SELECT to_json(t) AS j FROM read_parquet([" + list + "]) AS t");
  if (!df.ok()) return df.status().WithContext("cannot read " + what);
  const Column& col = df->column(0);
  for (size_t r = 0; r < df->num_rows(); ++r) {
    Json row = Json::parse(col.GetString(r), nullptr, /*allow_exceptions=*/false);
    const std::string where = what + " row " + std::to_string(r);
    if (!row.is_object()) return Status::ParseError(where + " is not an action");
    STRATA_RETURN_NOT_OK(AddCheckpointRow(row, where, read, sidecars));
  }
  return Status::OK();
}

// Reads a checkpoint: classic (one Parquet file or its parts) or v2 (a UUID-named JSON or
// Parquet file whose `sidecar` actions name Parquet files in _delta_log/_sidecars holding
// the add and remove actions). Errors name the file and version.
Result<CheckpointRead> ReadCheckpoint(FileSystem* fs, engine::Connection* conn,
                                      const std::string& table_path,
                                      const std::vector<std::string>& parts, int64_t version) {
  const std::string first = LogDir(table_path) + "/" + parts[0];
  const std::string what =
      "checkpoint of version " + std::to_string(version) + " ('" + first + "')";
  static const std::regex kUuidNamed(R"(\d{20}\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet))");
  CheckpointRead read;
  read.v2 = std::regex_match(parts[0], kUuidNamed);
  std::vector<Json> sidecars;
  if (parts[0].size() > 5 && parts[0].compare(parts[0].size() - 5, 5, ".json") == 0) {
    STRATA_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(first));
    auto actions = ParseCommit(text, first, version);
    if (!actions.ok()) return actions.status().WithContext(what);
    for (const Json& a : *actions)
      STRATA_RETURN_NOT_OK(AddCheckpointRow(a, what, &read, &sidecars));
  } else {
    std::vector<std::string> files;
    files.reserve(parts.size());
    for (const auto& p : parts) files.push_back(LogDir(table_path) + "/" + p);
    STRATA_RETURN_NOT_OK(ReadParquetRows(conn, files, what, &read, &sidecars));
  }
  if (sidecars.empty()) return read;
  read.v2 = true;
  std::vector<std::string> files;
  files.reserve(sidecars.size());
  for (const Json& sidecar : sidecars) {
    // A file name in _delta_log/_sidecars, or an absolute URI.
    std::string path = sidecar["path"].get<std::string>();
    if (path.rfind("file://", 0) == 0) {
      path = DecodePath(path.substr(7));
    } else if (path.find("://") != std::string::npos) {
      return Status::NotSupported(what + " names sidecar '" + path +
                                  "' on another file system; Strata reads local files");
    } else if (path.empty() || path[0] != '/') {
      path = LogDir(table_path) + "/_sidecars/" + DecodePath(path);
    }
    if (!fs->Exists(path))
      return Status::NotFound(what + " names sidecar file '" + path + "', which is missing");
    files.push_back(path);
  }
  std::vector<Json> nested;
  STRATA_RETURN_NOT_OK(ReadParquetRows(conn, files, "sidecar of " + what, &read, &nested));
  if (!nested.empty()) return Status::ParseError("sidecar of " + what + " names sidecars itself");
  return read;
}

// Turns the replayed state into a Snapshot, checking that it is complete and readable.
Result<Snapshot> Finalize(ReplayState state, Snapshot snap, const std::string& table_path,
                          int64_t target_version) {
  if (state.protocol.is_null()) {
    return Status::ParseError("table '" + table_path + "' at version " +
                              std::to_string(target_version) +
                              " has no protocol action in its log");
  }
  if (state.metadata.is_null()) {
    return Status::ParseError("table '" + table_path + "' at version " +
                              std::to_string(target_version) +
                              " has no metaData action in its log");
  }
  STRATA_RETURN_NOT_OK(CheckReadable(state.protocol, state.metadata, target_version)
                           .WithContext("'" + table_path + "'"));

  snap.version = target_version;
  snap.timestamp_ms = state.timestamp_ms;
  snap.table_id = StringField(state.metadata, "id");
  snap.min_reader_version = static_cast<int>(IntField(state.protocol, "minReaderVersion", 1));
  snap.min_writer_version = static_cast<int>(IntField(state.protocol, "minWriterVersion", 2));
  for (auto [key, out] : {std::pair{"readerFeatures", &snap.reader_features},
                          std::pair{"writerFeatures", &snap.writer_features}}) {
    auto it = state.protocol.find(key);
    if (it == state.protocol.end() || !it->is_array()) continue;
    for (const Json& f : *it) {
      if (f.is_string()) out->push_back(f.get<std::string>());
    }
  }
  auto schema = ParseSchemaString(StringField(state.metadata, "schemaString"));
  if (!schema.ok())
    return schema.status().WithContext("table '" + table_path + "' version " +
                                       std::to_string(target_version));
  snap.schema = std::move(schema).value();
  if (state.metadata.contains("partitionColumns") &&
      state.metadata["partitionColumns"].is_array()) {
    for (const auto& c : state.metadata["partitionColumns"]) {
      if (c.is_string()) snap.partition_columns.push_back(c.get<std::string>());
    }
  }
  if (state.metadata.contains("configuration") && state.metadata["configuration"].is_object()) {
    for (const auto& [k, v] : state.metadata["configuration"].items()) {
      snap.configuration[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  for (auto& [key, f] : state.files) {
    state.tombstones.erase(f.path);  // a file re-added with another deletion vector is live
    snap.files.push_back(std::move(f));
  }
  snap.app_versions = std::move(state.txns);
  snap.tombstones = std::move(state.tombstones);
  return snap;
}

// Applies the JSON commits first..last (inclusive) to `state`.
Status ApplyCommits(FileSystem* fs, const std::string& table_path, int64_t first, int64_t last,
                    ReplayState* state, Snapshot* snap) {
  for (int64_t v = first; v <= last; ++v) {
    const std::string file = LogDir(table_path) + "/" + CommitFileName(v);
    STRATA_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(file));
    STRATA_ASSIGN_OR_RETURN(std::vector<Json> actions, ParseCommit(text, file, v));
    int64_t ts = -1;
    for (const Json& a : actions) {
      Apply(a, state);
      if (a.contains("commitInfo")) ts = IntField(a["commitInfo"], "timestamp", -1);
    }
    if (ts < 0) {
      auto info = fs->Stat(file);
      ts = info.ok() ? info->modified_ms : 0;
    }
    state->timestamp_ms = ts;
    ++snap->commits_replayed;
  }
  return Status::OK();
}

}  // namespace

Result<size_t> ReadCheckpointActions(FileSystem* fs, engine::Connection* conn,
                                     const std::string& table_path,
                                     const std::vector<std::string>& parts, int64_t version) {
  STRATA_ASSIGN_OR_RETURN(CheckpointRead read,
                          ReadCheckpoint(fs, conn, table_path, parts, version));
  return read.actions.size();
}

std::string CommitFileName(int64_t version) { return Pad20(version) + ".json"; }

std::string PercentEncode(std::string_view text, std::string_view safe) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || safe.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string DecodePath(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() &&
        std::isxdigit(static_cast<unsigned char>(path[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
      out += static_cast<char>(std::stoi(path.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

Result<LogListing> ListLog(FileSystem* fs, const std::string& table_path) {
  auto names = fs->ListDir(LogDir(table_path));
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("'" + table_path +
                              "' is not a Delta table: it has no _delta_log folder");
    }
    return names.status();
  }
  static const std::regex kCommit(R"((\d{20})\.json)");
  static const std::regex kCheckpoint(R"((\d{20})\.checkpoint\.parquet)");
  static const std::regex kPart(R"((\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet)");
  static const std::regex kV2(R"((\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet))");
  LogListing listing;
  std::map<int64_t, std::string> v2;  // version -> a UUID-named (v2) checkpoint
  std::map<int64_t, std::map<int, std::string>> parts;
  std::map<int64_t, int> part_counts;
  // Versions are 64-bit: a longer number in a name is a corrupt log, named as such.
  auto number = [&](const std::string& digits, const std::string& name) -> Result<int64_t> {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return Status::ParseError("corrupt log of '" + table_path + "': '" + LogDir(table_path) +
                                "/" + name + "' names a version beyond 64 bits");
    }
    return n;
  };
  for (const std::string& name : *names) {
    std::smatch m;
    if (std::regex_match(name, m, kCommit)) {
      STRATA_ASSIGN_OR_RETURN(int64_t v, number(m[1], name));
      listing.commits.push_back(v);
    } else if (std::regex_match(name, m, kCheckpoint)) {
      STRATA_ASSIGN_OR_RETURN(int64_t v, number(m[1], name));
      listing.checkpoints[v] = {name};
    } else if (std::regex_match(name, m, kPart)) {
      STRATA_ASSIGN_OR_RETURN(int64_t v, number(m[1], name));
      STRATA_ASSIGN_OR_RETURN(int64_t part, number(m[2], name));
      STRATA_ASSIGN_OR_RETURN(int64_t count, number(m[3], name));
      if (part < 1 || count < 1 || part > count || count > 100000) continue;
      parts[v][static_cast<int>(part)] = name;
      part_counts[v] = static_cast<int>(count);
    } else if (std::regex_match(name, m, kV2)) {
      STRATA_ASSIGN_OR_RETURN(int64_t v, number(m[1], name));
      v2[v] = name;
    } else if (name == "_last_checkpoint") {
      listing.has_last_checkpoint = true;
    }
  }
  for (const auto& [v, by_index] : parts) {
    if (static_cast<int>(by_index.size()) != part_counts[v] || listing.checkpoints.count(v))
      continue;
    std::vector<std::string> files;
    for (const auto& [i, name] : by_index) files.push_back(name);
    listing.checkpoints[v] = std::move(files);  // only complete multi-part checkpoints
  }
  // A v2 checkpoint where no classic-named one is (two writers may each leave one: any
  // of them is the same state).
  for (const auto& [v, name] : v2) listing.checkpoints.emplace(v, std::vector<std::string>{name});
  std::sort(listing.commits.begin(), listing.commits.end());
  return listing;
}

Result<Snapshot> Replay(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                        int64_t target_version) {
  STRATA_ASSIGN_OR_RETURN(LogListing listing, ListLog(fs, table_path));
  const std::string log_dir = LogDir(table_path);
  int64_t latest = listing.commits.empty() ? -1 : listing.commits.back();
  if (!listing.checkpoints.empty()) latest = std::max(latest, listing.checkpoints.rbegin()->first);
  if (latest < 0)
    return Status::NotFound("'" + table_path + "' has an empty _delta_log: no version exists");
  if (target_version < 0) target_version = latest;
  if (target_version > latest) {
    return Status::NotFound("table '" + table_path + "' has no version " +
                            std::to_string(target_version) + "; the latest is " +
                            std::to_string(latest));
  }

  // _last_checkpoint is a hint (the protocol's word): when it is unreadable or names a
  // checkpoint that is not there, the listing decides. When it names one, its size is
  // checked against what the checkpoint holds.
  int64_t checkpoint = -1;
  int64_t expected_size = -1;
  if (listing.has_last_checkpoint) {
    auto text = fs->ReadFile(log_dir + "/_last_checkpoint");
    Json last = text.ok() ? Json::parse(*text, nullptr, /*allow_exceptions=*/false) : Json();
    int64_t v = IntField(last, "version", -1);
    int64_t parts = IntField(last, "parts", 1);
    auto it = listing.checkpoints.find(v);
    if (v >= 0 && v <= target_version && it != listing.checkpoints.end() &&
        static_cast<int64_t>(it->second.size()) == parts) {
      checkpoint = v;
      expected_size = IntField(last, "size", -1);
    }
  }
  // A newer complete checkpoint than _last_checkpoint says may exist (a writer can die
  // between the two); use the newest one not past the target.
  for (const auto& [v, files] : listing.checkpoints) {
    if (v <= target_version && v > checkpoint) {
      checkpoint = v;
      expected_size = -1;
    }
  }

  std::set<int64_t> have(listing.commits.begin(), listing.commits.end());
  // A checkpoint is a shortcut: when it cannot be read but every commit up to it is still
  // in the log, replay those instead (with a warning), as the protocol lets a reader.
  std::vector<Json> checkpoint_actions;
  if (checkpoint >= 0) {
    auto read = ReadCheckpoint(fs, conn, table_path, listing.checkpoints[checkpoint], checkpoint);
    // (A v2 checkpoint's size counts its sidecars' actions as its writer saw fit.)
    if (read.ok() && !read->v2 && expected_size >= 0 &&
        static_cast<int64_t>(read->actions.size()) > expected_size) {
      read =
          Status::ParseError("checkpoint of version " + std::to_string(checkpoint) + " in '" +
                             log_dir + "' holds " + std::to_string(read->actions.size()) +
                             " actions but _last_checkpoint says " + std::to_string(expected_size));
    }
    bool all_commits = true;
    for (int64_t v = 0; v <= checkpoint && all_commits; ++v) all_commits = have.count(v) > 0;
    if (read.ok()) {
      checkpoint_actions = std::move(read->actions);
    } else if (all_commits) {
      Log(LogLevel::kWarning, "table",
          read.status().message() + "; reading the JSON commits 0 to " +
              std::to_string(checkpoint) + " instead");
      checkpoint = -1;
    } else {
      return read.status();
    }
  }
  int64_t first = checkpoint + 1;
  if (checkpoint < 0 && !have.count(0)) {
    return Status::ParseError("the log of '" + table_path +
                              "' has no version 0 and no checkpoint to start from");
  }
  for (int64_t v = first; v <= target_version; ++v) {
    if (!have.count(v)) {
      auto next = have.upper_bound(v);
      return Status::ParseError(
          "the log of '" + table_path + "' is missing version " + std::to_string(v) + " ('" +
          log_dir + "/" + CommitFileName(v) + "')" +
          (next != have.end()
               ? "; versions are not contiguous, the next is " + std::to_string(*next)
               : ""));
    }
  }

  ReplayState state;
  Snapshot snap;
  if (checkpoint >= 0) {
    for (const Json& a : checkpoint_actions) Apply(a, &state);
    snap.checkpoint_version = checkpoint;
  }
  STRATA_RETURN_NOT_OK(ApplyCommits(fs, table_path, first, target_version, &state, &snap));
  return Finalize(std::move(state), std::move(snap), table_path, target_version);
}

Result<Snapshot> ReplayAfter(FileSystem* fs, const std::string& table_path, const Snapshot& base,
                             int64_t target_version) {
  ReplayState state;
  state.protocol = ProtocolAction(base)["protocol"];
  state.metadata = MetadataAction(base, 0)["metaData"];
  for (const DataFile& f : base.files) state.files[f.Key()] = f;
  state.txns = base.app_versions;
  state.tombstones = base.tombstones;
  state.timestamp_ms = base.timestamp_ms;
  Snapshot snap;
  snap.checkpoint_version = base.checkpoint_version;
  snap.commits_replayed = base.commits_replayed;
  STRATA_RETURN_NOT_OK(
      ApplyCommits(fs, table_path, base.version + 1, target_version, &state, &snap));
  return Finalize(std::move(state), std::move(snap), table_path, target_version);
}

Result<Json> ReadCommitInfo(FileSystem* fs, const std::string& table_path, int64_t version,
                            std::vector<Json>* actions_out) {
  const std::string file = LogDir(table_path) + "/" + CommitFileName(version);
  STRATA_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(file));
  STRATA_ASSIGN_OR_RETURN(std::vector<Json> actions, ParseCommit(text, file, version));
  Json info = Json::object();
  for (const Json& a : actions) {
    if (a.contains("commitInfo")) info = a["commitInfo"];
  }
  if (!info.contains("timestamp")) {
    auto st = fs->Stat(file);
    if (st.ok()) info["timestamp"] = st->modified_ms;
  }
  if (actions_out != nullptr) *actions_out = std::move(actions);
  return info;
}

Status WriteCommit(FileSystem* fs, const std::string& table_path, int64_t version,
                   const std::vector<Json>& actions) {
  const std::string log_dir = LogDir(table_path);
  const std::string target = log_dir + "/" + CommitFileName(version);
  const std::string tmp = log_dir + "/." + CommitFileName(version) + "." + RandomHex() + ".tmp";
  std::string content;
  for (const Json& a : actions) content += a.dump() + "\n";
  Status st = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewWritableFile(tmp));
    STRATA_RETURN_NOT_OK(file->Append(content));
    STRATA_RETURN_NOT_OK(file->Sync());
    STRATA_RETURN_NOT_OK(file->Close());
    return fs->LinkIfAbsent(tmp, target);
  }();
  (void)fs->RemoveFile(tmp);  // the link (if made) holds the content
  if (!st.ok()) {
    if (st.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("version " + std::to_string(version) + " of '" + table_path +
                                   "' exists");
    }
    return st.WithContext("commit of version " + std::to_string(version) + " of '" + table_path +
                          "' failed");
  }
  Status synced = fs->SyncDir(log_dir);
  if (!synced.ok()) {
    return synced.WithContext("version " + std::to_string(version) + " of '" + table_path +
                              "' was written but its folder could not be synced");
  }
  return Status::OK();
}

std::optional<int64_t> IntervalMs(const std::string& text) {
  static const std::regex kInterval(R"(\s*interval\s+(\d{1,9})\s+(day|hour|minute|week)s?\s*)",
                                    std::regex::icase);
  std::smatch m;
  if (!std::regex_match(text, m, kInterval)) return std::nullopt;
  const int64_t n = std::stoll(m[1]);
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(m[2].str()[0])));
  const int64_t unit_ms = unit == 'w'   ? 7LL * 86400000
                          : unit == 'd' ? 86400000
                          : unit == 'h' ? 3600000
                                        : 60000;
  return n * unit_ms;
}

int64_t DeletedFileRetentionMs(const std::map<std::string, std::string>& configuration) {
  const int64_t week = 7LL * 24 * 3600 * 1000;
  auto it = configuration.find("delta.deletedFileRetentionDuration");
  if (it == configuration.end()) return week;
  return IntervalMs(it->second).value_or(week);
}

namespace {

// Writes newline-delimited `actions` as a Parquet file at `path` with the checkpoint
// schema's columns (`columns`: a subset of txn, add, remove, metaData, protocol), through
// a temporary file; renamed into place only when whole.
Status WriteActionsParquet(FileSystem* fs, engine::Connection* conn,
                           const std::vector<Json>& actions, const std::string& columns,
                           const std::string& path) {
  // Hidden names beside it, which no reader lists.
  const size_t slash = path.rfind('/');
  const std::string hidden = path.substr(0, slash + 1) + "." + path.substr(slash + 1);
  const std::string tmp_json = hidden + "." + RandomHex() + ".ndjson";
  const std::string tmp_parquet = hidden + "." + RandomHex() + ".tmp";
  Status st = [&]() -> Status {
    {
      std::ofstream out(tmp_json, std::ios::binary);
      for (const Json& a : actions) out << a.dump() << "\n";
      if (!out) return Status::IOError("cannot write '" + tmp_json + "'");
    }
    const std::string map = "MAP(VARCHAR, VARCHAR)";
    const std::string dv =
        "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes "
        "INTEGER, cardinality BIGINT)";
    const std::string types =
        "{'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
        "'add': 'STRUCT(path VARCHAR, partitionValues " +
        map +
        ", size BIGINT, modificationTime BIGINT, "
        "dataChange BOOLEAN, stats VARCHAR, tags " +
        map + ", deletionVector " + dv +
        ")', "
        "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
        "extendedFileMetadata BOOLEAN, partitionValues " +
        map + ", size BIGINT, deletionVector " + dv +
        ")', "
        "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider "
        "VARCHAR, "
        "options " +
        map + "), schemaString VARCHAR, partitionColumns VARCHAR[], configuration " + map +
        ", createdTime BIGINT)', "
        "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, "
        "readerFeatures VARCHAR[], writerFeatures VARCHAR[])'}";
    STRATA_RETURN_NOT_OK(conn->Execute("COPY (SELECT " + columns + " FROM read_json(" +
                                       QuoteString(tmp_json) +
                                       ", format='newline_delimited', columns=" + types + ")) TO " +
                                       QuoteString(tmp_parquet) + " (FORMAT parquet)"));
    return fs->Rename(tmp_parquet, path);
  }();
  std::remove(tmp_json.c_str());
  std::remove(tmp_parquet.c_str());
  return st;
}

}  // namespace

Status WriteCheckpoint(FileSystem* fs, engine::Connection* conn, const std::string& table_path,
                       const Snapshot& snapshot) {
  const std::string log_dir = LogDir(table_path);
  std::vector<Json> state;  // protocol, metaData, txn
  state.push_back(ProtocolAction(snapshot));
  state.push_back(MetadataAction(snapshot, 0));
  for (const auto& [app, v] : snapshot.app_versions)
    state.push_back(TxnAction(app, v, snapshot.timestamp_ms));
  std::vector<Json> files;  // add, remove
  for (const DataFile& f : snapshot.files) files.push_back(AddAction(f, false));
  // Unexpired tombstones, as the protocol requires (deleted-file retention: 7 days, or
  // the table's delta.deletedFileRetentionDuration in days or hours).
  const int64_t retention_ms = DeletedFileRetentionMs(snapshot.configuration);
  for (const auto& [path, deleted_ms] : snapshot.tombstones) {
    if (deleted_ms < snapshot.timestamp_ms - retention_ms) continue;
    DataFile removed;
    removed.path = path;
    files.push_back(RemoveAction(removed, deleted_ms, false));
    files.back()["remove"].erase("extendedFileMetadata");
    files.back()["remove"].erase("partitionValues");
    files.back()["remove"].erase("size");
  }
  const bool v2 = std::count(snapshot.writer_features.begin(), snapshot.writer_features.end(),
                             "v2Checkpoint") > 0;
  Status st = [&]() -> Status {
    const int64_t size = static_cast<int64_t>(state.size() + files.size());
    if (!v2) {
      // Classic: one Parquet file of every action.
      std::vector<Json> all = state;
      all.insert(all.end(), files.begin(), files.end());
      STRATA_RETURN_NOT_OK(
          WriteActionsParquet(fs, conn, all, "txn, \"add\", remove, metaData, protocol",
                              log_dir + "/" + Pad20(snapshot.version) + ".checkpoint.parquet"));
      Json last = {{"version", snapshot.version}, {"size", size}};
      return fs->WriteFileAtomic(log_dir + "/_last_checkpoint", last.dump());
    }
    // v2 (the table has the v2Checkpoint feature): the add and remove actions in a sidecar
    // Parquet file in _delta_log/_sidecars, named by a UUID-named JSON checkpoint that
    // holds the rest, led by checkpointMetadata. The sidecar is whole before the
    // checkpoint names it, and the checkpoint whole before _last_checkpoint does.
    std::vector<Json> top = {{{"checkpointMetadata", {{"version", snapshot.version}}}}};
    top.insert(top.end(), state.begin(), state.end());
    if (!files.empty()) {
      STRATA_RETURN_NOT_OK(fs->CreateDirs(log_dir + "/_sidecars"));
      const std::string sidecar = RandomUuid() + ".parquet";
      const std::string sidecar_path = log_dir + "/_sidecars/" + sidecar;
      STRATA_RETURN_NOT_OK(WriteActionsParquet(fs, conn, files, "\"add\", remove", sidecar_path));
      STRATA_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(sidecar_path));
      top.push_back({{"sidecar",
                      {{"path", sidecar},
                       {"sizeInBytes", static_cast<int64_t>(info.size)},
                       {"modificationTime", info.modified_ms}}}});
    }
    std::string text;
    for (const Json& a : top) text += a.dump() + "\n";
    const std::string name = Pad20(snapshot.version) + ".checkpoint." + RandomUuid() + ".json";
    STRATA_RETURN_NOT_OK(fs->WriteFileAtomic(log_dir + "/" + name, text));
    STRATA_ASSIGN_OR_RETURN(FileInfo written, fs->Stat(log_dir + "/" + name));
    Json last = {{"version", snapshot.version},
                 {"size", size + 1},
                 {"v2Checkpoint",
                  {{"path", name},
                   {"sizeInBytes", static_cast<int64_t>(text.size())},
                   {"modificationTime", written.modified_ms}}}};
    return fs->WriteFileAtomic(log_dir + "/_last_checkpoint", last.dump());
  }();
  return st.WithContext("checkpoint of version " + std::to_string(snapshot.version) + " of '" +
                        table_path + "'");
}

// ---------------------------------------------------------------------------------------
// Actions

Json ProtocolAction(int min_reader, int min_writer) {
  return {{"protocol", {{"minReaderVersion", min_reader}, {"minWriterVersion", min_writer}}}};
}

Json ProtocolAction(const Snapshot& s) {
  Json action = ProtocolAction(s.min_reader_version, s.min_writer_version);
  if (s.min_reader_version >= 3) action["protocol"]["readerFeatures"] = s.reader_features;
  if (s.min_writer_version >= 7) action["protocol"]["writerFeatures"] = s.writer_features;
  return action;
}

Json MetadataAction(const Snapshot& s, int64_t created_time) {
  Json config = Json::object();
  for (const auto& [k, v] : s.configuration) config[k] = v;
  Json md = {{"id", s.table_id},
             {"format", {{"provider", "parquet"}, {"options", Json::object()}}},
             {"schemaString", SchemaString(s.schema)},
             {"partitionColumns", s.partition_columns},
             {"configuration", config}};
  if (created_time > 0) md["createdTime"] = created_time;
  return {{"metaData", md}};
}

namespace {
// add.path is a URI: escape what is not safe in one.
std::string EncodePath(const std::string& path) { return PercentEncode(path, "/-_.=~"); }

Json PartitionJson(const DataFile& f) {
  Json pv = Json::object();
  for (const auto& [k, v] : f.partition_values) pv[k] = v ? Json(*v) : Json(nullptr);
  return pv;
}
}  // namespace

Json AddAction(const DataFile& f, bool data_change) {
  Json add = {{"path", EncodePath(f.path)},
              {"partitionValues", PartitionJson(f)},
              {"size", f.size},
              {"modificationTime", f.modification_time},
              {"dataChange", data_change}};
  if (!f.stats_json.empty()) add["stats"] = f.stats_json;
  if (f.deletion_vector) add["deletionVector"] = DeletionVectorJson(*f.deletion_vector);
  return {{"add", add}};
}

Json RemoveAction(const DataFile& f, int64_t deletion_timestamp, bool data_change) {
  Json remove = {{"path", EncodePath(f.path)},          {"deletionTimestamp", deletion_timestamp},
                 {"dataChange", data_change},           {"extendedFileMetadata", true},
                 {"partitionValues", PartitionJson(f)}, {"size", f.size}};
  if (f.deletion_vector) remove["deletionVector"] = DeletionVectorJson(*f.deletion_vector);
  return {{"remove", remove}};
}

Json TxnAction(const std::string& app_id, int64_t version, int64_t last_updated) {
  return {{"txn", {{"appId", app_id}, {"version", version}, {"lastUpdated", last_updated}}}};
}

std::vector<std::string> MissingFiles(FileSystem* fs, const std::string& table_path,
                                      const std::vector<DataFile>& files) {
  std::vector<std::string> missing;
  for (const DataFile& f : files) {
    bool absolute =
        f.path.find("://") != std::string::npos || (!f.path.empty() && f.path[0] == '/');
    if (!absolute && !fs->Exists(table_path + "/" + f.path)) missing.push_back(f.path);
  }
  return missing;
}

std::string StringField(const Json& object, const char* key, std::string fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int64_t IntField(const Json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  return fallback;
}

Status CheckAction(const Json& action) {
  if (!action.is_object() || action.empty()) return Status::OK();
  auto first = action.begin();  // kept alive: key() and value() refer into it
  const std::string& kind = first.key();
  const Json& body = first.value();
  if (kind != "add" && kind != "remove" && kind != "metaData" && kind != "protocol" &&
      kind != "txn" && kind != "commitInfo") {
    return Status::OK();  // actions Strata does not read (cdc, domainMetadata, ...)
  }
  const char* k = kind == "add"        ? "add"
                  : kind == "remove"   ? "remove"
                  : kind == "metaData" ? "metaData"
                  : kind == "protocol" ? "protocol"
                  : kind == "txn"      ? "txn"
                                       : "commitInfo";
  if (!body.is_object()) {
    return Status::InvalidArgument(std::string(k) + " must be an object, not " + TypeName(body));
  }
  if (kind == "add" || kind == "remove") {
    STRATA_RETURN_NOT_OK(CheckField(body, k, "path", Want::kString, true));
    if (body["path"].get<std::string>().empty())
      return Status::InvalidArgument(std::string(k) + ".path is empty");
    STRATA_RETURN_NOT_OK(CheckField(body, k, "partitionValues", Want::kStringMap, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "size", Want::kInteger, kind == "add"));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "modificationTime", Want::kInteger, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "deletionTimestamp", Want::kInteger, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "dataChange", Want::kBool, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "stats", Want::kString, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "deletionVector", Want::kObject, false));
    if (body.contains("deletionVector") && body["deletionVector"].is_object()) {
      const Json& dv = body["deletionVector"];
      const std::string d = std::string(k) + ".deletionVector";
      STRATA_RETURN_NOT_OK(CheckField(dv, d.c_str(), "storageType", Want::kString, true));
      STRATA_RETURN_NOT_OK(CheckField(dv, d.c_str(), "pathOrInlineDv", Want::kString, true));
      STRATA_RETURN_NOT_OK(CheckField(dv, d.c_str(), "offset", Want::kInteger, false));
      STRATA_RETURN_NOT_OK(CheckField(dv, d.c_str(), "sizeInBytes", Want::kInteger, true));
      STRATA_RETURN_NOT_OK(CheckField(dv, d.c_str(), "cardinality", Want::kInteger, true));
      const std::string type = dv["storageType"].get<std::string>();
      if (type != "u" && type != "i" && type != "p")
        return Status::InvalidArgument(d + ".storageType must be u, i or p, not '" + type + "'");
    }
  } else if (kind == "metaData") {
    STRATA_RETURN_NOT_OK(CheckField(body, k, "schemaString", Want::kString, true));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "id", Want::kString, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "partitionColumns", Want::kStringList, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "configuration", Want::kObject, false));
  } else if (kind == "protocol") {
    STRATA_RETURN_NOT_OK(CheckField(body, k, "minReaderVersion", Want::kInteger, true));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "minWriterVersion", Want::kInteger, true));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "readerFeatures", Want::kStringList, false));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "writerFeatures", Want::kStringList, false));
  } else if (kind == "txn") {
    STRATA_RETURN_NOT_OK(CheckField(body, k, "appId", Want::kString, true));
    STRATA_RETURN_NOT_OK(CheckField(body, k, "version", Want::kInteger, true));
  }
  return Status::OK();
}

}  // namespace strata::delta
