#include "strata/table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "strata/log.h"
#include "table/delta_log.h"
#include "table/table_fixture.h"

namespace strata {
namespace {

using delta::Json;

const char* kSample =
    "SELECT range AS id, 'name_' || range AS name, range * 0.5 AS score, "
    "DATE '2025-01-01' + CAST(range % 3 AS INTEGER) AS day, range % 2 = 0 AS even FROM range(1000)";

TEST_F(TableTest, WriteThenReadBackIdentically) {
  auto t = Open("events");
  ASSERT_OK_AND_ASSIGN(int64_t v, t->Write(Rows(kSample)));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(SortedRows(Read(t.get())), SortedRows(Collect(Rows(kSample))));
  // DuckDB over the listed Parquet files reads the same rows.
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  std::string files;
  for (const DataFile& f : snap->files)
    files += (files.empty() ? "'" : ", '") + t->path() + "/" + f.path + "'";
  EXPECT_EQ(SortedRows(Collect(Rows("SELECT * FROM read_parquet([" + files + "])"))),
            SortedRows(Collect(Rows(kSample))));
  EXPECT_EQ(snap->num_records(), 1000);
  for (const DataFile& f : snap->files) {
    EXPECT_NE(f.path.find(".zstd.parquet"), std::string::npos);
    Json stats = Json::parse(f.stats_json);
    EXPECT_EQ(stats["numRecords"], 1000);
    EXPECT_EQ(stats["minValues"]["id"], 0);
    EXPECT_EQ(stats["maxValues"]["id"], 999);
    EXPECT_EQ(stats["nullCount"]["name"], 0);
  }
}

TEST_F(TableTest, LogUsesOnlyStandardActionsAndRequiredFields) {
  auto t = Open("events");
  WriteOptions meta;
  meta.metadata = {{"features", "id,score"}, {"accuracy", "0.91"}};
  meta.run_id = "run-1";
  ASSERT_OK(t->Write(Rows(kSample), meta).status());
  ASSERT_OK(t->Write(Rows(kSample)).status());
  ASSERT_OK(t->Delete("id < 10").status());
  ASSERT_OK(t->Optimize().status());
  ASSERT_OK(t->Restore(0).status());
  WriteOptions ow;
  ow.mode = WriteMode::kOverwrite;
  ASSERT_OK(t->Write(Rows("SELECT * FROM (" + std::string(kSample) + ") LIMIT 5"), ow).status());
  const std::set<std::string> standard = {"protocol", "metaData", "add",
                                          "remove",   "txn",      "commitInfo"};
  int adds = 0, removes = 0;
  for (const Json& a : LogActions(t.get())) {
    ASSERT_EQ(a.size(), 1u) << a.dump();
    std::string key = a.begin().key();
    ASSERT_TRUE(standard.count(key)) << "non-standard action " << key;
    const Json& v = a[key];
    if (key == "add") {
      ++adds;
      for (const char* f : {"path", "partitionValues", "size", "modificationTime", "dataChange"}) {
        EXPECT_TRUE(v.contains(f)) << "add lacks " << f;
      }
      EXPECT_TRUE(v["stats"].is_string());
    } else if (key == "remove") {
      ++removes;
      EXPECT_TRUE(v.contains("path") && v.contains("dataChange") &&
                  v.contains("deletionTimestamp"));
    } else if (key == "metaData") {
      for (const char* f : {"id", "format", "schemaString", "partitionColumns", "configuration"}) {
        EXPECT_TRUE(v.contains(f)) << "metaData lacks " << f;
      }
      EXPECT_EQ(v["format"]["provider"], "parquet");
      ASSERT_OK(delta::ParseSchemaString(v["schemaString"].get<std::string>()).status());
    } else if (key == "protocol") {
      EXPECT_EQ(v["minReaderVersion"], 1);
      EXPECT_EQ(v["minWriterVersion"], 2);
    } else if (key == "commitInfo") {
      EXPECT_TRUE(v["timestamp"].is_number_integer());
      EXPECT_TRUE(v["operation"].is_string());
      EXPECT_TRUE(v["operationParameters"].is_object());
      EXPECT_EQ(v["engineInfo"], "strata/0.1.0");
      if (v.contains("userMetadata")) EXPECT_TRUE(v["userMetadata"].is_string());
    }
  }
  EXPECT_GT(adds, 3);
  EXPECT_GT(removes, 2);
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  ASSERT_EQ(history.size(), 6u);
  EXPECT_EQ(history[0].user_metadata.at("features"), "id,score");
  EXPECT_EQ(history[0].user_metadata.at("accuracy"), "0.91");
  EXPECT_EQ(history[0].run_id, "run-1");
  EXPECT_EQ(history[0].rows_added, 1000);
  EXPECT_EQ(history[2].operation, "DELETE");
  EXPECT_EQ(history[3].operation, "OPTIMIZE");
  EXPECT_EQ(history[4].operation, "RESTORE");
  EXPECT_EQ(history[5].operation_parameters.at("mode"), "Overwrite");
}

TEST_F(TableTest, ReadersSeeOtherWritersCommits) {
  auto writer = Open("shared");
  auto reader = Open("shared");
  ASSERT_OK(writer->Write(Rows("SELECT 1 AS x")).status());
  ASSERT_OK_AND_ASSIGN(auto v0, reader->Latest());
  EXPECT_EQ(v0->version, 0);
  ASSERT_OK(writer->Write(Rows("SELECT 2 AS x")).status());
  ASSERT_OK(writer->Write(Rows("SELECT 3 AS x")).status());
  ASSERT_OK_AND_ASSIGN(auto v2, reader->Latest());
  EXPECT_EQ(v2->version, 2) << "the cached reader replays the new commits";
  EXPECT_EQ(v2->files.size(), 3u);
  EXPECT_EQ(Read(reader.get()).num_rows(), 3u);
}

TEST_F(TableTest, TimeTravelByVersionAndTimestamp) {
  auto t = Open("events");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_OK_AND_ASSIGN(auto v0, t->AtVersion(0));
  int64_t between = v0->timestamp_ms + 10;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_OK(t->Write(Rows("SELECT 2 AS x")).status());
  WriteOptions ow;
  ow.mode = WriteMode::kOverwrite;
  ASSERT_OK(t->Write(Rows("SELECT 3 AS x"), ow).status());
  EXPECT_EQ(SortedRows(Read(t.get(), 0)), (std::vector<std::string>{"1|"}));
  EXPECT_EQ(SortedRows(Read(t.get(), 1)), (std::vector<std::string>{"1|", "2|"}));
  EXPECT_EQ(SortedRows(Read(t.get())), (std::vector<std::string>{"3|"}));
  ASSERT_OK_AND_ASSIGN(auto as_of, t->AsOf(between));
  EXPECT_EQ(as_of->version, 0);
  EXPECT_FALSE(t->AsOf(0).ok());
  auto missing = t->AtVersion(7);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("has no version 7; the latest is 2"), std::string::npos)
      << missing.status().message();
}

TEST_F(TableTest, TheTablesClockSetsCommitTimesAndVacuumsRetention) {
  // 2026-01-01T00:00:00Z, then an hour between writes: no sleeping, exact times.
  const int64_t t0 = 1767225600000, hour = 3600 * 1000;
  auto clock = std::make_shared<ManualClock>(t0);
  TableOptions options;
  options.clock = clock;
  auto t = Open("clocked", options);
  WriteOptions ow;
  ow.mode = WriteMode::kOverwrite;
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  clock->Advance(hour);
  ASSERT_OK(t->Write(Rows("SELECT 2 AS x"), ow).status());
  clock->Advance(hour);
  ASSERT_OK(t->Write(Rows("SELECT 3 AS x"), ow).status());
  for (int64_t v = 0; v <= 2; ++v) {
    ASSERT_OK_AND_ASSIGN(auto snap, t->AtVersion(v));
    EXPECT_EQ(snap->timestamp_ms, t0 + v * hour) << "version " << v;
  }
  ASSERT_OK_AND_ASSIGN(auto half_past, t->AsOf(t0 + hour / 2));
  EXPECT_EQ(half_past->version, 0);
  ASSERT_OK_AND_ASSIGN(auto later, t->AsOf(t0 + hour + 1));
  EXPECT_EQ(later->version, 1);
  ASSERT_OK_AND_ASSIGN(auto ref, TableRef::Parse("clocked@'2026-01-01T01:30:00Z'"));
  ASSERT_OK_AND_ASSIGN(auto resolved, lake_->Resolve(ref));
  EXPECT_EQ(resolved.snapshot->version, 1);
  // Removes are stamped by the clock too: with half an hour kept, version 0's file (removed
  // at 01:00) goes and version 1's (removed at 02:00) stays.
  for (const Json& a : LogActions(t.get())) {
    if (a.contains("remove")) {
      const int64_t at = a["remove"]["deletionTimestamp"].get<int64_t>();
      EXPECT_TRUE(at == t0 + hour || at == t0 + 2 * hour) << a.dump();
    }
  }
  ASSERT_OK_AND_ASSIGN(VacuumResult gone, t->Vacuum(0.5));
  EXPECT_EQ(gone.files.size(), 1u);
  EXPECT_FALSE(t->Scan(*t->AtVersion(0).value()).ok());
  EXPECT_EQ(SortedRows(Read(t.get(), 1)), (std::vector<std::string>{"2|"}));
  EXPECT_EQ(SortedRows(Read(t.get())), (std::vector<std::string>{"3|"}));
}

TEST_F(TableTest, PartitionedWritesAndFileSkipping) {
  auto t = Open("parts");
  WriteOptions o;
  o.partition_by = {"cat"};
  ASSERT_OK(t->Write(Rows("SELECT range AS id, CASE WHEN range % 4 = 3 THEN NULL ELSE 'c/' || "
                          "(range % 4) || ' x' "
                          "END AS cat FROM range(100)"),
                     o)
                .status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->partition_columns, (std::vector<std::string>{"cat"}));
  EXPECT_EQ(snap->files.size(), 4u);
  for (const DataFile& f : snap->files) {
    EXPECT_EQ(f.path.rfind("cat=", 0), 0u) << f.path;
    EXPECT_TRUE(std::filesystem::exists(t->path() + "/" + f.path)) << f.path;
  }
  DataFrame all = Read(t.get());
  EXPECT_EQ(all.num_rows(), 100u);
  EXPECT_EQ(all.column_names(), (std::vector<std::string>{"id", "cat"}));
  EXPECT_EQ(Collect(Rows("SELECT count(*) FROM read_parquet('" + t->path() + "/**/*.parquet')"))
                .column(0)
                .GetInt64(0),
            100);
  // Skipping by partition value and by statistics.
  ASSERT_OK_AND_ASSIGN(Frame one, t->Scan(*snap, {{"cat", "=", "c/1 x"}}));
  DataFrame d = Collect(one);
  EXPECT_EQ(d.num_rows(), 25u);
  ASSERT_OK_AND_ASSIGN(Frame none, t->Scan(*snap, {{"id", ">", "1000"}}));
  EXPECT_EQ(Collect(none).num_rows(), 0u);
  ASSERT_OK_AND_ASSIGN(Frame some, t->Scan(*snap, {{"id", ">=", "50"}}));
  EXPECT_EQ(Collect(some.filter(col("id") >= 50)).num_rows(), 50u);
  // A write cannot change partitioning.
  WriteOptions other;
  other.partition_by = {"id"};
  auto bad = t->Write(Rows("SELECT 1 AS id, 'a' AS cat"), other);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("partitioned by"), std::string::npos);
}

