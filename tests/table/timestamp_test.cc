// Timestamps as the Delta protocol has them: a zoned TIMESTAMPTZ is `timestamp` (an
// instant, stored UTC-adjusted); a naive TIMESTAMP is `timestamp_ntz` with its table
// feature; a naive value meets a `timestamp` in the session time zone, which is a setting.
#include <cstdlib>

#include "table/table_fixture.h"

namespace strata {
namespace {

// The Parquet type DuckDB reads for `column` of every data file of `t`: TIMESTAMP WITH
// TIME ZONE for isAdjustedToUTC=true, TIMESTAMP for false.
std::set<std::string> FileTypes(Session* session, Table* t, const std::string& column) {
  std::set<std::string> types;
  for (const std::string& file : DataFilePaths(t->path())) {
    auto df =
        session->sql("SELECT typeof(\"" + column + "\") FROM read_parquet('" + file + "') LIMIT 1")
            .collect();
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    if (df.ok() && df->num_rows() > 0) types.insert(std::string(df->column(0).GetString(0)));
  }
  return types;
}

TEST_F(TableTest, NaiveTimestampsAreTimestampNtzWithTheirFeature) {
  auto t = Open("events");
  ASSERT_OK(t->Write(Rows("SELECT * FROM (VALUES (1, TIMESTAMP '2024-03-01 12:00:00.123456', "
                          "TIMESTAMPTZ '2024-03-01 12:00:00+02'), (2, TIMESTAMP '2024-03-02 "
                          "08:30:00', TIMESTAMPTZ '2024-03-02 23:00:00-05')) v(id, wall, instant)"))
                .status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  ASSERT_EQ(snap->schema.size(), 3u);
  EXPECT_EQ(snap->schema[1].type, "timestamp_ntz");
  EXPECT_EQ(snap->schema[2].type, "timestamp");
  EXPECT_EQ(snap->min_reader_version, 3);
  EXPECT_EQ(snap->min_writer_version, 7);
  EXPECT_EQ(snap->reader_features, std::vector<std::string>{"timestampNtz"});
  EXPECT_EQ(snap->writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "timestampNtz"}));
  // Parquet's annotation agrees with the Delta type.
  EXPECT_EQ(FileTypes(session_.get(), t.get(), "wall"), std::set<std::string>{"TIMESTAMP"});
  EXPECT_EQ(FileTypes(session_.get(), t.get(), "instant"),
            std::set<std::string>{"TIMESTAMP WITH TIME ZONE"});
  // Statistics: an instant in UTC with 'Z', a naive value without a zone.
  Json stats = Json::parse(snap->files[0].stats_json);
  EXPECT_EQ(stats["minValues"]["wall"], "2024-03-01T12:00:00.123");
  EXPECT_EQ(stats["maxValues"]["wall"], "2024-03-02T08:30:00.000");
  EXPECT_EQ(stats["minValues"]["instant"], "2024-03-01T10:00:00.000Z");
  EXPECT_EQ(stats["maxValues"]["instant"], "2024-03-03T04:00:00.000Z");
  // Read back: the same values and types.
  auto back =
      Collect(Rows("SELECT id, typeof(wall), strftime(wall, '%Y-%m-%d %H:%M:%S.%f'), "
                   "typeof(instant), epoch_ms(instant) FROM (" +
                   *(*t->Scan(*snap)).to_sql() + ") ORDER BY id"));
  EXPECT_EQ(SortedRows(back),
            (std::vector<std::string>{
                "1|TIMESTAMP|2024-03-01 12:00:00.123456|TIMESTAMP WITH TIME ZONE|1709287200000|",
                "2|TIMESTAMP|2024-03-02 08:30:00.000000|TIMESTAMP WITH TIME ZONE|1709438400000|"}));
  // Data skipping compares timestamps as instants, whatever the text's form; the
  // truncated (millisecond) maximum never excludes a file holding a later microsecond.
  size_t files = 0;
  ASSERT_OK_AND_ASSIGN(Frame one,
                       t->Scan(*snap, col("wall") == "2024-03-01 12:00:00.123456", &files));
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(Collect(one).num_rows(), 1u);
  ASSERT_OK(t->Scan(*snap, col("wall") > "2024-03-02 08:30:00.000500", &files).status());
  EXPECT_EQ(files, 1u);  // the recorded .000 may stand for up to .000999
  ASSERT_OK(t->Scan(*snap, col("wall") > "2024-03-02 08:30:00.001", &files).status());
  EXPECT_EQ(files, 0u);
  ASSERT_OK(t->Scan(*snap, col("instant") >= "2024-03-03T04:00:00Z", &files).status());
  EXPECT_EQ(files, 1u);
  ASSERT_OK(t->Scan(*snap, col("instant") > "2024-03-03T04:00:01Z", &files).status());
  EXPECT_EQ(files, 0u);
  // Without a zone, a `timestamp` value is in the session's time zone: never skipped on.
  ASSERT_OK(t->Scan(*snap, col("instant") > "2024-03-03 04:00:01", &files).status());
  EXPECT_EQ(files, 1u);
}

// A naive column added by schema merging upgrades an older table's protocol.
TEST_F(TableTest, ANaiveColumnAddedLaterUpgradesTheProtocol) {
  auto t = Open("grow");
  ASSERT_OK(t->Write(Rows("SELECT 1 AS id")).status());
  ASSERT_OK_AND_ASSIGN(auto before, t->Latest());
  EXPECT_EQ(before->min_writer_version, 2);
  WriteOptions o;
  o.merge_schema = true;
  ASSERT_OK(t->Write(Rows("SELECT 2 AS id, TIMESTAMP '2024-01-01 00:00:00' AS seen"), o).status());
  ASSERT_OK_AND_ASSIGN(auto after, t->Latest());
  EXPECT_EQ(after->min_reader_version, 3);
  EXPECT_EQ(after->min_writer_version, 7);
  EXPECT_EQ(after->reader_features, std::vector<std::string>{"timestampNtz"});
  EXPECT_EQ(after->writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "timestampNtz"}));
}

