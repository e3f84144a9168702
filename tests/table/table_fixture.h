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
