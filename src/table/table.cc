// Table: opening a table, and its snapshots (latest, by version, as of a time).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/time_format.h"
#include "table/table_internal.h"

namespace strata {

using table_detail::Json;

std::string DeletionVector::UniqueId() const {
  return storage_type + path_or_inline + (offset ? "@" + std::to_string(*offset) : "");
}

int64_t DataFile::live_records() const {
  if (!num_records) return 0;
  return *num_records - (deletion_vector ? deletion_vector->cardinality : 0);
}

std::string DataFile::Key() const {
  return deletion_vector ? path + '\n' + deletion_vector->UniqueId() : path;
}

int64_t Snapshot::num_records() const {
  int64_t n = 0;
  for (const DataFile& f : files) n += f.live_records();
  return n;
}

int64_t Snapshot::size_bytes() const {
  int64_t n = 0;
  for (const DataFile& f : files) n += f.size;
  return n;
}

// ---------------------------------------------------------------------------------------
// Table

Table::Table(std::string name, std::string path, std::shared_ptr<Session> session, FileSystem* fs,
             TableOptions options)
    : name_(std::move(name)),
      path_(std::move(path)),
      session_(std::move(session)),
      fs_(fs),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>()) {}

Table::~Table() = default;

int64_t Table::NowMs() const {
  return options_.clock ? options_.clock->NowMs() : Clock::System()->NowMs();
}

Result<std::unique_ptr<Table>> Table::OpenPath(const std::string& path,
                                               std::shared_ptr<Session> session,
                                               const TableOptions& options) {
  auto fs = NewLocalFileSystem();
  std::string name = path.substr(path.find_last_of('/') + 1);
  auto table = std::unique_ptr<Table>(new Table(name, path, std::move(session), fs.get(), options));
  table->impl_->owned_fs = std::move(fs);
  return table;
}

bool Table::exists() {
  // A table exists once version 0 (or a checkpoint) does: a first write that failed may
  // leave an empty _delta_log behind.
  auto listing = delta::ListLog(fs_, path_);
  return listing.ok() && (!listing->commits.empty() || !listing->checkpoints.empty());
}

Result<std::shared_ptr<const Snapshot>> Table::AtVersion(int64_t version) {
  if (version < 0) {
    return Status::InvalidArgument("table '" + name_ + "' has no version " +
                                   std::to_string(version) + ": versions start at 0");
  }
  auto listing = delta::ListLog(fs_, path_);
  if (!listing.ok() && listing.status().code() != StatusCode::kNotFound) return listing.status();
  if (!listing.ok() || (listing->commits.empty() && listing->checkpoints.empty()))
    return Status::NotFound("table '" + name_ + "' does not exist (no '" + path_ + "/_delta_log')");
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(Snapshot snap, delta::Replay(fs_, conn.get(), path_, version));
  return std::make_shared<const Snapshot>(std::move(snap));
}

Result<std::shared_ptr<const Snapshot>> Table::Latest() {
  auto listing = delta::ListLog(fs_, path_);
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound)
      return Status::NotFound("table '" + name_ + "' does not exist (no '" + path_ +
                              "/_delta_log')");
    return listing.status();
  }
  int64_t latest = listing->commits.empty() ? -1 : listing->commits.back();
  if (!listing->checkpoints.empty())
    latest = std::max(latest, listing->checkpoints.rbegin()->first);
  if (latest < 0)
    return Status::NotFound("table '" + name_ + "' does not exist (no commit in '" + path_ +
                            "/_delta_log')");
  std::shared_ptr<const Snapshot> base;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    base = impl_->cached;
  }
  if (base && base->version == latest) return base;
  std::shared_ptr<const Snapshot> snap;
  bool contiguous = base && base->version < latest;
  for (int64_t v = base ? base->version + 1 : 0; contiguous && v <= latest; ++v) {
    contiguous = std::binary_search(listing->commits.begin(), listing->commits.end(), v);
  }
  if (contiguous) {
    STRATA_ASSIGN_OR_RETURN(Snapshot next, delta::ReplayAfter(fs_, path_, *base, latest));
    snap = std::make_shared<const Snapshot>(std::move(next));
  } else {
    STRATA_ASSIGN_OR_RETURN(snap, AtVersion(latest));
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->cached || impl_->cached->version < snap->version) impl_->cached = snap;
  return snap;
}

Result<std::shared_ptr<const Snapshot>> Table::AsOf(int64_t timestamp_ms) {
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  int64_t chosen = -1, first_ts = -1;
  for (int64_t v : listing.commits) {
    STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, v));
    int64_t ts = delta::IntField(info, "timestamp", 0);
    if (first_ts < 0) first_ts = ts;
    if (ts <= timestamp_ms) chosen = v;
  }
  if (chosen < 0) {
    return Status::NotFound("table '" + name_ + "' has no version committed at or before " +
                            IsoTimeMs(timestamp_ms) + "; its first version is from " +
                            IsoTimeMs(first_ts));
  }
  return AtVersion(chosen);
}

}  // namespace strata
