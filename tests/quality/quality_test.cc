#include "strata/quality.h"

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "quality/expectation.h"
#include "strata/events.h"
#include "test_util.h"

namespace strata::quality {
namespace {

using Json = nlohmann::json;

class QualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Session::Open();
    ASSERT_OK(s.status());
    session_ = *s;
  }
  Frame Data() {
    return session_->sql(
        "SELECT * FROM (VALUES (1, 'a', 0.5, 10), (2, 'b', 1.5, 20), (2, NULL, NULL, 30), (4, 'd', "
        "0.25, NULL)) "
        "t(id, name, score, amount)");
  }
  std::shared_ptr<Session> session_;
};

TEST_F(QualityTest, SeedSuiteCountsMatchSql) {
  testing::TempDir tmp;
  std::string path = tmp / "events.csv";
  ASSERT_OK(WriteEventsFile({200000, 42, true}, path));
  Suite suite("seed");
  suite.expect_column_values_to_not_be_null("feature_id")
      .expect_column_values_to_be_between("normalized_value", 0, 1)
      .expect_column_values_to_be_unique("sample_id");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(session_->scan_csv({path}), suite));
  EXPECT_FALSE(r.success);
  ASSERT_OK_AND_ASSIGN(
      DataFrame want,
      session_
          ->sql("SELECT count(*) - count(feature_id), count(*) FILTER (WHERE normalized_value < 0 "
                "OR normalized_value > 1), (SELECT sum(n) FROM (SELECT count(*) n FROM read_csv('" +
                path + "') GROUP BY sample_id HAVING count(*) > 1)) FROM read_csv('" + path + "')")
          .collect());
  EXPECT_EQ(r.results[0].unexpected_count, want.column(0).GetInt64(0));
  EXPECT_EQ(r.results[1].unexpected_count, want.column(1).GetInt64(0));
  EXPECT_EQ(r.results[2].unexpected_count, static_cast<int64_t>(want.column(2).GetDouble(0)));
  EXPECT_GT(r.results[0].unexpected_count, 0);
  EXPECT_EQ(r.scans, 1) << "counts and unexpected samples come from one scan";
  EXPECT_EQ(r.results[1].partial_unexpected.size(), 20u);
  // Clean data passes.
  ASSERT_OK(WriteEventsFile({20000, 42, false}, tmp / "clean.csv"));
  ASSERT_OK_AND_ASSIGN(ValidationResult clean,
                       Validate(session_->scan_csv({tmp / "clean.csv"}), suite));
  EXPECT_TRUE(clean.success);
  EXPECT_EQ(clean.scans, 1);
}

TEST_F(QualityTest, ResultShapeFollowsGreatExpectations) {
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"({"column": "score", "min_value": 0, "max_value": 1})");
  suite.Add("expect_column_mean_to_be_between",
            R"({"column": "amount", "min_value": 15, "max_value": 25})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  Json doc = Json::parse(r.ToJson());
  EXPECT_EQ(doc["success"], false);
  EXPECT_EQ(doc["statistics"]["evaluated_expectations"], 2);
  EXPECT_EQ(doc["statistics"]["successful_expectations"], 1);
  EXPECT_EQ(doc["statistics"]["success_percent"], 50.0);
  const Json& map = doc["results"][0];
  EXPECT_EQ(map["expectation_config"]["type"], "expect_column_values_to_be_between");
  EXPECT_EQ(map["result"]["element_count"], 4);
  EXPECT_EQ(map["result"]["missing_count"], 1);
  EXPECT_EQ(map["result"]["missing_percent"], 25.0);
  EXPECT_EQ(map["result"]["unexpected_count"], 1);
  EXPECT_NEAR(map["result"]["unexpected_percent"].get<double>(), 100.0 / 3, 1e-9);
  EXPECT_EQ(map["result"]["unexpected_percent_total"], 25.0);
  EXPECT_EQ(map["result"]["partial_unexpected_list"], Json::array({1.5}));
  EXPECT_EQ(map["exception_info"]["raised_exception"], false);
  EXPECT_EQ(doc["results"][1]["result"]["observed_value"], 20.0);
  EXPECT_EQ(doc["results"][1]["success"], true);
}

