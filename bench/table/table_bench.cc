// Table benchmark: N appends of R rows to a Delta table, side by side with DuckDB
// writing the same rows to a bare Parquet file (the work a write cannot avoid).
//   table_bench [APPENDS=1000] [ROWS=10000] [DIR=bench/out/table-bench]
// Prints median commit time (log write only, and whole write), time to open the latest
// version with and without checkpoints, peak memory around a checkpoint, and vacuum and
// optimize throughput.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "strata/table.h"
#include "table/delta_log.h"

using namespace strata;
using SteadyClock = std::chrono::steady_clock;

namespace {

double Ms(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

long MaxRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

#define CHECK_OK(expr)                                                          \
  do {                                                                          \
    auto _st = (expr);                                                          \
    if (!_st.ok()) {                                                            \
      std::fprintf(stderr, "%s: %s\n", #expr, _st.status().ToString().c_str()); \
      std::exit(1);                                                             \
    }                                                                           \
  } while (0)

}  // namespace

int main(int argc, char** argv) {
  const int appends = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int rows = argc > 2 ? std::atoi(argv[2]) : 10000;
  const std::string dir = argc > 3 ? argv[3] : "bench/out/table-bench";
  std::filesystem::remove_all(dir);
  auto lake_r = Lake::Open(dir, true);
  if (!lake_r.ok()) return 1;
  auto lake = std::move(lake_r).value();
  auto table = std::move(lake->OpenTable("events")).value();
  Session* session = lake->session();
  const std::string batch =
      "SELECT range AS id, range % 100 AS category, random() AS value, 'row ' || range AS note "
      "FROM range(" +
      std::to_string(rows) + ")";

  // Peer: DuckDB writing the same rows to a bare Parquet file.
  auto conn = std::move(session->database()->Connect()).value();
  std::vector<double> peer_ms;
  for (int i = 0; i < std::min(appends, 200); ++i) {
    auto t0 = SteadyClock::now();
    if (!conn->Execute("COPY (" + batch + ") TO '" + dir +
                       "/peer.parquet' (FORMAT parquet, COMPRESSION zstd)")
             .ok())
      return 1;
    peer_ms.push_back(Ms(t0, SteadyClock::now()));
  }

  std::vector<double> write_ms;
  long rss_before_checkpoints = MaxRssKiB();
  for (int i = 0; i < appends; ++i) {
    auto t0 = SteadyClock::now();
    auto v = table->Write(session->sql(batch));
    write_ms.push_back(Ms(t0, SteadyClock::now()));
    if (!v.ok()) {
      std::fprintf(stderr, "append %d: %s\n", i, v.status().ToString().c_str());
      return 1;
    }
  }
  long rss_after = MaxRssKiB();

  // Log write alone: the commit protocol (temp file, fsync, link, fsync dir) for an
  // append's actions, on the same disk.
  auto latest = std::move(table->Latest()).value();
  std::vector<double> log_ms;
  std::filesystem::create_directories(dir + "/logonly/_delta_log");
  for (int i = 0; i < 200; ++i) {
    std::vector<delta::Json> actions = {
        delta::Json{{"commitInfo", {{"timestamp", delta::NowMs()}, {"operation", "WRITE"}}}},
        delta::AddAction(latest->files.back(), true)};
    auto t0 = SteadyClock::now();
    if (!delta::WriteCommit(lake->fs(), dir + "/logonly", i, actions).ok()) return 1;
    log_ms.push_back(Ms(t0, SteadyClock::now()));
  }

  // Opening the latest version: from the newest checkpoint, and by replaying every
  // JSON commit (a copy of the log without checkpoints).
  std::vector<double> open_cp, open_json;
  std::filesystem::create_directories(dir + "/nocp/_delta_log");
  for (const auto& e : std::filesystem::directory_iterator(table->path() + "/_delta_log")) {
    if (e.path().extension() == ".json")
      std::filesystem::copy(e.path(), dir + "/nocp/_delta_log/" + e.path().filename().string());
  }
  int64_t replayed_cp = 0, replayed_json = 0;
  for (int i = 0; i < 5; ++i) {
    // Fresh handles: a new reader, with no snapshot cached.
    auto fresh = std::move(lake->OpenTable("events")).value();
    auto fresh_nocp = std::move(Table::OpenPath(dir + "/nocp", lake->shared_session())).value();
    auto t0 = SteadyClock::now();
    auto a = fresh->Latest();
    open_cp.push_back(Ms(t0, SteadyClock::now()));
    auto t1 = SteadyClock::now();
    auto b = fresh_nocp->Latest();
    open_json.push_back(Ms(t1, SteadyClock::now()));
    if (!a.ok() || !b.ok() || (*a)->files.size() != (*b)->files.size()) return 1;
    replayed_cp = (*a)->commits_replayed;
    replayed_json = (*b)->commits_replayed;
  }

  // Optimize all the small files, then vacuum what it replaced.
  int64_t bytes_before = latest->size_bytes();
  auto t0 = SteadyClock::now();
  CHECK_OK(table->Optimize(512ll << 20));
  double optimize_s = Ms(t0, SteadyClock::now()) / 1000;
  auto t1 = SteadyClock::now();
  auto vac = table->Vacuum(0);
  double vacuum_s = Ms(t1, SteadyClock::now()) / 1000;
  if (!vac.ok()) return 1;

  std::printf("table benchmark: %d appends of %d rows (%s)\n", appends, rows, dir.c_str());
  std::printf(
      "  whole append, median          %8.1f ms   (DuckDB bare COPY to Parquet: %.1f ms, ratio "
      "%.2f)\n",
      Median(write_ms), Median(peer_ms), Median(write_ms) / Median(peer_ms));
  std::printf("  commit log write, median      %8.2f ms   (target <= 50 ms)\n", Median(log_ms));
  std::printf(
      "  open version %lld, checkpoint   %8.1f ms   (%lld JSON commits after it; target <= 100 "
      "ms)\n",
      static_cast<long long>(latest->version), Median(open_cp),
      static_cast<long long>(replayed_cp));
  std::printf("  open version %lld, JSON only    %8.1f ms   (%lld JSON commits)\n",
              static_cast<long long>(latest->version), Median(open_json),
              static_cast<long long>(replayed_json));
  std::printf("  peak RSS before appends %ld MiB, after %d appends and %d checkpoints %ld MiB\n",
              rss_before_checkpoints / 1024, appends, appends / 10, rss_after / 1024);
  std::printf("  optimize %zu files (%.1f MiB) into 1: %.2f s, %.1f MiB/s, %.0f rows/s\n",
              latest->files.size(), bytes_before / 1048576.0, optimize_s,
              bytes_before / 1048576.0 / optimize_s,
              static_cast<double>(latest->num_records()) / optimize_s);
  std::printf("  vacuum %zu files (%.1f MiB): %.2f s, %.0f files/s\n", vac->files.size(),
              vac->bytes / 1048576.0, vacuum_s, vac->files.size() / vacuum_s);
  return 0;
}
