// Tables with Delta column mapping (modes name and id, as Databricks creates them): the
// Parquet files, statistics and partition values use physical names, at every depth of
// nested types; Strata reads them under the logical names and skips files by statistics.
// It writes mode name (new tables with table features: reader 3 / writer 7 and
// columnMapping; Spark's legacy reader 2 / writer 5 tables as they are) and renames
// columns without rewriting files; it refuses to write mode id (naming it).
#include <gtest/gtest.h>

#include "table/column_mapping.h"
#include "table/table_fixture.h"

namespace strata {
namespace {

// The schema: id, info struct<name, n>, tags array<struct<v>>, attrs map<string,
// struct<w>>, region (partition). Every field, nested ones included, has a physical name
// unlike its logical one.
Json MappedField(const std::string& name, Json type, int id) {
  return {{"name", name},
          {"type", std::move(type)},
          {"nullable", true},
          {"metadata",
           {{"delta.columnMapping.id", id},
            {"delta.columnMapping.physicalName", "col-" + std::to_string(id) + "-" + name}}}};
}

std::string MappedSchema() {
  Json info = {{"type", "struct"},
               {"fields", {MappedField("name", "string", 3), MappedField("n", "long", 4)}}};
  Json elem = {{"type", "struct"}, {"fields", {MappedField("v", "long", 6)}}};
  Json tags = {{"type", "array"}, {"elementType", elem}, {"containsNull", true}};
  Json value = {{"type", "struct"}, {"fields", {MappedField("w", "long", 8)}}};
  Json attrs = {
      {"type", "map"}, {"keyType", "string"}, {"valueType", value}, {"valueContainsNull", true}};
  Json schema = {
      {"type", "struct"},
      {"fields",
       {MappedField("id", "long", 1), MappedField("info", info, 2), MappedField("tags", tags, 5),
        MappedField("attrs", attrs, 7), MappedField("region", "string", 9)}}};
  return schema.dump();
}

class ColumnMappingTest : public TableTest {
 protected:
  // Writes a mapped table `name` with two files (ids 1-2 in region eu, 10-11 in us), as
  // Spark would: physical names in the files, the log's statistics and partition values.
  void MakeTable(const std::string& name, const std::string& mode) {
    const std::string dir = (std::filesystem::path(tmp_ / "lake") / name).string();
    std::filesystem::create_directories(dir + "/_delta_log");
    auto conn = session_->database()->Connect();
    ASSERT_TRUE(conn.ok());
    std::vector<Json> actions;
    actions.push_back(Json::parse(
        mode == "id"
            ? R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["columnMapping"],"writerFeatures":["columnMapping"]}})"
            : R"({"protocol":{"minReaderVersion":2,"minWriterVersion":5}})"));
    actions.push_back(
        {{"metaData",
          {{"id", "7c2b6d5e-0000-4000-8000-000000000001"},
           {"format", {{"provider", "parquet"}, {"options", Json::object()}}},
           {"schemaString", MappedSchema()},
           {"partitionColumns", {"region"}},
           {"configuration",
            {{"delta.columnMapping.mode", mode}, {"delta.columnMapping.maxColumnId", "9"}}}}}});
    for (const auto& [region, first] : {std::pair{"eu", 1}, std::pair{"us", 10}}) {
      const std::string file = std::string("col-9-region=") + region + "/part-0.parquet";
      std::filesystem::create_directories(dir + "/col-9-region=" + region);
      const std::string select =
          "SELECT range::BIGINT AS \"col-1-id\", {'col-3-name': 'n' || range, 'col-4-n': "
          "range * 10} AS \"col-2-info\", [{'col-6-v': range}, {'col-6-v': range + 1}] AS "
          "\"col-5-tags\", MAP {'k': {'col-8-w': range * 100}} AS \"col-7-attrs\" FROM range(" +
          std::to_string(first) + ", " + std::to_string(first + 2) + ")";
      ASSERT_OK(
          (*conn)->Execute("COPY (" + select + ") TO '" + dir + "/" + file + "' (FORMAT parquet)"));
      Json stats = {{"numRecords", 2},
                    {"minValues", {{"col-1-id", first}}},
                    {"maxValues", {{"col-1-id", first + 1}}},
                    {"nullCount", {{"col-1-id", 0}}}};
      actions.push_back({{"add",
                          {{"path", file},
                           {"partitionValues", {{"col-9-region", region}}},
                           {"size", std::filesystem::file_size(dir + "/" + file)},
                           {"modificationTime", 1},
                           {"dataChange", true},
                           {"stats", stats.dump()}}}});
    }
    ASSERT_OK(delta::WriteCommit(lake_->fs(), dir, 0, actions));
  }
};