TEST_F(QualityTest, MostlyAndResultFormats) {
  Suite suite;
  suite.Add(
      "expect_column_values_to_be_in_set",
      R"({"column": "name", "value_set": ["a", "b"], "mostly": 0.6, "result_format": "COMPLETE"})");
  suite.Add("expect_column_values_to_be_in_set",
            R"({"column": "name", "value_set": ["a", "b"], "result_format": "BOOLEAN_ONLY"})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  Json complete = Json::parse(r.results[0].json);
  EXPECT_EQ(complete["success"], true) << "2 of 3 non-null values are in the set: 0.67 >= 0.6";
  EXPECT_EQ(complete["result"]["unexpected_list"], Json::array({"d"}));
  EXPECT_EQ(complete["result"]["unexpected_index_list"][0]["pk_index"], 3);
  EXPECT_EQ(complete["result"]["partial_unexpected_counts"][0]["count"], 1);
  Json boolean = Json::parse(r.results[1].json);
  EXPECT_EQ(boolean["success"], false);
  EXPECT_TRUE(boolean["result"].empty());
}

TEST_F(QualityTest, MissingColumnFailsOnlyThatExpectation) {
  Suite suite;
  suite.Add("expect_column_values_to_not_be_null", R"({"column": "nope"})");
  suite.Add("expect_column_values_to_not_be_null", R"({"column": "id"})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  EXPECT_FALSE(r.results[0].success);
  EXPECT_TRUE(r.results[0].raised_exception);
  EXPECT_NE(r.results[0].exception_message.find("column \"nope\" is not in the data"),
            std::string::npos);
  EXPECT_TRUE(r.results[1].success);
  EXPECT_FALSE(r.success);
}

TEST_F(QualityTest, AnExpectationThatErrorsFailsAloneAndTheRestRunTogether) {
  // 20 good expectations around three that error: one DuckDB finds when binding (a date
  // compared with a boolean) and two it finds only while running (an integer column
  // compared with text that is not a number; a row_condition doing the same).
  Frame data = session_->sql(
      "SELECT range AS n, CAST(range AS VARCHAR) AS t, CASE WHEN range = 7 THEN 'abc' ELSE "
      "CAST(range AS VARCHAR) END AS y, DATE '2026-01-01' + CAST(range AS INTEGER) AS d, "
      "range % 2 = 0 AS b FROM range(10)");
  Suite suite;
  for (int i = 0; i < 10; ++i)
    suite.Add("expect_column_values_to_be_between", R"({"column": "n", "min_value": 0})");
  suite.Add("expect_column_pair_values_a_to_be_greater_than_b",
            R"({"column_A": "d", "column_B": "b"})");
  for (int i = 0; i < 5; ++i)
    suite.Add("expect_column_values_to_not_be_null", R"({"column": "t"})");
  suite.Add("expect_column_pair_values_to_be_equal", R"({"column_A": "n", "column_B": "y"})");
  suite.Add("expect_column_values_to_be_in_set",
            R"({"column": "n", "value_set": [9], "row_condition": "y == 9",
                "condition_parser": "pandas"})");
  for (int i = 0; i < 5; ++i)
    suite.Add("expect_column_max_to_be_between", R"({"column": "n", "max_value": 9})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  ASSERT_EQ(r.results.size(), 23u);
  for (size_t i = 0; i < r.results.size(); ++i) {
    const bool bad = i == 10 || i == 16 || i == 17;
    EXPECT_EQ(r.results[i].raised_exception, bad) << i << ": " << r.results[i].exception_message;
    EXPECT_EQ(r.results[i].success, !bad) << i;
    Json j = Json::parse(r.results[i].json);
    EXPECT_EQ(j["exception_info"]["raised_exception"], bad) << i;
    if (bad) EXPECT_TRUE(j["exception_info"]["exception_message"].is_string()) << i;
  }
  EXPECT_NE(r.results[16].exception_message.find("abc"), std::string::npos)
      << r.results[16].exception_message;
  // The failed scan, then halving down to the two runtime failures (about 2 log2 n scans
  // each): fewer than one scan per expectation (16 here, for 23).
  EXPECT_LT(r.scans, 23) << r.scans;
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.successful, 20);
  // With catch_exceptions false the error is the validation's.
  Suite strict;
  strict.Add("expect_column_values_to_not_be_null", R"({"column": "t"})");
  strict.Add("expect_column_pair_values_to_be_equal",
             R"({"column_A": "n", "column_B": "y", "catch_exceptions": false})");
  auto failed = Validate(data, strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("expectation 1 (expect_column_pair_values_to_be_equal)"),
            std::string::npos)
      << failed.status().message();
}

TEST_F(QualityTest, SuiteParametersAreEvaluatedAsGreatExpectationsDoes) {
  Frame data = session_->sql(
      "SELECT * FROM (VALUES (5, TIMESTAMP '2024-03-01 10:00:00'), (7, TIMESTAMP '2024-06-01 "
      "00:00:00')) t(n, ts)");
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"js({"column": "n", "min_value": {"$PARAMETER": "lo"},
                "max_value": {"$PARAMETER": "lo * 2 - 3"}})js");
  suite.Add(
      "expect_column_max_to_be_between",
      R"js({"column": "ts", "min_value": {"$PARAMETER": "datetime(2024, 1, 1) + timedelta(weeks=20)"},
                "max_value": {"$PARAMETER": "now() - timedelta(days=1)"}})js");
  suite.Add("expect_column_values_to_be_in_set",
            R"js({"column": "n", "value_set": {"$PARAMETER": "allowed"}})js");
  suite.Add(
      "expect_column_min_to_be_between",
      R"js({"column": "ts", "max_value": {"$PARAMETER": "since - timedelta(hours=1, minutes=30)"}})js");
  ValidateOptions options;
  options.parameters = {{"lo", "5"}, {"allowed", "[5, 7]"}, {"since", "2024-03-01T12:00:00"}};
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite, options));
  for (const auto& e : r.results) EXPECT_TRUE(e.success) << e.json;
  Json k0 = Json::parse(r.results[0].json)["expectation_config"]["kwargs"];
  EXPECT_EQ(k0["min_value"], 5);
  EXPECT_EQ(k0["max_value"], 7);
  Json k1 = Json::parse(r.results[1].json)["expectation_config"]["kwargs"];
  EXPECT_EQ(k1["min_value"], "2024-05-20 00:00:00");
  Json k3 = Json::parse(r.results[3].json)["expectation_config"]["kwargs"];
  EXPECT_EQ(k3["max_value"], "2024-03-01 10:30:00");

  // An undefined parameter names itself and the expectation; forms GE would not evaluate
  // are errors, never evaluated.
  auto undefined = Validate(data, [] {
    Suite s;
    s.Add("expect_table_row_count_to_be_between", R"js({"min_value": {"$PARAMETER": "rows"}})js");
    return s;
  }());
  ASSERT_FALSE(undefined.ok());
  EXPECT_NE(undefined.status().message().find(
                "expectation 0 (expect_table_row_count_to_be_between): suite parameter 'rows' "
                "is not defined"),
            std::string::npos)
      << undefined.status().message();
  for (const char* bad :
       {"__import__('os').system('true')", "open('/etc/hostname')", "now().year", "lambda: 1",
        "lo if lo else 1", "now() + 1", "datetime(2023, 2, 29)", "timedelta(days=1)", "1 / 0",
        "now() - timedelta(weeks=99999999999999999999)"}) {
    Suite s;
    s.Add("expect_table_row_count_to_be_between",
          Json{{"min_value", {{"$PARAMETER", bad}}}}.dump());
    auto result = Validate(data, s, options);
    EXPECT_FALSE(result.ok()) << bad;
    if (!result.ok()) {
      EXPECT_NE(result.status().message().find("expectation 0"), std::string::npos)
          << bad << ": " << result.status().message();
    }
  }
}

TEST_F(QualityTest, ColumnPairValuesInSetAndMulticolumnUnique) {
  // GE's own data for these: x 1..10, z 1..5 then missing; a, b with repeats.
  Frame data = session_->sql(
      "SELECT * FROM (VALUES (1, 1, 1, 1), (2, 2, 1, 2), (3, 3, 1, 1), (4, 4, 1, 2), (5, 5, 1, 1), "
      "(6, NULL, 2, 2), (7, NULL, 2, 1), (8, NULL, 2, 2), (9, NULL, 2, 1), (10, NULL, NULL, "
      "NULL)) t(x, z, a, b)");
  Suite suite;
  const std::string pairs = R"js([[1,1],[2,2],[3,3],[4,4],[5,5]])js";
  suite.Add("expect_column_pair_values_to_be_in_set",
            R"js({"column_A": "x", "column_B": "z", "value_pairs_set": )js" + pairs +
                R"js(, "result_format": "COMPLETE"})js");
  suite.Add("expect_column_pair_values_to_be_in_set",
            R"js({"column_A": "x", "column_B": "z", "ignore_row_if": "either_value_is_missing",
                 "value_pairs_set": )js" +
                pairs + "}");
  suite.Add(
      "expect_column_pair_values_to_be_in_set",
      R"js({"column_A": "a", "column_B": "b", "value_pairs_set": [[1,1],[2,2],[2,1],[1,2]]})js");
  suite.Add("expect_column_pair_values_to_be_in_set",
            R"js({"column_A": "x", "column_B": "z", "value_pairs_set": )js" + pairs +
                R"js(, "mostly": 0.5})js");
  suite.Add("expect_multicolumn_values_to_be_unique",
            R"js({"column_list": ["a", "b"], "result_format": "COMPLETE"})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_FALSE(r.results[0].success);
  Json r0 = Json::parse(r.results[0].json)["result"];
  EXPECT_EQ(r0["unexpected_count"], 5);
  EXPECT_EQ(r0["unexpected_list"][0], Json::parse("[6, null]"));
  EXPECT_TRUE(r.results[1].success) << r.results[1].json;
  EXPECT_TRUE(r.results[2].success) << r.results[2].json;
  EXPECT_TRUE(r.results[3].success) << r.results[3].json;  // 5 of 10 with mostly 0.5
  EXPECT_FALSE(r.results[4].success);
  Json r4 = Json::parse(r.results[4].json)["result"];
  EXPECT_EQ(r4["unexpected_count"], 5);  // rows 0, 2, 4, 5, 7 repeat a value within the row
  std::vector<int64_t> rows;
  for (const Json& e : r4["unexpected_index_list"]) rows.push_back(e["pk_index"].get<int64_t>());
  EXPECT_EQ(rows, (std::vector<int64_t>{0, 2, 4, 5, 7}));
  EXPECT_EQ(r4["missing_count"], 1);
  EXPECT_EQ(r.scans, 1);
}

