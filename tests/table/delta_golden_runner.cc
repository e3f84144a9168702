// Runs golden Delta tables: strata_delta_golden DIR
//
// Each case is DIR/<case>/delta (a table). What a case must show is read from the case
// folder, never from a list in this file:
//   - `expect-error`: a negative case. The file holds the substring the error must
//     contain (a blank file: any error); the case fails if the table loads.
//   - `expected/`: Parquet files holding the latest version's rows; the table's rows must
//     equal them (compared sorted, column by column by name).
//   - otherwise an entry in DIR/manifest.json, {"<case>": {"version": V, "files": F,
//     "rows": R}} (rows optional): the latest version, its number of data files and of
//     rows must be these. A case with none of the three fails: it would check nothing.
// Every case runs in a process of its own (this program with --case DIR/<case>), so a
// case that crashes or aborts fails alone and the others still run. The last line is
// "N passed, N failed".
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "strata/table.h"

namespace fs = std::filesystem;
using namespace strata;

namespace {

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

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

std::string CompareRows(Table* table, const Snapshot& snap, const fs::path& expected,
                        const std::shared_ptr<Session>& session) {
  auto frame = table->Scan(snap);
  if (!frame.ok()) return frame.status().ToString();
  auto got = frame->collect();
  if (!got.ok()) return got.status().ToString();
  std::string glob = expected.string() + "/**/*.parquet";
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

std::string CompareManifest(Table* table, const Snapshot& snap, const nlohmann::json& want) {
  const auto number = [&](const char* key) -> int64_t {
    auto it = want.find(key);
    return it != want.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
  };
  if (number("version") < 0 || number("files") < 0)
    return "its manifest entry needs \"version\" and \"files\": " + want.dump();
  if (snap.version != number("version"))
    return "version " + std::to_string(snap.version) + ", the manifest says " +
           std::to_string(number("version"));
  if (static_cast<int64_t>(snap.files.size()) != number("files"))
    return std::to_string(snap.files.size()) + " data files, the manifest says " +
           std::to_string(number("files"));
  if (number("rows") >= 0) {
    auto frame = table->Scan(snap);
    if (!frame.ok()) return frame.status().ToString();
    auto got = frame->collect();
    if (!got.ok()) return got.status().ToString();
    if (static_cast<int64_t>(got->num_rows()) != number("rows"))
      return std::to_string(got->num_rows()) + " rows, the manifest says " +
             std::to_string(number("rows"));
  }
  std::printf("    version, files%s as the manifest says\n", number("rows") >= 0 ? ", rows" : "");
  return "";
}

// "" on success, else what differs.
std::string RunCase(const fs::path& dir) {
  auto session = Session::Open();
  if (!session.ok()) return session.status().ToString();
  const bool negative = fs::exists(dir / "expect-error");
  auto table = Table::OpenPath((dir / "delta").string(), *session);
  Result<std::shared_ptr<const Snapshot>> snap = Status::Internal("not loaded");
  if (table.ok()) snap = (*table)->Latest();
  if (negative) {
    if (snap.ok())
      return "expected an error, but version " + std::to_string((*snap)->version) + " loaded";
    const std::string error = table.ok() ? snap.status().ToString() : table.status().ToString();
    const std::string want = ReadText(dir / "expect-error");
    if (error.find(want) == std::string::npos)
      return "the error does not say \"" + want + "\": " + error;
    std::printf("    error as expected: %s\n", error.c_str());
    return "";
  }
  if (!table.ok()) return table.status().ToString();
  if (!snap.ok()) return snap.status().ToString();
  std::printf("    version %lld (checkpoint %lld + %lld commits), %zu files\n",
              static_cast<long long>((*snap)->version),
              static_cast<long long>((*snap)->checkpoint_version),
              static_cast<long long>((*snap)->commits_replayed), (*snap)->files.size());
  if (fs::exists(dir / "expected"))
    return CompareRows(table->get(), **snap, dir / "expected", *session);
  const fs::path manifest_path = dir.parent_path() / "manifest.json";
  nlohmann::json manifest = nlohmann::json::parse(ReadText(manifest_path), nullptr, false);
  const std::string name = dir.filename().string();
  if (!manifest.is_object() || !manifest.contains(name)) {
    return "nothing to check it against: no expect-error, no expected/ and no entry in " +
           manifest_path.string();
  }
  return CompareManifest(table->get(), **snap, manifest[name]);
}

// Runs one case in a child process; "" when it passed, else why not.
std::string RunInChild(const fs::path& dir) {
  std::string command =
      "'" + fs::read_symlink("/proc/self/exe").string() + "' --case '" + dir.string() + "' 2>&1";
  std::FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return "cannot start a process for the case";
  std::string output;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, child)) output.append(buf, n);
  const int status = ::pclose(child);
  std::fputs(output.c_str(), stdout);
  if (WIFSIGNALED(status))
    return "the case crashed (signal " + std::to_string(WTERMSIG(status)) + ")";
  if (!WIFEXITED(status)) return "the case did not finish";
  if (WEXITSTATUS(status) == 0) return "";
  return WEXITSTATUS(status) == 1
             ? "see above"
             : "the case ended with exit code " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--case") {
    std::string problem = RunCase(argv[2]);
    if (problem.empty()) return 0;
    std::printf("    %s\n", problem.c_str());
    return 1;
  }
  const char* env = std::getenv("STRATA_DELTA_GOLDEN");
  std::string root = argc > 1 ? argv[1] : (env != nullptr ? env : "");
  if (root.empty() || !fs::is_directory(root)) {
    std::fprintf(
        stderr,
        "usage: strata_delta_golden DIR (or STRATA_DELTA_GOLDEN=DIR); '%s' is not a directory\n",
        root.c_str());
    return 2;
  }
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  int passed = 0, failed = 0;
  for (const auto& c : cases) {
    std::printf("%s\n", c.filename().c_str());
    std::fflush(stdout);
    std::string problem = RunInChild(c);
    if (problem.empty()) {
      std::printf("  PASS\n");
      ++passed;
    } else {
      std::printf("  FAIL %s\n", problem.c_str());
      ++failed;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
