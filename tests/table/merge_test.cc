// UPDATE and MERGE, on tables with and without deletion vectors: the rows read back are
// what the operation says, the metrics count them, constraints hold, and bad requests are
// refused with nothing written.
#include <gtest/gtest.h>

#include <functional>

#include "table/table_fixture.h"

namespace strata {
namespace {

class MergeTest : public TableTest, public ::testing::WithParamInterface<bool> {
 protected:
  // A table of ids 0..99 (values id * 10) in two files, with deletion vectors or not.
  std::unique_ptr<Table> MakeTable(const std::string& name) {
    auto t = Open(name);
    WriteOptions create;
    if (GetParam()) create.properties = {{"delta.enableDeletionVectors", "true"}};
    EXPECT_TRUE(t->Write(Rows("SELECT range AS id, range * 10 AS v FROM range(50)"), create).ok());
    EXPECT_TRUE(t->Write(Rows("SELECT range AS id, range * 10 AS v FROM range(50, 100)")).ok());
    return t;
  }
  // id -> v of the latest version.
  std::map<int64_t, int64_t> Values(Table* t) {
    DataFrame df = Read(t);
    std::map<int64_t, int64_t> out;
    for (size_t r = 0; r < df.num_rows(); ++r) {
      EXPECT_FALSE(out.count(df.column(0).GetInt64(r))) << "id twice: " << df.column(0).GetInt64(r);
      out[df.column(0).GetInt64(r)] = df.column(1).GetInt64(r);
    }
    return out;
  }
};

TEST_P(MergeTest, UpdateRewritesOnlyTheMatchingRows) {
  auto t = MakeTable("u");
  ASSERT_OK_AND_ASSIGN(ChangeResult r, t->Update("id % 10 = 0", {{"v", "v + 1"}}));
  EXPECT_EQ(r.updated, 10);
  EXPECT_EQ(r.inserted, 0);
  EXPECT_EQ(r.deleted, 0);
  EXPECT_EQ(r.copied, GetParam() ? 0 : 90);
  auto values = Values(t.get());
  ASSERT_EQ(values.size(), 100u);
  for (const auto& [id, v] : values) EXPECT_EQ(v, id * 10 + (id % 10 == 0 ? 1 : 0)) << id;
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->num_records(), 100);
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  EXPECT_EQ(history.back().operation, "UPDATE");
  EXPECT_EQ(history.back().operation_metrics.at("numUpdatedRows"), "10");
  // Nothing matches: no version. A bad column or a broken constraint: nothing written.
  ASSERT_OK_AND_ASSIGN(ChangeResult none, t->Update("id > 1000", {{"v", "0"}}));
  EXPECT_EQ(none.version, snap->version);
  EXPECT_FALSE(t->Update("true", {{"nope", "1"}}).ok());
  ASSERT_OK(t->AddConstraint("small", "v < 5000").status());
  auto broken = t->Update("id = 5", {{"v", "9999"}});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("CHECK constraint 'small'"), std::string::npos)
      << broken.status().message();
  EXPECT_EQ(Values(t.get()).at(5), 50);
}

TEST_P(MergeTest, MergeUpsertsDeletesAndInserts) {
  auto t = MakeTable("m");
  // Upsert: ids 90..109, 10 of them in the table.
  MergeOptions upsert;
  upsert.on = {"id"};
  ASSERT_OK_AND_ASSIGN(
      ChangeResult r,
      t->Merge(Rows("SELECT -range AS v, range AS id FROM range(90, 110)"), upsert));
  EXPECT_EQ(r.updated, 10);
  EXPECT_EQ(r.inserted, 10);
  EXPECT_EQ(r.deleted, 0);
  auto values = Values(t.get());
  ASSERT_EQ(values.size(), 110u);
  for (const auto& [id, v] : values) EXPECT_EQ(v, id >= 90 ? -id : id * 10) << id;
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  EXPECT_EQ(history.back().operation, "MERGE");
  EXPECT_EQ(history.back().operation_metrics.at("numTargetRowsUpdated"), "10");
  EXPECT_EQ(history.back().operation_metrics.at("numTargetRowsInserted"), "10");
  EXPECT_EQ(history.back().rows_added, GetParam() ? 20 : 20);

  // When matched delete, not matched ignored.
  MergeOptions remove;
  remove.on = {"id"};
  remove.when_matched = MergeOptions::Matched::kDelete;
  remove.insert_not_matched = false;
  ASSERT_OK_AND_ASSIGN(r,
                       t->Merge(Rows("SELECT range AS id, 0 AS v FROM range(0, 200, 20)"), remove));
  EXPECT_EQ(r.deleted, 6);  // 0, 20, 40, 60, 80, 100
  EXPECT_EQ(r.inserted, 0);
  EXPECT_EQ(Values(t.get()).size(), 104u);

  // Insert only (matched rows left alone): the keys already there stay as they are.
  MergeOptions insert_only;
  insert_only.on = {"id"};
  insert_only.when_matched = MergeOptions::Matched::kIgnore;
  ASSERT_OK_AND_ASSIGN(
      r, t->Merge(Rows("SELECT range AS id, 7 AS v FROM range(105, 115)"), insert_only));
  EXPECT_EQ(r.inserted, 5);
  EXPECT_EQ(r.updated, 0);
  values = Values(t.get());
  EXPECT_EQ(values.at(105), -105);
  EXPECT_EQ(values.at(112), 7);
  EXPECT_EQ(values.size(), 109u);
}

