#include "strata/frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "strata/events.h"
#include "test_util.h"

namespace strata {
namespace {

// Rows as text ("v1|v2|"), in result order.
std::vector<std::string> InOrderRows(const DataFrame& df) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < df.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < df.num_columns(); ++c) row += df.column(c).Format(r) + "|";
    rows.push_back(row);
  }
  return rows;
}

// Rows as text, sorted: compares results as multisets of rows.
std::vector<std::string> SortedRows(const DataFrame& df) {
  std::vector<std::string> rows = InOrderRows(df);
  std::sort(rows.begin(), rows.end());
  return rows;
}

class FrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Session::Open();
    ASSERT_OK(s.status());
    session_ = *s;
    csv_ = tmp_ / "people.csv";
    testing::WriteText(csv_,
                       "id,name,dept,salary,joined\n"
                       "1,Ada,eng,120.5,2020-01-15 09:00:00\n"
                       "2,Bob,eng,,2021-06-01 10:30:00\n"
                       "3,Cy,ops,80,2019-11-30 23:59:59\n"
                       "4,Di,ops,95.25,2022-02-28 00:00:00\n"
                       "5,Ed,,60,2023-07-04 12:00:00\n"
                       "6,Flo,eng,150,2018-03-03 03:03:03\n");
    depts_ = tmp_ / "depts.csv";
    testing::WriteText(depts_, "dept,floor\neng,3\nops,1\nhr,2\n");
  }

  Frame People() { return session_->scan_csv({csv_}); }
  Frame Depts() { return session_->scan_csv({depts_}); }

  // The same question asked in plain SQL, the way to check each verb independently.
  DataFrame Sql(const std::string& query) {
    auto conn = session_->database()->Connect();
    EXPECT_TRUE(conn.ok());
    std::string q = query;
    for (auto [from, to] :
         {std::pair<std::string, std::string>{"PEOPLE", "read_csv('" + csv_ + "')"},
          {"DEPTS", "read_csv('" + depts_ + "')"}}) {
      for (size_t pos; (pos = q.find(from)) != std::string::npos;) q.replace(pos, from.size(), to);
    }
    auto df = (*conn)->Collect(q);
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    return df.ok() ? std::move(df).value() : DataFrame();
  }

  DataFrame Collect(const Frame& f) {
    auto df = f.collect();
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    return df.ok() ? std::move(df).value() : DataFrame();
  }

  testing::TempDir tmp_;
  std::shared_ptr<Session> session_;
  std::string csv_, depts_;
};

TEST_F(FrameTest, ScanCsvInfersTypes) {
  ASSERT_OK_AND_ASSIGN(auto schema, People().schema());
  ASSERT_EQ(schema.size(), 5u);
  EXPECT_EQ(schema[0].sql_type, "BIGINT");
  EXPECT_EQ(schema[1].sql_type, "VARCHAR");
  EXPECT_EQ(schema[3].sql_type, "DOUBLE");
  EXPECT_EQ(schema[4].sql_type, "TIMESTAMP");
}

TEST_F(FrameTest, SniffedOnceReadsLikeDuckDBsOwnReader) {
  // scan_csv sniffs a single file once and then spells out its dialect and columns;
  // the rows must be exactly those of DuckDB's read_csv with auto-detection.
  std::string path = tmp_ / "tricky.csv";
  testing::WriteText(path,
                     "\"it's\",\"a \"\"b\"\"\",when,amount\r\n"
                     "\"x, y\",1,03/02/2025,\"1,5\"\r\n"
                     "z,,12/31/2024,2\r\n");
  DataFrame got = Collect(session_->scan_csv({path}));
  EXPECT_EQ(got.column_names(), (std::vector<std::string>{"it's", "a \"b\"", "when", "amount"}));
  EXPECT_EQ(SortedRows(got), SortedRows(Sql("SELECT * FROM read_csv('" + path + "')")));
  EXPECT_EQ(got.column(2).kind(), ValueKind::kDate);
  DataFrame sel = Collect(session_->scan_csv({path}).select({col("it's"), col("a \"b\"")}));
  EXPECT_EQ(sel.column(0).GetString(0), "x, y");
}

