// Maintenance: compaction (optimize), restore, vacuum.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "table/column_mapping.h"
#include "table/deletion_vector.h"
#include "table/table_internal.h"

namespace strata {

using namespace table_detail;

Result<int64_t> Table::Optimize(int64_t target_bytes) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_RETURN_NOT_OK(CheckWritable(name_, *current, "optimize", false));
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  // Bin-pack small files per partition, smallest first. A file with deleted rows (a
  // deletion vector) is rewritten whatever its size, which purges its vector.
  std::map<std::string, std::vector<DataFile>> by_partition;
  for (const DataFile& f : current->files) {
    if (f.size >= target_bytes && !f.deletion_vector) continue;
    std::string key;
    for (const auto& [k, v] : f.partition_values) key += k + "=" + (v ? *v : "\x01") + "\x02";
    by_partition[key].push_back(f);
  }
  std::vector<DataFile> removed;
  WrittenFiles added;
  for (auto& [key, files] : by_partition) {
    std::sort(files.begin(), files.end(),
              [](const DataFile& a, const DataFile& b) { return a.size < b.size; });
    std::vector<std::vector<DataFile>> bins(1);
    int64_t bin_bytes = 0;
    for (const DataFile& f : files) {
      if (bin_bytes + f.size > target_bytes && !bins.back().empty()) {
        bins.emplace_back();
        bin_bytes = 0;
      }
      bins.back().push_back(f);
      bin_bytes += f.size;
    }
    for (const auto& bin : bins) {
      if (bin.size() < 2 && !bin[0].deletion_vector) continue;
      STRATA_ASSIGN_OR_RETURN(std::string scan,
                              ScanSql(fs_, conn.get(), path_, *current, bin, false));
      auto part = WriteDataFiles(fs_, conn.get(), path_, *current, scan);
      if (!part.ok()) {
        RemoveWritten(fs_, path_, added.files);
        return part.status();
      }
      removed.insert(removed.end(), bin.begin(), bin.end());
      for (auto& nf : part->files) added.files.push_back(std::move(nf));
    }
  }
  if (removed.empty()) return current->version;
  std::vector<Json> actions = RemoveActions(removed, false, NowMs());
  for (const DataFile& f : added.files) actions.push_back(delta::AddAction(f, false));
  Json metrics = {{"numRemovedFiles", std::to_string(removed.size())},
                  {"numAddedFiles", std::to_string(added.files.size())}};
  Json info = CommitInfo("OPTIMIZE", {{"targetSize", std::to_string(target_bytes)}},
                         current->version, false, {}, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
  if (!version.ok()) RemoveWritten(fs_, path_, added.files);
  return version;
}

Result<int64_t> Table::Restore(int64_t version) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(auto old, AtVersion(version));
  // Files are compared by path and deletion vector: a file whose vector changed since is
  // removed and added back with the old one.
  std::set<std::string> old_keys, current_keys;
  for (const DataFile& f : old->files) old_keys.insert(f.Key());
  for (const DataFile& f : current->files) current_keys.insert(f.Key());
  std::vector<DataFile> to_remove, to_add;
  for (const DataFile& f : current->files) {
    if (!old_keys.count(f.Key())) to_remove.push_back(f);
  }
  for (const DataFile& f : old->files) {
    if (current_keys.count(f.Key())) continue;
    if (!fs_->Exists(path_ + "/" + f.path)) {
      return Status::NotFound("cannot restore table '" + name_ + "' to version " +
                              std::to_string(version) + ": its data file '" + f.path +
                              "' was removed by vacuum");
    }
    if (f.deletion_vector && f.deletion_vector->storage_type == "u") {
      auto file = delta::DeletionVectorFile(*f.deletion_vector);
      if (file.ok() && !fs_->Exists(path_ + "/" + *file)) {
        return Status::NotFound("cannot restore table '" + name_ + "' to version " +
                                std::to_string(version) + ": its deletion vector file '" + *file +
                                "' was removed by vacuum");
      }
    }
    to_add.push_back(f);
  }
  std::vector<Json> actions;
  if (delta::SchemaString(old->schema) != delta::SchemaString(current->schema) ||
      old->partition_columns != current->partition_columns) {
    Snapshot md = table_detail::MetadataOf(*old);
    md.table_id = current->table_id;
    actions.push_back(delta::MetadataAction(md, NowMs()));
  }
  for (Json& r : RemoveActions(to_remove, true, NowMs())) actions.push_back(std::move(r));
  for (const DataFile& f : to_add) actions.push_back(delta::AddAction(f, true));
  Json info = CommitInfo("RESTORE", {{"version", version}}, current->version, false, {},
                         {{"numRestoredFiles", std::to_string(to_add.size())},
                          {"numRemovedFiles", std::to_string(to_remove.size())}});
  return CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
}

