// Streams without Kafka: stream files, decoding a batch (JSON and CSV) into rows and dead
// letters, fenced commits of offsets, and the metrics registry's text format.
#include <gtest/gtest.h>

#include "strata/metrics.h"
#include "strata/stream.h"
#include "strata/table.h"
#include "stream/internal.h"
#include "test_util.h"

namespace strata::stream {
namespace {

using detail::Batch;
using detail::Decoder;
using detail::Message;
using strata::testing::TempDir;

const char* kMinimal =
    "source:\n  kafka:\n    bootstrap_servers: b:9092\n    topics: [t]\n    group_id: g\n"
    "target: events\n";

TEST(StreamSpec, ReadsAFileWithDefaults) {
  auto spec = ParseStreamYaml(std::string(kMinimal) +
                                  "batch: {max_rows: 10, max_bytes: 2MB, max_ms: 250}\n"
                                  "schema: {a: BIGINT, b: VARCHAR}\n",
                              "s.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->target, "events");
  EXPECT_EQ(spec->dead_letter, "events_dead_letter");
  EXPECT_EQ(spec->batch.max_rows, 10);
  EXPECT_EQ(spec->batch.max_bytes, 2 << 20);
  EXPECT_EQ(spec->batch.max_ms, 250);
  ASSERT_EQ(spec->schema.size(), 2u);
  EXPECT_EQ(spec->schema[1].first, "b");
  EXPECT_EQ(AppId("g", "t", 3), "strata-stream/g/t/3");
}

TEST(StreamSpec, ErrorsNameTheFileLineAndColumn) {
  auto bad = [](const std::string& extra) {
    return ParseStreamYaml(std::string(kMinimal) + extra, "s.yaml").status().message();
  };
  EXPECT_NE(bad("batch: {max_rows: lots}\n").find("s.yaml line 7, column 19"), std::string::npos)
      << bad("batch: {max_rows: lots}\n");
  EXPECT_NE(bad("batch: {max_rows: 0}\n").find("above 0"), std::string::npos);
  EXPECT_NE(bad("batch: {max_bytes: 5 parsecs}\n").find("64MB"), std::string::npos);
  EXPECT_NE(bad("formt: json\n").find("did you mean 'format'"), std::string::npos);
  EXPECT_NE(bad("format: avro\n").find("json or csv"), std::string::npos);
  EXPECT_NE(bad("format: csv\n").find("needs a 'schema'"), std::string::npos);
  EXPECT_NE(bad("checks: {suite: s.yaml, policy: quarantine}\n").find("not supported"),
            std::string::npos);
  EXPECT_NE(bad("dead_letter: ../x\n").find("line 7"), std::string::npos);
  EXPECT_NE(
      ParseStreamYaml("source: {kafka: {bootstrap_servers: b, group_id: g}}\ntarget: t\n", "s.yaml")
          .status()
          .message()
          .find("either 'topics' or 'topic_pattern'"),
      std::string::npos);
  EXPECT_NE(ParseStreamYaml("source: [\n", "s.yaml").status().message().find("s.yaml line"),
            std::string::npos);
}

Batch MakeBatch(const std::vector<std::string>& values) {
  Batch b;
  const uint32_t t = b.TopicIndex("topic");
  int64_t offset = 0;
  for (const std::string& v : values) {
    Message m;
    m.topic = t;
    m.partition = 0;
    m.offset = offset++;
    m.timestamp_ms = 1764633600000;
    m.has_value = true;
    m.value = v;
    b.Add(std::move(m), -1);
  }
  return b;
}

struct Decoded {
  DataFrame rows, dead;
};

Result<Decoded> Decode(StreamSpec spec, const std::vector<std::string>& values) {
  STRATA_ASSIGN_OR_RETURN(auto session, Session::Open());
  static StreamSpec kept;  // the decoder keeps a reference to its spec
  kept = std::move(spec);
  STRATA_ASSIGN_OR_RETURN(auto decoder, Decoder::Make(session, kept, {}));
  const Batch batch = MakeBatch(values);
  STRATA_RETURN_NOT_OK(decoder->Load(batch));
  Decoded out;
  STRATA_ASSIGN_OR_RETURN(out.rows, decoder->Rows().collect());
  STRATA_ASSIGN_OR_RETURN(Frame dead, decoder->DeadLetters({}));
  STRATA_ASSIGN_OR_RETURN(out.dead, dead.collect());
  return out;
}

TEST(Decoder, JsonRowsAndDeadLettersWithTheirReasons) {
  StreamSpec spec;
  spec.schema = {{"id", "BIGINT"},
                 {"score", "DOUBLE"},
                 {"name", "VARCHAR"},
                 {"day", "DATE"},
                 {"tags", "VARCHAR[]"}};
  spec.max_message_bytes = 200;
  auto d = Decode(spec,
                  {
                      R"({"id": 1, "score": 0.5, "name": "a", "day": "2026-01-02", "tags": ["x"]})",
                      R"({"id": 2, "score": 3, "name": 7})",  // int as double, number as text
                      R"({"id": 3, "score": "high"})",        // wrong type
                      R"({"id": 4.5})",                       // fraction for BIGINT
                      R"(not json)",                          // not JSON
                      R"([1, 2])",                            // not an object
                      R"({"id": 7, "day": "yesterday"})",     // not a date
                      R"({"id": null, "extra": {"nested": true}})",  // null, extra ignored
                      std::string(300, ' '),                         // oversized
                      "{\"id\": 9, \"name\": \"\xff\"}",             // not UTF-8
                  });
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->rows.num_rows(), 3u);
  EXPECT_EQ(d->rows.column(0).GetInt64(0), 1);
  EXPECT_DOUBLE_EQ(d->rows.column(1).GetDouble(1), 3.0);
  EXPECT_EQ(d->rows.column(2).GetString(1), "7");
  EXPECT_TRUE(d->rows.column(0).IsNull(2));
  ASSERT_EQ(d->dead.num_rows(), 7u);
  std::vector<std::string> errors;
  for (size_t r = 0; r < d->dead.num_rows(); ++r)
    errors.emplace_back(d->dead.column(6).GetString(r));
  EXPECT_EQ(errors[0], "column score: \"high\" is not DOUBLE");
  EXPECT_EQ(errors[1], "column id: 4.5 is not BIGINT");
  EXPECT_EQ(errors[2], "not JSON: not json");
  EXPECT_EQ(errors[3], "not a JSON object but array");
  EXPECT_EQ(errors[4], "column day: \"yesterday\" is not DATE");
  EXPECT_NE(errors[5].find("above max_message_bytes (200)"), std::string::npos) << errors[5];
  EXPECT_EQ(errors[6], "the message is not UTF-8 text");
  EXPECT_EQ(d->dead.column(2).GetInt64(0), 2);  // the offset of the first dead letter
}

TEST(Decoder, InfersASchemaByWhatMostMessagesHold) {
  StreamSpec spec;
  auto d = Decode(spec, {R"({"n": 1, "x": 1, "s": "a", "b": true})",
                         R"({"n": 2, "x": 1.5, "s": "b", "b": false})",
                         R"({"n": "oops", "x": 2, "s": "c", "b": true})"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // n is mostly integers: BIGINT, and the text one is a dead letter.
  EXPECT_EQ(d->rows.num_rows(), 2u);
  EXPECT_EQ(d->dead.num_rows(), 1u);
  EXPECT_DOUBLE_EQ(d->rows.column(1).GetDouble(1), 1.5);
}

TEST(Decoder, CsvRecords) {
  StreamSpec spec;
  spec.format = Format::kCsv;
  spec.schema = {{"id", "INTEGER"}, {"name", "VARCHAR"}, {"score", "DOUBLE"}};
  auto d =
      Decode(spec, {"1,alice,0.5", "2,\"b, with \"\"quotes\"\"\",", "x,c,1", "4,d", "5,\"open,1"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->rows.num_rows(), 2u);
  EXPECT_EQ(d->rows.column(1).GetString(1), "b, with \"quotes\"");
  EXPECT_TRUE(d->rows.column(2).IsNull(1));
  ASSERT_EQ(d->dead.num_rows(), 3u);
  EXPECT_EQ(d->dead.column(6).GetString(0), "column id: 'x' is not INTEGER");
  EXPECT_EQ(d->dead.column(6).GetString(1), "the CSV record has 2 fields, the schema 3");
  EXPECT_EQ(d->dead.column(6).GetString(2), "a quoted CSV field is not closed");
}

TEST(FencedWrite, OffsetsCommitOnlyOverWhatTheWriterExpected) {
  TempDir dir;
  auto lake = Lake::Open(dir.path() + "/lake", true);
  ASSERT_TRUE(lake.ok());
  auto table = (*lake)->OpenTable("t");
  ASSERT_TRUE(table.ok());
  Frame rows = (*lake)->session()->sql("SELECT 1 AS x");
  WriteOptions first;
  first.app_progress = {{"app/p0", 10, -1}, {"app/p1", 5, -1}};
  ASSERT_TRUE((*table)->Write(rows, first).ok());
  // A writer that read p0 at 10 goes on; one that still thinks p0 is unrecorded is fenced.
  WriteOptions stale;
  stale.app_progress = {{"app/p0", 20, -1}};
  auto fenced = (*table)->Write(rows, stale);
  ASSERT_FALSE(fenced.ok());
  EXPECT_EQ(fenced.status().code(), StatusCode::kConflict);
  WriteOptions next;
  next.app_progress = {{"app/p0", 20, 10}};
  auto v = (*table)->Write(rows, next);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto snap = (*table)->Latest();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->app_versions.at("app/p0"), 20);
  EXPECT_EQ((*snap)->app_versions.at("app/p1"), 5);
  EXPECT_EQ((*snap)->num_records(), 2);  // the fenced write added nothing
  auto offsets = detail::RecordedOffsets(**snap, "g");
  EXPECT_TRUE(offsets.empty());
}

TEST(Metrics, RendersPrometheusTextFormat) {
  metrics::Registry r;
  r.GetCounter("x_total", "Things \\ counted", {{"stream", "a\"b"}})->Increment(3);
  r.GetGauge("x_lag", "Lag")->Set(-2.5);
  auto* h = r.GetHistogram("x_seconds", "Time", {0.1, 1}, {{"stream", "s"}});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  EXPECT_NE(r.GetCounter("x_lag", "wrong kind"), nullptr) << "a metric, never null";
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP x_total Things \\\\ counted\n# TYPE x_total counter\n"
                      "x_total{stream=\"a\\\"b\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("x_lag -2.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{stream=\"s\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{stream=\"s\",le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("x_seconds_bucket{stream=\"s\",le=\"+Inf\"} 3\nx_seconds_sum{stream=\"s\"} 5.55"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("x_seconds_count{stream=\"s\"} 3\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace strata::stream