TEST_F(FrameTest, ScanFilesReadsByExtensionAndTsvByTabs) {
  const std::string tsv = tmp_ / "t.tsv";
  testing::WriteText(tsv, "a\tb\n1\tx\n2\ty\n");
  DataFrame df = Collect(session_->scan_files({tsv}));
  ASSERT_EQ(df.num_columns(), 2u);
  EXPECT_EQ(df.column(0).name(), "a");
  EXPECT_EQ(df.num_rows(), 2u);
  // An explicit delimiter wins over the extension.
  const std::string semi = tmp_ / "s.tsv";
  testing::WriteText(semi, "a;b\n1;2\n");
  CsvOptions o;
  o.delimiter = ";";
  EXPECT_EQ(Collect(session_->scan_files({semi}, o)).num_columns(), 2u);
  EXPECT_EQ(Collect(session_->scan_file(csv_)).num_rows(), 6u);
}

TEST_F(FrameTest, ScanCsvOptions) {
  std::string path = tmp_ / "semi.csv";
  testing::WriteText(path, "# comment line\na;b\n1;NA\n2;x\n");
  CsvOptions o;
  o.delimiter = ";";
  o.skip_rows = 1;
  o.null_values = {"NA"};
  o.schema_overrides = {{"a", DataType::kFloat64}};
  DataFrame df = Collect(session_->scan_csv({path}, o));
  ASSERT_EQ(df.num_rows(), 2u);
  EXPECT_EQ(df.column(0).kind(), ValueKind::kFloat64);
  EXPECT_TRUE(df.column(1).IsNull(0));
  EXPECT_EQ(df.column(1).GetString(1), "x");

  CsvOptions no_header;
  no_header.has_header = false;
  DataFrame raw = Collect(session_->scan_csv({depts_}, no_header));
  EXPECT_EQ(raw.num_rows(), 4u);  // the header line is data
}

TEST_F(FrameTest, ScanCsvIgnoreErrorsSkipsBadRows) {
  std::string path = tmp_ / "bad.csv";
  std::string text = "a,b\n";
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + "," + std::to_string(i) + "\n";
  text += "oops,1\n";
  testing::WriteText(path, text);
  CsvOptions o;
  o.schema_overrides = {{"a", DataType::kInt64}};
  auto strict = session_->scan_csv({path}, o).collect();
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("bad.csv"), std::string::npos)
      << strict.status().message();
  EXPECT_NE(strict.status().message().find("line 102"), std::string::npos)
      << strict.status().message();
  o.ignore_errors = true;
  DataFrame df = Collect(session_->scan_csv({path}, o));
  EXPECT_EQ(df.num_rows(), 100u);
}

TEST_F(FrameTest, GlobsAndParquetAndNdjson) {
  std::string a = tmp_ / "part-1.csv", b = tmp_ / "part-2.csv";
  testing::WriteText(a, "x\n1\n2\n");
  testing::WriteText(b, "x\n3\n");
  DataFrame df = Collect(session_->scan_csv({tmp_ / "part-*.csv"}).select({col("x").sum()}));
  EXPECT_EQ(df.column(0).GetDouble(0), 6);

  std::string pq = tmp_ / "p.parquet";
  ASSERT_OK(People().sink_parquet(pq));
  EXPECT_EQ(SortedRows(Collect(session_->scan_parquet({pq}))), SortedRows(Collect(People())));

  std::string js = tmp_ / "e.ndjson";
  testing::WriteText(js, "{\"k\": \"a\", \"v\": 1}\n{\"k\": \"b\", \"v\": null}\n");
  DataFrame j = Collect(session_->scan_ndjson({js}).filter(col("v").is_null()));
  ASSERT_EQ(j.num_rows(), 1u);
  EXPECT_EQ(j.column(0).GetString(0), "b");
}

TEST_F(FrameTest, SelectMatchesSql) {
  DataFrame got =
      Collect(People().select({"name", (col("salary") * 2).alias("double_pay"), col("id") + 1}));
  EXPECT_EQ(got.column_names(), (std::vector<std::string>{"name", "double_pay", "id"}));
  EXPECT_EQ(SortedRows(got), SortedRows(Sql("SELECT name, salary * 2, id + 1 FROM PEOPLE")));
}

TEST_F(FrameTest, WithColumnsReplacesInPlaceAndAppendsNew) {
  DataFrame got =
      Collect(People().with_columns({col("salary").fill_null(0), (col("id") * 10).alias("id10"),
                                     col("joined").dt().year().alias("year")}));
  EXPECT_EQ(got.column_names(),
            (std::vector<std::string>{"id", "name", "dept", "salary", "joined", "id10", "year"}));
  EXPECT_EQ(SortedRows(got),
            SortedRows(Sql("SELECT id, name, dept, coalesce(salary, 0), joined, id * 10, "
                           "year(joined) FROM PEOPLE")));
}

