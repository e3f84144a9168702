// The ingester: a consumer loop on the caller's thread and a writer thread. The consumer
// gathers messages into the open batch; when it closes (rows, bytes or time) and the
// writer is free, it is handed over, and the writer decodes, transforms, checks and
// commits it while the next one fills. When the next one is full before the writer is
// done, consumption pauses (librdkafka pause/resume), so memory stays bounded by about two
// batches plus librdkafka's fetch queue, whatever the topic holds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "common/time_format.h"
#include "strata/catalog.h"
#include "strata/log.h"
#include "strata/metrics.h"
#include "strata/table.h"
#include "stream/internal.h"
#include "table/delta_log.h"

namespace strata::stream {

using detail::Batch;
using detail::TopicPartition;

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kLatencySample = 100000;

struct Metrics {
  metrics::Counter *messages, *rows, *dead_letters, *batches, *bytes, *dropped;
  metrics::Histogram *batch_seconds, *latency_seconds;

  explicit Metrics(const std::string& stream) {
    auto& r = metrics::Registry::Default();
    const metrics::Labels l = {{"stream", stream}};
    messages =
        r.GetCounter("strata_stream_messages_total", "Kafka messages consumed into batches", l);
    rows =
        r.GetCounter("strata_stream_rows_written_total", "Rows committed to the target table", l);
    dead_letters = r.GetCounter("strata_stream_dead_letters_total",
                                "Messages written to the dead-letter table", l);
    batches = r.GetCounter("strata_stream_batches_total", "Batches committed", l);
    bytes = r.GetCounter("strata_stream_bytes_total", "Message bytes committed", l);
    dropped = r.GetCounter("strata_stream_batches_fenced_total",
                           "Batches dropped because another consumer wrote their partitions", l);
    batch_seconds =
        r.GetHistogram("strata_stream_batch_duration_seconds",
                       "Time to decode, check and commit one batch", metrics::LatencyBuckets(), l);
    latency_seconds = r.GetHistogram("strata_stream_end_to_end_latency_seconds",
                                     "From a message's Kafka timestamp to its commit",
                                     metrics::LatencyBuckets(), l);
  }
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

struct Ingester::Impl {
  StreamSpec spec;
  std::unique_ptr<Lake> lake;
  std::unique_ptr<Table> target;
  std::unique_ptr<detail::Decoder> decoder;
  std::unique_ptr<catalog::Catalog> catalog;
  std::optional<quality::Suite> suite;
  std::unique_ptr<detail::KafkaClient> kafka;
  std::map<std::string, int32_t> topics;  // seen at Open
  Metrics metrics;
  std::atomic<bool> stop{false};

  // Consumer thread state.
  std::map<TopicPartition, int64_t> position;  // last offset taken, per assigned partition
  // The open batch; once it is due while the writer is busy it is closed and waits, and
  // messages gather in `next`. Consumption pauses when `next` is full too.
  Batch open, next;
  bool open_closed = false;

  // Writer thread state, guarded by mu.
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Batch> inflight;
  bool writer_busy = false, writer_quit = false, fenced = false;
  int64_t writer_started_ms = 0;
  Status writer_error;
  RunStats stats;
  std::vector<double> latencies;
  std::mt19937_64 rng{42};
  int batches_since_compaction = 0;
  std::map<TopicPartition, int64_t> table_offsets;  // the table's last offset per partition
  std::string problem;  // the last retried error reported, "" when clear
  int64_t problem_reported_ms = 0;

  explicit Impl(StreamSpec s) : spec(std::move(s)), metrics(spec.name) {}