TEST_F(QualityTest, UnexpectedRowsQueryAndRowCountOfAnotherTable) {
  ASSERT_OK(session_->database()->Connect().value()->Execute(
      "CREATE TABLE four AS SELECT range AS c1 FROM range(4); "
      "CREATE TABLE three AS SELECT range AS c1 FROM range(3)"));
  Frame data =
      session_->sql("SELECT * FROM (VALUES (4, 'a'), (5, 'b'), (6, 'c'), (7, 'd')) t(c1, c2)");
  Suite suite;
  suite.Add("unexpected_rows_expectation",
            R"js({"unexpected_rows_query": "SELECT * FROM {batch} WHERE c1 > 8"})js");
  suite.Add("unexpected_rows_expectation",
            R"js({"unexpected_rows_query": "SELECT c2 FROM {batch} WHERE c1 >= 6 ORDER BY c1"})js");
  suite.Add(
      "unexpected_rows_expectation",
      R"js({"unexpected_rows_query": "SELECT b.c1 FROM {batch} AS b JOIN {batch} AS o ON b.c1 = o.c1 + 3"})js");
  suite.Add("expect_table_row_count_to_equal_other_table", R"js({"other_table_name": "four"})js");
  suite.Add("expect_table_row_count_to_equal_other_table", R"js({"other_table_name": "three"})js");
  suite.Add("expect_table_row_count_to_equal_other_table",
            R"js({"other_table_name": "nowhere"})js");
  suite.Add("expect_column_values_to_not_be_null", R"js({"column": "c1"})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  Json j0 = Json::parse(r.results[0].json)["result"];
  EXPECT_TRUE(r.results[0].success);
  EXPECT_EQ(j0["observed_value"], "0 unexpected rows");
  Json j1 = Json::parse(r.results[1].json)["result"];
  EXPECT_FALSE(r.results[1].success);
  EXPECT_EQ(j1["observed_value"], "2 unexpected rows");
  EXPECT_EQ(j1["details"]["unexpected_rows"], Json::parse(R"([{"c2": "c"}, {"c2": "d"}])"));
  EXPECT_EQ(Json::parse(r.results[2].json)["result"]["observed_value"], "1 unexpected row");
  Json j3 = Json::parse(r.results[3].json)["result"];
  EXPECT_TRUE(r.results[3].success);
  EXPECT_EQ(j3["observed_value"], Json::parse(R"({"self": 4, "other": 4})"));
  EXPECT_FALSE(r.results[4].success);
  EXPECT_EQ(Json::parse(r.results[4].json)["result"]["observed_value"]["other"], 3);
  EXPECT_TRUE(r.results[5].raised_exception);
  EXPECT_NE(r.results[5].exception_message.find("nowhere"), std::string::npos);
  EXPECT_TRUE(r.results[6].success);
  EXPECT_EQ(r.scans, 1);

  // A query that is not one SELECT, or that tries to reshape the suite's query, fails
  // alone; one without {batch} is a configuration error.
  Suite hostile;
  hostile.Add(
      "unexpected_rows_expectation",
      R"js({"unexpected_rows_query": "SELECT * FROM {batch}) AS _u), 42 AS x, (SELECT 1"})js");
  hostile.Add("unexpected_rows_expectation",
              R"js({"unexpected_rows_query": "SELECT * FROM {batch}; DROP TABLE four"})js");
  hostile.Add("expect_column_values_to_not_be_null", R"js({"column": "c1"})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult h, Validate(data, hostile));
  EXPECT_TRUE(h.results[0].raised_exception) << h.results[0].json;
  EXPECT_TRUE(h.results[1].raised_exception) << h.results[1].json;
  EXPECT_TRUE(h.results[2].success);
  EXPECT_OK(session_->sql("SELECT * FROM four").collect().status());
  Suite no_batch;
  no_batch.Add("unexpected_rows_expectation", R"js({"unexpected_rows_query": "SELECT 1"})js");
  EXPECT_FALSE(Validate(data, no_batch).ok());
}

TEST_F(QualityTest, DateutilParseableFollowsDateutil) {
  // What dateutil.parser.parse reads (it is lenient: 2019-13-01 is 13 January), and what
  // it refuses.
  for (const char* ok : {"2019-04-01",
                         "01/01/2010",
                         "2019-04-13T12:30:00Z",
                         "Jan 5 2020",
                         "5 January 2020",
                         "January 1st, 2018",
                         "Thu Sep 25 10:36:28 BRST 2003",
                         "20180101",
                         "20180101123000",
                         "2003.09.25",
                         "10:30",
                         "10:30:15.25",
                         "3 pm",
                         "2024-03-01 12:00:00+05:30",
                         "Monday",
                         "12/31/99",
                         "31/12/2024",
                         "2019-13-01",
                         "Sept 9, 2021",
                         "2018",
                         "2003-09-25T10:49:41.5-03:00"}) {
    EXPECT_TRUE(detail::DateutilParseable(ok)) << ok;
  }
  for (const char* bad : {"cat", "", "  ", "2019-04-31", "Feb 30 2021", "25:00", "12:61", "1 2 3 4",
                          "2019-04-01 #1", "now", "tomorrow", "13 pm", "2021-02-29"}) {
    EXPECT_FALSE(detail::DateutilParseable(bad)) << bad;
  }
  // GE's own cases: text columns with and without nulls, words, and a number column.
  Frame data = session_->sql(
      "SELECT * FROM (VALUES ('2019-04-01', '01/01/2010', 'cat', 1), ('2019-04-02', "
      "'01/01/2011', 'dog', 2), ('2019-04-03', '01/01/2012', 'horse', 3), ('2019-04-13', NULL, "
      "'goat', 4)) t(a, b, c, d)");
  Suite suite;
  for (const char* c : {"a", "b", "c", "d"})
    suite.Add("expect_column_values_to_be_dateutil_parseable",
              Json{{"column", c}, {"result_format", "COMPLETE"}}.dump());
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_TRUE(r.results[0].success) << r.results[0].json;
  EXPECT_TRUE(r.results[1].success) << r.results[1].json;
  EXPECT_FALSE(r.results[2].success);
  EXPECT_EQ(r.results[2].unexpected_count, 4);
  EXPECT_TRUE(r.results[3].raised_exception);
  EXPECT_NE(r.results[3].exception_message.find("must be of type string"), std::string::npos);
  // Quarantine takes it too.
  Suite rows;
  rows.Add("expect_column_values_to_be_dateutil_parseable", R"js({"column": "c"})js");
  ASSERT_OK_AND_ASSIGN(Quarantine q, Split(data, rows));
  ASSERT_OK_AND_ASSIGN(DataFrame bad, q.failed.collect());
  EXPECT_EQ(bad.num_rows(), 4u);
}

TEST_F(QualityTest, JsonSchemaChecksEachValue) {
  Frame data = session_->sql(
      "SELECT * FROM (VALUES ('{\"a\": 1}'), ('{\"a\": \"x\"}'), ('{}'), ('not json'), (NULL)) "
      "t(j)");
  Suite suite;
  suite.Add(
      "expect_column_values_to_match_json_schema",
      R"js({"column": "j", "json_schema": {"type": "object", "properties": {"a": {"type": "integer"}},
                 "required": ["a"]}, "result_format": "COMPLETE"})js");
  suite.Add("expect_column_values_to_match_json_schema",
            R"js({"column": "j", "json_schema": {"type": "object"}, "mostly": 0.7})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  Json r0 = Json::parse(r.results[0].json)["result"];
  EXPECT_FALSE(r.results[0].success);
  EXPECT_EQ(r0["unexpected_count"], 3);  // a string, a missing a, not JSON
  EXPECT_EQ(r0["unexpected_list"], Json::parse(R"(["{\"a\": \"x\"}", "{}", "not json"])"));
  EXPECT_EQ(r0["missing_count"], 1);
  EXPECT_TRUE(r.results[1].success) << r.results[1].json;  // 3 of 4 are objects
  Suite bad;
  bad.Add("expect_column_values_to_match_json_schema",
          R"js({"column": "j", "json_schema": {"type": 12}})js");
  auto refused = Validate(data, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("json_schema"), std::string::npos)
      << refused.status().message();
}

TEST_F(QualityTest, RowConditionLimitsTheRows) {
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"({"column": "score", "min_value": 0, "max_value": 1, "row_condition": "id <> 2"})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  EXPECT_TRUE(r.success);
  EXPECT_EQ(Json::parse(r.results[0].json)["result"]["element_count"], 2);

  // Uniqueness only among the rows the condition keeps: id 2 repeats, but only once
  // with a name.
  Suite unique;
  unique.Add("expect_column_values_to_be_unique",
             R"({"column": "id", "row_condition": "name IS NOT NULL"})");
  unique.Add("expect_column_values_to_be_unique", R"({"column": "id"})");
  ASSERT_OK_AND_ASSIGN(ValidationResult u, Validate(Data(), unique));
  EXPECT_TRUE(u.results[0].success) << u.ToText();
  EXPECT_EQ(Json::parse(u.results[0].json)["result"]["element_count"], 3);
  EXPECT_FALSE(u.results[1].success);
  EXPECT_EQ(u.results[1].unexpected_count, 2);
}

TEST_F(QualityTest, ManyExpectationsOneScan) {
  Suite suite;
  for (const char* c : {"id", "name", "score", "amount"}) {
    suite.Add("expect_column_values_to_not_be_null", Json{{"column", c}, {"mostly", 0.5}}.dump());
    suite.Add("expect_column_unique_value_count_to_be_between",
              Json{{"column", c}, {"min_value", 1}}.dump());
  }
  suite.Add("expect_table_row_count_to_be_between", R"({"min_value": 1, "max_value": 10})");
  suite.Add("expect_column_values_to_match_regex", R"({"column": "name", "regex": "^[a-d]$"})");
  suite.Add("expect_column_max_to_be_between", R"({"column": "amount", "max_value": 30})");
  suite.Add("expect_table_columns_to_match_ordered_list",
            R"({"column_list": ["id", "name", "score", "amount"]})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  EXPECT_TRUE(r.success) << r.ToText();
  EXPECT_EQ(r.scans, 1);
  EXPECT_EQ(r.evaluated, 12);
}

TEST_F(QualityTest, BadSuitesNameTheProblem) {
  Suite unknown;
  unknown.Add("expect_column_values_to_be_betwen", R"({"column": "x"})");
  Status st = unknown.Check();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("unknown expectation type 'expect_column_values_to_be_betwen'"),
            std::string::npos);
  EXPECT_NE(st.message().find("expect_column_values_to_be_between"), std::string::npos)
      << st.message();
  Suite missing;
  missing.Add("expect_column_values_to_not_be_null", "{}");
  missing.Add("expect_column_values_to_be_between",
              R"({"column": "x", "min_value": "zero", "max_value": [1]})");
  st = missing.Check();
  EXPECT_NE(st.message().find(
                "expectation 0 (expect_column_values_to_not_be_null): missing kwarg 'column'"),
            std::string::npos)
      << st.message();
  Suite typed;
  typed.Add("expect_column_values_to_be_between",
            R"({"column": "x", "min_value": 0, "max_value": [1]})");
  st = typed.Check();
  EXPECT_NE(
      st.message().find("expectation 0 (expect_column_values_to_be_between): kwarg 'max_value'"),
      std::string::npos)
      << st.message();
  auto bad_json = Suite::FromJson(
      "{\n  \"expectations\": [\n    {\"expectation_type\": oops}\n  ]\n}", "suite.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("suite.json line 3, column"), std::string::npos)
      << bad_json.status().message();
  auto bad_yaml = Suite::FromYaml(
      "expectations:\n  - expectation_type: x\n    kwargs: {column: [1, 2\n", "s.yaml");
  ASSERT_FALSE(bad_yaml.ok());
  EXPECT_NE(bad_yaml.status().message().find("s.yaml line"), std::string::npos)
      << bad_yaml.status().message();
}

TEST_F(QualityTest, JsonAndYamlSuitesAreTheSame) {
  const std::string json = R"({"expectation_suite_name": "s", "expectations": [
      {"expectation_type": "expect_column_values_to_be_between",
       "kwargs": {"column": "score", "min_value": 0, "max_value": 2, "mostly": 0.9}, "meta": {}},
      {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "name", "value_set": ["a", "b", "d"]}}]})";
  const std::string yaml =
      "name: s\nexpectations:\n  - expectation_type: expect_column_values_to_be_between\n"
      "    kwargs: {column: score, min_value: 0, max_value: 2, mostly: 0.9}\n"
      "  - type: expect_column_values_to_be_in_set\n    kwargs:\n      column: name\n      "
      "value_set: [a, b, d]\n";
  ASSERT_OK_AND_ASSIGN(Suite a, Suite::FromJson(json));
  ASSERT_OK_AND_ASSIGN(Suite b, Suite::FromYaml(yaml));
  ASSERT_EQ(a.expectations().size(), 2u);
  ASSERT_EQ(b.expectations().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.expectations()[i].type, b.expectations()[i].type);
    EXPECT_EQ(Json::parse(a.expectations()[i].kwargs_json),
              Json::parse(b.expectations()[i].kwargs_json));
  }
  ASSERT_OK_AND_ASSIGN(Suite round, Suite::FromYaml(a.ToYaml()));
  EXPECT_EQ(Json::parse(round.expectations()[1].kwargs_json),
            Json::parse(a.expectations()[1].kwargs_json));
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), b));
  EXPECT_TRUE(r.success) << r.ToText();
}