TEST_F(FrameTest, FilterMatchesSql) {
  Frame f = People().filter((col("salary") > 90) & !(col("dept") == "ops") | col("dept").is_null());
  EXPECT_EQ(SortedRows(Collect(f)),
            SortedRows(Sql(
                "SELECT * FROM PEOPLE WHERE (salary > 90 AND NOT dept = 'ops') OR dept IS NULL")));
}

TEST_F(FrameTest, FilterAgainstAnAggregateUsesAWindow) {
  // Polars broadcasts an aggregate in a row context: rows above the mean salary.
  DataFrame got = Collect(People().filter(col("salary") > col("salary").mean()).select({"name"}));
  EXPECT_EQ(
      SortedRows(got),
      SortedRows(Sql("SELECT name FROM PEOPLE WHERE salary > (SELECT avg(salary) FROM PEOPLE)")));
}

TEST_F(FrameTest, GroupByAggMatchesSql) {
  Frame f = People().group_by({"dept"}).agg(
      {col("salary").mean().alias("mean"), col("salary").std().alias("std"),
       col("salary").var().alias("var"), col("salary").min().alias("min"),
       col("salary").max().alias("max"), col("salary").median().alias("median"),
       col("salary").quantile(0.25).alias("q25"), col("salary").count().alias("count"),
       col("salary").sum().alias("sum"), col("name").n_unique().alias("names"), len()});
  DataFrame want =
      Sql("SELECT dept, avg(salary), stddev_samp(salary), var_samp(salary), min(salary), "
          "max(salary), median(salary), "
          "quantile_cont(salary, 0.25), count(salary), coalesce(sum(salary), 0), count(DISTINCT "
          "name), count(*) "
          "FROM PEOPLE GROUP BY dept");
  EXPECT_EQ(SortedRows(Collect(f)), SortedRows(want));
}

TEST_F(FrameTest, NUniqueCountsNullAsAValue) {
  DataFrame got =
      Collect(People().select({col("dept").n_unique(), col("salary").count().alias("nonnull")}));
  EXPECT_EQ(got.column(0).GetInt64(0), 3);  // eng, ops, null
  EXPECT_EQ(got.column(1).GetInt64(0), 5);
}

TEST_F(FrameTest, SumOfNoValuesIsZero) {
  DataFrame got = Collect(People().filter(col("id") > 100).select({col("salary").sum()}));
  ASSERT_EQ(got.num_rows(), 1u);
  EXPECT_EQ(got.column(0).GetDouble(0), 0);
}

TEST_F(FrameTest, GroupByPlainExpressionCollectsAList) {
  DataFrame got =
      Collect(People().filter(col("dept") == "ops").group_by({"dept"}).agg({col("id")}));
  ASSERT_EQ(got.num_rows(), 1u);
  EXPECT_EQ(got.column(1).sql_type(), "LIST");
  std::string ids(got.column(1).GetString(0));
  EXPECT_TRUE(ids == "[3, 4]" || ids == "[4, 3]") << ids;
}

TEST_F(FrameTest, SortMatchesPolarsNullOrder) {
  DataFrame got = Collect(People().sort({"salary"}).select({"id"}));
  EXPECT_EQ(InOrderRows(got), (std::vector<std::string>{"2|", "5|", "3|", "4|", "1|", "6|"}));
  DataFrame desc = Collect(People().sort({"salary"}, {true}, /*nulls_last=*/true).select({"id"}));
  EXPECT_EQ(InOrderRows(desc), (std::vector<std::string>{"6|", "1|", "4|", "3|", "5|", "2|"}));
  DataFrame two = Collect(People().sort({"dept", "id"}, {false, true}).select({"id"}));
  EXPECT_EQ(InOrderRows(two), (std::vector<std::string>{"5|", "6|", "2|", "1|", "4|", "3|"}));
  EXPECT_FALSE(People().sort({"dept", "id"}, {true, false, true}).collect().ok());
}

