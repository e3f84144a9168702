#include "strata/engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "test_util.h"

namespace strata::engine {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open();
    ASSERT_OK(db.status());
    db_ = std::move(db).value();
    auto conn = db_->Connect();
    ASSERT_OK(conn.status());
    conn_ = std::move(conn).value();
  }
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(EngineTest, CollectReadsEveryValueKind) {
  ASSERT_OK_AND_ASSIGN(
      DataFrame df,
      conn_->Collect(
          "SELECT * FROM (VALUES (true, 42::TINYINT, 7::BIGINT, 1.5::DOUBLE, 'x', DATE "
          "'2025-03-01', "
          "TIMESTAMP '2025-03-01 12:34:56.5'), (NULL, NULL, NULL, NULL, NULL, NULL, NULL)) "
          "t(b, i8, i64, d, s, dt, ts)"));
  ASSERT_EQ(df.num_rows(), 2u);
  ASSERT_EQ(df.num_columns(), 7u);
  EXPECT_EQ(df.column(0).kind(), ValueKind::kBool);
  EXPECT_TRUE(df.column(0).GetBool(0));
  EXPECT_EQ(df.column(1).kind(), ValueKind::kInt64);
  EXPECT_EQ(df.column(1).GetInt64(0), 42);
  EXPECT_EQ(df.column(1).sql_type(), "TINYINT");
  EXPECT_EQ(df.column(2).GetInt64(0), 7);
  EXPECT_DOUBLE_EQ(df.column(3).GetDouble(0), 1.5);
  EXPECT_EQ(df.column(4).GetString(0), "x");
  EXPECT_EQ(df.column(5).kind(), ValueKind::kDate);
  EXPECT_EQ(df.column(5).Format(0), "2025-03-01");
  EXPECT_EQ(df.column(6).kind(), ValueKind::kTimestamp);
  EXPECT_EQ(df.column(6).Format(0), "2025-03-01 12:34:56.500000");
  for (size_t c = 0; c < df.num_columns(); ++c) {
    EXPECT_TRUE(df.column(c).IsNull(1)) << df.column(c).name();
    EXPECT_EQ(df.column(c).Format(1), "null");
  }
}

TEST_F(EngineTest, OtherTypesAreConvertedByDuckDB) {
  ASSERT_OK_AND_ASSIGN(DataFrame df,
                       conn_->Collect("SELECT 12.34::DECIMAL(10,2) AS dec, [1, 2] AS lst, "
                                      "{'a': 1} AS st, 12::HUGEINT AS h, 2::UBIGINT AS u"));
  EXPECT_EQ(df.column(0).kind(), ValueKind::kFloat64);
  EXPECT_DOUBLE_EQ(df.column(0).GetDouble(0), 12.34);
  EXPECT_EQ(df.column(0).sql_type(), "DECIMAL");
  EXPECT_EQ(df.column(1).sql_type(), "LIST");
  EXPECT_EQ(df.column(1).kind(), ValueKind::kString);
  EXPECT_EQ(df.column(1).GetString(0), "[1, 2]");
  EXPECT_EQ(df.column(2).GetString(0), "{'a': 1}");
  EXPECT_EQ(df.column(3).kind(), ValueKind::kInt64);
  EXPECT_EQ(df.column(3).GetInt64(0), 12);
  EXPECT_EQ(df.column(4).GetDouble(0), 2.0);
  auto big = conn_->Collect("SELECT 170141183460469231731687303715884105727::HUGEINT AS h");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("'h' does not fit in 64 bits"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(DataFrame neg,
                       conn_->Collect("SELECT sum(x) AS s FROM (VALUES (-5::BIGINT), (-7)) t(x)"));
  EXPECT_EQ(neg.column(0).GetInt64(0), -12);
}

TEST_F(EngineTest, StreamingResultComesInChunks) {
  ASSERT_OK_AND_ASSIGN(auto result, conn_->Query("SELECT range AS i FROM range(10000)"));
  std::vector<Column> cols = result->NewColumns();
  size_t chunks = 0, rows = 0;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(size_t n, result->AppendNextChunk(&cols));
    if (n == 0) break;
    ++chunks;
    rows += n;
  }
  EXPECT_EQ(rows, 10000u);
  EXPECT_GE(chunks, 5u);  // DuckDB chunks hold at most 2048 rows
  EXPECT_EQ(cols[0].GetInt64(9999), 9999);
}