// Partition values in the protocol's formats whatever the machine's time zone: timestamps
// as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, an empty string as null; and values without a
// zone (as other writers leave them) read in UTC.
TEST_F(TableTest, PartitionValuesFollowTheProtocol) {
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz != nullptr ? old_tz : "";
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
  {
    ASSERT_OK_AND_ASSIGN(auto session, Session::Open());
    LakeOptions lo;
    lo.session = session;
    ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(tmp_ / "lake", lo));
    ASSERT_OK_AND_ASSIGN(auto t, lake->OpenTable("pv"));
    WriteOptions o;
    o.partition_by = {"tz", "ts", "s"};
    ASSERT_OK(t->Write(session->sql("SELECT * FROM (VALUES (1, TIMESTAMPTZ '2024-03-01 "
                                    "12:00:00.5+00', TIMESTAMP '2024-03-01 12:00:00', ''), (2, "
                                    "TIMESTAMPTZ '2024-03-01 13:00:00+01', TIMESTAMP "
                                    "'2024-03-02 00:00:00.25', 'x')) t(id, tz, ts, s)"),
                       o)
                  .status());
    std::vector<std::string> values;
    for (const Json& a : LogActions(t.get())) {
      if (!a.contains("add")) continue;
      const Json& pv = a["add"]["partitionValues"];
      values.push_back(pv["tz"].get<std::string>() + " | " + pv["ts"].get<std::string>() + " | " +
                       (pv["s"].is_null() ? "null" : pv["s"].get<std::string>()));
    }
    std::sort(values.begin(), values.end());
    // `timestamp` (an instant): ISO 8601 in UTC; `timestamp_ntz`: no zone.
    EXPECT_EQ(values, (std::vector<std::string>{
                          "2024-03-01T12:00:00.000000Z | 2024-03-02 00:00:00.250000 | x",
                          "2024-03-01T12:00:00.500000Z | 2024-03-01 12:00:00.000000 | null"}));
    ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
    ASSERT_OK_AND_ASSIGN(Frame scan, t->Scan(*snap));
    auto back = session
                    ->sql(
                        "SELECT id, epoch_ms(tz) AS tz, epoch_ms(ts) AS ts, s IS NULL AS s_null "
                        "FROM (" +
                        *scan.to_sql() + ") ORDER BY id")
                    .collect();
    ASSERT_OK(back.status());
    EXPECT_EQ(back->column(1).GetInt64(0), 1709294400500);  // 2024-03-01T12:00:00.5Z
    EXPECT_EQ(back->column(2).GetInt64(0), 1709294400000);
    EXPECT_EQ(back->column(2).GetInt64(1), 1709337600250);
    EXPECT_TRUE(back->column(3).GetBool(0));
    EXPECT_FALSE(back->column(3).GetBool(1));
    // Values as other writers leave them (ISO 8601 with Z; no fraction) read the same.
    DataFile f = snap->files[0].partition_values.at("s") ? snap->files[1] : snap->files[0];
    f.partition_values["tz"] = "2024-03-01T12:00:00.5Z";
    f.partition_values["ts"] = "2024-03-01 12:00:00";
    ASSERT_OK(delta::WriteCommit(lake->fs(), t->path(), 1, {delta::AddAction(f, true)}));
    ASSERT_OK_AND_ASSIGN(auto snap1, t->Latest());
    ASSERT_OK_AND_ASSIGN(Frame scan1, t->Scan(*snap1));
    auto again = session
                     ->sql("SELECT epoch_ms(tz) AS tz, epoch_ms(ts) AS ts FROM (" +
                           *scan1.to_sql() + ") WHERE id = 1")
                     .collect();
    ASSERT_OK(again.status());
    EXPECT_EQ(again->column(0).GetInt64(0), 1709294400500);
    EXPECT_EQ(again->column(1).GetInt64(0), 1709294400000);
  }
  if (old_tz != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

// Decimal statistics are exact or absent: a decimal(38,18) bound as a double would round
// (its max below the true max), and a reader skipping files by it would drop rows.
TEST_F(TableTest, DecimalStatisticsAreExactOrAbsent) {
  auto t = Open("dec");
  ASSERT_OK(t->Write(Rows("SELECT * FROM (VALUES (CAST('12345678901234567890.123456789012345678' "
                          "AS DECIMAL(38,18)), CAST('1.25' AS DECIMAL(10,2))), (CAST('-1.5' AS "
                          "DECIMAL(38,18)), CAST('100.50' AS DECIMAL(10,2)))) t(big, small)"))
                .status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  ASSERT_EQ(snap->files.size(), 1u);
  Json stats = Json::parse(snap->files[0].stats_json);
  EXPECT_FALSE(stats["minValues"].contains("big")) << stats.dump();
  EXPECT_FALSE(stats["maxValues"].contains("big")) << stats.dump();
  EXPECT_EQ(stats["nullCount"]["big"], 0);
  EXPECT_EQ(stats["minValues"]["small"].dump(), "1.25");
  EXPECT_EQ(stats["maxValues"]["small"].dump(), "100.5");
  // With no bound recorded the file is read, and the largest value is found.
  ASSERT_OK_AND_ASSIGN(Frame over, t->Scan(*snap, {{"big", ">", "12345678901234567890.1"}}));
  EXPECT_EQ(Collect(over).num_rows(), 2u);
}

TEST_F(TableTest, FilterExpressionsSkipFiles) {
  auto t = Open("skip");
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(t->Write(Rows("SELECT range + " + std::to_string(i * 100) + " AS id, 'b" +
                            std::to_string(i) + "' AS batch FROM range(100)"))
                  .status());
  }
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  size_t files = 0;
  ASSERT_OK_AND_ASSIGN(Frame f, t->Scan(*snap, (col("id") >= 250) & (col("id") < 420), &files));
  EXPECT_EQ(files, 3u) << "ids 200-299, 300-399, 400-499";
  EXPECT_EQ(Collect(f).num_rows(), 170u);
  ASSERT_OK_AND_ASSIGN(Frame g, t->Scan(*snap, lit(905) < col("id"), &files));
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(Collect(g).num_rows(), 94u);
  ASSERT_OK_AND_ASSIGN(Frame h, t->Scan(*snap, col("batch") == "b7", &files));
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(Collect(h).num_rows(), 100u);
  // OR cannot skip safely: every file is read, and the rows are still right.
  ASSERT_OK_AND_ASSIGN(Frame o, t->Scan(*snap, (col("id") < 5) | (col("id") > 995), &files));
  EXPECT_EQ(files, 10u);
  EXPECT_EQ(Collect(o).num_rows(), 9u);
}

TEST_F(TableTest, SchemaEnforcementAndEvolution) {
  auto t = Open("s");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS a, 'x' AS b")).status());
  auto wrong = t->Write(Rows("SELECT 'one' AS a, 'y' AS b, 2.5 AS c"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kTypeError);
  EXPECT_NE(
      wrong.status().message().find("column \"a\" is string in the data but integer in the table"),
      std::string::npos)
      << wrong.status().message();
  EXPECT_NE(wrong.status().message().find("new column \"c\""), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto still, t->Latest());
  EXPECT_EQ(still->version, 0) << "a refused write makes no version";
  WriteOptions merge;
  merge.merge_schema = true;
  ASSERT_OK(t->Write(Rows("SELECT 2 AS a, 'y' AS b, 2.5 AS c"), merge).status());
  EXPECT_EQ(SortedRows(Read(t.get())), (std::vector<std::string>{"1|x|null|", "2|y|2.5|"}));
  EXPECT_EQ(SortedRows(Read(t.get(), 0)), (std::vector<std::string>{"1|x|"}));
  // Missing columns are written as nulls.
  ASSERT_OK(t->Write(Rows("SELECT 3 AS a")).status());
  EXPECT_EQ(Read(t.get()).num_rows(), 3u);
  ASSERT_OK_AND_ASSIGN(TableDiff diff, t->Diff(0, 1));
  EXPECT_EQ(diff.columns_added, (std::vector<std::string>{"c decimal(2,1)"}));
  EXPECT_EQ(diff.rows_added, 1);
}

TEST_F(TableTest, OverwriteSchemaChangesTypesAndKeepsHistory) {
  auto t = Open("retype");
  ASSERT_OK(t->Write(Rows("SELECT range AS id, range * 2 AS score FROM range(3)")).status());
  WriteOptions append;
  append.mode = WriteMode::kAppend;
  auto refused = t->Write(Rows("SELECT 'a' AS id, 0.5 AS score"), append);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--mode overwrite --overwrite-schema"),
            std::string::npos)
      << refused.status().message();
  WriteOptions not_overwrite = append;
  not_overwrite.overwrite_schema = true;
  EXPECT_FALSE(t->Write(Rows("SELECT 'a' AS id"), not_overwrite).ok());
  WriteOptions replace;
  replace.mode = WriteMode::kOverwrite;
  replace.overwrite_schema = true;
  ASSERT_OK_AND_ASSIGN(int64_t v, t->Write(Rows("SELECT 'a' AS id, 'x' AS label"), replace));
  ASSERT_OK_AND_ASSIGN(auto snap, t->AtVersion(v));
  ASSERT_EQ(snap->schema.size(), 2u);
  EXPECT_EQ(snap->schema[0].type, "string");
  EXPECT_EQ(snap->schema[1].name, "label");
  EXPECT_EQ(Read(t.get()).num_rows(), 1u);
  // The old version still reads with its own schema.
  ASSERT_OK_AND_ASSIGN(auto old, t->AtVersion(0));
  EXPECT_EQ(old->schema[0].type, "long");
  EXPECT_EQ(old->schema.size(), 2u);
}

TEST_F(TableTest, DeleteRewritesOnlyAffectedFiles) {
  auto t = Open("d");
  ASSERT_OK(t->Write(Rows("SELECT range AS id FROM range(100)")).status());
  ASSERT_OK(t->Write(Rows("SELECT range + 100 AS id FROM range(100)")).status());
  ASSERT_OK_AND_ASSIGN(int64_t v, t->Delete("id % 10 = 0 AND id < 100"));
  EXPECT_EQ(v, 2);
  DataFrame rows = Read(t.get());
  EXPECT_EQ(rows.num_rows(), 190u);
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  EXPECT_EQ(history.back().files_removed, 1);
  EXPECT_EQ(history.back().files_added, 1);
  // Rows changed, not rows of rewritten files: 10 deleted, the 90 copied are no change.
  EXPECT_EQ(history.back().rows_removed, 10);
  EXPECT_EQ(history.back().rows_added, 0);
  const auto& m = history.back().operation_metrics;
  EXPECT_EQ(m.at("numDeletedRows"), "10");
  EXPECT_EQ(m.at("numCopiedRows"), "90");
  EXPECT_EQ(m.at("numRemovedFiles"), "1");
  EXPECT_EQ(m.at("numAddedFiles"), "1");
  ASSERT_OK_AND_ASSIGN(TableDiff diff, t->Diff(1, 2));
  EXPECT_EQ(diff.rows_removed, 10);
  EXPECT_EQ(diff.rows_added, 0);
  ASSERT_OK_AND_ASSIGN(TableDiff back, t->Diff(2, 0));
  EXPECT_EQ(back.rows_added, 10);     // going back restores the deleted rows
  EXPECT_EQ(back.rows_removed, 100);  // and takes away the second write
  ASSERT_OK_AND_ASSIGN(int64_t same, t->Delete("id > 100000"));
  EXPECT_EQ(same, 2) << "nothing matched: no new version";
  EXPECT_FALSE(t->Delete("no_such_column = 1").ok());
}

TEST_F(TableTest, OptimizeKeepsRowsAndCompacts) {
  auto t = Open("o");
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(t->Write(Rows("SELECT range + " + std::to_string(i * 10) + " AS id FROM range(10)"))
                  .status());
  }
  DataFrame before = Read(t.get());
  ASSERT_OK_AND_ASSIGN(int64_t v, t->Optimize());
  EXPECT_EQ(v, 6);
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->files.size(), 1u);
  EXPECT_EQ(SortedRows(Read(t.get())), SortedRows(before));
  ASSERT_OK_AND_ASSIGN(VersionInfo compaction, t->VersionAt(6));
  EXPECT_EQ(compaction.files_removed, 6);
  EXPECT_EQ(compaction.rows_added, 0) << "a compaction changes no row";
  EXPECT_EQ(compaction.rows_removed, 0);
  ASSERT_OK_AND_ASSIGN(int64_t again, t->Optimize());
  EXPECT_EQ(again, 6) << "nothing to compact: no new version";
}