TEST_F(FrameTest, LimitAndHead) {
  EXPECT_EQ(Collect(People().sort({"id"}).limit(2)).num_rows(), 2u);
  EXPECT_EQ(Collect(People().head()).num_rows(), 5u);
  EXPECT_FALSE(People().limit(-1).collect().ok());
}

TEST_F(FrameTest, JoinsMatchSql) {
  auto joined = [&](JoinType how) {
    JoinOptions o;
    o.on = {"dept"};
    o.how = how;
    return Collect(People().join(Depts(), o));
  };
  DataFrame inner = joined(JoinType::kInner);
  EXPECT_EQ(inner.column_names(),
            (std::vector<std::string>{"id", "name", "dept", "salary", "joined", "floor"}));
  EXPECT_EQ(SortedRows(inner),
            SortedRows(Sql("SELECT p.*, d.floor FROM PEOPLE p JOIN DEPTS d USING (dept)")));
  EXPECT_EQ(
      SortedRows(joined(JoinType::kLeft)),
      SortedRows(Sql("SELECT p.*, d.floor FROM PEOPLE p LEFT JOIN DEPTS d ON p.dept = d.dept")));
  DataFrame full = joined(JoinType::kFull);
  EXPECT_EQ(full.column_names(), (std::vector<std::string>{"id", "name", "dept", "salary", "joined",
                                                           "dept_right", "floor"}));
  EXPECT_EQ(SortedRows(full),
            SortedRows(Sql(
                "SELECT p.*, d.dept, d.floor FROM PEOPLE p FULL JOIN DEPTS d ON p.dept = d.dept")));
  EXPECT_EQ(SortedRows(joined(JoinType::kSemi)),
            SortedRows(Sql("SELECT * FROM PEOPLE WHERE dept IN (SELECT dept FROM DEPTS)")));
  EXPECT_EQ(SortedRows(joined(JoinType::kAnti)),
            SortedRows(Sql("SELECT * FROM PEOPLE p WHERE NOT EXISTS (SELECT 1 FROM DEPTS d WHERE "
                           "d.dept = p.dept)")));
  JoinOptions cross;
  cross.how = JoinType::kCross;
  EXPECT_EQ(Collect(People().join(Depts(), cross)).num_rows(), 18u);
}

TEST_F(FrameTest, JoinSuffixesTakenNamesAndCoalescesFullKeys) {
  Frame other = session_->sql("SELECT 'eng' AS team, 'Zed' AS name");
  JoinOptions o;
  o.left_on = {"dept"};
  o.right_on = {"team"};
  DataFrame df = Collect(People().join(other, o));
  EXPECT_EQ(df.column_names(),
            (std::vector<std::string>{"id", "name", "dept", "salary", "joined", "name_right"}));
  EXPECT_EQ(df.num_rows(), 3u);
  JoinOptions full;
  full.on = {"dept"};
  full.how = JoinType::kFull;
  full.coalesce_full = true;
  DataFrame f = Collect(People().join(Depts(), full).select({"dept"}).unique());
  EXPECT_EQ(SortedRows(f), (std::vector<std::string>{"eng|", "hr|", "null|", "ops|"}));
}

TEST_F(FrameTest, UniqueKeepVariants) {
  Frame dup = session_->sql(
      "SELECT * FROM (VALUES (1, 'a', 1), (2, 'a', 2), (3, 'b', 3), (4, 'a', 4)) t(i, k, v)");
  EXPECT_EQ(Collect(dup.select({"k"}).unique()).num_rows(), 2u);
  EXPECT_EQ(InOrderRows(Collect(dup.unique({"k"}, UniqueKeep::kFirst))),
            (std::vector<std::string>{"1|a|1|", "3|b|3|"}));
  EXPECT_EQ(SortedRows(Collect(dup.unique({"k"}, UniqueKeep::kLast))),
            (std::vector<std::string>{"3|b|3|", "4|a|4|"}));
  EXPECT_EQ(InOrderRows(Collect(dup.unique({"k"}, UniqueKeep::kNone))),
            (std::vector<std::string>{"3|b|3|"}));
  EXPECT_EQ(Collect(dup.unique({"k"})).num_rows(), 2u);
}

TEST_F(FrameTest, RenameAndDrop) {
  DataFrame df =
      Collect(People().rename({{"name", "who"}, {"id", "key"}}).drop({"joined", "dept"}));
  EXPECT_EQ(df.column_names(), (std::vector<std::string>{"key", "who", "salary"}));
  auto dup = People().rename({{"name", "id"}}).collect();
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate"), std::string::npos);
  auto missing = People().drop({"nope"}).collect();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("\"nope\""), std::string::npos);
}