TEST_F(EngineTest, PreparedStatementBindsParameters) {
  ASSERT_OK_AND_ASSIGN(
      auto stmt, conn_->Prepare("SELECT $1::BIGINT + 1 AS a, $2 || '!' AS b, $3 AS c, $4 AS d"));
  EXPECT_EQ(stmt->parameter_count(), 4u);
  ASSERT_OK(stmt->BindInt64(1, 41));
  ASSERT_OK(stmt->BindString(2, "it's"));
  ASSERT_OK(stmt->BindDouble(3, 0.25));
  ASSERT_OK(stmt->BindNull(4));
  ASSERT_OK_AND_ASSIGN(DataFrame df, stmt->Collect());
  EXPECT_EQ(df.column(0).GetInt64(0), 42);
  EXPECT_EQ(df.column(1).GetString(0), "it's!");
  EXPECT_DOUBLE_EQ(df.column(2).GetDouble(0), 0.25);
  EXPECT_TRUE(df.column(3).IsNull(0));
  EXPECT_FALSE(stmt->BindInt64(9, 1).ok());
}

// A masking function as the security layer will register them: keeps the first n
// characters, stars the rest; NULL text stays NULL.
ScalarFunction MaskFunction() {
  ScalarFunction f;
  f.name = "test_mask";
  f.arguments = {ValueKind::kString, ValueKind::kInt64};
  f.result = ValueKind::kString;
  f.compute = [](const std::vector<Column>& args, size_t rows, Column* out) -> Status {
    for (size_t i = 0; i < rows; ++i) {
      if (args[0].IsNull(i)) {
        out->AppendNull();
        continue;
      }
      if (args[1].IsNull(i) || args[1].GetInt64(i) < 0)
        return Status::InvalidArgument("the kept length must be 0 or more");
      std::string s(args[0].GetString(i));
      const size_t keep = static_cast<size_t>(args[1].GetInt64(i));
      for (size_t c = keep; c < s.size(); ++c) s[c] = '*';
      out->AppendString(s);
    }
    return Status::OK();
  };
  return f;
}

TEST_F(EngineTest, ScalarFunctionsWrittenInCpp) {
  ASSERT_OK(db_->RegisterScalarFunction(MaskFunction()));
  // Several chunks (10,000 rows), nulls passed through, every connection sees it.
  ASSERT_OK_AND_ASSIGN(auto other, db_->Connect());
  ASSERT_OK_AND_ASSIGN(
      DataFrame df,
      other->Collect("SELECT count(*) AS n, count(m) AS non_null, min(m) AS lo, max(m) AS hi, "
                     "count(*) FILTER (WHERE m = left(t, 2) || repeat('*', length(t) - 2)) AS ok "
                     "FROM (SELECT t, test_mask(t, 2) AS m FROM (SELECT CASE WHEN range % 10 = 0 "
                     "THEN NULL ELSE 'user' || range END AS t FROM range(10000)))"));
  EXPECT_EQ(df.column(0).GetInt64(0), 10000);
  EXPECT_EQ(df.column(1).GetInt64(0), 9000);
  EXPECT_EQ(df.column(4).GetInt64(0), 9000);
  EXPECT_EQ(df.column(2).GetString(0), "us***");
  // An error from the function fails the query with its message and name.
  auto bad = conn_->Collect("SELECT test_mask('secret', -1)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("test_mask: the kept length must be 0 or more"),
            std::string::npos)
      << bad.status().message();
  // Kinds a function cannot take, and a name already taken for the same arguments.
  ScalarFunction dated = MaskFunction();
  dated.name = "test_dated";
  dated.arguments = {ValueKind::kDate};
  auto refused = db_->RegisterScalarFunction(dated);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("argument 1 is date"), std::string::npos) << refused.message();
  EXPECT_FALSE(db_->RegisterScalarFunction(MaskFunction()).ok());
}

TEST_F(EngineTest, AppenderLoadsRows) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id BIGINT, name VARCHAR, score DOUBLE, ok BOOLEAN)"));
  ASSERT_OK_AND_ASSIGN(auto app, Appender::Make(conn_.get(), "t"));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(app->AppendInt64(i));
    ASSERT_OK(i % 10 == 0 ? app->AppendNull() : app->AppendString("n" + std::to_string(i)));
    ASSERT_OK(app->AppendDouble(i * 0.5));
    ASSERT_OK(app->AppendBool(i % 2 == 0));
    ASSERT_OK(app->EndRow());
  }
  ASSERT_OK(app->Close());
  ASSERT_OK_AND_ASSIGN(
      DataFrame df,
      conn_->Collect("SELECT count(*) AS n, count(name) AS named, sum(score) AS s FROM t"));
  EXPECT_EQ(df.column(0).GetInt64(0), 1000);
  EXPECT_EQ(df.column(1).GetInt64(0), 900);
  EXPECT_DOUBLE_EQ(df.column(2).GetDouble(0), 0.5 * 999 * 1000 / 2);
}