// Naive values written into a `timestamp` column (a table made with zoned values, or by
// an older Strata) are placed in the session time zone and stored UTC-adjusted; files an
// older writer left naive read as instants in the session time zone too.
TEST_F(TableTest, NaiveValuesMeetATimestampColumnInTheSessionTimeZone) {
  for (const char* zone : {"UTC", "Asia/Tokyo"}) {
    SCOPED_TRACE(zone);
    auto lake = LakeInTimeZone(zone);
    ASSERT_NE(lake, nullptr);
    auto session = lake->shared_session();
    const std::string name = std::string("at_") + (zone[0] == 'U' ? "utc" : "tokyo");
    ASSERT_OK_AND_ASSIGN(auto t, lake->OpenTable(name));
    ASSERT_OK(
        t->Write(session->sql("SELECT 1 AS id, TIMESTAMPTZ '2024-03-01 12:00:00+00' AS instant"))
            .status());
    ASSERT_OK(t->Write(session->sql("SELECT 2 AS id, TIMESTAMP '2024-03-01 12:00:00' AS instant"))
                  .status());
    ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
    EXPECT_EQ(snap->schema[1].type, "timestamp");
    EXPECT_EQ(snap->min_writer_version, 2);  // no timestampNtz: the column stays `timestamp`
    EXPECT_EQ(FileTypes(session.get(), t.get(), "instant"),
              std::set<std::string>{"TIMESTAMP WITH TIME ZONE"});
    // A file as earlier Strata wrote them: naive Parquet under a `timestamp` column.
    DataFile legacy = snap->files[0];
    legacy.path = "legacy.parquet";
    ASSERT_OK(session->sql("SELECT 3 AS id, TIMESTAMP '2024-03-01 12:00:00' AS instant")
                  .sink_parquet(t->path() + "/legacy.parquet"));
    legacy.stats_json.clear();
    ASSERT_OK(delta::WriteCommit(lake->fs(), t->path(), snap->version + 1,
                                 {delta::AddAction(legacy, true)}));
    ASSERT_OK_AND_ASSIGN(auto latest, t->Latest());
    auto back = session
                    ->sql("SELECT id, epoch_ms(instant) FROM (" + *(*t->Scan(*latest)).to_sql() +
                          ") ORDER BY id")
                    .collect();
    ASSERT_OK(back.status());
    const int64_t noon_utc = 1709294400000, noon_tokyo = noon_utc - 9 * 3600 * 1000;
    const int64_t naive = zone[0] == 'U' ? noon_utc : noon_tokyo;
    EXPECT_EQ(back->column(1).GetInt64(0), noon_utc);
    EXPECT_EQ(back->column(1).GetInt64(1), naive);
    EXPECT_EQ(back->column(1).GetInt64(2), naive);
  }
}