TEST_F(QualityTest, QuarantineSplitsRows) {
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"({"column": "score", "min_value": 0, "max_value": 1})");
  suite.Add("expect_column_values_to_be_unique", R"({"column": "id"})");
  suite.Add("expect_table_row_count_to_be_between", R"({"min_value": 1})");
  ASSERT_OK_AND_ASSIGN(Quarantine q, Split(Data(), suite));
  ASSERT_OK_AND_ASSIGN(DataFrame passed, q.passed.sort({"id"}).collect());
  ASSERT_OK_AND_ASSIGN(DataFrame failed, q.failed.sort({"amount"}).collect());
  EXPECT_EQ(passed.num_rows(), 2u);
  EXPECT_EQ(passed.column_names(), (std::vector<std::string>{"id", "name", "score", "amount"}));
  ASSERT_EQ(failed.num_rows(), 2u);
  ASSERT_OK_AND_ASSIGN(const Column* why, failed.column("failed_expectations"));
  EXPECT_EQ(
      why->GetString(0),
      "['expect_column_values_to_be_between(score)', 'expect_column_values_to_be_unique(id)']");
  EXPECT_EQ(why->GetString(1), "['expect_column_values_to_be_unique(id)']");
}

TEST_F(QualityTest, UniqueCountsAgreeWhicheverWayTheyAreComputed) {
  // BASIC and SUMMARY count with strata_duplicates; COMPLETE and quarantine with a
  // window. All must agree, on integers, doubles and strings, nulls skipped; SUMMARY's
  // first 20 unexpected rows are COMPLETE's first 20.
  Frame data = session_->sql(
      "SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i % 500 END AS n, (i % 300) / 4 AS d, "
      "'s' || (i % 800)::VARCHAR AS s FROM range(1000) r(i)");
  for (const char* column : {"n", "d", "s"}) {
    Suite suite;
    suite.Add("expect_column_values_to_be_unique", Json{{"column", column}}.dump());
    ValidateOptions basic, summary, complete;
    summary.result_format = ResultFormat::kSummary;
    complete.result_format = ResultFormat::kComplete;
    ASSERT_OK_AND_ASSIGN(ValidationResult a, Validate(data, suite, basic));
    ASSERT_OK_AND_ASSIGN(ValidationResult b, Validate(data, suite, summary));
    ASSERT_OK_AND_ASSIGN(ValidationResult c, Validate(data, suite, complete));
    ASSERT_OK_AND_ASSIGN(Quarantine q, Split(data, suite));
    ASSERT_OK_AND_ASSIGN(DataFrame failed, q.failed.collect());
    const int64_t n = a.results[0].unexpected_count;
    EXPECT_GT(n, 20) << column;
    EXPECT_EQ(b.results[0].unexpected_count, n) << column;
    EXPECT_EQ(c.results[0].unexpected_count, n) << column;
    EXPECT_EQ(static_cast<int64_t>(failed.num_rows()), n) << column;
    EXPECT_EQ(a.results[0].partial_unexpected.size(), 20u) << column;
    Json summary_result = Json::parse(b.results[0].json)["result"];
    Json complete_result = Json::parse(c.results[0].json)["result"];
    ASSERT_EQ(complete_result["unexpected_index_list"].size(), static_cast<size_t>(n));
    for (size_t i = 0; i < 20; ++i) {
      EXPECT_EQ(summary_result["partial_unexpected_index_list"][i],
                complete_result["unexpected_index_list"][i])
          << column << " " << i;
      EXPECT_EQ(summary_result["partial_unexpected_list"][i], complete_result["unexpected_list"][i])
          << column << " " << i;
    }
  }
}

