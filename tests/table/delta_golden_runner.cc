// Runs golden Delta tables: strata_delta_golden DIR
//
// Each case is DIR/<case>/delta (a table) and, where present, DIR/<case>/expected
// (Parquet files holding the latest version's rows). A case with expected/ passes when
// the table's rows equal them (compared sorted, column by column by name); a negative
// case (named in kNegative, or holding a file named `expect-error`) passes when loading
// fails with an error; any other case passes when its latest version loads. The last
// line is "N passed, N failed, N skipped".
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "strata/table.h"

namespace fs = std::filesystem;
using namespace strata;

namespace {

const std::set<std::string> kNegative = {"deltalog-invalid-protocol-version",
                                         "versions-not-contiguous", "no-delta-log-folder",
                                         "deltalog-state-reconstruction-without-protocol"};

std::vector<std::string> Rows(const DataFrame& df, const std::vector<std::string>& order) {
  std::vector<size_t> idx;
  for (const auto& name : order) {
    for (size_t c = 0; c < df.num_columns(); ++c) {
      if (df.column(c).name() == name) idx.push_back(c);
    }
  }
  std::vector<std::string> rows;
  for (size_t r = 0; r < df.num_rows(); ++r) {
    std::string row;
    for (size_t c : idx) row += df.column(c).Format(r) + " | ";
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// "" on success, else what differs.
std::string RunCase(const fs::path& dir, const std::shared_ptr<Session>& session) {
  const std::string name = dir.filename().string();
  bool negative = kNegative.count(name) || fs::exists(dir / "expect-error");
  auto table = Table::OpenPath((dir / "delta").string(), session);
  if (!table.ok()) return negative ? "" : table.status().ToString();
  auto snap = (*table)->Latest();
  if (negative) {
    if (snap.ok())
      return "expected an error, but version " + std::to_string((*snap)->version) + " loaded";
    std::printf("    error as expected: %s\n", snap.status().ToString().c_str());
    return "";
  }
  if (!snap.ok()) return snap.status().ToString();
  std::printf("    version %lld (checkpoint %lld + %lld commits), %zu files\n",
              static_cast<long long>((*snap)->version),
              static_cast<long long>((*snap)->checkpoint_version),
              static_cast<long long>((*snap)->commits_replayed), (*snap)->files.size());
  if (!fs::exists(dir / "expected")) return "";
  auto frame = (*table)->Scan(**snap);
  if (!frame.ok()) return frame.status().ToString();
  auto got = frame->collect();
  if (!got.ok()) return got.status().ToString();
  std::string glob = (dir / "expected").string() + "/**/*.parquet";
  auto want = session->sql("SELECT * FROM read_parquet('" + glob + "')").collect();
  if (!want.ok()) return "cannot read expected/: " + want.status().ToString();
  std::vector<std::string> got_names = got->column_names(), want_names = want->column_names();
  std::vector<std::string> a = got_names, b = want_names;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) {
    std::string msg = "columns differ: got";
    for (const auto& n : got_names) msg += " " + n;
    msg += "; expected";
    for (const auto& n : want_names) msg += " " + n;
    return msg;
  }
  auto rg = Rows(*got, want_names), rw = Rows(*want, want_names);
  if (rg.size() != rw.size()) {
    return "row count " + std::to_string(rg.size()) + ", expected " + std::to_string(rw.size());
  }
  for (size_t i = 0; i < rg.size(); ++i) {
    if (rg[i] != rw[i])
      return "row " + std::to_string(i) + " differs:\n      got      " + rg[i] +
             "\n      expected " + rw[i];
  }
  std::printf("    %zu rows match expected/\n", rg.size());
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("STRATA_DELTA_GOLDEN");
  std::string root = argc > 1 ? argv[1] : (env != nullptr ? env : "");
  if (root.empty() || !fs::is_directory(root)) {
    std::fprintf(
        stderr,
        "usage: strata_delta_golden DIR (or STRATA_DELTA_GOLDEN=DIR); '%s' is not a directory\n",
        root.c_str());
    return 2;
  }
  auto session = Session::Open();
  if (!session.ok()) return 2;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& c : cases) {
    if (!fs::exists(c / "delta") && !kNegative.count(c.filename().string())) {
      std::printf("SKIP %s: no delta/ folder\n", c.filename().c_str());
      ++skipped;
      continue;
    }
    std::printf("%s\n", c.filename().c_str());
    std::string problem = RunCase(c, *session);
    if (problem.empty()) {
      std::printf("  PASS\n");
      ++passed;
    } else {
      std::printf("  FAIL %s\n", problem.c_str());
      ++failed;
    }
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 ? 0 : 1;
}
