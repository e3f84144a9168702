// Test helper: appends (or overwrites) rows to a lake table in a loop and acknowledges
// each commit on stdout, flushed, before the next one:
//   append_worker LAKE TABLE WORKER COUNT ROWS [overwrite]
// prints "ACK <version> <worker> <seq>" per commit and "CONFLICT <message>" for a lost
// overwrite race; any other error ends it with exit code 1.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "strata/table.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: append_worker LAKE TABLE WORKER COUNT ROWS [overwrite]\n");
    return 2;
  }
  std::string lake_dir = argv[1], name = argv[2];
  long worker = std::atol(argv[3]), count = std::atol(argv[4]), rows = std::atol(argv[5]);
  bool overwrite = argc > 6 && std::string(argv[6]) == "overwrite";
  auto lake = strata::Lake::Open(lake_dir);
  if (!lake.ok()) {
    std::fprintf(stderr, "%s\n", lake.status().ToString().c_str());
    return 1;
  }
  auto table = (*lake)->OpenTable(name);
  if (!table.ok()) return 1;
  for (long seq = 0; seq < count; ++seq) {
    strata::WriteOptions o;
    o.mode = overwrite ? strata::WriteMode::kOverwrite : strata::WriteMode::kAppend;
    strata::Frame data = (*lake)->session()->sql(
        "SELECT CAST(" + std::to_string(worker) + " AS BIGINT) AS worker, CAST(" +
        std::to_string(seq) + " AS BIGINT) AS seq, range AS r FROM range(" + std::to_string(rows) +
        ")");
    auto v = (*table)->Write(data, o);
    if (!v.ok()) {
      if (v.status().code() == strata::StatusCode::kConflict) {
        std::printf("CONFLICT %s\n", v.status().message().c_str());
        std::fflush(stdout);
        continue;
      }
      std::fprintf(stderr, "worker %ld: %s\n", worker, v.status().ToString().c_str());
      return 1;
    }
    std::printf("ACK %lld %ld %ld\n", static_cast<long long>(*v), worker, seq);
    std::fflush(stdout);
  }
  return 0;
}