TEST_F(TableTest, RestoreAndVacuum) {
  auto t = Open("r");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  WriteOptions ow;
  ow.mode = WriteMode::kOverwrite;
  ASSERT_OK(t->Write(Rows("SELECT 2 AS x"), ow).status());
  // Within the retention window nothing a version needs goes.
  ASSERT_OK_AND_ASSIGN(VacuumResult kept, t->Vacuum(1.0));
  EXPECT_TRUE(kept.files.empty());
  EXPECT_EQ(SortedRows(Read(t.get(), 0)), (std::vector<std::string>{"1|"}));
  ASSERT_OK_AND_ASSIGN(int64_t restored, t->Restore(0));
  EXPECT_EQ(restored, 2);
  EXPECT_EQ(SortedRows(Read(t.get())), (std::vector<std::string>{"1|"}));
  // With no retention, the file only version 1 used goes; the latest stays readable.
  ASSERT_OK_AND_ASSIGN(VacuumResult dry, t->Vacuum(0, /*dry_run=*/true));
  ASSERT_EQ(dry.files.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(t->path() + "/" + dry.files[0]));
  ASSERT_OK_AND_ASSIGN(VacuumResult gone, t->Vacuum(0));
  EXPECT_EQ(gone.files, dry.files);
  EXPECT_FALSE(std::filesystem::exists(t->path() + "/" + gone.files[0]));
  EXPECT_EQ(SortedRows(Read(t.get())), (std::vector<std::string>{"1|"}));
  ASSERT_OK_AND_ASSIGN(auto v1, t->AtVersion(1));
  auto scan = t->Scan(*v1);
  ASSERT_FALSE(scan.ok());
  EXPECT_NE(scan.status().message().find("needs data file"), std::string::npos);
  auto restore = t->Restore(1);
  ASSERT_FALSE(restore.ok());
  EXPECT_NE(restore.status().message().find("removed by vacuum"), std::string::npos);
  EXPECT_FALSE(t->Vacuum(-1).ok());
}