  void WaitWriterIdle() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !writer_busy; });
  }

  // The last offset the target records per partition (-1 where none).
  Result<std::map<TopicPartition, int64_t>> TableOffsets() {
    if (!target->exists()) return std::map<TopicPartition, int64_t>{};
    STRATA_ASSIGN_OR_RETURN(auto snap, target->Latest());
    return detail::RecordedOffsets(*snap, spec.kafka.group_id);
  }

  std::map<TopicPartition, int64_t> OnAssigned(const std::vector<TopicPartition>& tps) {
    WaitWriterIdle();
    std::map<TopicPartition, int64_t> recorded;
    auto offsets = TableOffsets();
    if (!offsets.ok()) {
      std::lock_guard lock(mu);
      if (writer_error.ok())
        writer_error = offsets.status().WithContext("reading the table's offsets");
      stop = true;
    } else {
      recorded = *offsets;
    }
    std::map<TopicPartition, int64_t> out;
    std::lock_guard lock(mu);
    for (const auto& tp : tps) {
      auto it = recorded.find(tp);
      out[tp] = position[tp] = table_offsets[tp] = it == recorded.end() ? -1 : it->second;
    }
    return out;
  }

  void OnRevoked(const std::vector<TopicPartition>& tps) {
    WaitWriterIdle();  // the batch being written finishes (or is fenced) first
    std::lock_guard lock(mu);
    for (const auto& tp : tps) {
      open.Drop(tp);
      next.Drop(tp);
      position.erase(tp);
      table_offsets.erase(tp);
    }
    if (open_closed && open.empty()) {
      // The closed batch held only revoked partitions: what gathered behind it is next.
      open = std::move(next);
      next = Batch();
      open_closed = false;
    }
  }

  // After a fenced batch: forget what was gathered and start each assigned partition again
  // where the table says.
  Status Reset() {
    open = Batch();
    next = Batch();
    open_closed = false;
    STRATA_ASSIGN_OR_RETURN(auto recorded, TableOffsets());
    std::map<TopicPartition, int64_t> seek;
    std::lock_guard lock(mu);
    for (auto& [tp, pos] : position) {
      auto it = recorded.find(tp);
      pos = table_offsets[tp] = it == recorded.end() ? -1 : it->second;
      seek[tp] = pos;
    }
    return kafka->Seek(seek);
  }

  void WriterLoop(const RunOptions& options) {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return inflight.has_value() || writer_quit; });
        if (!inflight) return;
        batch = std::move(*inflight);
        inflight.reset();
      }
      const int64_t started = NowMs();
      Status st = decoder->Load(batch);
      Result<detail::Committed> done =
          st.ok() ? detail::CommitBatch(*lake, spec, suite ? &*suite : nullptr, batch, *decoder)
                  : Result<detail::Committed>(st);
      const int64_t committed = NowMs();
      std::unique_lock lock(mu);
      if (!done.ok()) {
        writer_error = done.status();
      } else if (done->fenced) {
        fenced = true;
        ++stats.batches_dropped;
        metrics.dropped->Increment();
      } else {
        lock.unlock();
        Record(batch, *done, started, committed, options);
        lock.lock();
      }
      writer_busy = false;
      cv.notify_all();
    }
  }

  // Everything that follows a committed batch: stats, metrics, the catalog, Kafka's
  // committed offsets (for lag tools), compaction, the caller's callback.
  void Record(const Batch& batch, const detail::Committed& done, int64_t started, int64_t committed,
              const RunOptions& options) {
    BatchReport report;
    report.table_version = done.version;
    report.messages = static_cast<int64_t>(batch.messages.size());
    report.rows_written = done.rows;
    report.dead_letters = done.dead_letters;
    report.bytes = batch.bytes;
    report.started_ms = batch.opened_ms;
    report.committed_ms = committed;
    report.check_note = done.check_note;
    std::map<TopicPartition, int64_t> last;
    std::vector<catalog::StreamBatch> records;
    for (const auto& [tp, r] : batch.ranges) {
      last[tp] = r.last;
      catalog::StreamBatch b;
      b.stream = spec.name;
      b.topic = tp.first;
      b.partition = tp.second;
      b.first_offset = r.first;
      b.last_offset = r.last;
      b.messages = r.messages;
      b.table_version = done.version;
      b.committed_ms = committed;
      records.push_back(std::move(b));
    }
    kafka->Commit(last);
    if (catalog) {
      // The table holds the truth (its txn offsets); the catalog only feeds `status`.
      if (Status st = catalog->RecordStreamBatches(records); !st.ok())
        Log(LogLevel::kWarning, "stream",
            spec.name + ": batch " + std::to_string(done.version) +
                " committed, but the lake catalog did not record it: " + st.ToString());
    }
    std::map<TopicPartition, int64_t> written;
    {
      std::lock_guard lock(mu);
      for (const auto& [tp, offset] : last) table_offsets[tp] = offset;
      written = table_offsets;
    }
    for (const auto& tp : kafka->assignment()) {
      const int64_t hw = kafka->CachedHighWatermark(tp);
      if (hw < 0) continue;
      auto it = written.find(tp);
      const int64_t done = it == written.end() ? -1 : it->second;
      report.lag[tp.first] += std::max<int64_t>(0, hw - (done + 1));
    }
    metrics.batches->Increment();
    metrics.messages->Increment(static_cast<double>(report.messages));
    metrics.rows->Increment(static_cast<double>(report.rows_written));
    metrics.dead_letters->Increment(static_cast<double>(report.dead_letters));
    metrics.bytes->Increment(static_cast<double>(report.bytes));
    metrics.batch_seconds->Observe(static_cast<double>(committed - started) / 1000.0);
    {
      std::lock_guard lock(mu);
      report.batch = ++stats.batches;
      stats.messages += report.messages;
      stats.rows_written += report.rows_written;
      stats.dead_letters += report.dead_letters;
      stats.bytes += report.bytes;
      uint64_t seen = static_cast<uint64_t>(stats.messages - report.messages);
      for (const auto& m : batch.messages) {
        if (m.timestamp_ms < 0) continue;
        const double ms = static_cast<double>(committed - m.timestamp_ms);
        metrics.latency_seconds->Observe(ms / 1000.0);
        ++seen;
        if (latencies.size() < kLatencySample) {
          latencies.push_back(ms);
        } else if (const uint64_t k = rng() % seen; k < kLatencySample) {
          latencies[k] = ms;
        }
      }
      problem.clear();
    }
    const int interval = target->options().checkpoint_interval;
    if (interval > 0 && done.version > 0 && done.version % interval == 0) {
      // A failed checkpoint costs readers time only.
      if (Status st = target->Checkpoint(done.version); !st.ok())
        Log(LogLevel::kWarning, "stream",
            spec.name + ": table '" + spec.target + "' version " + std::to_string(done.version) +
                " committed, but its checkpoint was not written: " + st.ToString());
    }
    if (spec.compact_every > 0 && ++batches_since_compaction >= spec.compact_every) {
      batches_since_compaction = 0;
      // A conflict with another group member's append only postpones compaction.
      auto compacted = target->Optimize(spec.compact_target_bytes);
      if (!compacted.ok() && compacted.status().code() != StatusCode::kConflict)
        Log(LogLevel::kWarning, "stream",
            spec.name + ": compacting table '" + spec.target +
                "' failed (retried after the next batches): " + compacted.status().ToString());
    }
    if (options.on_batch) options.on_batch(report);
  }

  // Hands the open batch to the writer if it is free; `next` becomes the open one.
  bool HandOver() {
    std::lock_guard lock(mu);
    if (writer_busy) return false;
    inflight = std::move(open);
    open = std::move(next);
    next = Batch();
    open_closed = false;
    writer_busy = true;
    writer_started_ms = NowMs();
    cv.notify_all();
    return true;
  }

  bool Full(const Batch& b) const {
    return static_cast<int64_t>(b.messages.size()) >= spec.batch.max_rows ||
           b.bytes >= spec.batch.max_bytes;
  }

  Result<bool> CaughtUp(const std::map<TopicPartition, std::pair<int64_t, int64_t>>& targets) {
    STRATA_ASSIGN_OR_RETURN(auto recorded, TableOffsets());
    for (const auto& [tp, lohi] : targets) {
      if (lohi.second <= lohi.first) continue;  // empty
      auto it = recorded.find(tp);
      if (it == recorded.end() || it->second + 1 < lohi.second) return false;
    }
    return true;
  }

  Result<RunStats> Run(const RunOptions& options);

  // The stream as a job run for observers: the topics in (as `batch`), the tables out.
  RunEvent LineageEvent() const {
    RunEvent e;
    e.time_ms = NowMs();
    std::error_code ec;
    const std::string root =
        std::filesystem::absolute(lake->root(), ec).lexically_normal().string();
    e.run_id = "stream-" + spec.name + "-" + std::to_string(e.time_ms);
    e.job_namespace = "file://" + root;
    e.job_name = "stream." + spec.name;
    e.job_type = "QUERY";
    e.streaming = true;
    e.sql = spec.transform.empty() ? "SELECT * FROM batch" : spec.transform;
    const std::string broker =
        spec.kafka.bootstrap_servers.substr(0, spec.kafka.bootstrap_servers.find(','));
    for (const auto& [topic, partitions] : topics) {
      ObservedDataset in;
      in.name_space = "kafka://" + broker;
      in.name = topic;
      if (topics.size() == 1) in.alias = "batch";
      for (const auto& [name, type] : decoder->schema()) in.schema.push_back({name, type});
      e.inputs.push_back(std::move(in));
    }
    for (const std::string& name : {spec.target, spec.dead_letter}) {
      ObservedDataset out;
      out.name_space = e.job_namespace;
      out.name = name;
      e.outputs.push_back(std::move(out));
    }
    return e;
  }
};

Ingester::Ingester(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ingester::~Ingester() = default;

void Ingester::Stop() { impl_->stop.store(true); }

Result<std::unique_ptr<Ingester>> Ingester::Open(StreamSpec spec, const std::string& lake_root) {
  auto impl = std::make_unique<Impl>(std::move(spec));
  const StreamSpec& s = impl->spec;
  engine::DatabaseOptions db;
  db.threads = 0;
  STRATA_ASSIGN_OR_RETURN(auto session, Session::Open(db));
  LakeOptions lo;
  lo.session = session;
  lo.create_if_missing = true;
  STRATA_ASSIGN_OR_RETURN(impl->lake, Lake::Open(lake_root, lo));
  STRATA_ASSIGN_OR_RETURN(impl->target, impl->lake->OpenTable(s.target));
  if (s.target == s.dead_letter)
    return Status::InvalidArgument(s.source +
                                   ": 'dead_letter' must be another table than 'target'");
  std::shared_ptr<const Snapshot> existing;
  if (impl->target->exists()) {
    STRATA_ASSIGN_OR_RETURN(existing, impl->target->Latest());
  }
  std::vector<TableField> table_schema = existing ? existing->schema : std::vector<TableField>{};
  if (s.schema.empty() && existing && s.transform.empty()) {
    // Without a schema or transform the stream's columns are the table's.
    for (const TableField& f : existing->schema) {
      auto duck = delta::DuckTypeOf(f.type);
      if (duck.ok()) impl->spec.schema.emplace_back(f.name, *duck);
    }
  }
  STRATA_ASSIGN_OR_RETURN(impl->decoder, detail::Decoder::Make(session, s, table_schema));
  if (impl->decoder->schema_known()) {
    // The transform binds, and its output fits the table, before anything is consumed.
    STRATA_RETURN_NOT_OK(impl->decoder->DefineEmpty());
    const std::string sql = s.transform.empty() ? "SELECT * FROM batch" : s.transform;
    STRATA_ASSIGN_OR_RETURN(auto conn, session->database()->Connect());
    auto described = conn->Describe(sql);
    if (!described.ok()) return described.status().WithContext(s.source + ": 'transform'");
    if (existing) {
      STRATA_ASSIGN_OR_RETURN(auto conflicts, detail::SchemaConflicts(*session, sql, *existing));
      if (!conflicts.empty()) {
        std::string list;
        for (const auto& c : conflicts) list += (list.empty() ? "" : "; ") + c;
        return Status::TypeError(s.source + ": the stream's rows do not fit table '" + s.target +
                                 "': " + list);
      }
    }
  }
  if (!s.suite_file.empty()) {
    std::filesystem::path p(s.suite_file);
    if (p.is_relative() && !s.dir.empty()) p = std::filesystem::path(s.dir) / p;
    STRATA_ASSIGN_OR_RETURN(auto suite, quality::Suite::FromFile(p.string()));
    impl->suite = std::move(suite);
  }
  if (auto cat = catalog::Catalog::OpenForLake(lake_root); cat.ok())
    impl->catalog = std::move(*cat);
  Impl* self = impl.get();
  detail::KafkaClient::Hooks hooks;
  hooks.assigned = [self](const std::vector<TopicPartition>& tps) { return self->OnAssigned(tps); };
  hooks.revoked = [self](const std::vector<TopicPartition>& tps) { self->OnRevoked(tps); };
  hooks.problem = [self](const std::string& what) {
    std::lock_guard lock(self->mu);
    self->problem = what;
  };
  // librdkafka's prefetch queue: about a batch's worth of message bytes (a batch of
  // max_rows messages of up to 256 bytes, or max_bytes if smaller), at least 1 MB. Memory
  // is bounded by this, the batch being gathered and the one being written; a smaller
  // queue (properties: queued.max.messages.kbytes) saves memory and costs speed.
  const int64_t queue_kb = std::clamp<int64_t>(
      std::min<int64_t>(s.batch.max_bytes, s.batch.max_rows * 256) / 1024, 1024, 1 << 20);
  STRATA_ASSIGN_OR_RETURN(impl->kafka, detail::KafkaClient::Make(s, std::move(hooks), queue_kb));
  STRATA_ASSIGN_OR_RETURN(impl->topics, impl->kafka->Topics(s.startup_timeout_ms));
  return std::unique_ptr<Ingester>(new Ingester(std::move(impl)));
}

Result<RunStats> Ingester::Run(const RunOptions& options) { return impl_->Run(options); }

Result<RunStats> Ingester::Impl::Run(const RunOptions& options) {
  const auto started = Clock::now();
  // With available_now: where each partition ends now.
  std::map<TopicPartition, std::pair<int64_t, int64_t>> targets;
  if (options.available_now) {
    for (const auto& [topic, n] : topics) {
      for (int32_t p = 0; p < n; ++p) {
        STRATA_ASSIGN_OR_RETURN(int64_t hi, kafka->QueryHighWatermark({topic, p}, 10000));
        targets[{topic, p}] = {0, hi};
      }
    }
    STRATA_ASSIGN_OR_RETURN(bool done, CaughtUp(targets));
    if (done) return stats;
  }
  STRATA_RETURN_NOT_OK(kafka->Subscribe());
  RunEvent event = LineageEvent();
  for (const auto& o : options.observers) o->OnRunEvent(event);
  std::thread writer([&] { WriterLoop(options); });
  Status result;
  int64_t last_check_ms = 0;
  std::optional<Clock::time_point> first_message;
  int64_t last_caught_up_check = 0;  // ms
  detail::Message m;
  std::string topic;
  while (!stop.load()) {
    {
      std::lock_guard lock(mu);
      if (!writer_error.ok()) break;
    }
    bool was_fenced = false;
    {
      std::lock_guard lock(mu);
      if (fenced && !writer_busy) {
        fenced = false;
        was_fenced = true;
      }
    }
    if (was_fenced) {
      result = Reset();
      if (!result.ok()) break;
    }
    const int64_t now = NowMs();
    bool due =
        !open.empty() && (open_closed || Full(open) || now - open.opened_ms >= spec.batch.max_ms);
    if (!due && !open.empty() && options.available_now && now - last_caught_up_check >= 10) {
      last_caught_up_check = now;
      // Caught up with where the partitions ended at start: no need to wait for the time.
      due = std::all_of(position.begin(), position.end(), [&](const auto& kv) {
        auto it = targets.find(kv.first);
        return it == targets.end() || kv.second + 1 >= it->second.second;
      });
    }
    if (due) {
      if (HandOver()) {
        kafka->Resume();
      } else {
        open_closed = true;  // waits for the writer; new messages go to `next`
        if (Full(next)) {
          // The writer is behind. Briefly, just wait for it (librdkafka's bounded fetch
          // queue holds what arrives); when a write takes long, pause the partitions and
          // go on polling, so rebalances are still answered. (Pausing at once would cost a
          // fetch restart, about 300 ms, on every batch.)
          std::unique_lock lock(mu);
          if (NowMs() - writer_started_ms < 1000) {
            cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return !writer_busy; });
            continue;
          }
          lock.unlock();
          kafka->Pause();
        }
      }
    }
    // Paused only while both batches are full and the writer is busy (a revocation can
    // empty them).
    if (kafka->paused() && !(open_closed && Full(next))) kafka->Resume();
    Batch& gather = open_closed ? next : open;
    int wait = 100;
    if (!gather.empty()) {
      wait =
          static_cast<int>(std::clamp<int64_t>(gather.opened_ms + spec.batch.max_ms - now, 0, 100));
    }
    if (open_closed) wait = std::min(wait, 10);  // look at the writer again soon
    auto polled = kafka->Poll(wait, &m, &topic);
    if (!polled.ok()) {
      result = polled.status();
      break;
    }
    if (*polled) {
      auto it = position.find({topic, m.partition});
      // Not assigned (a late message of a revoked partition) or already taken.
      if (it == position.end() || m.offset <= it->second) continue;
      const int64_t before = it->second;
      it->second = m.offset;
      if (gather.empty()) {
        // A batch's time runs from when its first message was produced, if that was within
        // the batch time (so max_ms bounds how long a live message waits), else from now
        // (catching up on old messages fills batches by size).
        const int64_t arrived = NowMs();
        gather.opened_ms = m.timestamp_ms >= 0 && m.timestamp_ms <= arrived &&
                                   arrived - m.timestamp_ms < spec.batch.max_ms
                               ? m.timestamp_ms
                               : arrived;
      }
      if (!first_message) first_message = Clock::now();
      m.topic = gather.TopicIndex(topic);
      gather.Add(std::move(m), before);
      m = detail::Message();
      continue;
    }
    {
      std::lock_guard lock(mu);
      if (!problem.empty() && options.on_problem && NowMs() - problem_reported_ms >= 1000) {
        problem_reported_ms = NowMs();
        options.on_problem(problem);
      }
    }
    if (options.available_now && open.empty() && next.empty() && NowMs() - last_check_ms >= 200) {
      last_check_ms = NowMs();
      bool idle = false;
      {
        std::lock_guard lock(mu);
        idle = !writer_busy && !fenced;
      }
      if (idle) {
        auto done = CaughtUp(targets);
        if (!done.ok()) {
          result = done.status();
          break;
        }
        if (*done) break;
      }
    }
  }
  // Stop: the open batch is dropped (uncommitted); the one being written finishes.
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !writer_busy; });
    writer_quit = true;
    cv.notify_all();
  }
  writer.join();
  open = Batch();
  next = Batch();
  Status closed = kafka->Close();
  std::lock_guard lock(mu);
  if (result.ok()) result = writer_error;
  event.time_ms = NowMs();
  if (!result.ok()) {
    event.type = RunEventType::kFail;
    event.error = result.message();
    for (const auto& o : options.observers) o->OnRunEvent(event);
    return result;
  }
  event.type = RunEventType::kComplete;
  for (ObservedDataset& out : event.outputs) {
    auto table = lake->OpenTable(out.name);
    if (!table.ok() || !(*table)->exists()) continue;
    if (auto snap = (*table)->Latest(); snap.ok()) {
      out.version = (*snap)->version;
      for (const auto& f : (*snap)->schema) out.schema.push_back({f.name, f.type});
    }
    out.rows = out.name == spec.target ? stats.rows_written : stats.dead_letters;
  }
  // Only tables that exist are outputs (a stream with no dead letter made no such table).
  event.outputs.erase(std::remove_if(event.outputs.begin(), event.outputs.end(),
                                     [](const ObservedDataset& d) { return d.version < 0; }),
                      event.outputs.end());
  for (const auto& o : options.observers) o->OnRunEvent(event);
  (void)closed;
  stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (first_message)
    stats.consume_seconds = std::chrono::duration<double>(Clock::now() - *first_message).count();
  stats.latency_p50_ms = Percentile(latencies, 0.5);
  stats.latency_p99_ms = Percentile(latencies, 0.99);
  stats.latency_max_ms =
      latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  return stats;
}

}  // namespace strata::stream