TEST_F(QualityTest, NonFiniteDoublesAreReportedNotLost) {
  Frame data = session_->sql(
      "SELECT * FROM (VALUES (1.5::DOUBLE), ('nan'::DOUBLE), ('inf'::DOUBLE), (0.5), "
      "('nan'::DOUBLE)) t(x)");
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"({"column": "x", "min_value": 0, "max_value": 1})");
  suite.Add("expect_column_values_to_be_unique", R"({"column": "x"})");
  suite.Add("expect_column_max_to_be_between", R"({"column": "x", "max_value": 1})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_EQ(r.results[0].unexpected_count, 4);  // NaN sorts above every number in SQL
  EXPECT_EQ(r.results[1].unexpected_count, 2);
  EXPECT_EQ(r.results[1].partial_unexpected, (std::vector<std::string>{"\"NaN\"", "\"NaN\""}));
  EXPECT_FALSE(r.results[2].success);
  EXPECT_EQ(r.results[2].observed_value, "\"NaN\"");
  EXPECT_NO_THROW(Json::parse(r.ToJson()));
}

TEST_F(QualityTest, ProfileWritesASuiteTheDataPasses) {
  testing::TempDir tmp;
  ASSERT_OK(WriteEventsFile({5000, 7, true}, tmp / "e.csv"));
  Frame data = session_->scan_csv({tmp / "e.csv"});
  ASSERT_OK_AND_ASSIGN(Suite suite, Profile(data));
  EXPECT_GT(suite.expectations().size(), 15u);
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_TRUE(r.success) << r.ToText();
  ASSERT_OK_AND_ASSIGN(Suite again, Suite::FromYaml(suite.ToYaml()));
  ASSERT_OK_AND_ASSIGN(ValidationResult r2, Validate(data, again));
  EXPECT_TRUE(r2.success);
}

TEST_F(QualityTest, ProfileLeavesMarginsForTheNextBatch) {
  // Two batches of the same source (the same generator, other seeds). With exact minima and
  // maxima the second fails some ranges; with the default 10 % margin it passes them all.
  testing::TempDir tmp;
  ASSERT_OK(WriteEventsFile({20000, 7, true}, tmp / "monday.csv"));
  ASSERT_OK(WriteEventsFile({20000, 8, true}, tmp / "tuesday.csv"));
  Frame monday = session_->scan_csv({tmp / "monday.csv"});
  Frame tuesday = session_->scan_csv({tmp / "tuesday.csv"});
  ProfileOptions exact;
  exact.margin = 0;
  ASSERT_OK_AND_ASSIGN(Suite tight, Profile(monday, exact));
  ASSERT_OK_AND_ASSIGN(ValidationResult strict, Validate(tuesday, tight));
  EXPECT_FALSE(strict.success) << "exact bounds should not fit another batch";
  ASSERT_OK_AND_ASSIGN(Suite suite, Profile(monday));
  ASSERT_OK_AND_ASSIGN(ValidationResult next, Validate(tuesday, suite));
  EXPECT_TRUE(next.success) << next.ToText();
  for (const Expectation& e : suite.expectations()) {
    if (e.type == "expect_column_values_to_be_of_type" ||
        e.type == "expect_table_columns_to_match_ordered_list")
      continue;
    auto meta = Json::parse(e.meta_json);
    EXPECT_EQ(meta.value("profiler", ""), "strata") << e.type;
    EXPECT_FALSE(meta.value("derived", "").empty()) << e.type << " " << e.kwargs_json;
  }
  // The YAML keeps the meta.
  EXPECT_NE(suite.ToYaml().find("widened by 10% of the span each side"), std::string::npos);
  // A column of 100 categories over 20,000 rows is no set; a column of 3 over 60 rows is.
  bool category_set = false;
  for (const Expectation& e : suite.expectations()) {
    if (e.type == "expect_column_values_to_be_in_set" &&
        Json::parse(e.kwargs_json)["column"] == "category")
      category_set = true;
  }
  EXPECT_FALSE(category_set);
  Frame few = session_->sql(
      "SELECT CASE range % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS k FROM range(60)");
  ASSERT_OK_AND_ASSIGN(Suite small, Profile(few));
  EXPECT_NE(small.ToJson().find("expect_column_values_to_be_in_set"), std::string::npos);
  Frame sparse = session_->sql("SELECT 'v' || range AS k FROM range(15)");
  ASSERT_OK_AND_ASSIGN(Suite none, Profile(sparse));
  EXPECT_EQ(none.ToJson().find("expect_column_values_to_be_in_set"), std::string::npos)
      << "15 values seen once each are a sample, not categories";
}