TEST_F(EngineTest, AppenderErrorsNameTheTable) {
  auto app = Appender::Make(conn_.get(), "no_such_table");
  ASSERT_FALSE(app.ok());
  EXPECT_NE(app.status().message().find("no_such_table"), std::string::npos)
      << app.status().message();
}

TEST_F(EngineTest, ParserErrorsGiveLineAndColumn) {
  auto r = conn_->Collect("SELECT 1,\n  2 FRM x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;
  // "FRM" reads as an alias of 2, so the error is at x.
  EXPECT_NE(msg.find("line 2, column 9"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
}

TEST_F(EngineTest, BinderErrorsAreOneLine) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (a INT)"));
  auto r = conn_->Collect("SELECT b FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("\"b\" not found"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
}

TEST_F(EngineTest, DescribeReturnsNamesAndTypes) {
  ASSERT_OK_AND_ASSIGN(auto cols, conn_->Describe("SELECT 1::INTEGER AS a, 'x' AS \"b c\""));
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].name, "a");
  EXPECT_EQ(cols[0].sql_type, "INTEGER");
  EXPECT_EQ(cols[1].name, "b c");
  EXPECT_EQ(cols[1].sql_type, "VARCHAR");
}

TEST_F(EngineTest, ProgressCallbackRunsAndResultIsComplete) {
  ASSERT_OK_AND_ASSIGN(auto stmt, conn_->Prepare("SELECT count(*) AS n FROM range(3000000) a, "
                                                 "range(20) b WHERE (a.range + b.range) % 7 = 0"));
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(auto result, stmt->Execute(false, [&](const Progress&) { ++calls; }));
  ASSERT_OK_AND_ASSIGN(DataFrame df, result->ToDataFrame());
  EXPECT_GT(df.column(0).GetInt64(0), 0);
  (void)calls;  // how often depends on the machine's speed; the result must be whole
}

TEST_F(EngineTest, ConnectionPerThread) {
  ASSERT_OK(conn_->Execute("CREATE TABLE shared AS SELECT range AS i FROM range(100000)"));
  std::vector<std::thread> threads;
  std::vector<int64_t> sums(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto conn = db_->Connect();
      if (!conn.ok()) return;
      auto df =
          (*conn)->Collect("SELECT sum(i) AS s FROM shared WHERE i % 4 = " + std::to_string(t));
      if (df.ok()) sums[t] = static_cast<int64_t>(df->column(0).GetDouble(0));
    });
  }
  for (auto& th : threads) th.join();
  int64_t total = 0;
  for (int64_t s : sums) total += s;
  EXPECT_EQ(total, int64_t{99999} * 100000 / 2);
}

TEST(Quoting, IdentifiersAndStrings) {
  EXPECT_EQ(QuoteIdentifier("a"), "\"a\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteString("it's"), "'it''s'");
}

TEST(DataFrameTest, UnknownColumnListsColumns) {
  std::vector<Column> cols;
  cols.emplace_back("a", ValueKind::kInt64, "BIGINT");
  cols.emplace_back("b", ValueKind::kString, "VARCHAR");
  cols[0].AppendInt64(1);
  cols[1].AppendString("x");
  DataFrame df(std::move(cols));
  auto c = df.column("zz");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "no column 'zz'; columns are: a, b");
}

TEST(DataFrameTest, ToStringElidesTheMiddle) {
  std::vector<Column> cols;
  cols.emplace_back("n", ValueKind::kInt64, "BIGINT");
  for (int i = 0; i < 100; ++i) cols[0].AppendInt64(i);
  std::string text = DataFrame(std::move(cols)).ToString(6);
  EXPECT_NE(text.find("shape: (100, 1)"), std::string::npos);
  EXPECT_NE(text.find("│   2 │"), std::string::npos) << text;
  EXPECT_NE(text.find("…"), std::string::npos);
  EXPECT_NE(text.find("99 │"), std::string::npos);
  EXPECT_EQ(text.find("  50 │"), std::string::npos);
}

}  // namespace
}  // namespace strata::engine

namespace strata::engine {
namespace {

// The same fixture: a database and one connection.
using ExpressionTest = EngineTest;

TEST_F(ExpressionTest, ConditionsComeBackAsDuckDBRendersThem) {
  ASSERT_OK_AND_ASSIGN(std::string a,
                       ParseScalarExpression(conn_.get(), "x = 1 AND \"y z\" > 'q'"));
  EXPECT_EQ(a, "(((x = 1) AND (\"y z\" > 'q')))");
  // A trailing comment cannot swallow what follows the condition.
  ASSERT_OK_AND_ASSIGN(std::string b, ParseScalarExpression(conn_.get(), "x = 2 -- note"));
  EXPECT_EQ(b, "((x = 2))");
  // Closing the parenthesis early still yields one expression, rendered whole.
  ASSERT_OK_AND_ASSIGN(std::string c, ParseScalarExpression(conn_.get(), "x = 1) OR (TRUE"));
  EXPECT_EQ(c, "(((x = 1) OR CAST('t' AS BOOLEAN)))");
}

TEST_F(ExpressionTest, RefusesWhatIsNotOneCondition) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& k :
       {Case{"x = 1) > 0 AS leak, count(*) FILTER (WHERE TRUE", "not one SQL condition"},
        Case{"x > (SELECT count(*) FROM read_text('/etc/hostname'))", "a subquery"},
        Case{"EXISTS (SELECT 1)", "a subquery"},
        Case{"x = 1); DROP TABLE t; SELECT (1", "not one SQL condition"},
        Case{"x = 1) GROUP BY (x", "adds to the query"},
        Case{"row_number() OVER () = 1", "a window"}, Case{"", "empty"},
        Case{"x = 1 /*", "not one SQL condition"}}) {
    auto r = ParseScalarExpression(conn_.get(), k.text);
    ASSERT_FALSE(r.ok()) << k.text << " gave " << *r;
    EXPECT_NE(r.status().message().find(k.says), std::string::npos) << r.status().message();
  }
  auto nul = ParseScalarExpression(conn_.get(), std::string_view("x = 1\0 OR 1", 11));
  ASSERT_FALSE(nul.ok());
  EXPECT_NE(nul.status().message().find("NUL"), std::string::npos);
}

}  // namespace
}  // namespace strata::engine

namespace strata::engine {
namespace {

TEST(RestrictedDatabaseTest, ReadsOnlyWhatItWasGiven) {
  testing::TempDir tmp;
  const std::string allowed_dir = tmp / "lake";
  std::filesystem::create_directories(allowed_dir);
  const std::string inside = allowed_dir + "/in.csv", outside = tmp / "out.csv",
                    given = tmp / "given.csv";
  for (const std::string& f : {inside, outside, given}) testing::WriteText(f, "a\n1\n");
  // A folder whole, a file alone (a glob's folder, below).
  DatabaseOptions options = SandboxedTo({allowed_dir, given});
  ASSERT_TRUE(options.allowed_directories.has_value());
  EXPECT_EQ(*options.allowed_directories, std::vector<std::string>{allowed_dir});
  EXPECT_EQ(options.allowed_files, std::vector<std::string>{given});
  EXPECT_EQ(*SandboxedTo({tmp / "parts/*.csv"}).allowed_directories,
            std::vector<std::string>{tmp / "parts"});
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  EXPECT_OK(conn->Collect("SELECT * FROM read_csv('" + inside + "')").status());
  EXPECT_OK(conn->Collect("SELECT * FROM read_csv('" + given + "')").status());
  EXPECT_OK(conn->Execute("COPY (SELECT 1) TO '" + allowed_dir + "/written.csv'"));
  auto escaped = conn->Collect("SELECT * FROM read_csv('" + outside + "')");
  ASSERT_FALSE(escaped.ok());
  EXPECT_FALSE(conn->Collect("SELECT content FROM read_text('/etc/hostname')").ok());
  EXPECT_FALSE(conn->Execute("COPY (SELECT 1) TO '" + std::string(tmp / "leak.csv") + "'").ok());
  EXPECT_FALSE(std::filesystem::exists(std::string(tmp / "leak.csv")));
  // Locked: a query cannot lift the restriction.
  EXPECT_FALSE(conn->Execute("SET enable_external_access = true").ok());
  EXPECT_FALSE(conn->Execute("SET allowed_directories = ['/']").ok());
}

}  // namespace
}  // namespace strata::engine
