// `strata stream status`: per partition, the offset the target table records against
// Kafka's high watermark, and what the catalog says of the last batch.
#include <algorithm>

#include "strata/catalog.h"
#include "strata/table.h"
#include "stream/internal.h"

namespace strata::stream {

Result<std::vector<PartitionStatus>> GetStatus(const StreamSpec& spec, const std::string& lake_root,
                                               std::string* kafka_error) {
  STRATA_ASSIGN_OR_RETURN(auto lake, Lake::Open(lake_root));
  STRATA_ASSIGN_OR_RETURN(auto table, lake->OpenTable(spec.target));
  std::map<detail::TopicPartition, PartitionStatus> parts;
  if (table->exists()) {
    STRATA_ASSIGN_OR_RETURN(auto snap, table->Latest());
    for (const auto& [tp, offset] : detail::RecordedOffsets(*snap, spec.kafka.group_id)) {
      PartitionStatus& p = parts[tp];
      p.topic = tp.first;
      p.partition = tp.second;
      p.table_offset = offset;
    }
  }
  if (auto cat = catalog::Catalog::OpenForLake(lake_root); cat.ok()) {
    STRATA_ASSIGN_OR_RETURN(auto batches, (*cat)->StreamBatches(spec.name));
    for (const auto& b : batches) {
      PartitionStatus& p = parts[{b.topic, b.partition}];
      p.topic = b.topic;
      p.partition = b.partition;
      p.last_batch_ms = b.committed_ms;
      p.last_batch_messages = b.messages;
    }
  }
  // Kafka's side; the table's record stands on its own when the cluster cannot be asked.
  detail::KafkaClient::Hooks hooks;
  hooks.assigned = [](const std::vector<detail::TopicPartition>&) {
    return std::map<detail::TopicPartition, int64_t>{};
  };
  hooks.revoked = [](const std::vector<detail::TopicPartition>&) {};
  hooks.problem = [](const std::string&) {};
  StreamSpec probe = spec;
  probe.kafka.group_id += ".status";  // never joins the stream's group
  auto kafka = detail::KafkaClient::Make(probe, hooks, 1024);
  Status kafka_status = kafka.status();
  if (kafka.ok()) {
    auto topics = (*kafka)->Topics(std::min<int64_t>(spec.startup_timeout_ms, 5000));
    kafka_status = topics.status();
    if (topics.ok()) {
      for (const auto& [topic, n] : *topics) {
        for (int32_t i = 0; i < n; ++i) {
          auto hw = (*kafka)->QueryHighWatermark({topic, i}, 5000);
          PartitionStatus& p = parts[{topic, i}];
          p.topic = topic;
          p.partition = i;
          if (!hw.ok()) {
            kafka_status = hw.status();
            continue;
          }
          p.high_watermark = *hw;
          p.lag = std::max<int64_t>(0, *hw - (p.table_offset + 1));
        }
      }
    }
  }
  if (kafka_error != nullptr) *kafka_error = kafka_status.ok() ? "" : kafka_status.message();
  std::vector<PartitionStatus> out;
  out.reserve(parts.size());
  for (auto& [tp, p] : parts) out.push_back(std::move(p));
  return out;
}

}  // namespace strata::stream
