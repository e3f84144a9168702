// Several processes writing one table, and writers killed with SIGKILL mid-commit.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <sstream>

#include "strata/table.h"
#include "table/delta_log.h"
#include "test_util.h"

namespace strata {
namespace {

struct Child {
  pid_t pid;
  int out_fd;
};

Child Spawn(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

struct Ack {
  int64_t version, worker, seq;
};

std::vector<Ack> Acks(const std::string& out, std::vector<std::string>* conflicts = nullptr) {
  std::vector<Ack> acks;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ACK ", 0) == 0) {
      Ack a;
      std::istringstream(line.substr(4)) >> a.version >> a.worker >> a.seq;
      acks.push_back(a);
    } else if (line.rfind("CONFLICT ", 0) == 0 && conflicts != nullptr) {
      conflicts->push_back(line.substr(9));
    }
  }
  return acks;
}

class MultiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_dir_ = tmp_ / "lake";
    auto lake = Lake::Open(lake_dir_, true);
    ASSERT_OK(lake.status());
    lake_ = std::move(lake).value();
    auto t = lake_->OpenTable("t");
    ASSERT_OK(t.status());
    table_ = std::move(t).value();
    // Version 0 fixes the schema; the workers only append.
    ASSERT_OK(table_
                  ->Write(lake_->session()->sql(
                      "SELECT -1::BIGINT AS worker, -1::BIGINT AS seq, 0::BIGINT AS r"))
                  .status());
  }
  std::vector<std::string> Worker(int worker, int count, int rows, bool overwrite = false) {
    std::vector<std::string> args = {
        APPEND_WORKER,         lake_dir_,           "t", std::to_string(worker),
        std::to_string(count), std::to_string(rows)};
    if (overwrite) args.push_back("overwrite");
    return args;
  }
  testing::TempDir tmp_;
  std::string lake_dir_;
  std::unique_ptr<Lake> lake_;
  std::unique_ptr<Table> table_;
};

TEST_F(MultiProcessTest, EightWritersFiftyBlindAppendsEach) {
  std::vector<Child> children;
  for (int w = 0; w < 8; ++w) children.push_back(Spawn(Worker(w, 50, 10)));
  std::vector<Ack> acks;
  for (Child& c : children) {
    for (const Ack& a : Acks(ReadAll(c.out_fd))) acks.push_back(a);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker failed";
  }
  ASSERT_EQ(acks.size(), 400u);
  std::set<int64_t> versions;
  for (const Ack& a : acks) versions.insert(a.version);
  EXPECT_EQ(versions.size(), 400u) << "two writers were given one version";
  EXPECT_EQ(*versions.begin(), 1);
  EXPECT_EQ(*versions.rbegin(), 400);
  ASSERT_OK_AND_ASSIGN(auto listing, delta::ListLog(lake_->fs(), table_->path()));
  ASSERT_EQ(listing.commits.size(), 401u);
  for (int64_t v = 0; v <= 400; ++v) EXPECT_EQ(listing.commits[v], v);
  ASSERT_OK_AND_ASSIGN(auto snap, table_->Latest());
  EXPECT_EQ(snap->version, 400);
  ASSERT_OK_AND_ASSIGN(Frame all, table_->Scan(*snap));
  ASSERT_OK_AND_ASSIGN(
      DataFrame counts,
      all.filter(col("worker") >= 0)
          .select({len().alias("rows"),
                   (col("worker") * 1000 + col("seq")).n_unique().alias("batches")})
          .collect());
  EXPECT_EQ(counts.column(0).GetInt64(0), 4000);
  EXPECT_EQ(counts.column(1).GetInt64(0), 400);
}

