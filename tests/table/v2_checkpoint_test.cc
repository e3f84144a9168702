// v2 checkpoints (the v2Checkpoint feature, as Databricks writes them): a UUID-named
// top-level file (JSON or Parquet) holding the table's state and `sidecar` actions that
// name Parquet files in _delta_log/_sidecars with the add and remove actions.
#include "table/table_fixture.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> LogFiles(Table* t, const std::string& pattern) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(t->path() + "/_delta_log")) {
    const std::string name = e.path().filename().string();
    if (std::regex_match(name, std::regex(pattern))) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class V2CheckpointTest : public TableTest {
 protected:
  // A table with v2 checkpoints every 5 commits: appends, a delete by deletion vectors
  // and a delete by rewriting (a tombstone), up to version 10.
  std::unique_ptr<Table> MakeTable() {
    TableOptions options;
    options.checkpoint_interval = 5;
    auto t = Open("v2", options);
    WriteOptions o;
    o.properties = {{"delta.checkpointPolicy", "v2"}, {"delta.enableDeletionVectors", "true"}};
    EXPECT_OK(
        t->Write(Rows("SELECT range AS id, 'r' || range AS name FROM range(0, 100)"), o).status());
    for (int i = 1; i <= 8; ++i) {
      EXPECT_OK(t->Write(Rows("SELECT range AS id, 'r' || range AS name FROM range(" +
                              std::to_string(i * 100) + ", " + std::to_string(i * 100 + 100) + ")"))
                    .status());
    }
    EXPECT_OK(t->Delete("id % 7 = 0").status());  // version 9: deletion vectors
    EXPECT_OK(t->Write(Rows("SELECT 4000 AS id, 'x' AS name")).status());  // 10: checkpoint
    return t;
  }
  std::vector<std::string> Ids(Table* t) {
    DataFrame df = Read(t);
    std::vector<std::string> ids;
    for (size_t r = 0; r < df.num_rows(); ++r) ids.push_back(df.column(0).Format(r));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

TEST_F(V2CheckpointTest, WritesUuidNamedCheckpointsWithSidecars) {
  auto t = MakeTable();
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->version, 10);
  EXPECT_EQ(snap->min_reader_version, 3);
  EXPECT_EQ(snap->min_writer_version, 7);
  for (const auto* list : {&snap->reader_features, &snap->writer_features})
    EXPECT_EQ(std::count(list->begin(), list->end(), "v2Checkpoint"), 1);
  // Versions 5 and 10: UUID-named JSON checkpoints, no classic ones.
  const auto v2 = LogFiles(t.get(), R"(\d{20}\.checkpoint\.[0-9a-f-]{36}\.json)");
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2[0].substr(0, 20), "00000000000000000005");
  EXPECT_EQ(v2[1].substr(0, 20), "00000000000000000010");
  EXPECT_TRUE(LogFiles(t.get(), R"(\d{20}\.checkpoint\.parquet)").empty());
  // The top-level file: checkpointMetadata first, the state, one sidecar that exists.
  std::ifstream in(t->path() + "/_delta_log/" + v2[1]);
  std::vector<Json> top;
  for (std::string line; std::getline(in, line);) top.push_back(Json::parse(line));
  ASSERT_GE(top.size(), 4u);
  EXPECT_EQ(top[0]["checkpointMetadata"]["version"], 10);
  int sidecars = 0, adds = 0;
  for (const Json& a : top) {
    adds += a.contains("add") ? 1 : 0;
    if (!a.contains("sidecar")) continue;
    ++sidecars;
    const std::string path =
        t->path() + "/_delta_log/_sidecars/" + a["sidecar"]["path"].get<std::string>();
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(a["sidecar"]["sizeInBytes"], static_cast<int64_t>(fs::file_size(path)));
  }
  EXPECT_EQ(sidecars, 1);
  EXPECT_EQ(adds, 0);  // file actions live in the sidecar
  // _last_checkpoint names it.
  std::ifstream last_in(t->path() + "/_delta_log/_last_checkpoint");
  Json last = Json::parse(last_in);
  EXPECT_EQ(last["version"], 10);
  EXPECT_EQ(last["v2Checkpoint"]["path"], v2[1]);
  // A new reader starts from it and sees what replaying every commit sees.
  const std::vector<std::string> want = Ids(t.get());
  EXPECT_EQ(want.size(), 901u - 129u);  // 0..899 without the multiples of 7, and 4000
  auto reader = Open("v2");
  ASSERT_OK_AND_ASSIGN(auto from_checkpoint, reader->Latest());
  EXPECT_EQ(from_checkpoint->checkpoint_version, 10);
  EXPECT_EQ(Ids(reader.get()), want);
}

