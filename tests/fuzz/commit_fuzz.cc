// libFuzzer target: a Delta commit file. The input becomes version 0 of a table in an
// in-memory file system and is replayed into a snapshot, as every read does: parsing,
// action checks, schema parsing. Any input must end in a Snapshot or a Status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/filesystem.h"
#include "table/delta_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::MemoryFileSystem fs;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!fs.CreateDirs("/t/_delta_log").ok()) return 0;
  if (!fs.WriteFileAtomic("/t/_delta_log/" + strata::delta::CommitFileName(0), text).ok()) return 0;
  // No checkpoint exists, so no DuckDB connection is needed.
  auto snapshot = strata::delta::Replay(&fs, nullptr, "/t", -1);
  if (snapshot.ok()) {
    for (const auto& field : snapshot->schema) (void)strata::delta::DuckTypeOf(field.type);
  }
  (void)strata::delta::ReadCommitInfo(&fs, "/t", 0);
  return 0;
}