TEST_F(TableTest, CheckpointsEveryTenCommits) {
  auto t = Open("c");
  for (int i = 0; i < 25; ++i)
    ASSERT_OK(t->Write(Rows("SELECT " + std::to_string(i) + " AS i")).status());
  EXPECT_TRUE(
      std::filesystem::exists(t->path() + "/_delta_log/00000000000000000010.checkpoint.parquet"));
  EXPECT_TRUE(
      std::filesystem::exists(t->path() + "/_delta_log/00000000000000000020.checkpoint.parquet"));
  std::ifstream in(t->path() + "/_delta_log/_last_checkpoint");
  Json last = Json::parse(in);
  EXPECT_EQ(last["version"], 20);
  // A new reader (a fresh handle, no cached snapshot) starts from the checkpoint.
  auto reader = Open("c");
  ASSERT_OK_AND_ASSIGN(auto snap, reader->Latest());
  EXPECT_EQ(snap->checkpoint_version, 20);
  EXPECT_EQ(snap->commits_replayed, 4);
  EXPECT_EQ(Read(t.get()).num_rows(), 25u);
  ASSERT_OK_AND_ASSIGN(auto v15, t->AtVersion(15));
  EXPECT_EQ(v15->checkpoint_version, 10);
  EXPECT_EQ(Read(t.get(), 15).num_rows(), 16u);
  // A table that never checkpoints reads the same.
  TableOptions none;
  none.checkpoint_interval = 0;
  auto t2 = Open("c2", none);
  for (int i = 0; i < 12; ++i)
    ASSERT_OK(t2->Write(Rows("SELECT " + std::to_string(i) + " AS i")).status());
  EXPECT_FALSE(std::filesystem::exists(t2->path() + "/_delta_log/_last_checkpoint"));
}

// Checkpoints keep the remove tombstones younger than the deleted-file retention, and a
// reader of the checkpoint sees the same tombstones as one replaying every commit.
TEST_F(TableTest, CheckpointsKeepUnexpiredTombstones) {
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000);
  TableOptions o;
  o.clock = clock;
  auto t = Open("tomb", o);
  ASSERT_OK(t->Write(Rows("SELECT 1 AS i")).status());  // v0: file A
  ASSERT_OK(t->Write(Rows("SELECT 2 AS i")).status());  // v1: file B
  ASSERT_OK_AND_ASSIGN(auto v1, t->Latest());
  ASSERT_OK(t->Delete("i = 1").status());  // v2: A removed, now
  ASSERT_OK_AND_ASSIGN(auto v2, t->Latest());
  ASSERT_EQ(v2->files.size(), 1u);
  const std::string b = v2->files[0].path;  // the file holding i = 2
  clock->Advance(8LL * 24 * 3600 * 1000);
  ASSERT_OK(t->Delete("i = 2").status());  // v3: B removed, 8 days later
  for (int i = 0; i < 6; ++i) ASSERT_OK(t->Write(Rows("SELECT 3 AS i")).status());
  ASSERT_OK_AND_ASSIGN(auto replayed, t->AtVersion(9));  // every commit: both tombstones
  EXPECT_EQ(replayed->tombstones.size(), 2u);
  ASSERT_OK(t->Checkpoint(9));
  // The checkpoint's remove rows: B only (A's tombstone is 8 days old, past 7).
  auto removes = session_
                     ->sql(
                         "SELECT remove.path AS path, remove.deletionTimestamp AS ts FROM "
                         "read_parquet('" +
                         t->path() +
                         "/_delta_log/00000000000000000009.checkpoint.parquet') WHERE "
                         "remove IS NOT NULL")
                     .collect();
  ASSERT_OK(removes.status());
  ASSERT_EQ(v1->files.size(), 2u);
  ASSERT_EQ(removes->num_rows(), 1u);
  const std::string kept(removes->column(0).GetString(0));
  EXPECT_EQ(kept, b);
  EXPECT_EQ(removes->column(1).GetInt64(0), 1'700'000'000'000 + 8LL * 24 * 3600 * 1000);
  auto reader = Open("tomb", o);
  ASSERT_OK_AND_ASSIGN(auto from_checkpoint, reader->AtVersion(9));
  EXPECT_EQ(from_checkpoint->checkpoint_version, 9);
  ASSERT_EQ(from_checkpoint->tombstones.size(), 1u);
  EXPECT_EQ(from_checkpoint->tombstones.begin()->first, kept);
  EXPECT_EQ(Read(reader.get()).num_rows(), 6u);
}