TEST_F(MultiProcessTest, ConcurrentOverwritesConflictByName) {
  std::vector<Child> children;
  for (int w = 0; w < 4; ++w) children.push_back(Spawn(Worker(w, 10, 5, /*overwrite=*/true)));
  std::vector<Ack> acks;
  std::vector<std::string> conflicts;
  for (Child& c : children) {
    for (const Ack& a : Acks(ReadAll(c.out_fd), &conflicts)) acks.push_back(a);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(acks.size() + conflicts.size(), 40u) << "every overwrite either commits or conflicts";
  for (const std::string& msg : conflicts) {
    EXPECT_NE(msg.find("was committed by another writer"), std::string::npos) << msg;
    EXPECT_NE(msg.find("version "), std::string::npos) << msg;
  }
  ASSERT_OK_AND_ASSIGN(auto snap, table_->Latest());
  EXPECT_EQ(snap->version, static_cast<int64_t>(acks.size()))
      << "one version per acknowledged overwrite";
  const Ack* last = &acks[0];
  for (const Ack& a : acks) {
    if (a.version > last->version) last = &a;
  }
  ASSERT_OK_AND_ASSIGN(Frame rows, table_->Scan(*snap));
  ASSERT_OK_AND_ASSIGN(DataFrame df, rows.collect());
  ASSERT_EQ(df.num_rows(), 5u) << "exactly the last overwrite's rows";
  for (size_t r = 0; r < df.num_rows(); ++r) {
    EXPECT_EQ(df.column(0).GetInt64(r), last->worker);
    EXPECT_EQ(df.column(1).GetInt64(r), last->seq);
  }
}

// Kills a writer with SIGKILL at random points and checks that the table opens at the
// last acknowledged version or the one after, with every acknowledged write present.
TEST_F(MultiProcessTest, KilledWritersLoseNoAcknowledgedWrite) {
  const char* env = std::getenv("STRATA_CRASH_RUNS");
  const int runs = env != nullptr ? std::atoi(env) : 100;
  std::mt19937 rng(12345);
  std::set<std::pair<int64_t, int64_t>> acknowledged;
  int64_t last_version = 0;
  int killed_mid_run = 0;
  for (int run = 0; run < runs; ++run) {
    Child c = Spawn(Worker(run, 1000, 20));
    ::usleep(std::uniform_int_distribution<int>(0, 400000)(rng));
    ::kill(c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    killed_mid_run += WIFSIGNALED(status);
    std::vector<Ack> acks = Acks(ReadAll(c.out_fd));
    int64_t acked = acks.empty() ? last_version : acks.back().version;
    for (const Ack& a : acks) acknowledged.insert({a.worker, a.seq});
    ASSERT_OK_AND_ASSIGN(auto snap, table_->Latest());
    ASSERT_GE(snap->version, acked) << "run " << run << ": an acknowledged version is missing";
    ASSERT_LE(snap->version, acked + 1) << "run " << run;
    last_version = snap->version;
  }
  ASSERT_OK_AND_ASSIGN(auto snap, table_->Latest());
  ASSERT_OK_AND_ASSIGN(Frame all, table_->Scan(*snap));
  ASSERT_OK_AND_ASSIGN(
      DataFrame batches,
      all.filter(col("worker") >= 0).group_by({"worker", "seq"}).agg({len()}).collect());
  std::set<std::pair<int64_t, int64_t>> present;
  for (size_t r = 0; r < batches.num_rows(); ++r) {
    present.insert({batches.column(0).GetInt64(r), batches.column(1).GetInt64(r)});
    EXPECT_EQ(batches.column(2).GetInt64(r), 20) << "a batch is whole or absent";
  }
  for (const auto& a : acknowledged)
    EXPECT_TRUE(present.count(a)) << "lost batch " << a.first << "/" << a.second;
  EXPECT_LE(present.size(), acknowledged.size() + runs)
      << "at most one unacknowledged commit per run";
  EXPECT_GT(killed_mid_run, runs / 2) << "most runs must be killed while writing";
  std::printf("%d runs, %zu acknowledged commits, final version %lld\n", runs, acknowledged.size(),
              static_cast<long long>(snap->version));
}

}  // namespace
}  // namespace strata