TEST_F(QualityTest, ProfileFindsUniqueColumnsAndSmallSets) {
  Frame data = session_->sql(
      "SELECT i AS id, 'u' || i::VARCHAR AS code, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND "
      "AS at, DATE '2026-01-01' + (i % 7)::INTEGER AS day, ['red', 'green', 'blue'][i % 3 + 1] "
      "AS color, i % 1000 AS bucket, (i // 3)::DOUBLE AS half FROM range(50000) r(i)");
  ASSERT_OK_AND_ASSIGN(Suite suite, Profile(data));
  std::set<std::string> unique, sets;
  for (const auto& e : suite.expectations()) {
    Json k = Json::parse(e.kwargs_json);
    if (e.type == "expect_column_values_to_be_unique") unique.insert(k["column"]);
    if (e.type == "expect_column_values_to_be_in_set") {
      sets.insert(k["column"]);
      if (k["column"] == "color")
        EXPECT_EQ(k["value_set"], Json::parse(R"(["blue", "green", "red"])"));
    }
  }
  EXPECT_EQ(unique, (std::set<std::string>{"id", "code", "at"}));
  EXPECT_EQ(sets, (std::set<std::string>{"color", "day"}));
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_TRUE(r.success) << r.ToText();
}

TEST_F(QualityTest, TextAndHtmlReports) {
  Suite suite;
  suite.Add("expect_column_values_to_be_between",
            R"({"column": "score", "min_value": 0, "max_value": 1})");
  suite.Add("expect_column_values_to_not_be_null", R"({"column": "id"})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(Data(), suite));
  std::string text = r.ToText();
  EXPECT_EQ(text.rfind("FAILED", 0), 0u);
  EXPECT_LT(text.find("FAIL  expect_column_values_to_be_between(score): 1 unexpected"),
            text.find("ok    expect_column"))
      << "failures first:\n"
      << text;
  std::string html = r.ToHtml();
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("FAILED"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "self-contained, no scripts";
}

TEST_F(QualityTest, ParseStringsAsDatetimes) {
  Frame data = session_->sql(
      "SELECT * FROM (VALUES ('2025-01-05 10:00:00'), ('2025-02-01 00:00:00'), ('2024-12-31 "
      "23:59:59')) t(ts)");
  Suite suite;
  suite.Add(
      "expect_column_values_to_be_between",
      R"({"column": "ts", "min_value": "2025-01-01", "max_value": "2025-12-31", "parse_strings_as_datetimes": true})");
  suite.Add("expect_column_values_to_be_increasing",
            R"({"column": "ts", "parse_strings_as_datetimes": true})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_EQ(r.results[0].unexpected_count, 1);
  EXPECT_EQ(Json::parse(r.results[0].partial_unexpected[0]), "2024-12-31 23:59:59");
  EXPECT_EQ(r.results[1].unexpected_count, 1);
}

TEST(Registry, HasEveryExpectationTheIssueLists) {
  std::vector<std::string> types = ExpectationTypes();
  for (const char* t : {"expect_table_row_count_to_be_between",
                        "expect_table_row_count_to_equal",
                        "expect_table_column_count_to_equal",
                        "expect_table_column_count_to_be_between",
                        "expect_table_columns_to_match_ordered_list",
                        "expect_table_columns_to_match_set",
                        "expect_column_to_exist",
                        "expect_column_values_to_not_be_null",
                        "expect_column_values_to_be_null",
                        "expect_column_values_to_be_between",
                        "expect_column_values_to_be_in_set",
                        "expect_column_values_to_not_be_in_set",
                        "expect_column_values_to_be_unique",
                        "expect_column_values_to_match_regex",
                        "expect_column_values_to_not_match_regex",
                        "expect_column_values_to_match_regex_list",
                        "expect_column_values_to_match_like_pattern",
                        "expect_column_values_to_not_match_like_pattern",
                        "expect_column_values_to_be_of_type",
                        "expect_column_values_to_be_in_type_list",
                        "expect_column_values_to_be_increasing",
                        "expect_column_values_to_be_decreasing",
                        "expect_column_values_to_match_strftime_format",
                        "expect_column_values_to_be_json_parseable",
                        "expect_column_value_lengths_to_be_between",
                        "expect_column_value_lengths_to_equal",
                        "expect_column_value_z_scores_to_be_less_than",
                        "expect_column_mean_to_be_between",
                        "expect_column_median_to_be_between",
                        "expect_column_stdev_to_be_between",
                        "expect_column_sum_to_be_between",
                        "expect_column_min_to_be_between",
                        "expect_column_max_to_be_between",
                        "expect_column_quantile_values_to_be_between",
                        "expect_column_unique_value_count_to_be_between",
                        "expect_column_proportion_of_unique_values_to_be_between",
                        "expect_column_distinct_values_to_be_in_set",
                        "expect_column_distinct_values_to_contain_set",
                        "expect_column_distinct_values_to_equal_set",
                        "expect_column_most_common_value_to_be_in_set",
                        "expect_compound_columns_to_be_unique",
                        "expect_column_pair_values_a_to_be_greater_than_b",
                        "expect_column_pair_values_to_be_equal",
                        "expect_multicolumn_sum_to_equal",
                        "expect_select_column_values_to_be_unique_within_record"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  }
}

TEST_F(QualityTest, ExpectationsWithoutConformanceDataBehave) {
  Frame data = session_->sql(
      "SELECT * FROM (VALUES (1, 1, 2, '{\"a\": 1}', 3), (2, 2, 1, 'nope', 3), (3, 3, 3, '[1]', "
      "4)) "
      "t(a, b, c, j, total)");
  Suite suite;
  suite.Add("expect_column_values_to_be_json_parseable", R"({"column": "j"})");
  suite.Add("expect_column_pair_values_to_be_equal", R"({"column_A": "a", "column_B": "b"})");
  suite.Add("expect_multicolumn_sum_to_equal", R"({"column_list": ["b", "c"], "sum_total": 3})");
  suite.Add("expect_select_column_values_to_be_unique_within_record",
            R"({"column_list": ["a", "b", "c"]})");
  suite.Add("expect_column_value_z_scores_to_be_less_than",
            R"({"column": "total", "threshold": 1, "double_sided": true})");
  suite.Add("expect_column_distinct_values_to_equal_set",
            R"({"column": "a", "value_set": [1, 2, 3]})");
  suite.Add("expect_column_most_common_value_to_be_in_set",
            R"({"column": "total", "value_set": [3]})");
  suite.Add("expect_column_proportion_of_unique_values_to_be_between",
            R"({"column": "total", "min_value": 0.6, "max_value": 0.7})");
  suite.Add("expect_column_values_to_not_match_regex", R"({"column": "j", "regex": "^n"})");
  suite.Add("expect_table_columns_to_match_set",
            R"({"column_set": ["a", "b", "c", "j", "total"]})");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  std::vector<bool> expected = {false, true, false, false, false, true, true, true, false, true};
  ASSERT_EQ(r.results.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(r.results[i].success, expected[i]) << r.results[i].json;
  EXPECT_EQ(r.results[0].unexpected_count, 1);
  EXPECT_EQ(r.results[2].unexpected_count, 1);  // 3 + 3 <> 3
  EXPECT_EQ(r.results[3].unexpected_count, 3);
  // GE accepts a null column set (the columns are reported) and raises on a column count
  // range whose minimum is above its maximum.
  Suite edges;
  edges.Add("expect_table_columns_to_match_set", R"({"column_set": null})");
  ASSERT_OK_AND_ASSIGN(ValidationResult e, Validate(data, edges));
  EXPECT_TRUE(e.results[0].success) << e.results[0].json;
  EXPECT_EQ(Json::parse(e.results[0].json)["result"]["observed_value"].size(), 5u);
  auto refused = Validate(data, [] {
    Suite s;
    s.Add("expect_table_column_count_to_be_between", R"({"min_value": 6, "max_value": 2})");
    return s;
  }());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("min_value is greater than max_value"),
            std::string::npos);
}

}  // namespace
}  // namespace strata::quality

namespace strata::quality {
namespace {

TEST_F(QualityTest, RowConditionCannotAddAnAggregateOrReadAFile) {
  Suite suite("hostile");
  suite.Add(
      "expect_table_row_count_to_be_between",
      R"({"min_value": 0, "condition_parser": "sql", "row_condition": "id = 1) > 0 AS x, )"
      R"((SELECT content FROM read_text('/etc/hostname')) AS leak, count(*) FILTER (WHERE TRUE"})");
  auto r = Validate(Data(), suite);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expectation 0"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("is not one SQL condition"), std::string::npos);
  Suite reads("reads");
  reads.Add(
      "expect_column_values_to_not_be_null",
      R"j({"column": "id", "row_condition": "id < (SELECT length(content) FROM read_text('/etc/hostname'))"})j");
  auto r2 = Validate(Data(), reads);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("subquery"), std::string::npos) << r2.status().message();
  // An honest condition still works, comment and all.
  Suite fine("fine");
  fine.Add("expect_column_values_to_not_be_null",
           R"({"column": "name", "row_condition": "id = 2 -- the duplicated id"})");
  ASSERT_OK_AND_ASSIGN(auto ok, Validate(Data(), fine));
  EXPECT_FALSE(ok.success);
  EXPECT_EQ(ok.results[0].unexpected_count, 1);
}

