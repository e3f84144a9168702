// What the files of stream/ share: a batch of Kafka messages, the decoder that turns one
// into rows and dead letters, the Kafka client, and the sink that commits a batch.
// Internal to libstrata.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/frame.h"
#include "strata/stream.h"
#include "strata/table.h"

namespace strata::stream::detail {

using TopicPartition = std::pair<std::string, int32_t>;

struct Message {
  uint32_t topic = 0;  // index into Batch::topics
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;  // Kafka's timestamp; -1 if none
  bool has_key = false, has_value = false;
  std::string key, value;
};

// The offsets of one partition a batch holds.
struct Range {
  int64_t expected = -1;  // the last offset the table recorded when the batch began; -1: none
  int64_t first = -1, last = -1;
  int64_t messages = 0;
};

struct Batch {
  std::vector<std::string> topics;
  std::vector<Message> messages;
  std::map<TopicPartition, Range> ranges;
  int64_t bytes = 0;
  int64_t opened_ms = 0;

  uint32_t TopicIndex(const std::string& topic);
  void Add(Message m, int64_t expected);
  // Drops the messages of `tp` (a partition revoked before the batch was written).
  void Drop(const TopicPartition& tp);
  bool empty() const { return messages.empty(); }
};

// Turns a batch into rows on the decoder's session: the view `batch` (the rows that
// decoded, with the stream's columns) and the dead letters (topic, partition, offset,
// timestamp, key, value, error) for the rest.
class Decoder {
 public:
  // `schema` as the spec gives it (types are checked and spelled as DuckDB does); empty:
  // inferred from the first batch, with the types of `table_schema`'s columns where the
  // names match.
  static Result<std::unique_ptr<Decoder>> Make(std::shared_ptr<Session> session,
                                               const StreamSpec& spec,
                                               std::vector<TableField> table_schema);
  // `batch` must outlive the Frames made from it (DeadLetters reads its messages).
  Status Load(const Batch& batch);
  // The decoded rows (the view `batch`) and the dead letters with offset above
  // `written[topic, partition]` (those at or below it are in the table already).
  Frame Rows() const;
  Result<Frame> DeadLetters(const std::map<TopicPartition, int64_t>& written) const;
  int64_t dead_letter_count() const { return dead_letters_; }
  const std::vector<std::pair<std::string, std::string>>& schema() const { return schema_; }
  // The schema without reading a batch: only known when given (or taken from a table).
  bool schema_known() const { return !schema_.empty(); }
  // Defines the view `batch` with no rows (to bind a transform before consuming).
  Status DefineEmpty();

 private:
  Decoder(std::shared_ptr<Session> session, const StreamSpec& spec)
      : session_(std::move(session)), spec_(spec) {}
  Status Infer();
  Status Decode();
  std::shared_ptr<Session> session_;
  const StreamSpec& spec_;
  std::vector<std::pair<std::string, std::string>> schema_;
  std::vector<TableField> table_schema_;
  const Batch* batch_ = nullptr;  // the batch Load read (the caller keeps it alive)
  int64_t dead_letters_ = 0;
};

// The DuckDB type a column's JSON value must fit, by kind.
enum class ValueKind { kInteger, kNumber, kBoolean, kText, kFromText, kNested };
ValueKind KindOf(const std::string& duck_type);

// The Kafka consumer-group member (librdkafka), with the rebalance hooks the ingester
// needs. Messages, errors and rebalances are delivered on the thread that calls Poll.
class KafkaClient {
 public:
  struct Hooks {
    // Partitions assigned: returns, per partition, the last offset the table records (-1:
    // none); the client starts each after it.
    std::function<std::map<TopicPartition, int64_t>(const std::vector<TopicPartition>&)> assigned;
    std::function<void(const std::vector<TopicPartition>&)> revoked;
    std::function<void(const std::string&)> problem;  // a retried error (broker down, ...)
  };
  static Result<std::unique_ptr<KafkaClient>> Make(const StreamSpec& spec, Hooks hooks,
                                                   int64_t queue_kbytes);
  ~KafkaClient();
  // Metadata for the stream's topics: each topic's partition count. An unknown topic is
  // an error naming it; an unreachable cluster an error after `timeout_ms`.
  Result<std::map<std::string, int32_t>> Topics(int64_t timeout_ms);
  Status Subscribe();
  // One message (true) or none within `timeout_ms` (false). A fatal consumer error is an
  // error; retried ones go to Hooks::problem.
  Result<bool> Poll(int timeout_ms, Message* out, std::string* topic);
  // Pauses or resumes fetching every assigned partition. The state holds across
  // rebalances: partitions assigned while paused start paused (librdkafka keeps a
  // partition's pause flag through revocation and reassignment, so the client sets it on
  // every assignment itself).
  void Pause();
  void Resume();
  bool paused() const;
  // Moves each partition to the offset after `last` (-1: the starting offset).
  Status Seek(const std::map<TopicPartition, int64_t>& last);
  // Kafka's committed offsets, for lag tools (asynchronous): the offset after `last`.
  void Commit(const std::map<TopicPartition, int64_t>& last);
  // Kafka's high watermark of a partition: cached (no request) or asked for.
  int64_t CachedHighWatermark(const TopicPartition& tp);
  Result<int64_t> QueryHighWatermark(const TopicPartition& tp, int timeout_ms);
  std::vector<TopicPartition> assignment() const;
  Status Close();

 private:
  struct Impl;
  explicit KafkaClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What committing one batch did.
struct Committed {
  bool fenced = false;  // another writer recorded other offsets first: nothing was written
  int64_t version = -1;
  int64_t rows = 0, dead_letters = 0;
  std::string check_note;
};

// Commits a decoded batch: the transform over `batch`, the checks, the dead letters (to
// their table, those not there yet), then the rows with the batch's offsets as `txn`
// actions, fenced on the offsets the batch began from.
Result<Committed> CommitBatch(Lake& lake, const StreamSpec& spec, const quality::Suite* suite,
                              const Batch& batch, const Decoder& decoder);

// The columns of the stream's output that do not fit `table`: new ones and retyped ones.
// Empty when the output can be appended.
Result<std::vector<std::string>> SchemaConflicts(Session& session, const std::string& sql,
                                                 const Snapshot& table);

// Offsets a table records for a stream: app ids of `group` to (topic, partition).
std::map<TopicPartition, int64_t> RecordedOffsets(const Snapshot& snapshot,
                                                  const std::string& group);

}  // namespace strata::stream::detail
