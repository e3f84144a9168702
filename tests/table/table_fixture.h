// The fixture of the table tests: a lake in a temporary folder, helpers to write and read
// rows, and a check in TearDown that every table the test leaves holds to the Delta
// protocol (protocol_check.h).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "strata/table.h"
#include "table/delta_log.h"
#include "table/protocol_check.h"
#include "test_util.h"

namespace strata {

using delta::Json;

inline std::vector<std::string> SortedRows(const DataFrame& df) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < df.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < df.num_columns(); ++c) row += df.column(c).Format(r) + "|";
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The local file system, every call passed on: tests derive from it and override only
// the calls they make fail or race.
class LocalForwardingFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return local_->NewWritableFile(path);
  }
  Result<std::string> ReadFile(const std::string& path) override { return local_->ReadFile(path); }
  Status LinkIfAbsent(const std::string& source, const std::string& target) override {
    return local_->LinkIfAbsent(source, target);
  }
  Status Rename(const std::string& source, const std::string& target) override {
    return local_->Rename(source, target);
  }
  Status RemoveFile(const std::string& path) override { return local_->RemoveFile(path); }
  Status CreateDirs(const std::string& path) override { return local_->CreateDirs(path); }
  Status SyncDir(const std::string& path) override { return local_->SyncDir(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return local_->ListDir(path);
  }
  Result<FileInfo> Stat(const std::string& path) override { return local_->Stat(path); }

 private:
  std::unique_ptr<FileSystem> local_ = NewLocalFileSystem();
};

// The data files (Parquet, outside _delta_log) under table folder `table_path`.
inline std::vector<std::string> DataFilePaths(const std::string& table_path) {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(table_path)) {
    if (e.path().extension() == ".parquet" &&
        e.path().string().find("_delta_log") == std::string::npos)
      paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lake = Lake::Open(tmp_ / "lake", /*create=*/true);
    ASSERT_OK(lake.status());
    lake_ = std::move(lake).value();
    session_ = lake_->shared_session();
  }
  // Every table a test leaves in its lake must hold to the protocol (protocol_check.h).
  void TearDown() override {
    if (!lake_) return;
    auto conn = session_->database()->Connect();
    ASSERT_TRUE(conn.ok());
    for (const auto& e : std::filesystem::directory_iterator(tmp_ / "lake")) {
      if (!std::filesystem::exists(e.path() / "_delta_log")) continue;
      for (const std::string& p : testing::DeltaProtocolProblems(e.path().string(), conn->get()))
        ADD_FAILURE() << "protocol: " << p;
    }
  }
  std::unique_ptr<Table> Open(const std::string& name, TableOptions options = {}) {
    auto t = lake_->OpenTable(name, options);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(t).value();
  }
  Frame Rows(const std::string& select) { return session_->sql(select); }
  // The lake of this test opened again, its DuckDB in session time zone `zone`.
  std::unique_ptr<Lake> LakeInTimeZone(const std::string& zone) {
    engine::DatabaseOptions db;
    db.time_zone = zone;
    auto session = Session::Open(db);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    LakeOptions options;
    options.session = session.ok() ? *session : nullptr;
    auto lake = Lake::Open(tmp_ / "lake", options);
    EXPECT_TRUE(lake.ok()) << lake.status().ToString();
    return lake.ok() ? std::move(lake).value() : nullptr;
  }
  DataFrame Collect(const Frame& f) {
    auto df = f.collect();
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    return df.ok() ? std::move(df).value() : DataFrame();
  }
  DataFrame Read(Table* t, int64_t version = -1) {
    auto snap = version < 0 ? t->Latest() : t->AtVersion(version);
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    if (!snap.ok()) return DataFrame();
    auto frame = t->Scan(**snap);
    EXPECT_TRUE(frame.ok()) << frame.status().ToString();
    return frame.ok() ? Collect(*frame) : DataFrame();
  }
  std::vector<Json> LogActions(Table* t) {
    std::vector<Json> all;
    for (const auto& e : std::filesystem::directory_iterator(t->path() + "/_delta_log")) {
      if (e.path().extension() != ".json" || e.path().filename().string()[0] == '.') continue;
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) all.push_back(Json::parse(line));
    }
    return all;
  }

  testing::TempDir tmp_;
  std::unique_ptr<Lake> lake_;
  std::shared_ptr<Session> session_;
};

}  // namespace strata
