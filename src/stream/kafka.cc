// The Kafka side of a stream: a librdkafka consumer-group member with manual offset
// handling. On every assignment it asks the ingester where the table left each partition
// and starts there; Kafka's committed offsets are written for lag tools only.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <regex>
#include <set>

#include "stream/internal.h"

namespace strata::stream::detail {

namespace {

using Clock = std::chrono::steady_clock;

struct PartitionList {
  rd_kafka_topic_partition_list_t* list;
  explicit PartitionList(int size = 0) : list(rd_kafka_topic_partition_list_new(size)) {}
  ~PartitionList() { rd_kafka_topic_partition_list_destroy(list); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
};

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i)
    out.emplace_back(list->elems[i].topic, list->elems[i].partition);
  return out;
}

}  // namespace

struct KafkaClient::Impl {
  rd_kafka_t* rk = nullptr;
  Hooks hooks;
  std::string starting_offsets;
  std::vector<std::string> subscription;
  mutable std::mutex mu;  // guards assigned
  std::set<TopicPartition> assigned;
  std::string fatal;    // set by the error callback
  bool paused = false;  // consumer thread only (the rebalance callback runs on it too)

  ~Impl() {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }

  int64_t StartOffset() const {
    return starting_offsets == "latest" ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
  }

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      std::vector<TopicPartition> tps = ToVector(parts);
      std::map<TopicPartition, int64_t> last = hooks.assigned(tps);
      for (int i = 0; i < parts->cnt; ++i) {
        auto it = last.find({parts->elems[i].topic, parts->elems[i].partition});
        parts->elems[i].offset =
            it != last.end() && it->second >= 0 ? it->second + 1 : StartOffset();
      }
      rd_kafka_error_t* e = nullptr;
      if (cooperative) {
        e = rd_kafka_incremental_assign(rk, parts);
      } else {
        rd_kafka_assign(rk, parts);
      }
      if (e != nullptr) {
        hooks.problem(std::string("assigning partitions: ") + rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
      // A partition this consumer had paused before it was revoked would come back paused:
      // set the flag to what the consumer is now.
      if (paused) {
        rd_kafka_pause_partitions(rk, parts);
      } else {
        rd_kafka_resume_partitions(rk, parts);
      }
      std::lock_guard lock(mu);
      for (const auto& tp : tps) assigned.insert(tp);
    } else {
      std::vector<TopicPartition> tps = ToVector(parts);
      hooks.revoked(tps);
      rd_kafka_resume_partitions(rk, parts);
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts))
          rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
      std::lock_guard lock(mu);
      if (cooperative) {
        for (const auto& tp : tps) assigned.erase(tp);
      } else {
        assigned.clear();
      }
    }
  }
};

KafkaClient::KafkaClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaClient::~KafkaClient() = default;

Result<std::unique_ptr<KafkaClient>> KafkaClient::Make(const StreamSpec& spec, Hooks hooks,
                                                       int64_t queue_kbytes) {
  auto impl = std::make_unique<Impl>();
  impl->hooks = std::move(hooks);
  impl->starting_offsets = spec.kafka.starting_offsets;
  impl->subscription = spec.kafka.topics;
  if (!spec.kafka.topic_pattern.empty()) impl->subscription = {spec.kafka.topic_pattern};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  // Strata's defaults first; the stream file's properties may override any of them.
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", spec.kafka.bootstrap_servers},
      {"group.id", spec.kafka.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", spec.kafka.starting_offsets == "latest" ? "latest" : "earliest"},
      {"queued.max.messages.kbytes", std::to_string(queue_kbytes)},
      // Prefetch as much as that queue allows: with librdkafka's default (100,000 messages
      // per partition) the group consumer reads a preloaded topic at half the speed.
      {"queued.min.messages", "10000000"},
      {"client.id", "strata-stream"},
      // A fetch waits at most this long for data: resumed partitions and fresh messages are
      // not held up behind a long poll.
      {"fetch.wait.max.ms", "100"},
  };
  for (const auto& [k, v] : spec.kafka.properties) props[k] = v;
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument(spec.source + ": Kafka property '" + k + "': " + err);
    }
  }
  rd_kafka_conf_set_opaque(conf, impl.get());
  rd_kafka_conf_set_rebalance_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t* parts,
               void* opaque) { static_cast<Impl*>(opaque)->OnRebalance(e, parts); });
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int e, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (e == RD_KAFKA_RESP_ERR__FATAL) {
      char buf[512];
      rd_kafka_fatal_error(rk, buf, sizeof buf);
      self->fatal = buf;
      return;
    }
    self->hooks.problem(reason);
  });
  // librdkafka's log lines are dropped rather than written to stderr: the errors among them
  // also reach the error callback above, which reports them as problems.
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t*, int level, const char*, const char*) { (void)level; });
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (impl->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(spec.source + ": the Kafka consumer cannot start: " + err);
  }
  rd_kafka_poll_set_consumer(impl->rk);
  return std::unique_ptr<KafkaClient>(new KafkaClient(std::move(impl)));
}