// A checkpoint is a shortcut: one that does not read (a null schemaString, garbage) is
// replaced by the JSON commits while they are all there, and named when they are not.
// An empty or corrupt _last_checkpoint is only a hint.
TEST_F(TableTest, AnUnreadableCheckpointFallsBackToTheCommits) {
  auto t = Open("cp");
  for (int i = 0; i < 11; ++i)
    ASSERT_OK(t->Write(Rows("SELECT " + std::to_string(i) + " AS i")).status());
  const std::string log = t->path() + "/_delta_log/";
  const std::string cp = log + "00000000000000000010.checkpoint.parquet";
  ASSERT_TRUE(std::filesystem::exists(cp));
  auto conn = session_->database()->Connect();
  ASSERT_OK(conn.status());
  ASSERT_OK((*conn)->Execute(
      "COPY (SELECT txn, \"add\", remove, CASE WHEN metaData IS NULL THEN NULL ELSE "
      "struct_update(metaData, schemaString := NULL::VARCHAR) END AS metaData, protocol FROM '" +
      cp + "') TO '" + log + "nulled.parquet' (FORMAT parquet)"));
  std::filesystem::rename(log + "nulled.parquet", cp);
  testing::WriteText(log + "_last_checkpoint", "");
  auto reader = Open("cp");
  ASSERT_OK_AND_ASSIGN(auto snap, reader->Latest());
  EXPECT_EQ(snap->checkpoint_version, -1);
  EXPECT_EQ(Read(reader.get()).num_rows(), 11u);
  ASSERT_OK_AND_ASSIGN(auto report, reader->Check());
  EXPECT_FALSE(report.healthy());  // table check still names the bad checkpoint
  // Without commit 0 the checkpoint was the only way: its error is the answer.
  std::filesystem::remove(log + "00000000000000000000.json");
  auto gone = Open("cp")->Latest();
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find("metaData.schemaString is missing"), std::string::npos)
      << gone.status().message();
}

TEST_F(TableTest, ExactlyOnceWithAppTransactions) {
  auto t = Open("x");
  WriteOptions o;
  o.app_id = "consumer-a";
  o.app_version = 5;
  ASSERT_OK_AND_ASSIGN(int64_t v0, t->Write(Rows("SELECT 1 AS x"), o));
  ASSERT_OK_AND_ASSIGN(int64_t again, t->Write(Rows("SELECT 1 AS x"), o));
  EXPECT_EQ(again, v0) << "a replayed batch is skipped";
  o.app_version = 6;
  ASSERT_OK_AND_ASSIGN(int64_t v1, t->Write(Rows("SELECT 2 AS x"), o));
  EXPECT_EQ(v1, v0 + 1);
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->app_versions.at("consumer-a"), 6);
  EXPECT_EQ(Read(t.get()).num_rows(), 2u);
}

TEST_F(TableTest, BadLogsNameFileAndVersion) {
  auto t = Open("bad");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  ASSERT_OK(t->Write(Rows("SELECT 2 AS x")).status());
  const std::string log1 = t->path() + "/_delta_log/00000000000000000001.json";
  std::string good = testing::ReadText(log1);
  testing::WriteText(log1, good.substr(0, good.size() / 2));  // truncated
  auto truncated = t->Latest();
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("00000000000000000001.json' (version 1)"),
            std::string::npos)
      << truncated.status().message();
  ASSERT_OK_AND_ASSIGN(auto v0, t->AtVersion(0));
  EXPECT_EQ(v0->version, 0) << "earlier versions still read";
  testing::WriteText(log1, good);
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  std::filesystem::remove(t->path() + "/" + snap->files[0].path);
  auto scan = t->Scan(*snap);
  ASSERT_FALSE(scan.ok());
  EXPECT_NE(scan.status().message().find(snap->files[0].path), std::string::npos);
  // _last_checkpoint is a hint (as the protocol says): one that names a checkpoint that is
  // not there, or does not parse, falls back to listing the log.
  for (const char* hint : {"{\"version\":1,\"size\":4}", "", "{\"version\":\"x\"", "[1]"}) {
    testing::WriteText(t->path() + "/_delta_log/_last_checkpoint", hint);
    ASSERT_OK_AND_ASSIGN(auto read, Open("bad")->Latest());
    EXPECT_EQ(read->version, 1) << hint;
  }
}

TEST_F(TableTest, CorruptCommitsAreErrorsNamingFileLineAndField) {
  auto t = Open("corrupt");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  const std::string log = t->path() + "/_delta_log/";
  struct Case {
    std::string file, content, says;
  };
  std::vector<Case> cases = {
      {"00000000000000000001.json", "", "holds no action"},
      {"00000000000000000001.json", "{\"add\":{\"path\":42}}\n", "add.path must be a string"},
      {"00000000000000000001.json", "{\"add\":{\"path\":\"a.parquet\",\"size\":\"9\"}}\n",
       "add.size must be a whole number"},
      {"00000000000000000001.json", "{\"metaData\":{\"schemaString\":null}}\n",
       "metaData.schemaString is missing"},
      {"00000000000000000001.json", "{\"txn\":{\"appId\":1,\"version\":2}}\n",
       "txn.appId must be a string"},
      {"00000000000000000001.json", "{\"metaData\":{\"schemaString\":\"{\\\"type\\\":5}\"}}\n",
       "schemaString is not a struct"},
      {"99999999999999999999.json", "", "beyond 64 bits"},
  };
  for (const Case& c : cases) {
    testing::WriteText(log + c.file, c.content);
    auto read = Open("corrupt")->Latest();
    ASSERT_FALSE(read.ok()) << c.content;
    EXPECT_NE(read.status().message().find(c.says), std::string::npos) << read.status().message();
    const std::string& m = read.status().message();
    EXPECT_TRUE(m.find(c.file) != std::string::npos || m.find("version 1") != std::string::npos)
        << m;
    // Writes refuse too: nothing builds on a corrupt version.
    auto write = Open("corrupt")->Write(Rows("SELECT 2 AS x"));
    EXPECT_FALSE(write.ok()) << c.content;
    std::filesystem::remove(log + c.file);
  }
  ASSERT_OK_AND_ASSIGN(auto healed, Open("corrupt")->Latest());
  EXPECT_EQ(healed->version, 0);
}

TEST_F(TableTest, UnsupportedProtocolFeaturesAreNamed) {
  auto t = Open("dv");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  ASSERT_OK(delta::WriteCommit(
      lake_->fs(), t->path(), 1,
      {Json::parse(R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,)"
                   R"("readerFeatures":["variantType","timestampNtz"],"writerFeatures":[]}})")}));
  auto r = t->Latest();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(r.status().message().find("reader features Strata does not support: variantType"),
            std::string::npos)
      << r.status().message();
  // (v2 checkpoints, once refused here, are read: v2_checkpoint_test.cc.)
}