TEST_F(FrameTest, WhenThenOtherwise) {
  DataFrame df = Collect(People().sort({"id"}).select(
      {"id",
       when(col("salary") >= 100)
           .then("high")
           .when(col("salary") >= 80)
           .then("mid")
           .otherwise("low")
           .alias("band"),
       IntoExpr(when(col("dept") == "eng").then(1)).expr.alias("is_eng")}));
  EXPECT_EQ(InOrderRows(df), (std::vector<std::string>{"1|high|1|", "2|low|1|", "3|mid|null|",
                                                       "4|mid|null|", "5|low|null|", "6|high|1|"}));
}

TEST_F(FrameTest, StringAndDatetimeFunctions) {
  DataFrame df = Collect(People().sort({"id"}).select(
      {col("name").str().lower().alias("lower"), col("name").str().upper().alias("upper"),
       col("name").str().contains("^[AB]").alias("ab"),
       col("name").str().contains(".", true).alias("dot"), col("name").str().len_chars().alias("n"),
       col("joined").dt().month().alias("m"), col("joined").dt().weekday().alias("wd"),
       col("joined").dt().date().alias("d")}));
  EXPECT_EQ(InOrderRows(df)[0],
            "ada|ADA|true|false|3|1|3|2020-01-15|");  // 2020-01-15 was a Wednesday
  DataFrame parsed =
      Collect(session_->sql("SELECT '03/02/2025 10:00' AS s, 'junk' AS bad")
                  .select({col("s").str().strptime(DataType::kDatetime, "%d/%m/%Y %H:%M"),
                           col("bad").str().strptime(DataType::kDate, "%Y", /*strict=*/false)}));
  EXPECT_EQ(parsed.column(0).Format(0), "2025-02-03 10:00:00");
  EXPECT_TRUE(parsed.column(1).IsNull(0));
}

TEST_F(FrameTest, CastsBetweenTypes) {
  DataFrame df =
      Collect(session_->sql("SELECT '2025-01-02 03:04:05' AS ts, '42' AS n, 'x' AS bad")
                  .select({col("ts").cast(DataType::kDatetime), col("n").cast(DataType::kInt32),
                           col("n").cast(DataType::kFloat64).alias("f"),
                           col("bad").cast(DataType::kInt64, /*strict=*/false)}));
  EXPECT_EQ(df.column(0).kind(), ValueKind::kTimestamp);
  EXPECT_EQ(df.column(1).GetInt64(0), 42);
  EXPECT_EQ(df.column(1).sql_type(), "INTEGER");
  EXPECT_EQ(df.column(2).GetDouble(0), 42.0);
  EXPECT_TRUE(df.column(3).IsNull(0));
  auto strict =
      session_->sql("SELECT 'x' AS bad").select({col("bad").cast(DataType::kInt64)}).collect();
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("Could not convert"), std::string::npos)
      << strict.status().message();
}

TEST_F(FrameTest, ArithmeticFollowsPolars) {
  DataFrame df = Collect(
      session_->sql("SELECT 7 AS a, 2 AS b")
          .select({(col("a") / col("b")).alias("div"), floor_div(col("a"), col("b")).alias("fdiv"),
                   (col("a") % col("b")).alias("mod"), (-col("a")).alias("neg"),
                   (lit(0.1) + lit(0.2)).alias("f")}));
  EXPECT_DOUBLE_EQ(df.column(0).GetDouble(0), 3.5);
  EXPECT_EQ(df.column(1).GetInt64(0), 3);
  EXPECT_EQ(df.column(2).GetInt64(0), 1);
  EXPECT_EQ(df.column(3).GetInt64(0), -7);
  EXPECT_EQ(df.column(4).GetDouble(0), 0.1 + 0.2) << "literals are doubles, not decimals";
}

TEST_F(FrameTest, OverComputesPerGroupWindows) {
  // DuckDB's windows do not keep row order (Polars' do): sort after the window.
  DataFrame df = Collect(People()
                             .filter(col("dept").is_not_null())
                             .select({"id", col("salary").sum().over({"dept"}).alias("dept_total")})
                             .sort({"id"}));
  EXPECT_EQ(InOrderRows(df), (std::vector<std::string>{"1|270.5|", "2|270.5|", "3|175.25|",
                                                       "4|175.25|", "6|270.5|"}));
}