// With the commits before it gone (a log cleaned up by another engine), the table is read
// through the v2 checkpoint alone: JSON top-level, and Parquet top-level as Spark writes.
TEST_F(V2CheckpointTest, ATableIsReadThroughItsV2CheckpointAlone) {
  auto t = MakeTable();
  ASSERT_OK(t->Write(Rows("SELECT 5000 AS id, 'late' AS name")).status());  // version 11
  const std::vector<std::string> want = Ids(t.get());
  for (int v = 0; v <= 10; ++v) fs::remove(t->path() + "/_delta_log/" + delta::CommitFileName(v));
  auto reader = Open("v2");
  ASSERT_OK_AND_ASSIGN(auto snap, reader->Latest());
  EXPECT_EQ(snap->checkpoint_version, 10);
  EXPECT_EQ(snap->commits_replayed, 1);
  EXPECT_EQ(Ids(reader.get()), want);
  EXPECT_FALSE(reader->AtVersion(4).ok());  // before the checkpoint: gone

  // The same state as a Parquet top-level file (checkpointMetadata, sidecar, protocol,
  // metaData columns), the JSON one removed and _last_checkpoint with it.
  const std::string json = LogFiles(t.get(), R"(0{18}10\.checkpoint\.[0-9a-f-]{36}\.json)")[0];
  const std::string log = t->path() + "/_delta_log/";
  const std::string parquet = json.substr(0, json.size() - 4) + "parquet";
  ASSERT_OK(session_->database()->Connect().value()->Execute(
      "COPY (SELECT checkpointMetadata, sidecar, protocol, metaData FROM read_json('" + log + json +
      "', format='newline_delimited', columns={'checkpointMetadata': 'STRUCT(version BIGINT)', "
      "'sidecar': 'STRUCT(path VARCHAR, sizeInBytes BIGINT, modificationTime BIGINT)', "
      "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures "
      "VARCHAR[], writerFeatures VARCHAR[])', 'metaData': 'STRUCT(id VARCHAR, format "
      "STRUCT(provider VARCHAR), schemaString VARCHAR, partitionColumns VARCHAR[], "
      "configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)'})) TO '" +
      log + parquet + "' (FORMAT parquet)"));
  fs::remove(log + json);
  fs::remove(log + "_last_checkpoint");
  auto parquet_reader = Open("v2");
  ASSERT_OK_AND_ASSIGN(auto from_parquet, parquet_reader->Latest());
  EXPECT_EQ(from_parquet->checkpoint_version, 10);
  EXPECT_EQ(Ids(parquet_reader.get()), want);

  // A missing sidecar, with no commits to fall back on: an error naming the file.
  for (const auto& e : fs::directory_iterator(log + "_sidecars")) fs::remove(e.path());
  auto broken = Open("v2")->Latest();
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("names sidecar file"), std::string::npos)
      << broken.status().ToString();
  EXPECT_NE(broken.status().message().find("_delta_log/_sidecars/"), std::string::npos);
  fs::remove_all(t->path());  // nothing left for the protocol check to compare
}

TEST_F(V2CheckpointTest, AnExistingTableTurnsToV2CheckpointsAndStays) {
  TableOptions options;
  options.checkpoint_interval = 2;
  auto t = Open("later", options);
  ASSERT_OK(t->Write(Rows("SELECT 1 AS id")).status());
  ASSERT_OK(t->Write(Rows("SELECT 2 AS id")).status());  // version 1
  ASSERT_OK(t->Write(Rows("SELECT 3 AS id")).status());  // version 2: a classic checkpoint
  EXPECT_EQ(LogFiles(t.get(), R"(\d{20}\.checkpoint\.parquet)").size(), 1u);
  ASSERT_OK(t->SetProperties({{"delta.checkpointPolicy", "v2"}}).status());  // version 3
  ASSERT_OK(t->Write(Rows("SELECT 4 AS id")).status());                      // version 4: v2
  EXPECT_EQ(LogFiles(t.get(), R"(0{19}4\.checkpoint\.[0-9a-f-]{36}\.json)").size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "v2Checkpoint"}));
  auto back = t->SetProperties({{"delta.checkpointPolicy", "classic"}});
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("v2Checkpoint"), std::string::npos);
  auto bad = t->SetProperties({{"delta.checkpointPolicy", "v3"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("classic or v2"), std::string::npos);
}

}  // namespace
}  // namespace strata