TEST_P(MergeTest, BadMergesAreRefusedWithNothingWritten) {
  auto t = MakeTable("bad");
  ASSERT_OK_AND_ASSIGN(auto before, t->Latest());
  MergeOptions o;
  o.on = {"id"};
  auto dup = t->Merge(Rows("SELECT 5 AS id, 1 AS v UNION ALL SELECT 5, 2"), o);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("several source rows match the same target row (id=5)"),
            std::string::npos)
      << dup.status().message();
  auto missing = t->Merge(Rows("SELECT 5 AS id"), o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("it lacks \"v\""), std::string::npos)
      << missing.status().message();
  o.on = {"nope"};
  EXPECT_FALSE(t->Merge(Rows("SELECT 5 AS id, 1 AS v"), o).ok());
  EXPECT_EQ((*t->Latest())->version, before->version);
  // Append-only tables take inserts, not updates or deletes.
  ASSERT_OK(t->SetProperties({{"delta.appendOnly", "true"}}).status());
  o.on = {"id"};
  o.when_matched = MergeOptions::Matched::kDelete;
  EXPECT_FALSE(t->Merge(Rows("SELECT 5 AS id, 1 AS v"), o).ok());
  EXPECT_FALSE(t->Update("id = 5", {{"v", "0"}}).ok());
}

INSTANTIATE_TEST_SUITE_P(Files, MergeTest, ::testing::Bool(), [](const auto& info) {
  return info.param ? "DeletionVectors" : "Rewrite";
});

// The local file system, running `race` once just before the commit of `version` is put
// in place: another writer's commit lands first.
class RacingFileSystem final : public LocalForwardingFileSystem {
 public:
  RacingFileSystem(int64_t version, std::function<void()> race)
      : version_(version), race_(std::move(race)) {}
  Status LinkIfAbsent(const std::string& source, const std::string& target) override {
    const std::string commit = "/_delta_log/" + delta::CommitFileName(version_);
    if (race_ && target.size() >= commit.size() &&
        target.compare(target.size() - commit.size(), commit.size(), commit) == 0) {
      auto race = std::move(race_);
      race_ = nullptr;
      race();
    }
    return LocalForwardingFileSystem::LinkIfAbsent(source, target);
  }

 private:
  int64_t version_;
  std::function<void()> race_;
};

// Delta's WriteSerializable rules: an update, delete or merge goes on over a concurrent
// append (its rows stay, the change applies to what it read); a concurrent commit that
// removed files conflicts, naming the winner, and nothing of the loser is left.
TEST_P(MergeTest, ChangesGoOnOverConcurrentAppendsAndConflictWithRemoves) {
  MakeTable("race");  // versions 0 and 1
  auto other = Open("race");
  auto racing = std::make_shared<RacingFileSystem>(2, [&] {
    EXPECT_OK(other->Write(Rows("SELECT range AS id, -1 AS v FROM range(100, 105)")).status());
  });
  LakeOptions options;
  options.file_system = racing;
  options.session = session_;
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(tmp_ / "lake", options));
  ASSERT_OK_AND_ASSIGN(auto t, lake->OpenTable("race"));
  ASSERT_OK_AND_ASSIGN(ChangeResult r, t->Update("id < 10", {{"v", "v + 1"}}));
  EXPECT_EQ(r.version, 3);  // after the append at 2
  auto values = Values(t.get());
  EXPECT_EQ(values.size(), 105u);
  EXPECT_EQ(values.at(3), 31);
  EXPECT_EQ(values.at(102), -1);  // the appended rows, untouched by the update

  // A merge racing a delete (which removes or re-adds the files the merge read).
  const size_t files_before = DataFilePaths(t->path()).size();
  auto racing2 =
      std::make_shared<RacingFileSystem>(4, [&] { EXPECT_OK(other->Delete("id = 50").status()); });
  options.file_system = racing2;
  ASSERT_OK_AND_ASSIGN(auto lake2, Lake::Open(tmp_ / "lake", options));
  ASSERT_OK_AND_ASSIGN(auto t2, lake2->OpenTable("race"));
  MergeOptions m;
  m.on = {"id"};
  auto lost = t2->Merge(Rows("SELECT 60::BIGINT AS id, 0::BIGINT AS v"), m);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_NE(lost.status().message().find("operation DELETE"), std::string::npos)
      << lost.status().message();
  ASSERT_OK_AND_ASSIGN(auto latest, t->Latest());
  EXPECT_EQ(latest->version, 4);  // the delete only
  EXPECT_EQ(Values(t.get()).at(60), 600);
  EXPECT_FALSE(Values(t.get()).count(50));
  // The merge's files are gone; the delete's (a new file, or a deletion vector) remain.
  EXPECT_LE(DataFilePaths(t->path()).size(), files_before + 1);
}

}  // namespace
}  // namespace strata