TEST_F(FrameTest, IsIn) {
  DataFrame df =
      Collect(People().filter(col("name").is_in({"Ada", "Ed", "Nobody"})).select({"id"}));
  EXPECT_EQ(SortedRows(df), (std::vector<std::string>{"1|", "5|"}));
}

TEST_F(FrameTest, UnknownColumnErrorListsTheColumns) {
  auto r = People().filter(col("salry") > 1).collect();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "unknown column \"salry\" in filter; the columns are: \"id\", \"name\", \"dept\", "
            "\"salary\", \"joined\"");
  auto in_agg = People().group_by({"dept"}).agg({col("nope").mean()}).collect();
  ASSERT_FALSE(in_agg.ok());
  EXPECT_NE(in_agg.status().message().find("in agg"), std::string::npos);
  auto after_rename = People().rename({{"name", "who"}}).select({"name"}).collect();
  ASSERT_FALSE(after_rename.ok());
  EXPECT_NE(after_rename.status().message().find("\"who\""), std::string::npos);
}

TEST_F(FrameTest, ColumnNamesAreAlwaysQuoted) {
  const std::string evil = "a\"; DROP TABLE victim; --";
  auto conn = session_->database()->Connect();
  ASSERT_OK(conn.status());
  ASSERT_OK((*conn)->Execute("CREATE TABLE victim AS SELECT 1 AS x"));
  Frame f =
      session_->sql("SELECT 1 AS " + engine::QuoteIdentifier(evil) + ", 'O''Brien' AS \"select\"")
          .with_columns({(col(evil) + 1).alias(evil + "2")})
          .filter(col(evil) == 1)
          .group_by({evil})
          .agg({col("select").first(), col(evil + "2").sum()})
          .rename({{evil, "renamed " + evil}});
  DataFrame df = Collect(f);
  ASSERT_EQ(df.num_rows(), 1u);
  EXPECT_EQ(df.column(0).name(), "renamed " + evil);
  EXPECT_EQ(df.column(1).GetString(0), "O'Brien");
  auto still_there = (*conn)->Collect("SELECT x FROM victim");
  ASSERT_OK(still_there.status());
  EXPECT_EQ(still_there->num_rows(), 1u);
}

TEST_F(FrameTest, StringLiteralsCannotEscape) {
  Frame f = People().filter(col("name") == "x' OR '1'='1");
  EXPECT_EQ(Collect(f).num_rows(), 0u);
  ASSERT_OK_AND_ASSIGN(std::string sql, f.to_sql());
  EXPECT_NE(sql.find("'x'' OR ''1''=''1'"), std::string::npos) << sql;
  auto nul = People().filter(col("name") == std::string("a\0b", 3)).collect();
  ASSERT_FALSE(nul.ok());
  EXPECT_NE(nul.status().message().find("NUL"), std::string::npos);
}

TEST_F(FrameTest, DuplicateOutputNamesAreErrors) {
  auto r = People().select({"id", col("salary").alias("id")}).collect();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate output column \"id\" in select"),
            std::string::npos);
}

TEST_F(FrameTest, ExplainShowsSqlAndPlan) {
  ASSERT_OK_AND_ASSIGN(
      std::string plan,
      People().filter(col("salary") > 90).group_by({"dept"}).agg({len()}).explain());
  EXPECT_NE(plan.find("SQL:"), std::string::npos);
  EXPECT_NE(plan.find("GROUP BY"), std::string::npos);
  EXPECT_NE(plan.find("Plan:"), std::string::npos);
  EXPECT_NE(plan.find("READ_CSV"), std::string::npos) << plan;
}

TEST_F(FrameTest, FramesAreImmutable) {
  Frame base = People();
  Frame filtered = base.filter(col("id") > 3);
  EXPECT_EQ(Collect(base).num_rows(), 6u);
  EXPECT_EQ(Collect(filtered).num_rows(), 3u);
}

TEST_F(FrameTest, SinksWriteWholeFiles) {
  std::string pq = tmp_ / "out.parquet", csv = tmp_ / "out.csv";
  ASSERT_OK(People().filter(col("dept") == "eng").sink_parquet(pq));
  ASSERT_OK(People().filter(col("dept") == "eng").sink_csv(csv));
  EXPECT_EQ(SortedRows(Collect(session_->scan_parquet({pq}))),
            SortedRows(Collect(session_->scan_csv({csv}))));
  EXPECT_EQ(Sql("SELECT count(*) FROM read_parquet('" + pq + "')").column(0).GetInt64(0), 3);
}

