// strata_duplicates against the same answer computed by DuckDB's own GROUP BY.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "strata/engine.h"
#include "test_util.h"

namespace strata::engine {
namespace {

using Json = nlohmann::json;

class DuplicatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.threads = 2;  // states are combined across threads
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(options));
    ASSERT_OK_AND_ASSIGN(conn_, db_->Connect());
  }

  // strata_duplicates(expr, k) over `from`, as JSON.
  Json Duplicates(const std::string& expr, const std::string& from, int k = 20) {
    auto df =
        conn_->Collect("SELECT d.unexpected, to_json(d.sample) FROM (SELECT strata_duplicates(" +
                       expr + ", " + std::to_string(k) + ") AS d FROM " + from + ")");
    EXPECT_OK(df.status());
    if (!df.ok()) return Json();
    return {{"unexpected", df->column(0).GetInt64(0)},
            {"sample", Json::parse(std::string(df->column(1).GetString(0)))}};
  }

  // The rows whose value occurs more than once, by GROUP BY.
  int64_t Expected(const std::string& expr, const std::string& from) {
    auto df = conn_->Collect("SELECT coalesce(sum(c), 0)::BIGINT FROM (SELECT count(*) AS c FROM " +
                             from + " WHERE " + expr + " IS NOT NULL GROUP BY " + expr +
                             " HAVING count(*) > 1)");
    EXPECT_OK(df.status());
    return df.ok() ? df->column(0).GetInt64(0) : -1;
  }

  // Every sampled value is one that occurs more than once.
  void ExpectSampleIsDuplicated(const Json& d, const std::string& expr, const std::string& from,
                                int k) {
    ASSERT_TRUE(d["sample"].is_array());
    EXPECT_EQ(d["sample"].size(), std::min<size_t>(k, d["unexpected"].get<size_t>()));
    for (const Json& v : d["sample"]) {
      std::string literal = v.is_string() ? QuoteString(v.get<std::string>()) : v.dump();
      auto df = conn_->Collect("SELECT count(*) FROM " + from + " WHERE " + expr + " = " + literal);
      ASSERT_OK(df.status());
      EXPECT_GT(df->column(0).GetInt64(0), 1) << v.dump();
    }
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(DuplicatesTest, CountsEveryRowOfARepeatedValueAndSkipsNulls) {
  Json d = Duplicates(
      "x", "(VALUES (1), (2), (2), (NULL), (NULL), (3), (0), (3), (0), (3), (4)) t(x)", 3);
  EXPECT_EQ(d["unexpected"], 7);
  // One thread on a small input: the first rows in order.
  EXPECT_EQ(d["sample"], Json::parse("[2, 2, 3]"));
}

TEST_F(DuplicatesTest, EmptyAndAllNullInputs) {
  EXPECT_EQ(Duplicates("x", "(SELECT 1::BIGINT AS x WHERE false)"),
            Json::parse(R"({"unexpected": 0, "sample": []})"));
  EXPECT_EQ(Duplicates("x", "(VALUES (NULL::BIGINT), (NULL)) t(x)"),
            Json::parse(R"({"unexpected": 0, "sample": []})"));
}

TEST_F(DuplicatesTest, IntegersAcrossThreadsMatchGroupBy) {
  ASSERT_OK(conn_->Execute(
      "CREATE TABLE ints AS SELECT CASE WHEN i % 97 = 0 THEN NULL ELSE "
      "(hash(i) % 400000)::BIGINT END AS x, i::INTEGER AS small FROM range(600000) r(i)"));
  Json d = Duplicates("x", "ints");
  EXPECT_GT(d["unexpected"].get<int64_t>(), 0);
  EXPECT_EQ(d["unexpected"].get<int64_t>(), Expected("x", "ints"));
  ExpectSampleIsDuplicated(d, "x", "ints", 20);
  // Values spread far apart (hash partitions rather than a count per possible value).
  ASSERT_OK(
      conn_->Execute("CREATE TABLE sparse AS SELECT x * 1000003 - 7000000000 AS x FROM ints"));
  Json s = Duplicates("x", "sparse");
  EXPECT_EQ(s["unexpected"], d["unexpected"]);
  EXPECT_EQ(s["unexpected"].get<int64_t>(), Expected("x", "sparse"));
  ExpectSampleIsDuplicated(s, "x", "sparse", 20);
  // Unique values (an INTEGER column, cast implicitly): nothing unexpected.
  EXPECT_EQ(Duplicates("small", "ints"), Json::parse(R"({"unexpected": 0, "sample": []})"));
}

TEST_F(DuplicatesTest, NegativeAndExtremeIntegers) {
  Json d = Duplicates("x",
                      "(VALUES (-9223372036854775808), (9223372036854775807), (-1), (-1), "
                      "(-9223372036854775808), (0)) t(x)");
  EXPECT_EQ(d["unexpected"], 4);
}

TEST_F(DuplicatesTest, DoublesCompareAsSqlDoes) {
  // -0.0 equals 0.0; NaN equals NaN (as in GROUP BY).
  const std::string from =
      "(VALUES (1.5::DOUBLE), (-0.0), (0.0), ('nan'::DOUBLE), ('nan'::DOUBLE), (2.5)) t(x)";
  // (k = 0: DuckDB's to_json writes NaN, which is not JSON.)
  EXPECT_EQ(Duplicates("x", from, 0)["unexpected"], Expected("x", from));
  EXPECT_EQ(Duplicates("x", from, 0)["unexpected"], 4);
  ASSERT_OK(conn_->Execute(
      "CREATE TABLE dbl AS SELECT round(random() * 1000, 1) AS x FROM range(300000)"));
  EXPECT_EQ(Duplicates("x", "dbl")["unexpected"].get<int64_t>(), Expected("x", "dbl"));
}

TEST_F(DuplicatesTest, StringsMatchGroupBy) {
  ASSERT_OK(conn_->Execute(
      "CREATE TABLE strs AS SELECT CASE WHEN i % 50 = 0 THEN NULL ELSE "
      "'value-' || (hash(i) % 300000)::VARCHAR || repeat('x', (i % 20)::INTEGER) END "
      "AS s FROM range(400000) r(i)"));
  Json d = Duplicates("s", "strs", 5);
  EXPECT_EQ(d["unexpected"].get<int64_t>(), Expected("s", "strs"));
  ExpectSampleIsDuplicated(d, "s", "strs", 5);
  // The empty string is a value like any other.
  EXPECT_EQ(Duplicates("s", "(VALUES (''), (''), ('a'), (NULL)) t(s)")["unexpected"], 2);
}

TEST_F(DuplicatesTest, WithRowNumbersTheSampleIsTheSmallestRows) {
  // The third argument ranks the sample (here: the last rows first), and comes back.
  for (const char* values :
       {"(5), (2), (2), (NULL), (3), (0), (3), (0), (3), (4)",
        "('5'), ('2'), ('2'), (NULL), ('3'), ('0'), ('3'), ('0'), ('3'), ('4')"}) {
    ASSERT_OK_AND_ASSIGN(
        DataFrame df,
        conn_->Collect(std::string("SELECT to_json(strata_duplicates(x, 3, 100 - r)) FROM (SELECT "
                                   "x, row_number() OVER () AS r FROM (VALUES ") +
                       values + ") t(x))"));
    Json d = Json::parse(std::string(df.column(0).GetString(0)));
    EXPECT_EQ(d["unexpected"], 7);
    EXPECT_EQ(d["rows"], Json::parse("[91, 92, 93]")) << values;  // rows 9, 8, 7
    Json want = values[1] == '\'' ? Json::parse(R"(["3", "0", "3"])") : Json::parse("[3, 0, 3]");
    EXPECT_EQ(d["sample"], want) << values;
  }
}

TEST_F(DuplicatesTest, FilterAndGroupBy) {
  ASSERT_OK_AND_ASSIGN(DataFrame df,
                       conn_->Collect("SELECT g, (strata_duplicates(x, 5) FILTER (WHERE x > 0))"
                                      ".unexpected FROM (VALUES (1, 1), (1, 1), (1, 0), (1, 0), "
                                      "(2, 5), (2, 6)) t(g, x) GROUP BY g ORDER BY g"));
  ASSERT_EQ(df.num_rows(), 2u);
  EXPECT_EQ(df.column(1).GetInt64(0), 2);
  EXPECT_EQ(df.column(1).GetInt64(1), 0);
}

TEST_F(DuplicatesTest, NegativeSampleSizeIsAnError) {
  auto df = conn_->Collect("SELECT strata_duplicates(x, -1) FROM (VALUES (1)) t(x)");
  ASSERT_FALSE(df.ok());
  EXPECT_NE(df.status().message().find("k must not be negative"), std::string::npos)
      << df.status().message();
}

}  // namespace
}  // namespace strata::engine
