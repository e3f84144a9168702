// Table::Check and Table::Repair: what an operator runs on a table that will not read.
#include <set>

#include "table/table_internal.h"

namespace strata {

using namespace table_detail;

Result<TableCheckReport> Table::Check() {
  TableCheckReport report;
  auto listing = delta::ListLog(fs_, path_);
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound) return listing.status();
    report.problems.push_back(listing.status().message());
    return report;
  }
  const std::string log_dir = path_ + "/_delta_log";
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());

  // Every commit parses, and versions run without gaps from the first one kept.
  int64_t previous = -1;
  for (int64_t v : listing->commits) {
    if (previous >= 0 && v != previous + 1) {
      report.problems.push_back("versions " + std::to_string(previous + 1) + " to " +
                                std::to_string(v - 1) + " are missing from '" + log_dir + "'");
    }
    previous = v;
    auto info = delta::ReadCommitInfo(fs_, path_, v);
    if (!info.ok()) report.problems.push_back(info.status().message());
    ++report.commits_checked;
  }
  // Every checkpoint reads.
  std::set<int64_t> readable_checkpoints;
  for (const auto& [v, parts] : listing->checkpoints) {
    auto read = delta::ReadCheckpointActions(fs_, conn.get(), path_, parts, v);
    if (read.ok()) {
      readable_checkpoints.insert(v);
    } else {
      report.problems.push_back(read.status().message());
    }
    ++report.checkpoints_checked;
  }
  // _last_checkpoint is a hint, but a stale one is worth fixing.
  if (listing->has_last_checkpoint) {
    auto text = fs_->ReadFile(log_dir + "/_last_checkpoint");
    delta::Json hint = text.ok() ? delta::Json::parse(*text, nullptr, false) : delta::Json();
    int64_t v = delta::IntField(hint, "version", -1);
    if (!hint.is_object() || v < 0) {
      report.problems.push_back("'" + log_dir +
                                "/_last_checkpoint' does not parse (readers list the log "
                                "instead; 'strata table repair' rewrites it)");
    } else if (!readable_checkpoints.count(v)) {
      report.problems.push_back("'" + log_dir + "/_last_checkpoint' names version " +
                                std::to_string(v) +
                                ", which has no readable checkpoint ('strata table repair' "
                                "rewrites it)");
    }
  }
  // The latest version reads, and its data files are all there.
  auto latest = Latest();
  if (!latest.ok()) {
    report.problems.push_back(latest.status().message());
    return report;
  }
  report.latest_version = (*latest)->version;
  for (const DataFile& f : (*latest)->files) {
    if (f.path.find("://") != std::string::npos || (!f.path.empty() && f.path[0] == '/')) continue;
    auto info = fs_->Stat(path_ + "/" + f.path);
    if (!info.ok()) {
      report.missing_files.push_back(f.path);
      report.problems.push_back("version " + std::to_string(report.latest_version) +
                                " lists data file '" + f.path + "', which is not on disk");
    } else if (f.size > 0 && static_cast<int64_t>(info->size) != f.size) {
      report.problems.push_back("data file '" + f.path + "' has " + std::to_string(info->size) +
                                " bytes where the log recorded " + std::to_string(f.size));
    }
  }
  return report;
}

Result<TableRepairReport> Table::Repair(bool remove_missing) {
  TableRepairReport report;
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  const std::string log_dir = path_ + "/_delta_log";
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  // The newest checkpoint that reads becomes the hint.
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    auto read = delta::ReadCheckpointActions(fs_, conn.get(), path_, it->second, it->first);
    if (!read.ok()) continue;
    delta::Json hint = {{"version", it->first}, {"size", static_cast<int64_t>(*read)}};
    if (it->second.size() > 1) hint["parts"] = static_cast<int64_t>(it->second.size());
    auto current = fs_->ReadFile(log_dir + "/_last_checkpoint");
    if (!current.ok() || *current != hint.dump()) {
      STRATA_RETURN_NOT_OK(fs_->WriteFileAtomic(log_dir + "/_last_checkpoint", hint.dump()));
      report.last_checkpoint_rewritten = true;
    }
    report.last_checkpoint = it->first;
    break;
  }
  if (report.last_checkpoint < 0 && listing.has_last_checkpoint) {
    STRATA_RETURN_NOT_OK(fs_->RemoveFile(log_dir + "/_last_checkpoint"));
    report.last_checkpoint_rewritten = true;
  }
  if (!remove_missing) return report;
  STRATA_ASSIGN_OR_RETURN(auto latest, Latest());
  std::vector<std::string> missing = delta::MissingFiles(fs_, path_, latest->files);
  if (missing.empty()) return report;
  std::set<std::string> gone(missing.begin(), missing.end());
  std::vector<DataFile> to_remove;
  for (const DataFile& f : latest->files) {
    if (gone.count(f.path)) to_remove.push_back(f);
  }
  Json info =
      CommitInfo("FSCK", {{"removedMissingFiles", static_cast<int64_t>(missing.size())}},
                 latest->version, false, {}, {{"numFilesRemoved", std::to_string(missing.size())}});
  STRATA_ASSIGN_OR_RETURN(report.version,
                          CommitWithRetry(this, fs_, path_, latest, info,
                                          RemoveActions(to_remove, true, NowMs()), false, {}));
  report.removed_files = std::move(missing);
  return report;
}

}  // namespace strata