Result<std::map<std::string, int32_t>> KafkaClient::Topics(int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last_error;
  for (;;) {
    const rd_kafka_metadata_t* md = nullptr;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    rd_kafka_resp_err_t e = rd_kafka_metadata(
        impl_->rk, 1, nullptr, &md, static_cast<int>(std::max<int64_t>(left.count(), 100)));
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::map<std::string, int32_t> all;
      for (int i = 0; i < md->topic_cnt; ++i) {
        if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
          all[md->topics[i].topic] = md->topics[i].partition_cnt;
      }
      const int brokers = md->broker_cnt;
      rd_kafka_metadata_destroy(md);
      if (brokers > 0) {
        std::map<std::string, int32_t> out;
        if (impl_->subscription.size() == 1 && impl_->subscription[0][0] == '^') {
          // A pattern: the topics that match now (more may come later).
          for (const auto& [t, n] : all) {
            if (std::regex_search(t, std::regex(impl_->subscription[0]))) out[t] = n;
          }
          return out;
        }
        for (const std::string& t : impl_->subscription) {
          auto it = all.find(t);
          if (it == all.end()) {
            return Status::NotFound("Kafka topic '" + t + "' does not exist on " +
                                    std::to_string(brokers) + " broker(s)");
          }
          out[t] = it->second;
        }
        return out;
      }
      last_error = "no broker answered";
    } else {
      last_error = rd_kafka_err2str(e);
    }
    if (Clock::now() >= deadline) {
      return Status::IOError("the Kafka cluster cannot be reached within " +
                             std::to_string(timeout_ms) + " ms: " + last_error);
    }
  }
}

Status KafkaClient::Subscribe() {
  PartitionList topics;
  for (const std::string& t : impl_->subscription)
    rd_kafka_topic_partition_list_add(topics.list, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(impl_->rk, topics.list);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::IOError(std::string("subscribing: ") + rd_kafka_err2str(e));
  return Status::OK();
}

Result<bool> KafkaClient::Poll(int timeout_ms, Message* out, std::string* topic) {
  if (!impl_->fatal.empty()) return Status::IOError("Kafka: " + impl_->fatal);
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, timeout_ms);
  if (m == nullptr) return false;
  struct Free {
    rd_kafka_message_t* m;
    ~Free() { rd_kafka_message_destroy(m); }
  } free_it{m};
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return false;
    const std::string where =
        m->rkt != nullptr ? std::string(" (topic ") + rd_kafka_topic_name(m->rkt) + ")" : "";
    if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      return Status::NotFound("Kafka: " + std::string(rd_kafka_message_errstr(m)) + where);
    }
    impl_->hooks.problem(rd_kafka_message_errstr(m) + where);
    return false;
  }
  *topic = rd_kafka_topic_name(m->rkt);
  out->partition = m->partition;
  out->offset = m->offset;
  rd_kafka_timestamp_type_t tstype;
  out->timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
  out->has_key = m->key != nullptr;
  out->key.assign(static_cast<const char*>(m->key), m->key_len);
  out->has_value = m->payload != nullptr;
  out->value.assign(static_cast<const char*>(m->payload), m->len);
  return true;
}