TEST_F(QualityTest, AnchoredRegexesMatchAsSearchesDo) {
  // Anchored patterns run as whole-value matches; these must still mean what a search means.
  Frame data = session_->sql(
      "SELECT * FROM (VALUES ('abc'), ('xb'), ('a$'), ('a\\'), ('abc\n'), (NULL)) t(s)");
  // Unexpected: the five non-null values that the pattern does not match.
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"^abc$", 4},    // only 'abc' ($ is the end of the text, not before a newline)
      {"^a|b$", 0},    // alternation: every value starts with a or ends in b
      {"^a\\$", 4},    // a literal dollar sign: only 'a$'
      {"^a\\\\$", 4},  // a backslash at the end: only 'a\'
      {"^ab", 3},      // not anchored at the end: 'abc' and 'abc\n'
  };
  Suite suite;
  for (const auto& [regex, unexpected] : cases)
    suite.Add("expect_column_values_to_match_regex",
              Json{{"column", "s"}, {"regex", regex}}.dump());
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ(r.results[i].unexpected_count, cases[i].second) << cases[i].first;
}

TEST_F(QualityTest, KlDivergenceFollowsGreatExpectations) {
  // Nine non-null values: one below -2, one above 2, and edges that land in the bin to
  // their right except the last edge, which closes the last bin (numpy's histogram).
  Frame data = session_->sql(
      "SELECT * FROM (VALUES (-2.5, 'a'), (-1.5, 'a'), (-1.0, 'b'), (-0.5, 'c'), (0.5, NULL), "
      "(1.0, NULL), (1.5, NULL), (2.0, NULL), (3.0, NULL), (NULL, NULL)) t(x, c)");
  const char* kl = "expect_column_kl_divergence_to_be_less_than";
  Suite suite;
  // 0: bins with tail weights; KL = 6/9 ln(10/9) + 1/3 ln(5/6), worked by hand.
  suite.Add(kl,
            R"js({"column": "x", "threshold": 0.01, "partition_object": {"bins": [-2, -1, 0, 1, 2],
      "weights": [0.1, 0.2, 0.1, 0.4], "tail_weights": [0.1, 0.1]}})js");
  // 1: the same weights with infinite end bins instead of tail weights; 2.0 now opens the
  // last bin [2, Infinity], so the observed weights are 1, 1, 2, 1, 2, 2 ninths.
  suite.Add(kl,
            R"js({"column": "x", "threshold": 0.001, "partition_object": {"bins": ["-Infinity", -2,
      -1, 0, 1, 2, "Infinity"], "weights": [0.1, 0.1, 0.2, 0.1, 0.4, 0.1]}})js");
  // 2: zero-weight bins get internal_weight_holdout, the tails tail_weight_holdout.
  suite.Add(kl, R"js({"column": "x", "threshold": 10, "internal_weight_holdout": 0.1,
      "tail_weight_holdout": 0.1, "partition_object": {"bins": [-2, -1, 0, 1, 2],
      "weights": [0.5, 0.5, 0, 0]}})js");
  // 3: categorical, a value the partition lacks shares the tail holdout (nulls skipped).
  suite.Add(kl, R"js({"column": "c", "threshold": 0.1, "tail_weight_holdout": 0.1,
      "partition_object": {"values": ["a", "b"], "weights": [0.6, 0.4]}})js");
  // 4: without the holdout the divergence is infinite: observed_value null, failed.
  suite.Add(kl, R"js({"column": "c", "threshold": 0.1,
      "partition_object": {"values": ["a", "b"], "weights": [0.6, 0.4]}})js");
  // 5: a null threshold always succeeds.
  suite.Add(kl, R"js({"column": "c", "threshold": null,
      "partition_object": {"values": ["a", "b"], "weights": [0.6, 0.4]}})js");
  // 6: row_condition limits the rows: 0.5, 1.0, 1.5, 2.0 and 3.0.
  suite.Add(
      kl,
      R"js({"column": "x", "threshold": 1, "condition_parser": "pandas", "row_condition": "x > 0",
      "partition_object": {"bins": [-2, -1, 0, 1, 2], "weights": [0.1, 0.2, 0.1, 0.4],
      "tail_weights": [0.1, 0.1]}})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult r, Validate(data, suite));
  EXPECT_EQ(r.scans, 1);
  auto result = [&](int i) { return Json::parse(r.results[i].json)["result"]; };
  EXPECT_TRUE(r.results[0].success) << r.results[0].json;
  EXPECT_NEAR(result(0)["observed_value"].get<double>(), 0.009466491507232517, 1e-12);
  const Json observed = result(0)["details"]["observed_partition"];
  EXPECT_EQ(observed["bins"], Json::parse("[-2, -1, 0, 1, 2]"));
  EXPECT_EQ(observed["weights"].size(), 4u);
  const std::vector<double> counts = {1, 2, 1, 3};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(observed["weights"][i].get<double>(), counts[i] / 9, 1e-12);
  EXPECT_NEAR(observed["tail_weights"][0].get<double>(), 1.0 / 9, 1e-12);
  EXPECT_NEAR(observed["tail_weights"][1].get<double>(), 1.0 / 9, 1e-12);

  EXPECT_FALSE(r.results[1].success);
  EXPECT_NEAR(result(1)["observed_value"].get<double>(), 0.10536051565782611, 1e-12);
  EXPECT_EQ(result(1)["details"]["expected_partition"]["bins"], Json::parse("[-2, -1, 0, 1, 2]"));
  EXPECT_EQ(result(1)["details"]["expected_partition"]["tail_weights"], Json::parse("[0.1, 0.1]"));

  const Json expected2 = result(2)["details"]["expected_partition"];
  const std::vector<double> holdouts = {.4, .4, .05, .05};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(expected2["weights"][i].get<double>(), holdouts[i], 1e-12);
  EXPECT_EQ(expected2["tail_weights"], Json::parse("[0.05, 0.05]"));

  EXPECT_TRUE(r.results[3].success) << r.results[3].json;
  EXPECT_NEAR(result(3)["observed_value"].get<double>(), 0.09943138400349724, 1e-12);
  EXPECT_EQ(result(3)["details"]["observed_partition"]["values"],
            Json::parse(R"(["a", "b", "c"])"));
  EXPECT_EQ(result(3)["details"]["observed_partition"]["weights"],
            Json::parse("[0.5, 0.25, 0.25]"));
  const Json q = result(3)["details"]["expected_partition"]["weights"];
  EXPECT_NEAR(q[0].get<double>(), 0.54, 1e-12);
  EXPECT_NEAR(q[1].get<double>(), 0.36, 1e-12);
  EXPECT_NEAR(q[2].get<double>(), 0.1, 1e-12);

  EXPECT_FALSE(r.results[4].success);
  EXPECT_TRUE(result(4)["observed_value"].is_null());
  EXPECT_TRUE(r.results[5].success);
  EXPECT_TRUE(result(5)["observed_value"].is_null());

  EXPECT_TRUE(r.results[6].success) << r.results[6].json;
  EXPECT_NEAR(result(6)["observed_value"].get<double>(), 0.5205379370888766, 1e-12);

  // GE's profiling form: no partition, bins from the data; the data match themselves.
  Suite profile;
  profile.Add(kl, R"js({"column": "x", "partition_object": null, "threshold": null})js");
  profile.Add(kl, R"js({"column": "c", "partition_object": null, "threshold": 0,
      "bucketize_data": false})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult p, Validate(data, profile));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(p.results[i].success) << p.results[i].json;
    Json details = Json::parse(p.results[i].json)["result"]["details"];
    EXPECT_EQ(details["observed_partition"], details["expected_partition"]);
    EXPECT_EQ(Json::parse(p.results[i].json)["result"]["observed_value"], 0.0);
  }
  Json auto_bins = Json::parse(p.results[0].json)["result"]["details"]["observed_partition"];
  EXPECT_EQ(auto_bins["bins"].front(), -2.5);
  EXPECT_EQ(auto_bins["bins"].back(), 3.0);
  double total = 0;
  for (const Json& w : auto_bins["weights"]) total += w.get<double>();
  EXPECT_NEAR(total, 1.0, 1e-12);

  // GE's ValueErrors: each fails alone with exception_info; the rest still run.
  Suite bad;
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1, "partition_object": {}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1, "tail_weight_holdout": 0.1,
      "partition_object": {"bins": [0, 1, 2], "weights": [0.4, 0.4], "tail_weights": [0.1, 0.1]}})js");
  bad.Add(kl, R"js({"column": "c", "threshold": 0.1, "internal_weight_holdout": 0.1,
      "partition_object": {"values": ["a"], "weights": [1]}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1, "tail_weight_holdout": 0.1,
      "partition_object": {"bins": ["-Infinity", 0, "Infinity"], "weights": [0.5, 0.5]}})js");
  bad.Add(kl, R"js({"column": "c", "threshold": 0.1,
      "partition_object": {"bins": [0, 1], "weights": [1]}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1, "tail_weight_holdout": 2,
      "partition_object": {"bins": [0, 1], "weights": [1]}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": -1,
      "partition_object": {"bins": [0, 1], "weights": [1]}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1,
      "partition_object": {"bins": [1, 0], "weights": [1]}})js");
  bad.Add(kl, R"js({"column": "x", "threshold": 0.1,
      "partition_object": {"bins": [0, 1, 2], "weights": [0.5, 0.4]}})js");
  bad.Add("expect_column_to_exist", R"js({"column": "x"})js");
  ASSERT_OK_AND_ASSIGN(ValidationResult b, Validate(data, bad));
  for (size_t i = 0; i + 1 < b.results.size(); ++i) {
    EXPECT_TRUE(b.results[i].raised_exception) << i << ": " << b.results[i].json;
    EXPECT_FALSE(b.results[i].success) << i;
  }
  EXPECT_TRUE(b.results.back().success);
  EXPECT_NE(b.results[0].exception_message.find("partition_object"), std::string::npos)
      << b.results[0].exception_message;
  EXPECT_NE(b.results[4].exception_message.find("not numeric"), std::string::npos)
      << b.results[4].exception_message;
}