// Writer version 2's rules (delta.appendOnly, invariants) and newer writer versions are
// enforced by every operation that commits, and a refusal leaves the version unchanged.
TEST_F(TableTest, WriterRulesHoldForEveryOperation) {
  auto t = Open("ao");
  WriteOptions create;
  create.properties = {{"delta.appendOnly", "true"}, {"owner", "ml-team"}};
  ASSERT_OK(t->Write(Rows("SELECT range AS x FROM range(10)"), create).status());
  ASSERT_OK(t->Write(Rows("SELECT range AS x FROM range(10, 20)")).status());  // appends may
  const auto expect_refused = [&](const Result<int64_t>& r, const std::string& words) {
    ASSERT_FALSE(r.ok()) << "version " << *r;
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("nothing was written"), std::string::npos);
    EXPECT_EQ((*t->Latest())->version, 1);
  };
  expect_refused(t->Delete("x < 3"), "is append-only (delta.appendOnly = true): a delete");
  WriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  expect_refused(t->Write(Rows("SELECT 1 AS x"), overwrite), "an overwrite would remove rows");
  expect_refused(t->Restore(0), "a restore would remove rows");
  ASSERT_OK_AND_ASSIGN(int64_t compacted, t->Optimize());  // same rows: allowed
  EXPECT_EQ(compacted, 2);
  EXPECT_EQ(Read(t.get()).num_rows(), 20u);
  // Properties: only those Strata honours; lifting appendOnly lets the delete through.
  auto cdf = t->SetProperties({{"delta.enableChangeDataFeed", "true"}});
  ASSERT_FALSE(cdf.ok());
  EXPECT_NE(cdf.status().message().find("'delta.enableChangeDataFeed' is not one Strata honours"),
            std::string::npos);
  EXPECT_FALSE(t->SetProperties({{"delta.appendOnly", "yes"}}).ok());
  ASSERT_OK_AND_ASSIGN(int64_t lifted, t->SetProperties({{"delta.appendOnly", "false"}}));
  EXPECT_EQ((*t->AtVersion(lifted))->configuration.at("owner"), "ml-team");
  ASSERT_OK(t->Delete("x < 3").status());
  EXPECT_EQ(Read(t.get()).num_rows(), 17u);

  // A table of writer version 7 with features Strata does not implement: every operation
  // that commits names them.
  auto v7 = Open("v7");
  ASSERT_OK(v7->Write(Rows("SELECT range AS x FROM range(5)")).status());
  ASSERT_OK(delta::WriteCommit(
      lake_->fs(), v7->path(), 1,
      {Json::parse(R"({"protocol":{"minReaderVersion":1,"minWriterVersion":7,)"
                   R"("writerFeatures":["checkConstraints","rowTracking"]}})")}));
  const std::string named = "needs Delta writer version 7 with writer features rowTracking";
  for (Result<int64_t> r : {v7->Write(Rows("SELECT 9 AS x")), v7->Delete("x = 1"), v7->Optimize(),
                            v7->Restore(0), v7->SetProperties({{"k", "v"}})}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
    EXPECT_NE(r.status().message().find(named), std::string::npos) << r.status().message();
  }
  EXPECT_EQ((*v7->Latest())->version, 1);
  EXPECT_EQ((*v7->Latest())->writer_features.size(), 2u);

  // Legacy writer version 4 (what Spark gives a table with change data feed or generated
  // columns, or asks for them): writable while neither is in use, as the protocol
  // allows; refused, naming it, once the table enables change data feed.
  auto v4 = Open("v4");
  ASSERT_OK(v4->Write(Rows("SELECT range AS x FROM range(5)")).status());
  ASSERT_OK(delta::WriteCommit(lake_->fs(), v4->path(), 1, {delta::ProtocolAction(1, 4)}));
  ASSERT_OK(v4->Write(Rows("SELECT 9::BIGINT AS x")).status());
  ASSERT_OK(v4->Delete("x = 1").status());
  ASSERT_OK_AND_ASSIGN(auto v4_snap, v4->Latest());
  Snapshot with_cdf = *v4_snap;
  with_cdf.configuration["delta.enableChangeDataFeed"] = "true";
  ASSERT_OK(delta::WriteCommit(lake_->fs(), v4->path(), v4_snap->version + 1,
                               {delta::MetadataAction(with_cdf, 0)}));
  auto refused = v4->Write(Rows("SELECT 10::BIGINT AS x"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("writer version 4 with writer features changeDataFeed"),
            std::string::npos)
      << refused.status().message();
}