std::vector<TopicPartition> KafkaClient::assignment() const {
  std::lock_guard lock(impl_->mu);
  return {impl_->assigned.begin(), impl_->assigned.end()};
}

bool KafkaClient::paused() const { return impl_->paused; }

void KafkaClient::Pause() {
  if (impl_->paused) return;
  PartitionList list;
  for (const auto& [t, p] : assignment())
    rd_kafka_topic_partition_list_add(list.list, t.c_str(), p);
  rd_kafka_pause_partitions(impl_->rk, list.list);
  impl_->paused = true;
}

void KafkaClient::Resume() {
  if (!impl_->paused) return;
  PartitionList list;
  for (const auto& [t, p] : assignment())
    rd_kafka_topic_partition_list_add(list.list, t.c_str(), p);
  rd_kafka_resume_partitions(impl_->rk, list.list);
  impl_->paused = false;
}

Status KafkaClient::Seek(const std::map<TopicPartition, int64_t>& last) {
  if (last.empty()) return Status::OK();
  PartitionList list;
  for (const auto& [tp, offset] : last) {
    rd_kafka_topic_partition_t* e =
        rd_kafka_topic_partition_list_add(list.list, tp.first.c_str(), tp.second);
    e->offset = offset >= 0 ? offset + 1 : impl_->StartOffset();
  }
  rd_kafka_error_t* e = rd_kafka_seek_partitions(impl_->rk, list.list, 10000);
  if (e != nullptr) {
    std::string msg = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return Status::IOError("Kafka: seeking: " + msg);
  }
  for (int i = 0; i < list.list->cnt; ++i) {
    if (list.list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::IOError(std::string("Kafka: seeking ") + list.list->elems[i].topic + "/" +
                             std::to_string(list.list->elems[i].partition) + ": " +
                             rd_kafka_err2str(list.list->elems[i].err));
    }
  }
  return Status::OK();
}

void KafkaClient::Commit(const std::map<TopicPartition, int64_t>& last) {
  if (last.empty()) return;
  PartitionList list;
  for (const auto& [tp, offset] : last) {
    rd_kafka_topic_partition_list_add(list.list, tp.first.c_str(), tp.second)->offset = offset + 1;
  }
  (void)rd_kafka_commit(impl_->rk, list.list, /*async=*/1);
}

int64_t KafkaClient::CachedHighWatermark(const TopicPartition& tp) {
  int64_t lo = -1, hi = -1;
  if (rd_kafka_get_watermark_offsets(impl_->rk, tp.first.c_str(), tp.second, &lo, &hi) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;
  return hi;
}

Result<int64_t> KafkaClient::QueryHighWatermark(const TopicPartition& tp, int timeout_ms) {
  int64_t lo = -1, hi = -1;
  rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(impl_->rk, tp.first.c_str(), tp.second,
                                                           &lo, &hi, timeout_ms);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::IOError("Kafka: the high watermark of " + tp.first + "/" +
                           std::to_string(tp.second) + ": " + rd_kafka_err2str(e));
  }
  return hi;
}

Status KafkaClient::Close() {
  rd_kafka_resp_err_t e = rd_kafka_consumer_close(impl_->rk);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::IOError(std::string("Kafka: closing the consumer: ") + rd_kafka_err2str(e));
  return Status::OK();
}

std::map<TopicPartition, int64_t> RecordedOffsets(const Snapshot& snapshot,
                                                  const std::string& group) {
  std::map<TopicPartition, int64_t> out;
  const std::string prefix = "strata-stream/" + group + "/";
  for (const auto& [app, version] : snapshot.app_versions) {
    if (app.rfind(prefix, 0) != 0) continue;
    const std::string rest = app.substr(prefix.size());
    const size_t slash = rest.rfind('/');
    if (slash == std::string::npos || slash == 0) continue;
    const std::string part = rest.substr(slash + 1);
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      continue;
    out[{rest.substr(0, slash), std::stoi(part)}] = version;
  }
  return out;
}

}  // namespace strata::stream::detail