TEST_F(ColumnMappingTest, ReadsLogicalNamesAtEveryDepthAndSkipsFilesByStatistics) {
  for (const std::string mode : {"name", "id"}) {
    SCOPED_TRACE(mode);
    MakeTable("mapped_" + mode, mode);
    auto t = Open("mapped_" + mode);
    ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
    DataFrame df = Read(t.get());
    ASSERT_EQ(df.num_rows(), 4u);
    std::vector<std::string> names;
    for (size_t c = 0; c < df.num_columns(); ++c) names.push_back(df.column(c).name());
    EXPECT_EQ(names, (std::vector<std::string>{"id", "info", "tags", "attrs", "region"}));
    const auto rows = SortedRows(df);
    EXPECT_EQ(rows[2], "1|{'name': n1, 'n': 10}|[{'v': 1}, {'v': 2}]|{k={'w': 100}}|eu|");
    EXPECT_EQ(rows[1], "11|{'name': n11, 'n': 110}|[{'v': 11}, {'v': 12}]|{k={'w': 1100}}|us|");
    size_t files = 0;
    ASSERT_OK_AND_ASSIGN(Frame high, t->Scan(*snap, col("id") > 5, &files));
    EXPECT_EQ(files, 1u);
    EXPECT_EQ(Collect(high).num_rows(), 2u);
    ASSERT_OK_AND_ASSIGN(Frame eu, t->Scan(*snap, col("region") == "eu", &files));
    EXPECT_EQ(files, 1u);
    EXPECT_EQ(Collect(eu).num_rows(), 2u);
    if (mode == "id") {
      // Writing mode id is refused, naming it; nothing is written.
      auto write = t->Write(Rows("SELECT 3::BIGINT AS id"));
      ASSERT_FALSE(write.ok());
      EXPECT_EQ(write.status().code(), StatusCode::kNotSupported);
      EXPECT_NE(write.status().message().find("maps columns by id"), std::string::npos)
          << write.status().message();
      EXPECT_FALSE(t->Delete("id = 1").ok());
      EXPECT_EQ((*t->Latest())->version, 0);
      continue;
    }
    // Mode name under Spark's legacy protocol (reader 2 / writer 5) is written as it is:
    // the new file under the physical names, the protocol unchanged.
    ASSERT_OK(t->Write(Rows("SELECT 3::BIGINT AS id, {'name': 'n3', 'n': 30::BIGINT} AS info, "
                            "'eu' AS region"))
                  .status());
    ASSERT_OK(t->Delete("id = 1").status());
    ASSERT_OK_AND_ASSIGN(auto after, t->Latest());
    EXPECT_EQ(after->min_writer_version, 5);
    const auto ids = SortedRows(
        Collect(Rows("SELECT id FROM (" + *(*t->Scan(*after)).to_sql() + ") ORDER BY id")));
    EXPECT_EQ(ids, (std::vector<std::string>{"10|", "11|", "2|", "3|"}));
    // The nested fields went in under their physical names and read back under theirs.
    const auto three = Collect(
        Rows("SELECT info.name, info.n FROM (" + *(*t->Scan(*after)).to_sql() + ") WHERE id = 3"));
    EXPECT_EQ(SortedRows(three), std::vector<std::string>{"n3|30|"});
  }
}

// The Parquet column names of every data file of `t`.
std::set<std::string> FileColumns(Session* session, Table* t) {
  std::set<std::string> names;
  for (const std::string& file : DataFilePaths(t->path())) {
    auto df =
        session
            ->sql("SELECT * FROM read_parquet('" + file + "', hive_partitioning = false) LIMIT 0")
            .collect();
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    for (size_t c = 0; df.ok() && c < df->num_columns(); ++c) names.insert(df->column(c).name());
  }
  return names;
}

TEST_F(ColumnMappingTest, WritesModeNameAndRenamesWithoutRewriting) {
  auto t = Open("prices");
  WriteOptions o;
  o.partition_by = {"region"};
  o.properties = {{"delta.columnMapping.mode", "name"}};
  ASSERT_OK(t->Write(Rows("SELECT range AS id, range * 1.5 AS price, {'sku': 's' || range, "
                          "'qty': range} AS item, CASE WHEN range < 5 THEN 'eu' ELSE 'us' END "
                          "AS region FROM range(0, 10)"),
                     o)
                .status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->min_reader_version, 3);
  EXPECT_EQ(snap->min_writer_version, 7);
  EXPECT_EQ(snap->reader_features, std::vector<std::string>{"columnMapping"});
  EXPECT_EQ(std::count(snap->writer_features.begin(), snap->writer_features.end(), "columnMapping"),
            1);
  EXPECT_EQ(snap->configuration.at("delta.columnMapping.maxColumnId"), "6");  // 4 + 2 nested
  // Each column has an id and a physical name col-<uuid>; the files use those names.
  std::map<std::string, std::string> physical;
  for (const TableField& f : snap->schema) {
    Json md = Json::parse(f.metadata);
    ASSERT_TRUE(md.contains("delta.columnMapping.id")) << f.name;
    physical[f.name] = md["delta.columnMapping.physicalName"].get<std::string>();
    EXPECT_EQ(physical[f.name].rfind("col-", 0), 0u) << physical[f.name];
  }
  EXPECT_EQ(FileColumns(session_.get(), t.get()),
            (std::set<std::string>{physical["id"], physical["price"], physical["item"]}));
  EXPECT_EQ(snap->files[0].partition_values.count(physical["region"]), 1u);
  Json stats = Json::parse(snap->files[0].stats_json);
  EXPECT_TRUE(stats["minValues"].contains(physical["id"]));
  const std::vector<std::string> before = SortedRows(Read(t.get()));
  EXPECT_EQ(before.size(), 10u);

  // A rename is one metadata commit: no file added or removed; the rows read the same
  // under the new name, files are skipped by it, and writes use it.
  ASSERT_OK_AND_ASSIGN(int64_t v, t->RenameColumn("price", "cost"));
  int adds = 0;
  for (const Json& a : LogActions(t.get())) adds += a.contains("add") ? 1 : 0;
  EXPECT_EQ(adds, 2);  // the create's two files only
  EXPECT_EQ(SortedRows(Read(t.get())), before);
  ASSERT_OK_AND_ASSIGN(auto renamed, t->Latest());
  EXPECT_EQ(renamed->version, v);
  EXPECT_EQ(renamed->schema[1].name, "cost");
  ASSERT_OK(t->RenameColumn("region", "area").status());  // a partition column
  size_t files = 0;
  ASSERT_OK_AND_ASSIGN(auto latest, t->Latest());
  EXPECT_EQ(latest->partition_columns, std::vector<std::string>{"area"});
  ASSERT_OK_AND_ASSIGN(Frame cheap, t->Scan(*latest, col("id") >= 5, &files));
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(Collect(cheap).num_rows(), 5u);
  ASSERT_OK(t->Write(Rows("SELECT 10::BIGINT AS id, 9.5 AS cost, {'sku': 'x', 'qty': 1::BIGINT} "
                          "AS item, 'eu' AS area"))
                .status());
  EXPECT_EQ(Read(t.get()).num_rows(), 11u);
  // A new column gets the next id.
  WriteOptions merge;
  merge.merge_schema = true;
  ASSERT_OK(t->Write(Rows("SELECT 11::BIGINT AS id, 'new' AS note"), merge).status());
  ASSERT_OK_AND_ASSIGN(auto grown, t->Latest());
  EXPECT_EQ(grown->configuration.at("delta.columnMapping.maxColumnId"), "7");
  // Deletes, updates and optimize keep working on physical names.
  ASSERT_OK(t->Delete("id = 0").status());
  ASSERT_OK(t->Update("id = 1", {{"cost", "cost * 2"}}).status());
  ASSERT_OK(t->Optimize().status());
  DataFrame after = Collect(
      Rows("SELECT count(*), sum(cost) FROM (" + *(*t->Scan(**t->Latest())).to_sql() + ")"));
  EXPECT_EQ(after.column(0).GetInt64(0), 11);

  // Bad renames: nothing is written.
  const int64_t version = (*t->Latest())->version;
  EXPECT_EQ(t->RenameColumn("nope", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t->RenameColumn("cost", "ID").status().code(), StatusCode::kAlreadyExists);
  ASSERT_OK(t->AddConstraint("positive", "id >= 0").status());
  auto used = t->RenameColumn("id", "key");
  ASSERT_FALSE(used.ok());
  EXPECT_NE(used.status().message().find("CHECK constraint 'positive'"), std::string::npos)
      << used.status().ToString();
  EXPECT_EQ((*t->Latest())->version, version + 1);  // the constraint only
  // The mode cannot change, and mode id is not written.
  EXPECT_FALSE(t->SetProperties({{"delta.columnMapping.mode", "none"}}).ok());
  EXPECT_EQ(t->SetProperties({{"delta.columnMapping.mode", "id"}}).status().code(),
            StatusCode::kNotSupported);
}

// A table made without column mapping turns to it in one metadata commit: each column's
// physical name is its own (the files keep it), and from then on renames are cheap.
TEST_F(ColumnMappingTest, AnExistingTableTurnsToColumnMapping) {
  auto t = Open("plain");
  ASSERT_OK(t->Write(Rows("SELECT range AS id, 'n' || range AS name FROM range(0, 4)")).status());
  auto refused = t->RenameColumn("name", "label");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("delta.columnMapping.mode=name"), std::string::npos);
  ASSERT_OK(t->SetProperties({{"delta.columnMapping.mode", "name"}}).status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(delta::PhysicalNames(*snap),
            (std::map<std::string, std::string>{{"id", "id"}, {"name", "name"}}));
  ASSERT_OK(t->RenameColumn("name", "label").status());
  DataFrame df = Read(t.get());
  EXPECT_EQ(df.column(1).name(), "label");
  EXPECT_EQ(SortedRows(df).front(), "0|n0|");
}

}  // namespace
}  // namespace strata
