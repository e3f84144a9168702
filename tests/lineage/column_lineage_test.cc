// Column lineage from DuckDB's parse tree, checked against hand-written expectations: the
// seed pipeline's transform, a join, an aggregate with GROUP BY, CASE, CTEs, UNION, `*`.
#include <gtest/gtest.h>

#include <set>

#include "strata/lineage.h"
#include "test_util.h"

namespace strata::lineage {
namespace {

ObservedDataset Input(const std::string& name, std::vector<std::string> columns) {
  ObservedDataset d;
  d.name_space = "file:///lake";
  d.name = name;
  for (auto& c : columns) d.schema.push_back({c, "VARCHAR"});
  return d;
}

// "column <- dataset.field (SUBTYPE), ..." for each output column, sorted.
std::map<std::string, std::set<std::string>> Flat(const ColumnLineage& l) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [col, fields] : l.fields) {
    for (const auto& f : fields) out[col].insert(f.name + "." + f.field + " " + f.subtype);
  }
  return out;
}

std::set<std::string> Indirect(const ColumnLineage& l) {
  std::set<std::string> out;
  for (const auto& f : l.dataset) out.insert(f.name + "." + f.field + " " + f.subtype);
  return out;
}

const std::vector<std::string> kEvents = {"sample_id",        "feature_id",  "timestamp",
                                          "category",         "value",       "quality_score",
                                          "normalized_value", "event_score", "label"};

TEST(ColumnLineage, SeedTransform) {
  // examples/feature_engineering.yaml's transform_features step.
  const std::string sql = R"(
      SELECT sample_id, feature_id, category,
        CAST("timestamp" AS TIMESTAMP) AS event_time,
        hour(CAST("timestamp" AS TIMESTAMP)) AS hour_of_day,
        normalized_value AS feature_1,
        (value - avg(value) OVER (PARTITION BY category))
          / nullif(stddev_samp(value) OVER (PARTITION BY category), 0) AS value_z,
        quality_score, normalized_value, event_score, label AS target
      FROM extract_data WHERE quality_score >= 0.2)";
  std::vector<std::string> out = {"sample_id",        "feature_id",  "category", "event_time",
                                  "hour_of_day",      "feature_1",   "value_z",  "quality_score",
                                  "normalized_value", "event_score", "target"};
  ASSERT_OK_AND_ASSIGN(auto l, ColumnLineageOf(sql, {Input("p/extract_data", kEvents)}, out));
  auto f = Flat(l);
  EXPECT_EQ(f["sample_id"], (std::set<std::string>{"p/extract_data.sample_id IDENTITY"}));
  EXPECT_EQ(f["event_time"], (std::set<std::string>{"p/extract_data.timestamp TRANSFORMATION"}));
  EXPECT_EQ(f["hour_of_day"], (std::set<std::string>{"p/extract_data.timestamp TRANSFORMATION"}));
  EXPECT_EQ(f["feature_1"], (std::set<std::string>{"p/extract_data.normalized_value IDENTITY"}));
  // A window aggregate over value, partitioned by category.
  EXPECT_EQ(f["value_z"], (std::set<std::string>{"p/extract_data.value AGGREGATION",
                                                 "p/extract_data.category AGGREGATION"}));
  EXPECT_EQ(f["target"], (std::set<std::string>{"p/extract_data.label IDENTITY"}));
  EXPECT_EQ(f.size(), out.size());
  EXPECT_EQ(Indirect(l), (std::set<std::string>{"p/extract_data.quality_score FILTER"}));
}

TEST(ColumnLineage, JoinAggregateAndCase) {
  const std::string sql = R"(
      SELECT e.category,
             count(*) AS n,
             sum(e.value) AS total,
             CASE WHEN max(c.weight) > 1 THEN 'heavy' ELSE 'light' END AS kind
      FROM events e JOIN categories c ON e.category = c.name
      WHERE e.label = 1
      GROUP BY 1)";
  ASSERT_OK_AND_ASSIGN(
      auto l,
      ColumnLineageOf(sql, {Input("events", kEvents), Input("categories", {"name", "weight"})},
                      {"category", "n", "total", "kind"}));
  auto f = Flat(l);
  EXPECT_EQ(f["category"], (std::set<std::string>{"events.category IDENTITY"}));
  EXPECT_EQ(f.count("n"), 0u);  // count(*) reads no column: no column lineage
  EXPECT_EQ(f["total"], (std::set<std::string>{"events.value AGGREGATION"}));
  EXPECT_EQ(f["kind"], (std::set<std::string>{"categories.weight AGGREGATION"}));
  EXPECT_EQ(Indirect(l), (std::set<std::string>{"events.category JOIN", "categories.name JOIN",
                                                "events.label FILTER"}));
}

TEST(ColumnLineage, CteSubqueryUnionAndStar) {
  const std::string sql = R"(
      WITH recent AS (SELECT sample_id, value * 2 AS v2 FROM events)
      SELECT * FROM (SELECT sample_id, v2 FROM recent) r
      UNION ALL
      SELECT sample_id, quality_score FROM events)";
  ASSERT_OK_AND_ASSIGN(auto l,
                       ColumnLineageOf(sql, {Input("events", kEvents)}, {"sample_id", "v2"}));
  auto f = Flat(l);
  EXPECT_EQ(f["sample_id"], (std::set<std::string>{"events.sample_id IDENTITY"}));
  // The subtype is the output column's: one branch transforms, so the column does.
  EXPECT_EQ(f["v2"], (std::set<std::string>{"events.value TRANSFORMATION",
                                            "events.quality_score TRANSFORMATION"}));

  ASSERT_OK_AND_ASSIGN(
      auto star, ColumnLineageOf("SELECT * EXCLUDE (label) FROM events", {Input("events", kEvents)},
                                 {"sample_id", "feature_id", "timestamp", "category", "value",
                                  "quality_score", "normalized_value", "event_score"}));
  EXPECT_EQ(star.fields.size(), 8u);
  EXPECT_EQ(star.fields.count("label"), 0u);
}

TEST(ColumnLineage, UnknownRelationsAreLeftOutNotGuessed) {
  ASSERT_OK_AND_ASSIGN(auto l,
                       ColumnLineageOf("SELECT a.x, e.value FROM read_csv('f.csv') a, events e",
                                       {Input("events", kEvents)}, {"x", "value"}));
  EXPECT_EQ(l.fields.count("x"), 0u);
  EXPECT_EQ(Flat(l)["value"], (std::set<std::string>{"events.value IDENTITY"}));
  EXPECT_FALSE(ColumnLineageOf("SELECT 1; SELECT 2", {}, {}).ok());
}

}  // namespace
}  // namespace strata::lineage