Status table_detail::CheckProperties(const std::map<std::string, std::string>& properties) {
  for (const auto& [key, value] : properties) {
    if (key.empty()) return Status::InvalidArgument("a table property needs a name");
    if (key.rfind("delta.", 0) != 0 || value.empty()) continue;
    if (key == "delta.appendOnly") {
      if (value != "true" && value != "false")
        return Status::InvalidArgument("delta.appendOnly is true or false, not '" + value + "'");
    } else if (key == "delta.enableDeletionVectors") {
      if (value != "true" && value != "false") {
        return Status::InvalidArgument("delta.enableDeletionVectors is true or false, not '" +
                                       value + "'");
      }
    } else if (key == "delta.columnMapping.mode") {
      if (value == "id") {
        return Status::NotSupported(
            "Strata reads column mapping mode id but writes mode name only (Spark's and "
            "Databricks' default): set delta.columnMapping.mode=name");
      }
      if (value != "name" && value != "none")
        return Status::InvalidArgument("delta.columnMapping.mode is name, id or none, not '" +
                                       value + "'");
    } else if (key == "delta.columnMapping.maxColumnId") {
      return Status::InvalidArgument(key + " is kept by Strata as columns are added, not set");
    } else if (key == "delta.checkpointPolicy") {
      if (value != "classic" && value != "v2") {
        return Status::InvalidArgument("delta.checkpointPolicy is classic or v2, not '" + value +
                                       "'");
      }
    } else if (key.rfind("delta.constraints.", 0) == 0) {
      return Status::InvalidArgument(
          "CHECK constraints are added with 'strata table constraint "
          "add' (Table::AddConstraint), which checks the rows, not "
          "set as property '" +
          key + "'");
    } else if (key == "delta.logRetentionDuration") {
      // Strata never removes commits, which keeps them at least this long.
      if (!delta::IntervalMs(value))
        return Status::InvalidArgument(key + " is an interval such as 'interval 7 days', not '" +
                                       value + "'");
    } else {
      return Status::NotSupported(
          "table property '" + key +
          "' is not one Strata honours (it takes delta.appendOnly, delta.checkpointPolicy, "
          "delta.columnMapping.mode, delta.enableDeletionVectors, delta.logRetentionDuration "
          "and properties outside delta.*)");
    }
  }
  return Status::OK();
}

Result<int64_t> Table::SetProperties(const std::map<std::string, std::string>& properties) {
  STRATA_RETURN_NOT_OK(CheckProperties(properties));
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  auto policy = properties.find("delta.checkpointPolicy");
  if (policy != properties.end() && policy->second != "v2" &&
      std::count(current->writer_features.begin(), current->writer_features.end(), "v2Checkpoint") >
          0) {
    return Status::NotSupported("table '" + name_ +
                                "' has the v2Checkpoint feature; going back to classic "
                                "checkpoints (dropping the feature) is not supported");
  }
  auto mapping = properties.find("delta.columnMapping.mode");
  if (mapping != properties.end() && delta::MapsColumns(*current) &&
      mapping->second != current->configuration.at("delta.columnMapping.mode")) {
    return Status::NotSupported("table '" + name_ + "' maps columns by " +
                                current->configuration.at("delta.columnMapping.mode") +
                                "; changing the column mapping mode is not supported");
  }
  Snapshot md = table_detail::MetadataOf(*current);
  Json changed = Json::object();
  for (const auto& [key, value] : properties) {
    if (value.empty()) {
      md.configuration.erase(key);
    } else {
      md.configuration[key] = value;
    }
    changed[key] = value;
  }
  if (md.configuration == current->configuration) return current->version;
  // A table turning to column mapping: each column's physical name is its name (the
  // files already use it).
  delta::AssignColumnMapping(&md, /*fresh_names=*/false);
  Json info = CommitInfo("SET TBLPROPERTIES", {{"properties", changed.dump()}}, current->version,
                         false, {}, Json::object());
  std::vector<Json> actions = {delta::MetadataAction(md, 0)};
  // A property that needs a table feature (deletion vectors) upgrades the protocol.
  if (auto protocol = ProtocolFor(current.get(), md)) actions.push_back(*protocol);
  return CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
}

namespace {

// Data files under `dir` (relative to `root`), skipping _delta_log and hidden folders.
Status ListDataFiles(FileSystem* fs, const std::string& root, const std::string& rel,
                     std::vector<std::pair<std::string, FileInfo>>* out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  for (const std::string& n : names) {
    if (n.empty() || n[0] == '.' || (n[0] == '_' && n.find('=') == std::string::npos)) continue;
    std::string child = rel.empty() ? n : rel + "/" + n;
    STRATA_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(root + "/" + child));
    if (info.is_directory) {
      STRATA_RETURN_NOT_OK(ListDataFiles(fs, root, child, out));
    } else {
      out->push_back({child, info});
    }
  }
  return Status::OK();
}

}  // namespace

Result<VacuumResult> Table::Vacuum(double retain_hours, bool dry_run) {
  if (retain_hours < 0) return Status::InvalidArgument("vacuum: --retain must be >= 0 hours");
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  const int64_t cutoff = NowMs() - static_cast<int64_t>(retain_hours * 3600.0 * 1000.0);
  // When each file stopped being part of the table (the newest remove of it).
  std::map<std::string, int64_t> removed_at;
  for (int64_t v : listing.commits) {
    std::vector<Json> actions;
    STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, v, &actions));
    for (const Json& a : actions) {
      if (a.contains("remove")) {
        std::string p = delta::DecodePath(delta::StringField(a["remove"], "path"));
        int64_t ts = delta::IntField(a["remove"], "deletionTimestamp",
                                     delta::IntField(info, "timestamp", 0));
        removed_at[p] = std::max(removed_at[p], ts);
        auto dv = a["remove"].find("deletionVector");
        if (dv != a["remove"].end() && dv->is_object()) {
          auto file = delta::DeletionVectorFile(delta::DeletionVectorFromJson(*dv));
          if (file.ok()) removed_at[*file] = std::max(removed_at[*file], ts);
        }
      }
    }
  }
  std::set<std::string> live;
  for (const DataFile& f : current->files) {
    live.insert(f.path);
    // Its deletion vector's file is part of the table too.
    if (f.deletion_vector && f.deletion_vector->storage_type == "u") {
      auto file = delta::DeletionVectorFile(*f.deletion_vector);
      if (file.ok()) live.insert(*file);
    }
  }
  std::vector<std::pair<std::string, FileInfo>> on_disk;
  STRATA_RETURN_NOT_OK(ListDataFiles(fs_, path_, "", &on_disk));
  VacuumResult result;
  for (const auto& [rel, info] : on_disk) {
    if (live.count(rel)) continue;
    // A removed file goes once its removal is older than the retention window; a file the
    // log never mentions (a failed write's leftover) once it is that old itself.
    auto it = removed_at.find(rel);
    int64_t since = it != removed_at.end() ? it->second : info.modified_ms;
    if (since > cutoff) continue;
    result.files.push_back(rel);
    result.bytes += static_cast<int64_t>(info.size);
  }
  if (!dry_run) {
    for (const std::string& rel : result.files)
      STRATA_RETURN_NOT_OK(fs_->RemoveFile(path_ + "/" + rel));
  }
  return result;
}

}  // namespace strata
