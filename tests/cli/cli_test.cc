// Runs the strata binary as a user would and checks what it prints and returns.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace strata {
namespace {

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class CliTest : public ::testing::Test {
 protected:
  CliRun Strata(const std::vector<std::string>& args,
                const std::vector<std::pair<std::string, std::string>>& env = {}) {
    std::string cmd = "cd " + ShellQuote(tmp_.path()) + " && env";
    for (const auto& [k, v] : env) cmd += " " + ShellQuote(k + "=" + v);
    cmd += " " + ShellQuote(STRATA_BIN);
    for (const auto& a : args) cmd += " " + ShellQuote(a);
    std::string out_file = tmp_ / ".stdout", err_file = tmp_ / ".stderr";
    cmd += " >" + ShellQuote(out_file) + " 2>" + ShellQuote(err_file) + " </dev/null";
    int status = std::system(cmd.c_str());
    CliRun r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::ReadText(out_file),
             testing::ReadText(err_file)};
    std::filesystem::remove(out_file);
    std::filesystem::remove(err_file);
    return r;
  }
  void ExpectOneLineError(const CliRun& r, const std::string& needle) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.err.rfind("strata: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << r.err;
  }
  testing::TempDir tmp_;
};

TEST_F(CliTest, HelpAndVersion) {
  CliRun help = Strata({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("query"), std::string::npos);
  EXPECT_NE(help.out.find("demo"), std::string::npos);
  CliRun version = Strata({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("strata 0.1.0"), std::string::npos);
  CliRun qhelp = Strata({"query", "--help"});
  EXPECT_NE(qhelp.out.find("--format"), std::string::npos);
  CliRun none = Strata({});
  EXPECT_EQ(none.exit_code, 2);
  CliRun unknown = Strata({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST_F(CliTest, QueryFormats) {
  testing::WriteText(tmp_ / "t.csv", "k,v\na,1.5\nb,\n\"c,d\",3\n");
  CliRun table = Strata({"query", "SELECT * FROM 't.csv' ORDER BY k"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("shape: (3, 2)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("\"c,d\""), std::string::npos);
  CliRun csv = Strata({"query", "SELECT * FROM 't.csv' ORDER BY k", "--format", "csv"});
  EXPECT_EQ(csv.out, "k,v\na,1.5\nb,\n\"c,d\",3.0\n");
  CliRun json = Strata({"query", "SELECT * FROM 't.csv' ORDER BY k", "-f", "json"});
  EXPECT_EQ(
      json.out,
      "[\n{\"k\":\"a\",\"v\":1.5},\n{\"k\":\"b\",\"v\":null},\n{\"k\":\"c,d\",\"v\":3.0}\n]\n");
  CliRun empty = Strata({"query", "SELECT * FROM 't.csv' WHERE false", "-f", "json"});
  EXPECT_EQ(empty.out, "[]\n");
}

TEST_F(CliTest, QueryTableTruncatesLongResults) {
  CliRun r = Strata({"query", "SELECT range AS i FROM range(1000)", "--max-rows", "5"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("showing the first 5 of 1000 rows"), std::string::npos) << r.out;
  // The shape counts every row, not the printed ones (strata query "SELECT * FROM range(41)").
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "shape: (1000, 1)");
  CliRun none = Strata({"query", "SELECT * FROM range(41)", "--max-rows", "0"});
  EXPECT_EQ(none.out.substr(0, none.out.find('\n')), "shape: (41, 1)");
}

TEST_F(CliTest, QueryWritesParquetAndCsv) {
  testing::WriteText(tmp_ / "t.csv", "k,v\na,1\nb,2\n");
  CliRun pq = Strata({"query", "SELECT k, v * 10 AS v FROM 't.csv'", "--out", "o.parquet"});
  ASSERT_EQ(pq.exit_code, 0) << pq.err;
  CliRun back = Strata({"query", "SELECT sum(v) AS s FROM 'o.parquet'", "-f", "csv"});
  EXPECT_EQ(back.out, "s\n30\n");
  CliRun csv = Strata({"query", "SELECT * FROM 't.csv'", "-o", "o.csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(testing::ReadText(tmp_ / "o.csv"), "k,v\na,1\nb,2\n");
  CliRun bad_ext = Strata({"query", "SELECT 1", "-o", "o.xlsx"});
  ExpectOneLineError(bad_ext, ".parquet or .csv");
}

TEST_F(CliTest, MissingFile) {
  ExpectOneLineError(Strata({"query", "SELECT * FROM 'nope.csv'"}), "nope.csv");
}

TEST_F(CliTest, DirectoryInsteadOfFile) {
  std::filesystem::create_directory(tmp_ / "adir.csv");
  ExpectOneLineError(Strata({"query", "SELECT * FROM 'adir.csv'"}), "'adir.csv' is a directory");
}

TEST_F(CliTest, EmptyFile) {
  testing::WriteText(tmp_ / "empty.csv", "");
  ExpectOneLineError(Strata({"query", "SELECT * FROM read_csv('empty.csv')"}),
                     "'empty.csv' is empty");
}

TEST_F(CliTest, RaggedRowNamesFileAndLine) {
  std::string text = "a,b,c\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",x,y\n";
  text += "1,2,3,4\n";
  testing::WriteText(tmp_ / "ragged.csv", text);
  ExpectOneLineError(Strata({"query", "SELECT count(*) FROM 'ragged.csv'"}),
                     "'ragged.csv': line 3002 has 4 fields");
}

// Quoted fields: line breaks inside them are data, not a ragged file; a record over the
// reader's line limit, or a quote never closed, is named by the line it starts on, at
// once (a 50 MB field took DuckDB's sniffer 20 s to report, naming line 1).
TEST_F(CliTest, QuotedFieldsSpanLinesAndHugeOnesAreNamedQuickly) {
  testing::WriteText(tmp_ / "nl.csv", "a,b\n1,\"x\ny, \"\"z\"\"\"\n2,w\n");
  CliRun nl = Strata({"query", "SELECT count(*) AS n FROM 'nl.csv'", "-f", "csv"});
  EXPECT_EQ(nl.exit_code, 0) << nl.err;
  EXPECT_EQ(nl.out, "n\n2\n");
  const std::string big(50 << 20, 'x');
  testing::WriteText(tmp_ / "big.csv", "a,b\n0,ok\n1,\"" + big + "\"\n2,y\n");
  testing::WriteText(tmp_ / "open.csv", "a,b\n0,ok\n1,\"" + big + "\n2,y\n");
  testing::WriteText(tmp_ / "short.csv", "a,b\n0,ok\n1,\"never closed\n");
  EXPECT_EQ(Strata({"init", "--lake", "lk"}).exit_code, 0);
  for (const char* file : {"big.csv", "open.csv"}) {
    ExpectOneLineError(Strata({"query", "SELECT count(*) FROM '" + std::string(file) + "'"}),
                       "line 3 starts a record of over 2,000,000 bytes");
    ExpectOneLineError(Strata({"table", "write", "t", "--from", file, "--lake", "lk"}),
                       "line 3 starts a record of over");
  }
  ExpectOneLineError(Strata({"query", "SELECT count(*) FROM 'open.csv'"}),
                     "inside a quoted field (is a quote never closed?)");
  ExpectOneLineError(Strata({"table", "write", "t", "--from", "short.csv", "--lake", "lk"}),
                     "line 3 opens a quoted field that is never closed");
  EXPECT_EQ(
      nlohmann::json::parse(Strata({"table", "list", "--lake", "lk", "-f", "json"}).out)["tables"]
          .size(),
      0u);
}

TEST_F(CliTest, NonNumericValueNamesFileLineAndColumn) {
  std::string text = "id,score\n";
  for (int i = 0; i < 30000; ++i) text += std::to_string(i) + ",0.5\n";
  text += "30000,high\n";
  testing::WriteText(tmp_ / "scores.csv", text);
  CliRun r = Strata({"query", "SELECT avg(score) FROM 'scores.csv'"});
  ExpectOneLineError(r, "'scores.csv' line 30002, column \"score\"");
  EXPECT_NE(r.err.find("high"), std::string::npos);
}

TEST_F(CliTest, FailedOutLeavesNoPartialFile) {
  std::string text = "id,score\n";
  for (int i = 0; i < 30000; ++i) text += std::to_string(i) + ",0.5\n";
  text += "30000,high\n";
  testing::WriteText(tmp_ / "scores.csv", text);
  CliRun r = Strata({"query", "SELECT * FROM 'scores.csv'", "--out", "out.parquet"});
  ExpectOneLineError(r, "scores.csv");
  for (const auto& e : std::filesystem::directory_iterator(tmp_.path())) {
    EXPECT_EQ(e.path().filename().string().find("out.parquet"), std::string::npos)
        << "left behind: " << e.path();
  }
}

TEST_F(CliTest, InvalidSqlGivesPosition) {
  CliRun r = Strata({"query", "SELECT 1 FORM x"});
  ExpectOneLineError(r, "syntax error");
  EXPECT_NE(r.err.find("line 1, column"), std::string::npos) << r.err;
}

TEST_F(CliTest, GenerateEventsIsDeterministic) {
  CliRun a = Strata({"generate", "events", "50", "--dirty"});
  CliRun b = Strata({"generate", "events", "50", "--dirty"});
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 51);
  EXPECT_EQ(
      a.out.rfind("sample_id,feature_id,timestamp,category,value,quality_score,normalized_value,"
                  "event_score,label\n1,",
                  0),
      0u);
}

TEST_F(CliTest, DemoRunsTheSeedJob) {
  CliRun r = Strata({"demo", "--rows", "20000", "--dir", "d"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("avg_value"), std::string::npos);
  EXPECT_NE(r.out.find("100 groups from 20000 rows"), std::string::npos) << r.out;
}

TEST_F(CliTest, LakeTablesEndToEnd) {
  testing::WriteText(tmp_ / "a.csv", "id,cat,score\n1,x,0.5\n2,y,0.9\n3,x,0.1\n");
  EXPECT_EQ(Strata({"--lake", "lk", "init"}).exit_code, 0);
  CliRun w0 = Strata({"--lake", "lk", "table", "write", "t", "--from", "a.csv", "--meta",
                      "features=id,score", "--meta", "accuracy=0.9", "--partition-by", "cat"});
  ASSERT_EQ(w0.exit_code, 0) << w0.err;
  EXPECT_NE(w0.out.find("t: version 0, 3 rows"), std::string::npos) << w0.out;
  CliRun w1 = Strata({"--lake", "lk", "table", "write", "t", "--mode", "append", "--query",
                      "SELECT id + 10 AS id, cat, score FROM t"});
  ASSERT_EQ(w1.exit_code, 0) << w1.err;
  CliRun q = Strata({"--lake", "lk", "query",
                     "SELECT (SELECT count(*) FROM t@0) AS v0, (SELECT count(*) FROM t) AS v1",
                     "-f", "csv"});
  EXPECT_EQ(q.out, "v0,v1\n3,6\n") << q.err;
  CliRun log = Strata({"--lake", "lk", "table", "log", "t"});
  EXPECT_NE(log.out.find("accuracy=0.9 features=id,score"), std::string::npos) << log.out;
  CliRun show = Strata({"--lake", "lk", "table", "show", "t"});
  EXPECT_NE(show.out.find("partitioned by  cat"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("rows      6"), std::string::npos) << show.out;
  CliRun list = Strata({"--lake", "lk", "table", "list"});
  EXPECT_NE(list.out.find("version 1"), std::string::npos) << list.out;
  CliRun diff = Strata({"--lake", "lk", "table", "diff", "t", "0", "1"});
  EXPECT_NE(diff.out.find("rows   +3 -0"), std::string::npos) << diff.out;
  CliRun del = Strata({"--lake", "lk", "table", "delete", "t", "--where", "cat = 'y'"});
  EXPECT_NE(del.out.find("2 rows deleted"), std::string::npos) << del.out << del.err;
  CliRun restore = Strata({"--lake", "lk", "table", "restore", "t", "0"});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  CliRun vac = Strata({"--lake", "lk", "table", "vacuum", "t", "--dry-run"});
  EXPECT_NE(vac.out.find("would remove 0 files"), std::string::npos) << vac.out;
}

TEST_F(CliTest, ValidateExitCodesAndFormats) {
  testing::WriteText(tmp_ / "d.csv", "id,score\n1,0.5\n2,0.9\n3,1.7\n");
  testing::WriteText(tmp_ / "pass.yaml",
                     "expectations:\n  - expectation_type: expect_column_values_to_be_unique\n    "
                     "kwargs: {column: id}\n");
  testing::WriteText(
      tmp_ / "fail.json",
      R"({"expectation_suite_name": "f", "expectations": [{"expectation_type": )"
      R"("expect_column_values_to_be_between", "kwargs": {"column": "score", "min_value": 0, "max_value": 1}}]})");
  CliRun pass = Strata({"validate", "d.csv", "--suite", "pass.yaml"});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(pass.out.rfind("PASSED", 0), 0u) << pass.out;
  CliRun fail = Strata({"validate", "d.csv", "--suite", "fail.json"});
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_NE(fail.out.find(
                "FAIL  expect_column_values_to_be_between(score): 1 unexpected (33.33%), e.g. 1.7"),
            std::string::npos)
      << fail.out;
  CliRun json = Strata({"validate", "d.csv", "--suite", "fail.json", "--format", "json",
                        "--result-format", "COMPLETE"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find("\"unexpected_list\": ["), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"statistics\""), std::string::npos);
  CliRun html = Strata(
      {"validate", "d.csv", "--suite", "fail.json", "--format", "html", "--out", "report.html"});
  EXPECT_EQ(html.exit_code, 1);
  EXPECT_NE(testing::ReadText(tmp_ / "report.html").find("<!DOCTYPE html>"), std::string::npos);
  CliRun sql = Strata({"validate", "d.csv", "--suite", "fail.json", "--show-sql"});
  EXPECT_EQ(sql.err.rfind("SELECT count(*)", 0), 0u) << sql.err;
  EXPECT_NE(sql.err.find("read_csv('d.csv'"), std::string::npos) << sql.err;
  CliRun profile = Strata({"profile", "d.csv"});
  ASSERT_EQ(profile.exit_code, 0) << profile.err;
  testing::WriteText(tmp_ / "profiled.yaml", profile.out);
  EXPECT_EQ(Strata({"validate", "d.csv", "--suite", "profiled.yaml"}).exit_code, 0) << profile.out;
}

TEST_F(CliTest, ValidateErrorsExitTwo) {
  testing::WriteText(tmp_ / "d.csv", "id\n1\n");
  testing::WriteText(tmp_ / "broken.json",
                     "{\n  \"expectations\": [\n    {\"expectation_type\": }\n  ]\n}\n");
  CliRun broken = Strata({"validate", "d.csv", "--suite", "broken.json"});
  EXPECT_EQ(broken.exit_code, 2);
  ExpectOneLineError(broken, "broken.json line 3, column");
  testing::WriteText(
      tmp_ / "unknown.yaml",
      "expectations:\n  - expectation_type: expect_colum_to_exist\n    kwargs: {column: id}\n");
  CliRun unknown = Strata({"validate", "d.csv", "--suite", "unknown.yaml"});
  EXPECT_EQ(unknown.exit_code, 2);
  ExpectOneLineError(unknown,
                     "unknown expectation type 'expect_colum_to_exist'; the closest known are: "
                     "expect_column_to_exist");
  CliRun missing = Strata({"validate", "nothere.csv", "--suite", "unknown.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  ExpectOneLineError(missing, "nothere.csv");
}

TEST_F(CliTest, QualityGateOnTableWrites) {
  testing::WriteText(tmp_ / "good.csv", "id,score\n1,0.5\n2,0.9\n");
  testing::WriteText(tmp_ / "bad.csv", "id,score\n3,1.5\n3,0.2\n");
  testing::WriteText(
      tmp_ / "suite.yaml",
      "name: scores\nexpectations:\n"
      "  - expectation_type: expect_column_values_to_be_between\n    kwargs: {column: score, "
      "min_value: 0, max_value: 1}\n"
      "  - expectation_type: expect_column_values_to_be_unique\n    kwargs: {column: id}\n");
  EXPECT_EQ(Strata({"--lake", "lk", "init"}).exit_code, 0);
  CliRun ok = Strata(
      {"--lake", "lk", "table", "write", "t", "--from", "good.csv", "--suite", "suite.yaml"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  CliRun refused =
      Strata({"--lake", "lk", "table", "write", "t", "--from", "bad.csv", "--suite", "suite.yaml"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("fails suite 'scores' (0/2 expectations met); nothing was written"),
            std::string::npos)
      << refused.err;
  CliRun forced = Strata({"--lake", "lk", "table", "write", "t", "--from", "bad.csv", "--suite",
                          "suite.yaml", "--allow-failed", "--mode", "append"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  CliRun log = Strata({"--lake", "lk", "table", "log", "t"});
  EXPECT_NE(log.out.find("quality.expectations_met=2/2"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("quality.success=false"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("quality.unexpected.column_values_to_be_between.score=1"),
            std::string::npos)
      << log.out;
  EXPECT_NE(log.out.find("quality.unexpected.column_values_to_be_unique.id=2"), std::string::npos)
      << log.out;
  CliRun count = Strata({"--lake", "lk", "query", "SELECT count(*) FROM t", "-f", "csv"});
  EXPECT_EQ(count.out, "count_star()\n4\n");
}

TEST_F(CliTest, WriteModesAsDeltaRsAndPolars) {
  testing::WriteText(tmp_ / "d.csv", "a,b,c\n1,x,5\n2,y,6\n");
  EXPECT_EQ(Strata({"init", "--lake", "lk"}).exit_code, 0);  // --lake after the command
  ASSERT_EQ(Strata({"table", "write", "t", "--from", "d.csv", "--lake", "lk"}).exit_code, 0);
  // Re-running the same write does not duplicate the data: the default mode is error.
  CliRun again = Strata({"table", "write", "t", "--from", "d.csv", "--lake", "lk"});
  EXPECT_EQ(again.exit_code, 2);
  ExpectOneLineError(again, "table 't' exists (version 0); write in mode append or overwrite");
  CliRun ignored =
      Strata({"table", "write", "t", "--from", "d.csv", "--lake", "lk", "--mode", "ignore"});
  EXPECT_EQ(ignored.exit_code, 0);
  EXPECT_NE(ignored.out.find("exists at version 0; nothing written"), std::string::npos)
      << ignored.out;
  EXPECT_EQ(Strata({"table", "write", "t", "--from", "d.csv", "--lake", "lk", "--mode", "append"})
                .exit_code,
            0);
  EXPECT_EQ(
      Strata({"table", "write", "t", "--from", "d.csv", "--lake", "lk", "--mode", "overwrite"})
          .exit_code,
      0);
  // STRATA_LAKE is read when --lake is not given; the log parses as JSON.
  CliRun log = Strata({"table", "log", "t", "--format", "json"}, {{"STRATA_LAKE", "lk"}});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  auto doc = nlohmann::json::parse(log.out);
  ASSERT_EQ(doc["versions"].size(), 3u);
  EXPECT_EQ(doc["versions"][0]["operation_parameters"]["mode"], "Overwrite");
  EXPECT_EQ(doc["versions"][1]["operation_parameters"]["mode"], "Append");
  EXPECT_EQ(doc["versions"][2]["operation_parameters"]["mode"], "ErrorIfExists");
  // A partition option takes its values, never the table name after it.
  CliRun parts =
      Strata({"table", "write", "--partition-by", "a", "p", "--from", "d.csv", "--lake", "lk"});
  EXPECT_EQ(parts.exit_code, 0) << parts.err;
  CliRun show = Strata({"table", "show", "p", "--lake", "lk", "-f", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["partition_columns"],
            nlohmann::json::parse(R"(["a"])"));
  EXPECT_EQ(
      Strata({"table", "write", "p2", "--partition-by", "a,b", "--from", "d.csv", "--lake", "lk"})
          .exit_code,
      0);
  CliRun list = Strata({"table", "list", "--lake", "lk", "--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(list.out)["tables"].size(), 3u) << list.out;
  // Optimize with nothing to compact commits nothing; vacuum below 168 h needs --force.
  CliRun opt = Strata({"table", "optimize", "p", "--lake", "lk"});
  EXPECT_NE(opt.out.find("nothing to compact"), std::string::npos) << opt.out;
  ExpectOneLineError(Strata({"table", "vacuum", "t", "--retain", "0", "--lake", "lk"}),
                     "add --force to vacuum anyway");
  EXPECT_EQ(
      Strata({"table", "vacuum", "t", "--retain", "0", "--dry-run", "--lake", "lk"}).exit_code, 0);
  EXPECT_EQ(Strata({"table", "vacuum", "t", "--retain", "0", "--force", "--lake", "lk"}).exit_code,
            0);
  // Time travel speaks ISO 8601.
  ExpectOneLineError(Strata({"query", "SELECT * FROM t@'2000-01-01T00:00:00Z'", "--lake", "lk"}),
                     "no version committed at or before 2000-01-01T00:00:00.000Z");
}

TEST_F(CliTest, JsonOutputAndUnknownCommands) {
  CliRun r = Strata({"query",
                     "SELECT [1, 2] AS l, {'a': 1, 'b': [true]} AS s, 'inf'::DOUBLE AS f, 'x' AS t",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc[0]["l"], nlohmann::json::parse("[1, 2]"));
  EXPECT_EQ(doc[0]["s"]["b"][0], true);
  EXPECT_TRUE(doc[0]["f"].is_null());
  EXPECT_EQ(doc[0]["t"], "x");
  CliRun failing = Strata({"query", "SELECT error('boom')", "--format", "json"});
  EXPECT_EQ(failing.exit_code, 2);
  EXPECT_EQ(failing.out, "");  // nothing half-written on stdout
  ExpectOneLineError(Strata({"bogus"}), "unknown command 'bogus'");
  CliRun typo = Strata({"tabel", "list"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean 'table'?"), std::string::npos) << typo.err;
}

TEST_F(CliTest, OneCsvReaderForEveryCommand) {
  testing::WriteText(tmp_ / "semi.csv", "sample_id;feature_id;value\n1;10;0.5\n2;11;NA\n");
  testing::WriteText(tmp_ / "tabs.tsv", "a\tb\n1\tx\n");
  testing::WriteText(tmp_ / "ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
  testing::WriteText(tmp_ / "days.csv", "id,day\n1,03/02/2024\n");
  testing::WriteText(tmp_ / "plain.csv", "1,x\n2,y\n");
  testing::WriteText(tmp_ / "s.yaml",
                     "expectations:\n  - expectation_type: expect_column_to_exist\n    kwargs: "
                     "{column: feature_id}\n");
  EXPECT_EQ(Strata({"init", "--lake", "lk"}).exit_code, 0);
  // The delimiter is found from the header line by table write and validate alike.
  CliRun w =
      Strata({"table", "write", "semi", "--from", "semi.csv", "--null", "NA", "--lake", "lk"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  CliRun show = Strata({"table", "show", "semi", "--lake", "lk", "-f", "json"});
  auto schema = nlohmann::json::parse(show.out)["schema"];
  ASSERT_EQ(schema.size(), 3u) << show.out;
  EXPECT_EQ(schema[2]["type"], "double");  // NA read as null, so the column stays numeric
  EXPECT_EQ(Strata({"validate", "semi.csv", "--suite", "s.yaml"}).exit_code, 0);
  EXPECT_EQ(Strata({"validate", "semi.csv", "--suite", "s.yaml", "--delimiter", ","}).exit_code, 1);
  CliRun tsv = Strata({"table", "write", "tabs", "--from", "tabs.tsv", "--lake", "lk"});
  EXPECT_EQ(tsv.exit_code, 0) << tsv.err;
  // A ragged file is refused with its line by query as by table write.
  ExpectOneLineError(Strata({"query", "SELECT * FROM 'ragged.csv'"}),
                     "line 3 has 2 fields where line 1 has 3");
  ExpectOneLineError(Strata({"table", "write", "r", "--from", "ragged.csv", "--lake", "lk"}),
                     "line 3 has 2 fields where line 1 has 3");
  // Date formats and files without a header.
  ASSERT_EQ(Strata({"table", "write", "days", "--from", "days.csv", "--date-format", "%d/%m/%Y",
                    "--lake", "lk"})
                .exit_code,
            0);
  CliRun day = Strata({"query", "SELECT day FROM days", "--lake", "lk", "-f", "csv"});
  EXPECT_EQ(day.out, "day\n2024-02-03\n");
  CliRun plain =
      Strata({"table", "write", "plain", "--from", "plain.csv", "--no-header", "--lake", "lk"});
  EXPECT_NE(plain.out.find("2 rows"), std::string::npos) << plain.out << plain.err;
}

TEST_F(CliTest, LakeErrors) {
  ExpectOneLineError(Strata({"--lake", "nolake", "table", "list"}), "no lake at 'nolake'");
  EXPECT_EQ(Strata({"--lake", "lk", "init"}).exit_code, 0);
  ExpectOneLineError(
      Strata({"--lake", "lk", "table", "write", "../escape", "--query", "SELECT 1 AS x"}),
      "table name '../escape'");
  ExpectOneLineError(Strata({"--lake", "lk", "table", "log", "nope"}),
                     "table 'nope' does not exist");
  EXPECT_EQ(Strata({"--lake", "lk", "table", "write", "t", "--query", "SELECT 1 AS x"}).exit_code,
            0);
  ExpectOneLineError(Strata({"--lake", "lk", "table", "write", "t", "--mode", "append", "--query",
                             "SELECT 'a' AS x"}),
                     "column \"x\" is string in the data but integer in the table");
  ExpectOneLineError(Strata({"--lake", "lk", "query", "SELECT * FROM t@9"}),
                     "has no version 9; the latest is 0");
  ExpectOneLineError(Strata({"--lake", "lk", "table", "write", "t"}),
                     "exactly one of --from FILE or --query SQL");
  ExpectOneLineError(Strata({"--lake", "lk", "table", "write", "t", "--query", "SELECT 1 AS x",
                             "--meta", "novalue"}),
                     "expected KEY=VALUE");
}

}  // namespace
}  // namespace strata