// A `timestamp` partition value written without a zone (as Spark may) is in the session
// time zone; one with 'Z' is that instant in any zone.
TEST_F(TableTest, ZonelessTimestampPartitionValuesAreInTheSessionTimeZone) {
  auto t = Open("parts");
  WriteOptions o;
  o.partition_by = {"instant"};
  ASSERT_OK(t->Write(Rows("SELECT 1 AS id, TIMESTAMPTZ '2024-03-01 12:00:00+00' AS instant"), o)
                .status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  DataFile f = snap->files[0];
  ASSERT_EQ(*f.partition_values.at("instant"), "2024-03-01T12:00:00.000000Z");
  f.partition_values["instant"] = "2024-03-01 12:00:00";  // what another writer may leave
  ASSERT_OK(delta::WriteCommit(lake_->fs(), t->path(), 1, {delta::AddAction(f, true)}));
  for (const char* zone : {"UTC", "Asia/Tokyo"}) {
    SCOPED_TRACE(zone);
    auto lake = LakeInTimeZone(zone);
    ASSERT_NE(lake, nullptr);
    auto session = lake->shared_session();
    ASSERT_OK_AND_ASSIGN(auto table, lake->OpenTable("parts"));
    ASSERT_OK_AND_ASSIGN(auto v0, table->AtVersion(0));
    ASSERT_OK_AND_ASSIGN(auto v1, table->Latest());
    auto ms = [&](const Snapshot& s) {
      auto df =
          session->sql("SELECT max(epoch_ms(instant)) FROM (" + *(*table->Scan(s)).to_sql() + ")")
              .collect();
      EXPECT_TRUE(df.ok()) << df.status().ToString();
      return df.ok() ? df->column(0).GetInt64(0) : 0;
    };
    EXPECT_EQ(ms(*v0), 1709294400000);
    EXPECT_EQ(ms(*v1), zone[0] == 'U' ? 1709294400000 : 1709294400000 - 9 * 3600 * 1000);
  }
}

TEST(TimeZoneSetting, AnUnknownZoneIsAnErrorNamingIt) {
  engine::DatabaseOptions db;
  db.time_zone = "Mars/Olympus_Mons";
  auto session = Session::Open(db);
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find("unknown time zone 'Mars/Olympus_Mons'"),
            std::string::npos)
      << session.status().ToString();
}

TEST(TimeZoneSetting, DefaultsToUtcOrTheEnvironment) {
  ::unsetenv("STRATA_TIME_ZONE");
  EXPECT_EQ(engine::DatabaseOptions().time_zone, "UTC");
  ::setenv("STRATA_TIME_ZONE", "Europe/Paris", 1);
  EXPECT_EQ(engine::DatabaseOptions().time_zone, "Europe/Paris");
  ::unsetenv("STRATA_TIME_ZONE");
}

}  // namespace
}  // namespace strata