TEST(SuiteParseTest, WrongTypesAndHostileShapesAreErrorsNamingTheField) {
  struct Case {
    std::string text;
    bool yaml;
    const char* says;
  };
  std::string deep =
      "{\"expectations\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    std::string p = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p +
            ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
  }
  bomb += "expectations: []\n";
  for (const Case& c : std::vector<Case>{
           {R"({"expectation_suite_name": 123, "expectations": []})", false,
            "'expectation_suite_name' must be a string"},
           {R"({"expectations": [{"expectation_type": 5}]})", false,
            "expectations[0]: 'expectation_type' must be a string"},
           {R"({"expectations": [{"expectation_type": "x", "kwargs": {"v": 1e400}}]})", false,
            "number overflow"},
           {deep, false, "nested deeper than 256"},
           {"expectations:\n  - ? [a, b]\n    : 1\n", true, "line 2, column 7"},
           {bomb, true, "more than 1000000 YAML nodes"},
       }) {
    auto s = c.yaml ? Suite::FromYaml(c.text, "s.yaml") : Suite::FromJson(c.text, "s.json");
    ASSERT_FALSE(s.ok()) << c.text.substr(0, 80);
    EXPECT_NE(s.status().message().find(c.says), std::string::npos) << s.status().message();
  }
}

}  // namespace
}  // namespace strata::quality