// Column metadata (comments, invariants) is kept through writes and schema changes, and
// invariants are checked on every write.
TEST_F(TableTest, ColumnMetadataIsKeptAndInvariantsAreChecked) {
  auto t = Open("meta");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS id, 'a' AS name")).status());
  ASSERT_OK_AND_ASSIGN(auto v0, t->Latest());
  Snapshot md = *v0;
  md.schema[0].metadata = R"({"comment":"the key"})";
  ASSERT_OK(delta::WriteCommit(lake_->fs(), t->path(), 1, {delta::MetadataAction(md, 0)}));
  WriteOptions merge;
  merge.merge_schema = true;
  ASSERT_OK(t->Write(Rows("SELECT 2 AS id, 'b' AS name, 0.5 AS score"), merge).status());
  ASSERT_OK_AND_ASSIGN(auto v2, t->Latest());
  ASSERT_EQ(v2->schema.size(), 3u);
  EXPECT_EQ(v2->schema[0].metadata, R"({"comment":"the key"})");
  EXPECT_EQ(v2->schema[2].metadata, "");
  WriteOptions replace;
  replace.mode = WriteMode::kOverwrite;
  replace.overwrite_schema = true;
  ASSERT_OK(t->Write(Rows("SELECT 'k' AS id"), replace).status());
  EXPECT_EQ((*t->Latest())->schema[0].metadata, R"({"comment":"the key"})");
  // The schemaString written holds the metadata as an object, as the protocol has it.
  bool seen = false;
  for (const Json& a : LogActions(t.get())) {
    if (!a.contains("metaData")) continue;
    Json schema = Json::parse(a["metaData"]["schemaString"].get<std::string>());
    if (schema["fields"][0]["metadata"].contains("comment")) seen = true;
  }
  EXPECT_TRUE(seen);

  // An invariant (writer version 2's rule on a column) is checked on every write: a
  // violating row fails the write, named with the rule and a sample.
  md = **t->Latest();
  md.schema[0].metadata =
      R"({"delta.invariants":"{\"expression\":{\"expression\":\"id <> 'z'\"}}"})";
  ASSERT_OK(delta::WriteCommit(lake_->fs(), t->path(), 4, {delta::MetadataAction(md, 0)}));
  auto refused = t->Write(Rows("SELECT 'y' AS id UNION ALL SELECT 'z'"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(
                "1 row(s) violate the invariant of column 'id' (id <> 'z') of table 'meta', "
                "such as (id=z); nothing was written"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ((*t->Latest())->version, 4);
  ASSERT_OK(t->Write(Rows("SELECT 'y' AS id")).status());
}

TEST(TableNames, CannotEscapeTheLake) {
  for (const char* bad : {"", "..", "../x", "a/b", ".hidden", "_strata", "a b", "x\\y"}) {
    EXPECT_FALSE(ValidateTableName(bad).ok()) << bad;
  }
  for (const char* good : {"events", "features_v2", "train-2025.01"})
    EXPECT_OK(ValidateTableName(good));
}

// Every step of a commit fails in turn: each gives a clean error, and the log still
// holds exactly the versions it held (or the new one, when the fault came after the
// put-if-absent link made it visible).
TEST(CommitFaults, EveryStepFailsCleanly) {
  const std::vector<FsOp> ops = {FsOp::kOpenWrite, FsOp::kAppend, FsOp::kSync,
                                 FsOp::kClose,     FsOp::kLink,   FsOp::kSyncDir};
  for (FsOp op : ops) {
    MemoryFileSystem fs;
    ASSERT_OK(fs.CreateDirs("/lake/t/_delta_log"));
    ASSERT_OK(delta::WriteCommit(&fs, "/lake/t", 0, {delta::ProtocolAction(1, 2)}));
    fs.InjectFault(op, "_delta_log");
    Status st = delta::WriteCommit(&fs, "/lake/t", 1, {delta::TxnAction("a", 1, 1)});
    ASSERT_FALSE(st.ok()) << "op " << static_cast<int>(op);
    EXPECT_NE(st.message().find("version 1"), std::string::npos) << st.message();
    ASSERT_OK_AND_ASSIGN(auto listing, delta::ListLog(&fs, "/lake/t"));
    if (op == FsOp::kSyncDir) {
      EXPECT_EQ(listing.commits, (std::vector<int64_t>{0, 1})) << "visible after the link";
    } else {
      EXPECT_EQ(listing.commits, (std::vector<int64_t>{0})) << "op " << static_cast<int>(op);
    }
    ASSERT_OK_AND_ASSIGN(auto names, fs.ListDir("/lake/t/_delta_log"));
    for (const auto& n : names)
      EXPECT_EQ(n.find(".tmp"), std::string::npos) << "left behind: " << n;
    fs.ClearFaults();
    // The next commit goes through.
    Status next = delta::WriteCommit(&fs, "/lake/t", op == FsOp::kSyncDir ? 2 : 1,
                                     {delta::TxnAction("a", 2, 2)});
    EXPECT_OK(next);
  }
}

TEST(CommitFaults, PowerLossAfterAcknowledgeKeepsTheCommit) {
  MemoryFileSystem fs;
  ASSERT_OK(fs.CreateDirs("/lake/t/_delta_log"));
  ASSERT_OK(fs.SyncDir("/lake/t"));
  ASSERT_OK(fs.SyncDir("/lake"));
  ASSERT_OK(fs.SyncDir("/"));
  ASSERT_OK(delta::WriteCommit(&fs, "/lake/t", 0, {delta::ProtocolAction(1, 2)}));
  fs.DropUnsyncedData();
  ASSERT_OK_AND_ASSIGN(auto listing, delta::ListLog(&fs, "/lake/t"));
  EXPECT_EQ(listing.commits, (std::vector<int64_t>{0}));
  EXPECT_EQ(*fs.ReadFile("/lake/t/_delta_log/00000000000000000000.json"),
            delta::ProtocolAction(1, 2).dump() + "\n");
}

TEST(CommitFaults, LosingTheRaceLeavesNothingBehind) {
  MemoryFileSystem fs;
  ASSERT_OK(fs.CreateDirs("/t/_delta_log"));
  ASSERT_OK(delta::WriteCommit(&fs, "/t", 0, {delta::ProtocolAction(1, 2)}));
  Status lost = delta::WriteCommit(&fs, "/t", 0, {delta::TxnAction("b", 1, 1)});
  EXPECT_EQ(lost.code(), StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(auto names, fs.ListDir("/t/_delta_log"));
  EXPECT_EQ(names, std::vector<std::string>{"00000000000000000000.json"});
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(TableRefTest, ParsesNamesVersionsAndTimes) {
  ASSERT_OK_AND_ASSIGN(TableRef plain, TableRef::Parse("events"));
  EXPECT_EQ(plain.name, "events");
  EXPECT_FALSE(plain.version || plain.time);
  ASSERT_OK_AND_ASSIGN(TableRef v, TableRef::Parse("events@12"));
  EXPECT_EQ(*v.version, 12);
  ASSERT_OK_AND_ASSIGN(TableRef t, TableRef::Parse("events@'2026-11-20T10:00:00Z'"));
  EXPECT_EQ(*t.time, "2026-11-20T10:00:00Z");
  EXPECT_EQ(t.ToString(), "events@'2026-11-20T10:00:00Z'");
  EXPECT_EQ(v.ToString(), "events@12");
}

TEST(TableRefTest, RefusesBadReferencesWithTheReason) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c :
       {Case{"events@abc", "not a whole number"}, Case{"events@-1", "not a whole number"},
        Case{"events@99999999999999999999", "too large"}, Case{"events@", "nothing follows"},
        Case{"events@'2026", "closing quote"}, Case{"../x@1", "table name"},
        Case{"@3", "cannot be empty"}}) {
    auto r = TableRef::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(c.text), std::string::npos) << r.status().message();
  }
}

TEST_F(TableTest, NamesAreCaseInsensitive) {
  auto lower = Open("events");
  ASSERT_OK(lower->Write(Rows("SELECT 1 AS id")).status());
  // A write through another spelling is a new version of the same table.
  auto upper = Open("EVENTS");
  EXPECT_EQ(upper->name(), "events");
  ASSERT_OK_AND_ASSIGN(int64_t v, upper->Write(Rows("SELECT 2 AS id")));
  EXPECT_EQ(v, 1);
  ASSERT_OK_AND_ASSIGN(auto tables, lake_->ListTables());
  EXPECT_EQ(tables, std::vector<std::string>{"events"});
  // Two folders differing only in case (made by hand or another tool): refused, not guessed.
  std::filesystem::create_directories(std::string(tmp_ / "lake") + "/Events/_delta_log");
  auto ambiguous = lake_->OpenTable("events");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("differ only in case"), std::string::npos);
}

TEST_F(TableTest, BindTablesRewritesOnlyTableReferences) {
  ASSERT_OK(Open("ok")->Write(Rows("SELECT 1 AS a")).status());
  ASSERT_OK(Open("ok")->Write(Rows("SELECT 2 AS a")).status());
  auto run = [&](const std::string& sql) {
    auto bound = lake_->BindTables(sql);
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    return SortedRows(Collect(session_->sql((*bound)->sql())));
  };
  // Case-insensitive names, versions, qualifiers, and the same table twice.
  EXPECT_EQ(run("SELECT a FROM ok UNION ALL SELECT a FROM \"OK\"@0"),
            (std::vector<std::string>{"1|", "1|", "2|"}));
  EXPECT_EQ(run("SELECT ok.a FROM ok WHERE ok.a > 1"), std::vector<std::string>{"2|"});
  // Strings, comments, column aliases and CTEs that share the name are left alone.
  EXPECT_EQ(run("SELECT 'ok@0' AS ok FROM ok@0 -- ok@1"), std::vector<std::string>{"ok@0|"});
  EXPECT_EQ(run("WITH ok AS (SELECT 42 AS a) SELECT a FROM ok"), std::vector<std::string>{"42|"});
  // Views live in a schema of their own, dropped with the BoundQuery.
  std::string schema_sql =
      "SELECT count(*) FROM duckdb_schemas() WHERE schema_name LIKE 'strata_bind%'";
  {
    ASSERT_OK_AND_ASSIGN(auto bound, lake_->BindTables("SELECT * FROM ok"));
    EXPECT_EQ(Collect(session_->sql(schema_sql)).column(0).GetInt64(0), 1);
  }
  EXPECT_EQ(Collect(session_->sql(schema_sql)).column(0).GetInt64(0), 0);
  auto bad = lake_->BindTables("SELECT * FROM ok@99999999999999999999");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("too large"), std::string::npos);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST_F(TableTest, LostDataFilesBlockWritesUntilRepaired) {
  auto t = Open("lossy");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  ASSERT_OK(t->Write(Rows("SELECT 2 AS x")).status());
  ASSERT_OK_AND_ASSIGN(auto healthy, t->Check());
  EXPECT_TRUE(healthy.healthy());
  EXPECT_EQ(healthy.commits_checked, 2);
  // The file version 0 wrote, which every later version still lists.
  ASSERT_OK_AND_ASSIGN(auto snap, t->AtVersion(0));
  std::filesystem::remove(t->path() + "/" + snap->files[0].path);
  // Neither an append nor a restore builds on the broken version.
  auto append = t->Write(Rows("SELECT 3 AS x"));
  ASSERT_FALSE(append.ok());
  EXPECT_EQ(append.status().code(), StatusCode::kCorruption);
  EXPECT_NE(append.status().message().find(snap->files[0].path), std::string::npos);
  EXPECT_FALSE(t->Restore(0).ok());
  ASSERT_OK_AND_ASSIGN(auto broken, t->Check());
  EXPECT_FALSE(broken.healthy());
  EXPECT_EQ(broken.missing_files, std::vector<std::string>{snap->files[0].path});
  // A stale hint is a problem Check names and Repair fixes.
  testing::WriteText(t->path() + "/_delta_log/_last_checkpoint", "{\"version\": 9}");
  ASSERT_OK_AND_ASSIGN(auto stale, t->Check());
  EXPECT_EQ(stale.problems.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto repaired, t->Repair(/*remove_missing=*/true));
  EXPECT_TRUE(repaired.last_checkpoint_rewritten);
  EXPECT_EQ(repaired.version, 2);
  EXPECT_EQ(repaired.removed_files, std::vector<std::string>{snap->files[0].path});
  ASSERT_OK_AND_ASSIGN(auto after, t->Check());
  EXPECT_TRUE(after.healthy()) << (after.problems.empty() ? "" : after.problems[0]);
  ASSERT_OK(t->Write(Rows("SELECT 3 AS x")).status());
  EXPECT_EQ(Read(t.get()).num_rows(), 2u);
}

