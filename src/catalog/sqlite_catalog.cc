// The SQLite catalog: one database file in WAL mode, so readers never wait for a writer
// and a killed process leaves it consistent. Every write is one BEGIN IMMEDIATE
// transaction: a writer that finds another one busy waits (busy timeout), and retries
// with backoff when SQLite gives up waiting, so concurrent `strata run` processes never
// fail with "database is locked".
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "catalog/migrations.h"
#include "common/time_format.h"
#include "strata/catalog.h"

namespace strata::catalog {

namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr auto kGiveUpAfter = std::chrono::minutes(5);

bool IsBusy(int rc) {
  rc &= 0xff;
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

// A prepared statement; binds by position from 1.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  int prepare_rc() const { return rc_; }
  Stmt& Bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

class SqliteCatalog final : public Catalog {
 public:
  SqliteCatalog(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteCatalog() override { sqlite3_close_v2(db_); }

  Status Migrate() {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      STRATA_RETURN_NOT_OK(
          Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
               "applied_ms BIGINT NOT NULL)"));
      int current = 0;
      {
        Stmt q(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        STRATA_RETURN_NOT_OK(Check(q.prepare_rc(), "reading the schema version"));
        int rc = q.Step();
        if (rc != SQLITE_ROW) return Error(rc, "reading the schema version");
        current = static_cast<int>(q.Int(0));
      }
      const int newest = kMigrations.back().version;
      if (current > newest) {
        return Status::NotSupported(path_ + ": the catalog has schema version " +
                                    std::to_string(current) + ", newer than this strata (" +
                                    std::to_string(newest) + "); upgrade strata");
      }
      for (const auto& m : kMigrations) {
        if (m.version <= current) continue;
        STRATA_RETURN_NOT_OK(
            Exec(std::string(m.sql)).WithContext("migration " + std::to_string(m.version)));
        Stmt ins(db_, "INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)");
        ins.Bind(1, static_cast<int64_t>(m.version)).Bind(2, NowMs());
        STRATA_RETURN_NOT_OK(Done(ins.Step(), "recording a migration"));
      }
      schema_version_ = newest;
      return Status::OK();
    });
  }

  int schema_version() const override { return schema_version_; }

  Status CreateRun(const RunRecord& r) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      Stmt s(db_,
             "INSERT INTO runs (run_id, pipeline, pipeline_file, status, started_ms, ended_ms, "
             "params_json, host, pid, error, resumed_from) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "recording a run"));
      s.Bind(1, r.run_id)
          .Bind(2, r.pipeline)
          .Bind(3, r.pipeline_file)
          .Bind(4, std::string(ToString(r.status)))
          .Bind(5, r.started_ms)
          .Bind(6, r.ended_ms)
          .Bind(7, r.params_json)
          .Bind(8, r.host)
          .Bind(9, r.pid)
          .Bind(10, r.error)
          .Bind(11, r.resumed_from);
      return Done(s.Step(), "recording run " + r.run_id);
    });
  }

  Status FinishRun(const std::string& run_id, RunStatus status, int64_t ended_ms,
                   const std::string& error) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      Stmt s(db_, "UPDATE runs SET status = ?, ended_ms = ?, error = ? WHERE run_id = ?");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "finishing a run"));
      s.Bind(1, std::string(ToString(status))).Bind(2, ended_ms).Bind(3, error).Bind(4, run_id);
      return Done(s.Step(), "finishing run " + run_id);
    });
  }

  Status RecordStep(const StepRun& st) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      {
        Stmt s(db_,
               "INSERT INTO step_runs (run_id, step, seq, kind, status, started_ms, ended_ms, "
               "attempts, rows_out, bytes_out, error, fingerprint, output, log) VALUES "
               "(?, ?, (SELECT COUNT(*) FROM step_runs WHERE run_id = ?), ?,?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT (run_id, step) DO UPDATE SET kind = excluded.kind, "
               "status = excluded.status, started_ms = excluded.started_ms, "
               "ended_ms = excluded.ended_ms, attempts = excluded.attempts, "
               "rows_out = excluded.rows_out, bytes_out = excluded.bytes_out, "
               "error = excluded.error, fingerprint = excluded.fingerprint, "
               "output = excluded.output, log = excluded.log");
        STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "recording a step"));
        s.Bind(1, st.run_id)
            .Bind(2, st.step)
            .Bind(3, st.run_id)
            .Bind(4, st.kind)
            .Bind(5, std::string(ToString(st.status)))
            .Bind(6, st.started_ms)
            .Bind(7, st.ended_ms)
            .Bind(8, static_cast<int64_t>(st.attempts))
            .Bind(9, st.rows_out)
            .Bind(10, st.bytes_out)
            .Bind(11, st.error)
            .Bind(12, st.fingerprint)
            .Bind(13, st.output)
            .Bind(14, st.log);
        STRATA_RETURN_NOT_OK(Done(s.Step(), "recording step " + st.step));
      }
      {
        Stmt del(db_, "DELETE FROM step_data WHERE run_id = ? AND step = ?");
        del.Bind(1, st.run_id).Bind(2, st.step);
        STRATA_RETURN_NOT_OK(Done(del.Step(), "recording step " + st.step));
      }
      auto put = [&](const std::vector<DataRef>& refs, const std::string& dir) -> Status {
        int64_t seq = 0;
        for (const auto& d : refs) {
          Stmt s(db_,
                 "INSERT INTO step_data (run_id, step, direction, seq, kind, name, version, "
                 "hash, row_count, bytes) VALUES (?,?,?,?,?,?,?,?,?,?)");
          s.Bind(1, st.run_id)
              .Bind(2, st.step)
              .Bind(3, dir)
              .Bind(4, seq++)
              .Bind(5, std::string(d.kind == DataRef::Kind::kTable ? "table" : "file"))
              .Bind(6, d.name)
              .Bind(7, d.version)
              .Bind(8, d.hash)
              .Bind(9, d.rows)
              .Bind(10, d.bytes);
          STRATA_RETURN_NOT_OK(Done(s.Step(), "recording the data of step " + st.step));
        }
        return Status::OK();
      };
      STRATA_RETURN_NOT_OK(put(st.inputs, "in"));
      return put(st.outputs, "out");
    });
  }

  Result<std::optional<StepRun>> FindReusable(const std::string& pipeline, const std::string& step,
                                              const std::string& fingerprint) override {
    std::lock_guard lock(mu_);
    std::string run_id;
    {
      Stmt s(db_,
             "SELECT s.run_id FROM step_runs s JOIN runs r ON r.run_id = s.run_id "
             "WHERE r.pipeline = ? AND s.step = ? AND s.fingerprint = ? "
             "AND s.status IN ('succeeded', 'skipped') ORDER BY s.ended_ms DESC LIMIT 1");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "finding a reusable step"));
      s.Bind(1, pipeline).Bind(2, step).Bind(3, fingerprint);
      int rc = Retry([&] { return s.Step(); });
      if (rc == SQLITE_DONE) return std::optional<StepRun>();
      if (rc != SQLITE_ROW) return Error(rc, "finding a reusable step");
      run_id = s.Text(0);
    }
    STRATA_ASSIGN_OR_RETURN(auto steps, ReadSteps(run_id, step));
    if (steps.empty()) return std::optional<StepRun>();
    return std::optional<StepRun>(std::move(steps.front()));
  }

  Result<std::vector<RunRecord>> ListRuns(const RunFilter& f) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string(kRunColumns) + " FROM runs WHERE 1 = 1";
    if (!f.pipeline.empty()) sql += " AND pipeline = ?1";
    if (f.status) sql += " AND status = ?2";
    sql += " ORDER BY started_ms DESC, run_id DESC LIMIT ?3";
    Stmt s(db_, sql);
    STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "listing runs"));
    if (!f.pipeline.empty()) s.Bind(1, f.pipeline);
    if (f.status) s.Bind(2, std::string(ToString(*f.status)));
    s.Bind(3, static_cast<int64_t>(f.limit));
    std::vector<RunRecord> out;
    STRATA_RETURN_NOT_OK(EachRow(s, "listing runs", [&]() -> Status {
      STRATA_ASSIGN_OR_RETURN(RunRecord r, ReadRun(s));
      out.push_back(std::move(r));
      return Status::OK();
    }));
    return out;
  }

  Result<std::optional<RunRecord>> GetRun(const std::string& run_id) override {
    std::lock_guard lock(mu_);
    RunRecord run;
    {
      Stmt s(db_, std::string(kRunColumns) + " FROM runs WHERE run_id = ?");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "reading a run"));
      s.Bind(1, run_id);
      int rc = Retry([&] { return s.Step(); });
      if (rc == SQLITE_DONE) return std::optional<RunRecord>();
      if (rc != SQLITE_ROW) return Error(rc, "reading run " + run_id);
      STRATA_ASSIGN_OR_RETURN(run, ReadRun(s));
    }
    STRATA_ASSIGN_OR_RETURN(run.steps, ReadSteps(run_id, ""));
    return std::optional<RunRecord>(std::move(run));
  }

  Result<std::optional<std::string>> CachedHash(const std::string& path, int64_t size,
                                                int64_t mtime_ns) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?");
    STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "reading the hash cache"));
    s.Bind(1, path).Bind(2, size).Bind(3, mtime_ns);
    int rc = Retry([&] { return s.Step(); });
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return Error(rc, "reading the hash cache");
    return std::optional<std::string>(s.Text(0));
  }

  Status StoreHash(const std::string& path, int64_t size, int64_t mtime_ns,
                   const std::string& hash) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      Stmt s(db_,
             "INSERT INTO file_hashes (path, size, mtime_ns, hash) VALUES (?,?,?,?) "
             "ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
             "mtime_ns = excluded.mtime_ns, hash = excluded.hash");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "storing a file hash"));
      s.Bind(1, path).Bind(2, size).Bind(3, mtime_ns).Bind(4, hash);
      return Done(s.Step(), "storing a file hash");
    });
  }

 private:
  static constexpr std::string_view kRunColumns =
      "SELECT run_id, pipeline, pipeline_file, status, started_ms, ended_ms, params_json, "
      "host, pid, error, resumed_from";

  static Result<RunRecord> ReadRun(const Stmt& s) {
    RunRecord r;
    r.run_id = s.Text(0);
    r.pipeline = s.Text(1);
    r.pipeline_file = s.Text(2);
    STRATA_ASSIGN_OR_RETURN(r.status, ParseRunStatus(s.Text(3)));
    r.started_ms = s.Int(4);
    r.ended_ms = s.Int(5);
    r.params_json = s.Text(6);
    r.host = s.Text(7);
    r.pid = s.Int(8);
    r.error = s.Text(9);
    r.resumed_from = s.Text(10);
    return r;
  }

  // The step runs of `run_id` (only `step` when not empty), with their data: two queries
  // whatever the number of steps.
  Result<std::vector<StepRun>> ReadSteps(const std::string& run_id, const std::string& step) {
    std::vector<StepRun> steps;
    std::map<std::string, size_t> index;
    {
      Stmt s(db_,
             "SELECT step, kind, status, started_ms, ended_ms, attempts, rows_out, bytes_out, "
             "error, fingerprint, output, log FROM step_runs WHERE run_id = ?1 "
             "AND (?2 = '' OR step = ?2) ORDER BY seq");
      STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "reading steps"));
      s.Bind(1, run_id).Bind(2, step);
      STRATA_RETURN_NOT_OK(EachRow(s, "reading the steps of run " + run_id, [&]() -> Status {
        StepRun st;
        st.run_id = run_id;
        st.step = s.Text(0);
        st.kind = s.Text(1);
        STRATA_ASSIGN_OR_RETURN(st.status, ParseStepStatus(s.Text(2)));
        st.started_ms = s.Int(3);
        st.ended_ms = s.Int(4);
        st.attempts = static_cast<int>(s.Int(5));
        st.rows_out = s.Int(6);
        st.bytes_out = s.Int(7);
        st.error = s.Text(8);
        st.fingerprint = s.Text(9);
        st.output = s.Text(10);
        st.log = s.Text(11);
        index[st.step] = steps.size();
        steps.push_back(std::move(st));
        return Status::OK();
      }));
    }
    Stmt s(db_,
           "SELECT step, direction, kind, name, version, hash, row_count, bytes FROM step_data "
           "WHERE run_id = ?1 AND (?2 = '' OR step = ?2) ORDER BY step, direction, seq");
    STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "reading step data"));
    s.Bind(1, run_id).Bind(2, step);
    STRATA_RETURN_NOT_OK(EachRow(s, "reading the data of run " + run_id, [&]() -> Status {
      auto it = index.find(s.Text(0));
      if (it == index.end()) return Status::OK();
      StepRun& st = steps[it->second];
      DataRef d;
      d.kind = s.Text(2) == "file" ? DataRef::Kind::kFile : DataRef::Kind::kTable;
      d.name = s.Text(3);
      d.version = s.Int(4);
      d.hash = s.Text(5);
      d.rows = s.Int(6);
      d.bytes = s.Int(7);
      (s.Text(1) == "in" ? st.inputs : st.outputs).push_back(std::move(d));
      return Status::OK();
    }));
    return steps;
  }

  Status RecordStreamBatches(const std::vector<StreamBatch>& batches) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      for (const StreamBatch& b : batches) {
        Stmt s(db_,
               "INSERT INTO stream_batches (stream, topic, kafka_partition, first_offset, "
               "last_offset, messages, table_version, committed_ms) VALUES (?,?,?,?,?,?,?,?) "
               "ON CONFLICT (stream, topic, kafka_partition) DO UPDATE SET "
               "first_offset = excluded.first_offset, last_offset = excluded.last_offset, "
               "messages = excluded.messages, table_version = excluded.table_version, "
               "committed_ms = excluded.committed_ms");
        STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "recording a stream batch"));
        s.Bind(1, b.stream)
            .Bind(2, b.topic)
            .Bind(3, static_cast<int64_t>(b.partition))
            .Bind(4, b.first_offset)
            .Bind(5, b.last_offset)
            .Bind(6, b.messages)
            .Bind(7, b.table_version)
            .Bind(8, b.committed_ms);
        STRATA_RETURN_NOT_OK(Done(s.Step(), "recording a batch of stream " + b.stream));
      }
      return Status::OK();
    });
  }

  Result<std::vector<StreamBatch>> StreamBatches(const std::string& stream) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT topic, kafka_partition, first_offset, last_offset, messages, table_version, "
           "committed_ms FROM stream_batches WHERE stream = ? ORDER BY topic, kafka_partition");
    STRATA_RETURN_NOT_OK(Check(s.prepare_rc(), "reading stream batches"));
    s.Bind(1, stream);
    std::vector<StreamBatch> out;
    STRATA_RETURN_NOT_OK(EachRow(s, "reading the batches of stream " + stream, [&]() -> Status {
      StreamBatch b;
      b.stream = stream;
      b.topic = s.Text(0);
      b.partition = static_cast<int32_t>(s.Int(1));
      b.first_offset = s.Int(2);
      b.last_offset = s.Int(3);
      b.messages = s.Int(4);
      b.table_version = s.Int(5);
      b.committed_ms = s.Int(6);
      out.push_back(std::move(b));
      return Status::OK();
    }));
    return out;
  }

  // Steps through the rows of `s`, calling `row` on each; an error names what was being done.
  template <typename F>
  Status EachRow(Stmt& s, const std::string& doing, F&& row) {
    for (;;) {
      const int rc = Retry([&] { return s.Step(); });
      if (rc == SQLITE_DONE) return Status::OK();
      if (rc != SQLITE_ROW) return Error(rc, doing);
      STRATA_RETURN_NOT_OK(row());
    }
  }

  // Runs `step` again while SQLite reports the database busy beyond its busy timeout.
  template <typename F>
  int Retry(F&& step) {
    const auto deadline = std::chrono::steady_clock::now() + kGiveUpAfter;
    int delay_ms = 5;
    for (;;) {
      int rc = step();
      if (!IsBusy(rc) || std::chrono::steady_clock::now() > deadline) return rc;
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      delay_ms = std::min(delay_ms * 2, 500);
    }
  }

  // BEGIN IMMEDIATE (retried while busy), `body`, COMMIT; ROLLBACK when the body fails.
  template <typename F>
  Status InTransaction(F&& body) {
    int rc = Retry([&] { return sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr); });
    if (rc != SQLITE_OK) return Error(rc, "starting a transaction");
    Status st = body();
    if (!st.ok()) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    rc = Retry([&] { return sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr); });
    if (rc != SQLITE_OK) {
      Status err = Error(rc, "committing");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
    return Status::OK();
  }

  Status Exec(const std::string& sql) {
    char* msg = nullptr;
    int rc = Retry([&] {
      sqlite3_free(msg);
      msg = nullptr;
      return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    });
    if (rc == SQLITE_OK) return Status::OK();
    std::string text = msg != nullptr ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return Status::IOError("catalog " + path_ + ": " + text);
  }

  Status Check(int rc, const std::string& doing) {
    return rc == SQLITE_OK ? Status::OK() : Error(rc, doing);
  }
  Status Done(int rc, const std::string& doing) {
    return rc == SQLITE_DONE ? Status::OK() : Error(rc, doing);
  }
  Status Error(int rc, const std::string& doing) {
    std::string msg = "catalog " + path_ + ": " + doing + ": " + sqlite3_errmsg(db_);
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
      return Status::Corruption(msg);
    return Status::IOError(msg);
  }

  std::mutex mu_;
  sqlite3* db_;
  std::string path_;
  int schema_version_ = 0;
};

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("catalog " + path + " cannot be opened: " + msg);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto catalog = std::make_unique<SqliteCatalog>(db, path);
  // WAL: readers never block the writer; NORMAL sync is consistent after a crash.
  // Switching to WAL may itself meet a busy database: the migration below retries.
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  STRATA_RETURN_NOT_OK(catalog->Migrate());
  return std::unique_ptr<Catalog>(std::move(catalog));
}

Result<std::unique_ptr<Catalog>> Catalog::OpenForLake(const std::string& lake_root) {
  const std::string dir = lake_root + "/_strata";
  struct stat sb {};
  if (::stat(dir.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return Status::NotFound("'" + lake_root +
                            "' is not a lake (no _strata/ folder); run "
                            "'strata init'");
  }
  return OpenSqlite(dir + "/catalog.db");
}

}  // namespace strata::catalog
