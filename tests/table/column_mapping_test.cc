// Tables with Delta column mapping (modes name and id, as Databricks creates them): the
// Parquet files, statistics and partition values use physical names, at every depth of
// nested types; Strata reads them under the logical names, skips files by statistics, and
// refuses to write them (naming the writer version or feature) rather than writing files
// other engines would read wrong.
#include <gtest/gtest.h>

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
    // Writing is refused, naming what Strata does not write; nothing is written.
    auto write = t->Write(Rows("SELECT 3::BIGINT AS id"));
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.status().code(), StatusCode::kNotSupported);
    EXPECT_NE(write.status().message().find(mode == "id" ? "writer features columnMapping"
                                                         : "writer version 5"),
              std::string::npos)
        << write.status().message();
    EXPECT_FALSE(t->Delete("id = 1").ok());
    EXPECT_EQ((*t->Latest())->version, 0);
  }
}

}  // namespace
}  // namespace strata