TEST_F(FrameTest, FailedSinkLeavesNoFileAndKeepsTheOldOne) {
  std::string bad = tmp_ / "bad.csv";
  std::string text = "a\n";
  for (int i = 0; i < 30000; ++i) text += std::to_string(i) + "\n";
  text += "not a number\n";
  testing::WriteText(bad, text);
  std::string out = tmp_ / "result.parquet";
  Status st = session_->scan_csv({bad}).sink_parquet(out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bad.csv"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(out));
  testing::WriteText(out, "old");
  ASSERT_FALSE(session_->scan_csv({bad}).sink_parquet(out).ok());
  EXPECT_EQ(testing::ReadText(out), "old");
  for (const auto& e : std::filesystem::directory_iterator(tmp_.path())) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "left behind: " << e.path();
  }
}

TEST_F(FrameTest, BadSourcesNameTheFile) {
  auto missing = session_->scan_csv({tmp_ / "missing.csv"}).collect();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.csv"), std::string::npos);
  auto dir = session_->scan_csv({tmp_.path()}).collect();
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
  std::string empty = tmp_ / "empty.csv";
  testing::WriteText(empty, "");
  auto e = session_->scan_csv({empty}).collect();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("empty.csv' is empty"), std::string::npos)
      << e.status().message();
  std::string ragged = tmp_ / "ragged.csv";
  testing::WriteText(ragged, "a,b\n1,2\n3,4,5\n6,7\n");
  auto r = session_->scan_csv({ragged}).collect();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ragged.csv"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
}

// The seed article's job on the canonical dirty data, checked against the same job
// written by hand in DuckDB SQL. (Polars is checked by tests/peers.)
TEST(SeedJob, MatchesHandWrittenSqlOnDirtyEvents) {
  testing::TempDir tmp;
  std::string path = tmp / "events.csv";
  ASSERT_OK(WriteEventsFile({1000000, 42, true}, path));
  ASSERT_OK_AND_ASSIGN(auto session, Session::Open());
  Frame job =
      session->scan_csv({path})
          .with_columns({col("timestamp").cast(DataType::kDatetime), col("value").fill_null(0)})
          .filter(col("quality_score") > 0.8)
          .group_by({"category"})
          .agg({col("value").mean().alias("avg_value"), col("value").std().alias("std_value")});
  ASSERT_OK_AND_ASSIGN(DataFrame got, job.sort({"category"}).collect());
  ASSERT_OK_AND_ASSIGN(auto conn, session->database()->Connect());
  ASSERT_OK_AND_ASSIGN(
      DataFrame want,
      conn->Collect("SELECT category, avg(coalesce(value, 0)) a, stddev_samp(coalesce(value, 0)) s "
                    "FROM read_csv('" +
                    path +
                    "') WHERE quality_score > 0.8 GROUP BY category "
                    "ORDER BY category"));
  ASSERT_EQ(got.num_rows(), 100u);
  ASSERT_EQ(want.num_rows(), 100u);
  for (size_t r = 0; r < 100; ++r) {
    EXPECT_EQ(got.column(0).GetString(r), want.column(0).GetString(r));
    for (size_t c : {1, 2}) {
      double a = got.column(c).GetDouble(r), b = want.column(c).GetDouble(r);
      EXPECT_LE(std::abs(a - b), 1e-9 * std::abs(b)) << "row " << r << " column " << c;
    }
  }
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(ExprComparisonsTest, OnlyConjunctsOfColumnAgainstLiteral) {
  Expr e = (col("id") >= 100) & (lit(5) > col("x")) & ((col("a") == 1) | (col("b") == 2)) &
           (col("day") == "2025-01-02") & (col("y") < col("z"));
  std::vector<std::string> got;
  for (const ColumnComparison& c : e.column_comparisons())
    got.push_back(c.column + " " + c.op + " " + c.value);
  // The OR and the column-to-column comparison are left out; 5 > x becomes x < 5.
  EXPECT_EQ(got, (std::vector<std::string>{"id >= 100", "x < 5", "day = 2025-01-02"}));
}

}  // namespace
}  // namespace strata
