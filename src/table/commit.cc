// The commit step every table operation ends with: commitInfo, remove actions, and the
// put-if-absent commit with its retry and conflict rules.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "table/table_internal.h"

namespace strata {

using namespace table_detail;

Json table_detail::CommitInfo(const std::string& operation, const Json& parameters,
                              int64_t read_version, bool blind_append, const WriteOptions& options,
                              const Json& metrics) {
  // The timestamp is the table clock's when the commit is written (CommitWithRetry).
  Json info = {{"timestamp", 0},
               {"operation", operation},
               {"operationParameters", parameters},
               {"readVersion", read_version},
               {"isolationLevel", "Serializable"},
               {"isBlindAppend", blind_append},
               {"operationMetrics", metrics},
               {"engineInfo", kEngineInfo}};
  if (!options.metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : options.metadata) meta[k] = v;
    info["userMetadata"] = meta.dump();  // Delta's userMetadata is a string
  }
  if (!options.run_id.empty()) info["strataRunId"] = options.run_id;
  return info;
}

std::vector<Json> table_detail::RemoveActions(const std::vector<DataFile>& files, bool data_change,
                                              int64_t now) {
  std::vector<Json> out;
  for (const DataFile& f : files) {
    Json remove = delta::RemoveAction(f, now, data_change);
    if (!f.stats_json.empty()) remove["remove"]["stats"] = f.stats_json;
    out.push_back(std::move(remove));
  }
  return out;
}

// Commits `actions` (after commitInfo) at the version after `read`. Blind appends retry
// on a lost race, and deletes, updates and merges do over winners that only appended;
// everything else fails with kConflict naming the winner.
Result<int64_t> table_detail::CommitWithRetry(Table* table, FileSystem* fs, const std::string& path,
                                              const std::shared_ptr<const Snapshot>& read,
                                              Json commit_info, std::vector<Json> actions,
                                              bool blind_append, const WriteOptions& options) {
  if (read) {
    // A version built on a table whose data files are gone would be broken too: refuse,
    // unless this commit removes exactly those files (strata table repair does).
    std::set<std::string> removed;
    for (const Json& a : actions) {
      if (a.contains("remove"))
        removed.insert(delta::DecodePath(delta::StringField(a["remove"], "path")));
    }
    std::vector<DataFile> kept;
    for (const DataFile& f : read->files) {
      if (!removed.count(f.path)) kept.push_back(f);
    }
    std::vector<std::string> missing = delta::MissingFiles(fs, path, kept);
    if (!missing.empty()) {
      return Status::Corruption(
          "table '" + table->name() + "' version " + std::to_string(read->version) + " lists " +
          std::to_string(missing.size()) + " data file(s) that are not on disk (the first: '" +
          missing[0] + "'); nothing was written. 'strata table check " + table->name() +
          "' lists them; 'strata table repair " + table->name() +
          " --remove-missing' commits a version without them");
    }
  }
  // The writer rules, for every operation that commits (a repair of lost files only
  // drops entries whose rows are gone already).
  std::string operation = delta::StringField(commit_info, "operation", "write");
  std::transform(operation.begin(), operation.end(), operation.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool removes_rows = false;
  for (const Json& a : actions) {
    if (a.contains("remove") && a["remove"].value("dataChange", true)) removes_rows = true;
  }
  if (read && operation != "FSCK")
    STRATA_RETURN_NOT_OK(CheckWritable(table->name(), *read, operation, removes_rows));
  int64_t version = read ? read->version + 1 : 0;
  for (int attempt = 0;; ++attempt) {
    commit_info["readVersion"] = version - 1;
    commit_info["timestamp"] = table->NowMs();
    std::vector<Json> all = {Json{{"commitInfo", commit_info}}};
    all.insert(all.end(), actions.begin(), actions.end());
    Status st = delta::WriteCommit(fs, path, version, all);
    if (st.ok()) return version;
    if (st.code() != StatusCode::kAlreadyExists) return st;
    // Lost the race for `version`: read what won.
    STRATA_ASSIGN_OR_RETURN(auto latest, table->Latest());
    const bool metadata_changed =
        !read || latest->table_id != read->table_id ||
        delta::SchemaString(latest->schema) != delta::SchemaString(read->schema) ||
        latest->partition_columns != read->partition_columns;
    // DELETE, UPDATE and MERGE go on over commits that only added files: under Delta's
    // WriteSerializable isolation a concurrent append cannot conflict with them (the
    // result is theirs, then the append). A winner that removed a file (any file these
    // read), or changed the metadata or protocol, conflicts.
    bool over_appends = false;
    if (!blind_append && !metadata_changed &&
        (operation == "delete" || operation == "update" || operation == "merge")) {
      over_appends = true;
      for (int64_t v = version; v <= latest->version && over_appends; ++v) {
        std::vector<Json> won;
        STRATA_RETURN_NOT_OK(delta::ReadCommitInfo(fs, path, v, &won).status());
        for (const Json& a : won) {
          if (a.contains("remove") || a.contains("metaData") || a.contains("protocol"))
            over_appends = false;
        }
      }
    }
    if ((!blind_append && !over_appends) || metadata_changed || attempt > 10000) {
      STRATA_ASSIGN_OR_RETURN(Json winner, delta::ReadCommitInfo(fs, path, version));
      return Status::Conflict("table '" + table->name() + "': version " + std::to_string(version) +
                              " was committed by another writer (operation " +
                              delta::StringField(winner, "operation", "?") + ") after this " +
                              delta::StringField(commit_info, "operation", "write") +
                              " read version " + std::to_string(version - 1) +
                              "; nothing was changed, retry it");
    }
    if (!options.app_id.empty()) {
      auto it = latest->app_versions.find(options.app_id);
      if (it != latest->app_versions.end() && it->second >= options.app_version) {
        return Status::Conflict("table '" + table->name() + "': app '" + options.app_id +
                                "' version " + std::to_string(options.app_version) +
                                " was committed concurrently (as of version " +
                                std::to_string(latest->version) + ")");
      }
    }
    STRATA_RETURN_NOT_OK(CheckAppProgress(table->name(), *latest, options));
    STRATA_RETURN_NOT_OK(CheckWritable(table->name(), *latest, operation, removes_rows));
    version = latest->version + 1;
  }
}

namespace {
// The writer features a legacy writer version (below 7) implies.
std::vector<std::string> LegacyWriterFeatures(int writer_version) {
  std::vector<std::string> out;
  if (writer_version >= 2) out = {"appendOnly", "invariants"};
  if (writer_version >= 3) out.push_back("checkConstraints");
  if (writer_version >= 4) out.insert(out.end(), {"changeDataFeed", "generatedColumns"});
  if (writer_version >= 5) out.push_back("columnMapping");
  if (writer_version >= 6) out.push_back("identityColumns");
  return out;
}

// Whether writer feature `feature`, which Strata does not write, is in use in the table:
// the protocol asks a writer to honour change data feed only when the table enables it,
// generated and identity columns only when a column is one. Any other feature counts as
// in use.
bool InUse(const Snapshot& snapshot, const std::string& feature) {
  auto any_field = [&](const char* key) {
    return std::any_of(snapshot.schema.begin(), snapshot.schema.end(), [&](const TableField& f) {
      return f.metadata.find(key) != std::string::npos;
    });
  };
  if (feature == "changeDataFeed") {
    auto it = snapshot.configuration.find("delta.enableChangeDataFeed");
    return it != snapshot.configuration.end() && it->second == "true";
  }
  if (feature == "generatedColumns") return any_field("delta.generationExpression");
  if (feature == "identityColumns") return any_field("delta.identity.");
  return true;
}

// Writer features Strata honours on every commit (writer version 7).
const std::set<std::string> kWriterFeatures = {
    "appendOnly",   "invariants",   "checkConstraints", "deletionVectors",
    "timestampNtz", "v2Checkpoint", "columnMapping"};
}  // namespace

bool table_detail::DeletionVectorsEnabled(const Snapshot& snapshot) {
  auto it = snapshot.configuration.find("delta.enableDeletionVectors");
  return it != snapshot.configuration.end() && it->second == "true" &&
         std::count(snapshot.writer_features.begin(), snapshot.writer_features.end(),
                    "deletionVectors") > 0;
}

std::optional<Json> table_detail::ProtocolFor(const Snapshot* current, const Snapshot& target) {
  const std::map<std::string, std::string>& config = target.configuration;
  auto dv = config.find("delta.enableDeletionVectors");
  const bool want_dv = dv != config.end() && dv->second == "true";
  bool want_constraints = false;
  for (const auto& [key, value] : config)
    want_constraints = want_constraints || key.rfind("delta.constraints.", 0) == 0;
  // A timestamp_ntz anywhere in the schema (nested types are JSON text naming it).
  bool want_ntz = false;
  for (const TableField& f : target.schema)
    want_ntz = want_ntz || f.type.find("timestamp_ntz") != std::string::npos;
  Snapshot protocol;
  if (current != nullptr) {
    protocol.min_reader_version = current->min_reader_version;
    protocol.min_writer_version = current->min_writer_version;
    protocol.reader_features = current->reader_features;
    protocol.writer_features = current->writer_features;
  }
  auto has = [](const std::vector<std::string>& list, const char* f) {
    return std::find(list.begin(), list.end(), f) != list.end();
  };
  bool changed = false;
  // Adds a reader-writer table feature (reader 3, writer 7) unless the protocol has it (a
  // legacy version implies some: column mapping with reader 2 / writer 5). On the way up
  // from a legacy version, the features it implied are listed.
  auto add_feature = [&](const char* feature) {
    if (protocol.min_writer_version < 7) {
      std::vector<std::string> implied = LegacyWriterFeatures(protocol.min_writer_version);
      if (has(implied, feature) &&
          (std::string(feature) != "columnMapping" || protocol.min_reader_version >= 2))
        return;
      protocol.writer_features = std::move(implied);
      protocol.min_writer_version = 7;
    }
    if (has(protocol.writer_features, feature)) return;
    if (protocol.min_reader_version < 3) {
      protocol.reader_features.clear();
      if (protocol.min_reader_version == 2) protocol.reader_features.push_back("columnMapping");
      protocol.min_reader_version = 3;
    }
    protocol.writer_features.push_back(feature);
    if (!has(protocol.reader_features, feature)) protocol.reader_features.push_back(feature);
    changed = true;
  };
  auto mapping = config.find("delta.columnMapping.mode");
  if (mapping != config.end() && mapping->second != "none") add_feature("columnMapping");
  auto policy = config.find("delta.checkpointPolicy");
  if (policy != config.end() && policy->second == "v2") add_feature("v2Checkpoint");
  if (want_dv) add_feature("deletionVectors");
  if (want_ntz) add_feature("timestampNtz");
  if (want_constraints) {
    if (protocol.min_writer_version == 7 && !has(protocol.writer_features, "checkConstraints")) {
      protocol.writer_features.push_back("checkConstraints");
      changed = true;
    } else if (protocol.min_writer_version < 3) {
      protocol.min_writer_version = 3;  // CHECK constraints came with writer version 3
      changed = true;
    }
  }
  if (current == nullptr) return delta::ProtocolAction(protocol);
  if (!changed) return std::nullopt;
  return delta::ProtocolAction(protocol);
}

Status table_detail::CheckWritable(const std::string& table, const Snapshot& snapshot,
                                   const std::string& operation, bool removes_rows) {
  // The writer features the table has: listed (writer 7) or implied by a legacy version.
  const std::vector<std::string> features = snapshot.min_writer_version >= 7
                                                ? snapshot.writer_features
                                                : LegacyWriterFeatures(snapshot.min_writer_version);
  std::string unsupported;
  for (const std::string& f : features) {
    if (!kWriterFeatures.count(f) && InUse(snapshot, f))
      unsupported += (unsupported.empty() ? "" : ", ") + f;
  }
  if (snapshot.min_writer_version > 7) unsupported = "(a version the protocol does not define)";
  auto mapping = snapshot.configuration.find("delta.columnMapping.mode");
  if (mapping != snapshot.configuration.end() && mapping->second == "id") {
    return Status::NotSupported("table '" + table +
                                "' maps columns by id (delta.columnMapping.mode = id), which "
                                "Strata reads but does not write (it writes mode name), so it "
                                "cannot " +
                                operation + " it; nothing was written");
  }
  if (!unsupported.empty()) {
    return Status::NotSupported(
        "table '" + table + "' needs Delta writer version " +
        std::to_string(snapshot.min_writer_version) +
        (unsupported.empty() ? "" : " with writer features " + unsupported) +
        "; Strata writes appendOnly, invariants, checkConstraints, deletionVectors, "
        "timestampNtz, v2Checkpoint and columnMapping (mode name), and tables of writer "
        "versions 4 to 7 that do not use change data feed, generated or identity columns, "
        "so it cannot " +
        operation + " it; nothing was written");
  }
  auto append_only = snapshot.configuration.find("delta.appendOnly");
  if (removes_rows && append_only != snapshot.configuration.end()) {
    std::string value = append_only->second;
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (value == "true") {
      return Status::InvalidArgument(
          "table '" + table + "' is append-only (delta.appendOnly = true): " +
          (std::string("aeiou").find(operation[0]) != std::string::npos ? "an " : "a ") +
          operation +
          " would remove rows, which the table forbids; nothing was written ('strata table set " +
          table + " delta.appendOnly=false' lifts it)");
    }
  }
  return Status::OK();
}

Status table_detail::CheckAppProgress(const std::string& table, const Snapshot& snapshot,
                                      const WriteOptions& options) {
  for (const WriteOptions::AppProgress& p : options.app_progress) {
    auto it = snapshot.app_versions.find(p.app_id);
    const int64_t recorded = it == snapshot.app_versions.end() ? -1 : it->second;
    if (recorded == p.expected) continue;
    return Status::Conflict("table '" + table + "' version " + std::to_string(snapshot.version) +
                            " records " + p.app_id + " at " + std::to_string(recorded) + ", not " +
                            std::to_string(p.expected) +
                            " as this writer expected: another writer got there first; nothing "
                            "was written");
  }
  return Status::OK();
}
}  // namespace strata