TEST_F(TableTest, RepairPointsTheHintAtTheNewestReadableCheckpoint) {
  TableOptions every3;
  every3.checkpoint_interval = 3;
  auto t = Open("hinted", every3);
  for (int i = 0; i < 7; ++i) ASSERT_OK(t->Write(Rows("SELECT 1 AS x")).status());
  testing::WriteText(t->path() + "/_delta_log/_last_checkpoint", "");
  ASSERT_OK_AND_ASSIGN(auto repaired, t->Repair(false));
  EXPECT_TRUE(repaired.last_checkpoint_rewritten);
  EXPECT_EQ(repaired.last_checkpoint, 6);
  ASSERT_OK_AND_ASSIGN(auto check, t->Check());
  EXPECT_TRUE(check.healthy()) << (check.problems.empty() ? "" : check.problems[0]);
  EXPECT_EQ(check.checkpoints_checked, 2);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// Table and Lake are thread-safe: threads appending through one Table, reading its
// latest version and binding queries on one session all see consistent versions (run
// under ThreadSanitizer by scripts/sanitize).
TEST_F(TableTest, ThreadsShareOneTableAndSession) {
  auto t = Open("shared_by_threads");
  ASSERT_OK(t->Write(Rows("SELECT 0 AS id")).status());
  constexpr int kThreads = 4, kAppends = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kAppends; ++j) {
        if (!t->Write(Rows("SELECT " + std::to_string(i * 100 + j + 1) + " AS id")).ok())
          ++failures;
        auto latest = t->Latest();
        if (!latest.ok()) ++failures;
        auto bound = lake_->BindTables("SELECT count(*) FROM shared_by_threads");
        if (!bound.ok() || !session_->sql((*bound)->sql()).collect().ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto last, t->Latest());
  EXPECT_EQ(last->version, kThreads * kAppends);
  EXPECT_EQ(Read(t.get()).num_rows(), static_cast<size_t>(kThreads * kAppends + 1));
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST_F(TableTest, WriteCheckedKeepsFailingDataOutAndRecordsTheOutcome) {
  auto t = Open("gated");
  quality::Suite suite("ids");
  suite.expect_column_values_to_not_be_null("id");
  ASSERT_OK_AND_ASSIGN(auto failed, t->WriteChecked(Rows("SELECT NULL::INT AS id"), suite));
  EXPECT_FALSE(failed.validation.success);
  EXPECT_FALSE(failed.version.has_value());
  EXPECT_FALSE(t->exists()) << "nothing was written";
  ASSERT_OK_AND_ASSIGN(auto passed, t->WriteChecked(Rows("SELECT 1 AS id"), suite));
  ASSERT_TRUE(passed.version.has_value());
  ASSERT_OK_AND_ASSIGN(auto forced,
                       t->WriteChecked(Rows("SELECT NULL::INT AS id"), suite, {}, true));
  ASSERT_TRUE(forced.version.has_value());
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].user_metadata["quality.success"], "true");
  EXPECT_EQ(history[1].user_metadata["quality.success"], "false");
  EXPECT_EQ(history[1].user_metadata["quality.expectations_met"], "0/1");
  EXPECT_EQ(history[1].user_metadata["quality.unexpected.column_values_to_not_be_null.id"], "1");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// The local file system, except that _last_checkpoint cannot be written.
class NoCheckpointHintFileSystem : public LocalForwardingFileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    if (path.find("_last_checkpoint") != std::string::npos)
      return Status::IOError("no space left on device (test)");
    return LocalForwardingFileSystem::NewWritableFile(path);
  }
  Status Rename(const std::string& source, const std::string& target) override {
    if (target.find("_last_checkpoint") != std::string::npos)
      return Status::IOError("no space left on device (test)");
    return LocalForwardingFileSystem::Rename(source, target);
  }
};

class RecordingLogger : public Logger {
 public:
  void Log(LogLevel level, std::string_view component, std::string_view message) override {
    std::lock_guard lock(mu);
    lines.push_back(std::to_string(static_cast<int>(level)) + " " + std::string(component) + " " +
                    std::string(message));
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

TEST(LakeOptionsTest, AFailedCheckpointKeepsTheCommitAndIsLogged) {
  testing::TempDir tmp;
  auto logger = std::make_shared<RecordingLogger>();
  auto previous = GetLogger();
  SetLogger(logger);
  LakeOptions options;
  options.create_if_missing = true;
  options.file_system = std::make_shared<NoCheckpointHintFileSystem>();
  options.table_options.checkpoint_interval = 2;
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(tmp / "lake", options));
  ASSERT_OK_AND_ASSIGN(auto t, lake->OpenTable("hintless"));
  for (int i = 0; i < 3; ++i) ASSERT_OK(t->Write(lake->session()->sql("SELECT 1 AS x")).status());
  SetLogger(previous);
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->version, 2);
  EXPECT_EQ(snap->num_records(), 3);
  ASSERT_EQ(logger->lines.size(), 1u);
  EXPECT_EQ(logger->lines[0].rfind("2 table table 'hintless' version 2 committed, but its "
                                   "checkpoint was not written: ",
                                   0),
            0u)
      << logger->lines[0];
  EXPECT_NE(logger->lines[0].find("no space left on device (test)"), std::string::npos);
}

TEST(LakeOptionsTest, OptionsReachEveryTableTheLakeOpens) {
  testing::TempDir tmp;
  LakeOptions options;
  options.create_if_missing = true;
  options.file_system = NewLocalFileSystem();
  options.table_options.checkpoint_interval = 2;
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(tmp / "lake", options));
  EXPECT_EQ(lake->fs(), options.file_system.get());
  ASSERT_OK_AND_ASSIGN(auto t, lake->OpenTable("every_two"));
  for (int i = 0; i < 3; ++i) ASSERT_OK(t->Write(lake->session()->sql("SELECT 1 AS x")).status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_TRUE(
      std::filesystem::exists(t->path() + "/_delta_log/00000000000000000002.checkpoint.parquet"));
  LakeOptions missing;
  auto absent = Lake::Open(tmp / "nowhere", missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata
