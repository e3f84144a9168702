// Committing a batch, exactly once. Dead letters first: each carries its offset, so the
// ones a killed attempt already wrote are left out, and the dead-letter table records how
// far it holds each partition. Then the rows, in one commit with the batch's offsets as
// Delta `txn` actions, fenced on the offsets the batch began from: if another consumer
// wrote one of its partitions meanwhile, nothing is written and the batch is dropped.
#include <algorithm>

#include "strata/engine.h"
#include "stream/internal.h"
#include "table/delta_log.h"

namespace strata::stream::detail {

namespace {

std::string Offsets(const Batch& batch) {
  std::string out;
  for (const auto& [tp, r] : batch.ranges) {
    out += (out.empty() ? "" : ", ") + tp.first + "/" + std::to_string(tp.second) + "@" +
           std::to_string(r.first) + ".." + std::to_string(r.last);
  }
  return out;
}

// The dead letters of `decoder` not yet in their table, written with the table's record of
// how far it holds each partition advanced; retried when another writer got there first.
Result<int64_t> WriteDeadLetters(Lake& lake, const StreamSpec& spec, const Batch& batch,
                                 const Decoder& decoder) {
  STRATA_ASSIGN_OR_RETURN(auto table, lake.OpenTable(spec.dead_letter));
  for (int attempt = 0;; ++attempt) {
    std::map<TopicPartition, int64_t> written;
    if (table->exists()) {
      STRATA_ASSIGN_OR_RETURN(auto snap, table->Latest());
      written = RecordedOffsets(*snap, spec.kafka.group_id);
    }
    WriteOptions wo;
    wo.mode = WriteMode::kAppend;
    wo.metadata = {{"strata.stream", spec.name}, {"strata.stream.target", spec.target}};
    for (const auto& [tp, r] : batch.ranges) {
      auto it = written.find(tp);
      const int64_t have = it == written.end() ? -1 : it->second;
      if (r.last <= have) continue;
      wo.app_progress.push_back({AppId(spec.kafka.group_id, tp.first, tp.second), r.last, have});
    }
    if (wo.app_progress.empty()) return 0;  // a killed attempt wrote them all
    STRATA_ASSIGN_OR_RETURN(Frame letters, decoder.DeadLetters(written));
    auto version = table->Write(letters, wo);
    if (version.ok()) {
      STRATA_ASSIGN_OR_RETURN(VersionInfo info, table->VersionAt(*version));
      return info.rows_added;
    }
    if (version.status().code() != StatusCode::kConflict || attempt >= 20)
      return version.status().WithContext("writing dead letters to '" + spec.dead_letter + "'");
  }
}

}  // namespace

Result<Committed> CommitBatch(Lake& lake, const StreamSpec& spec, const quality::Suite* suite,
                              const Batch& batch, const Decoder& decoder) {
  Committed out;
  Frame rows = spec.transform.empty() ? decoder.Rows() : lake.session()->sql(spec.transform);
  WriteOptions wo;
  wo.mode = WriteMode::kAppend;
  if (suite != nullptr) {
    auto v = quality::Validate(rows, *suite);
    if (!v.ok()) return v.status().WithContext("checking the batch " + Offsets(batch));
    AddQualityMetadata(*suite, *v, &wo);
    out.check_note = "suite " + suite->name() + ": " + std::to_string(v->successful) + "/" +
                     std::to_string(v->evaluated) + " expectations met";
    if (!v->success && spec.policy == CheckPolicy::kFail) {
      std::string failed;
      for (const auto& r : v->results) {
        if (r.success) continue;
        failed +=
            (failed.empty() ? "" : "; ") + r.type + (r.column.empty() ? "" : "(" + r.column + ")");
        if (r.unexpected_count > 0)
          failed += ": " + std::to_string(r.unexpected_count) + " unexpected";
      }
      return Status::InvalidArgument("the batch " + Offsets(batch) + " failed its checks (" +
                                     out.check_note + "; failed: " + failed +
                                     "); nothing of it was written (policy: fail)");
    }
  }
  if (decoder.dead_letter_count() > 0) {
    STRATA_ASSIGN_OR_RETURN(out.dead_letters, WriteDeadLetters(lake, spec, batch, decoder));
  }
  // Checkpoints are the ingester's to write, after the commit is counted (they would add
  // their time to every tenth batch's latency).
  TableOptions no_checkpoints = lake.table_options();  // the lake's clock, no checkpoints
  no_checkpoints.checkpoint_interval = 0;
  STRATA_ASSIGN_OR_RETURN(auto table, lake.OpenTable(spec.target, no_checkpoints));
  wo.metadata["strata.stream"] = spec.name;
  wo.metadata["strata.stream.messages"] = std::to_string(batch.messages.size());
  wo.metadata["strata.stream.dead_letters"] = std::to_string(decoder.dead_letter_count());
  for (const auto& [tp, r] : batch.ranges)
    wo.app_progress.push_back(
        {AppId(spec.kafka.group_id, tp.first, tp.second), r.last, r.expected});
  auto version = table->Write(rows, wo);
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kConflict) {
      out.fenced = true;
      return out;
    }
    return version.status().WithContext("writing the batch " + Offsets(batch) + " to '" +
                                        spec.target + "'");
  }
  out.version = *version;
  if (auto info = table->VersionAt(*version); info.ok()) out.rows = info->rows_added;
  return out;
}

Result<std::vector<std::string>> SchemaConflicts(Session& session, const std::string& sql,
                                                 const Snapshot& table) {
  STRATA_ASSIGN_OR_RETURN(auto conn, session.database()->Connect());
  STRATA_ASSIGN_OR_RETURN(auto cols, conn->Describe(sql));
  std::vector<std::string> out;
  for (const auto& c : cols) {
    auto delta_type = delta::DeltaTypeOf(c.sql_type);
    const std::string have = delta_type.ok() ? *delta_type : c.sql_type;
    auto it = std::find_if(table.schema.begin(), table.schema.end(),
                           [&](const TableField& f) { return f.name == c.name; });
    if (it == table.schema.end()) {
      out.push_back(engine::QuoteIdentifier(c.name) + " " + have + " is not in the table");
    } else if (it->type != have) {
      out.push_back(engine::QuoteIdentifier(c.name) + " is " + have + " in the stream but " +
                    it->type + " in the table");
    }
  }
  return out;
}

}  // namespace strata::stream::detail
