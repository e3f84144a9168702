// Table::Write as a job run its observers hear of: START, then COMPLETE with the version
// written (its schema and what this version added: rows, bytes, files) or FAIL.
#include <filesystem>

#include "common/random.h"
#include "common/time_format.h"
#include "strata/table.h"

namespace strata {

Result<int64_t> Table::Write(const Frame& data, const WriteOptions& options) {
  if (options.observers.empty()) return WriteVersion(data, options);
  std::error_code ec;
  const std::filesystem::path table_path = std::filesystem::absolute(path_, ec).lexically_normal();
  std::string lake = table_path.parent_path().string();
  RunEvent event;
  event.type = RunEventType::kStart;
  event.time_ms = NowMs();
  event.run_id =
      options.run_id.empty() ? "write-" + RandomHex().substr(0, 12) : options.run_id + "/" + name_;
  event.job_namespace = "file://" + lake;
  event.job_name = options.job_name.empty() ? "table_write." + name_ : options.job_name;
  event.job_type = "QUERY";
  event.sql = options.source_sql;
  event.identity_columns = options.source_sql.empty() && options.sources.size() == 1;
  event.inputs = options.sources;
  for (const auto& o : options.observers) o->OnRunEvent(event);

  auto version = WriteVersion(data, options);
  event.time_ms = NowMs();
  if (!version.ok()) {
    event.type = RunEventType::kFail;
    event.error = version.status().message();
    for (const auto& o : options.observers) o->OnRunEvent(event);
    return version;
  }
  event.type = RunEventType::kComplete;
  ObservedDataset out;
  out.name_space = event.job_namespace;
  out.name = name_;
  out.version = *version;
  // The version's schema, and what its commit added.
  if (auto snap = AtVersion(*version); snap.ok()) {
    for (const auto& f : (*snap)->schema) out.schema.push_back({f.name, f.type});
  }
  if (auto added = VersionAt(*version); added.ok()) {
    out.rows = added->rows_added;
    out.bytes = added->bytes_added;
    out.files = added->files_added;
  }
  event.outputs = {out};
  for (const auto& o : options.observers) o->OnRunEvent(event);
  return version;
}

}  // namespace strata
