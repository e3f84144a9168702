// A batch of messages to rows: the raw messages are appended to a DuckDB table in chunks,
// then one query parses them (JSON) or casts their fields (CSV) against the schema. A
// message that does not fit gets the first reason why, and becomes a dead letter; the
// rest of its batch goes on.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/yaml_json.h"
#include "strata/engine.h"
#include "stream/internal.h"
#include "table/delta_log.h"

namespace strata::stream::detail {

using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

constexpr const char* kRaw = "__strata_stream_raw";
constexpr const char* kDecoded = "__strata_stream_decoded";
constexpr const char* kDead = "__strata_stream_dead";

// One CSV record (RFC 4180: quoted fields, "" inside quotes) split into fields. False
// when a quote is not closed.
bool SplitCsv(std::string_view line, std::vector<std::string>* fields, std::vector<bool>* quoted) {
  fields->clear();
  quoted->clear();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::string cur;
  bool in_quotes = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      in_quotes = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      quoted->push_back(was_quoted);
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  if (in_quotes) return false;
  fields->push_back(std::move(cur));
  quoted->push_back(was_quoted);
  return true;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

}  // namespace

uint32_t Batch::TopicIndex(const std::string& topic) {
  for (uint32_t i = 0; i < topics.size(); ++i) {
    if (topics[i] == topic) return i;
  }
  topics.push_back(topic);
  return static_cast<uint32_t>(topics.size() - 1);
}

void Batch::Add(Message m, int64_t expected) {
  Range& r = ranges[{topics[m.topic], m.partition}];
  if (r.messages == 0) {
    r.expected = expected;
    r.first = m.offset;
  }
  r.last = m.offset;
  ++r.messages;
  bytes += static_cast<int64_t>(m.key.size() + m.value.size()) + 64;
  messages.push_back(std::move(m));
}

void Batch::Drop(const TopicPartition& tp) {
  auto it = ranges.find(tp);
  if (it == ranges.end()) return;
  ranges.erase(it);
  std::vector<Message> kept;
  int64_t kept_bytes = 0;
  for (Message& m : messages) {
    if (topics[m.topic] == tp.first && m.partition == tp.second) continue;
    kept_bytes += static_cast<int64_t>(m.key.size() + m.value.size()) + 64;
    kept.push_back(std::move(m));
  }
  messages = std::move(kept);
  bytes = kept_bytes;
}

ValueKind KindOf(const std::string& duck_type) {
  const std::string t = Upper(duck_type);
  static const std::set<std::string> kInts = {"TINYINT", "SMALLINT", "INTEGER",   "BIGINT",
                                              "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                              "UBIGINT", "UHUGEINT"};
  if (kInts.count(t)) return ValueKind::kInteger;
  if (t == "FLOAT" || t == "DOUBLE" || t.rfind("DECIMAL", 0) == 0) return ValueKind::kNumber;
  if (t == "BOOLEAN") return ValueKind::kBoolean;
  if (t == "VARCHAR") return ValueKind::kText;
  if (t.find('(') != std::string::npos || t.find('[') != std::string::npos)
    return ValueKind::kNested;  // STRUCT(...), MAP(...), T[]
  return ValueKind::kFromText;  // DATE, TIMESTAMP, UUID, ...
}

Result<std::unique_ptr<Decoder>> Decoder::Make(std::shared_ptr<Session> session,
                                               const StreamSpec& spec,
                                               std::vector<TableField> table_schema) {
  std::unique_ptr<Decoder> d(new Decoder(std::move(session), spec));
  d->table_schema_ = std::move(table_schema);
  STRATA_ASSIGN_OR_RETURN(auto conn, d->session_->database()->Connect());
  std::set<std::string> seen;
  for (const auto& [name, type] : spec.schema) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (name.empty() || !seen.insert(lower).second) {
      return Status::InvalidArgument(spec.source + ": schema column '" + name +
                                     "' is empty or given twice");
    }
    auto cols = conn->Describe("SELECT CAST(NULL AS " + type + ") AS c");
    if (!cols.ok() || type.find(';') != std::string::npos) {
      return Status::InvalidArgument(spec.source + ": schema column '" + name + "' has type '" +
                                     type + "', which is not a DuckDB type");
    }
    d->schema_.emplace_back(name, (*cols)[0].sql_type);
  }
  return d;
}

Status Decoder::DefineEmpty() {
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  std::string cols;
  for (const auto& [name, type] : schema_)
    cols += (cols.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + type + ") AS " +
            QuoteIdentifier(name);
  return conn->Execute("CREATE OR REPLACE VIEW batch AS SELECT " + cols + " LIMIT 0");
}

Status Decoder::Load(const Batch& batch) {
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  const size_t n = batch.messages.size();
  // The raw table: coordinates, the value as text (JSON; NULL when it could not be text),
  // and an error found before SQL (no value, oversized, not UTF-8, a CSV record of the
  // wrong width). Keys and raw bytes stay in the batch: only dead letters need them.
  std::string ddl = std::string("CREATE OR REPLACE TABLE ") + kRaw +
                    " (topic VARCHAR, kafka_partition BIGINT, kafka_offset BIGINT, ts BIGINT, "
                    "txt VARCHAR, pre_error VARCHAR";
  const bool csv = spec_.format == Format::kCsv;
  if (csv) {
    for (size_t c = 0; c < schema_.size(); ++c) ddl += ", f" + std::to_string(c) + " VARCHAR";
  }
  STRATA_RETURN_NOT_OK(conn->Execute(ddl + ")"));
  constexpr size_t kFields = 6;  // the CSV fields follow
  std::vector<engine::Appender::ColumnData> cols(kFields + (csv ? schema_.size() : 0));
  for (auto& c : cols) c.nulls.assign(n, false);
  for (int i : {1, 2, 3}) cols[i].ints.resize(n);
  for (int i : {0, 4, 5}) cols[i].texts.resize(n);
  std::vector<std::string> errors(n);
  std::vector<std::vector<std::string>> fields(csv ? schema_.size() : 0,
                                               std::vector<std::string>(n));
  std::vector<std::string> split;
  std::vector<bool> quoted;
  for (size_t r = 0; r < n; ++r) {
    const Message& m = batch.messages[r];
    cols[0].texts[r] = batch.topics[m.topic];
    cols[1].ints[r] = m.partition;
    cols[2].ints[r] = m.offset;
    cols[3].ints[r] = m.timestamp_ms;
    cols[3].nulls[r] = m.timestamp_ms < 0;
    std::string& err = errors[r];
    if (!m.has_value) {
      err = "the message has no value";
    } else if (static_cast<int64_t>(m.value.size()) > spec_.max_message_bytes) {
      err = "the message has " + std::to_string(m.value.size()) +
            " bytes, above max_message_bytes (" + std::to_string(spec_.max_message_bytes) + ")";
    } else if (!IsUtf8(m.value)) {
      err = "the message is not UTF-8 text";
    } else if (csv) {
      if (!SplitCsv(m.value, &split, &quoted)) {
        err = "a quoted CSV field is not closed";
      } else if (split.size() != schema_.size()) {
        err = "the CSV record has " + std::to_string(split.size()) + " fields, the schema " +
              std::to_string(schema_.size());
      } else {
        for (size_t c = 0; c < split.size(); ++c) {
          // An empty unquoted field is NULL; a quoted one is the empty text.
          if (split[c].empty() && !quoted[c]) {
            cols[kFields + c].nulls[r] = true;
          } else {
            fields[c][r] = std::move(split[c]);
          }
        }
      }
    }
    // The text, for JSON messages that may be decoded (checked UTF-8 above).
    cols[4].nulls[r] = csv || !err.empty();
    if (!cols[4].nulls[r]) cols[4].texts[r] = m.value;
    cols[5].nulls[r] = err.empty();
    cols[5].texts[r] = err;
    if (!err.empty() && csv) {
      for (size_t c = 0; c < schema_.size(); ++c) cols[kFields + c].nulls[r] = true;
    }
  }
  for (size_t c = 0; csv && c < schema_.size(); ++c) {
    cols[kFields + c].texts.resize(n);
    for (size_t r = 0; r < n; ++r) cols[kFields + c].texts[r] = fields[c][r];
  }
  {
    STRATA_ASSIGN_OR_RETURN(auto appender, engine::Appender::Make(conn.get(), kRaw));
    STRATA_RETURN_NOT_OK(appender->AppendColumns(cols));
    STRATA_RETURN_NOT_OK(appender->Close());
  }
  batch_ = &batch;
  if (schema_.empty()) STRATA_RETURN_NOT_OK(Infer());
  return Decode();
}

// The schema from the batch's JSON objects: per key, the kind of value most of them hold
// (so a few malformed messages do not decide it): numbers are BIGINT when every one is an
// integer, else DOUBLE; nested values are kept as JSON text. A column the target table has
// keeps the table's type. Keys come in the order they first appear.
Status Decoder::Infer() {
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(DataFrame df, conn->Collect(std::string(R"sql(
WITH objs AS (
  SELECT row_number() OVER () AS r, CAST(txt AS JSON) AS v
  FROM (SELECT txt FROM )sql") + kRaw + R"sql( WHERE pre_error IS NULL)
  WHERE json_valid(txt) AND json_type(txt) = 'OBJECT' LIMIT 10000),
kv AS (
  SELECT r * 100000 + pos AS r, k, json_type(json_extract(v, CASE WHEN k[1] IN ('$', '/')
      THEN '$."' || replace(k, '"', '\"') || '"' ELSE k END)) AS t
  FROM (SELECT r, v, unnest(json_keys(v)) AS k, generate_subscripts(json_keys(v), 1) AS pos
        FROM objs)),
kinds AS (
  SELECT k, CASE WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN 'number'
                 WHEN t = 'BOOLEAN' THEN 'boolean' WHEN t = 'VARCHAR' THEN 'text'
                 WHEN t IN ('OBJECT', 'ARRAY') THEN 'nested' END AS kind,
         count(*) AS n, bool_or(t = 'DOUBLE') AS fraction, min(r) AS first
  FROM kv GROUP BY ALL)
SELECT k, arg_max(kind, n) FILTER (WHERE kind IS NOT NULL), bool_or(fraction), min(first)
FROM kinds GROUP BY k ORDER BY 4, 1)sql"));
  for (size_t r = 0; r < df.num_rows(); ++r) {
    const std::string key(df.column(0).GetString(r));
    const std::string kind = df.column(1).IsNull(r) ? "" : std::string(df.column(1).GetString(r));
    std::string type = "VARCHAR";
    if (kind == "number") type = df.column(2).GetBool(r) ? "DOUBLE" : "BIGINT";
    if (kind == "boolean") type = "BOOLEAN";
    for (const TableField& f : table_schema_) {
      if (f.name != key) continue;
      if (auto duck = delta::DuckTypeOf(f.type); duck.ok()) type = *duck;
    }
    schema_.emplace_back(key, type);
  }
  return Status::OK();
}

// One query, in layers so each value is computed once: the text and (JSON) each column's
// value from a single extract, then the typed values, then the first error per message.
Status Decoder::Decode() {
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  const bool csv = spec_.format == Format::kCsv;
  std::string raw_values, typed, errors, out_cols, good_cols;
  nlohmann::json structure = nlohmann::json::object();  // json_transform's: field -> type
  for (size_t c = 0; c < schema_.size(); ++c) {
    const auto& [name, type] = schema_[c];
    const std::string n = std::to_string(c);
    const std::string j = "__j" + n, t = "__t" + n, v = "__v" + n;
    std::string value, error;
    if (csv) {
      raw_values += ", f" + n + " AS " + j;
      value = KindOf(type) == ValueKind::kText ? j : "TRY_CAST(" + j + " AS " + type + ")";
      error = "CASE WHEN " + j + " IS NOT NULL AND " + v + " IS NULL THEN " +
              QuoteString("column " + name + ": '") + " || " + j + "[1:200] || " +
              QuoteString("' is not " + type) + " END";
    } else {
      // Each field arrives as its JSON text (a text column as its value); its kind is read
      // off the text's first character, so the document is parsed only once.
      const ValueKind kind = KindOf(type);
      structure[name] = kind == ValueKind::kText ? "VARCHAR" : "JSON";
      raw_values += ", CAST(__j." + QuoteIdentifier(name) + " AS VARCHAR) AS " + j;
      const std::string first = "left(" + j + ", 1)";
      const std::string number =
          first + " IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')";
      std::string fits;
      switch (kind) {
        case ValueKind::kInteger:
          fits = number + " AND NOT (contains(" + j + ", '.') OR contains(" + j +
                 ", 'e') OR contains(" + j + ", 'E'))";
          value = "TRY_CAST(" + j + " AS " + type + ")";
          break;
        case ValueKind::kNumber:
          fits = number;
          value = "TRY_CAST(" + j + " AS " + type + ")";
          break;
        case ValueKind::kBoolean:
          fits = j + " IN ('true', 'false')";
          value = "(" + j + " = 'true')";
          break;
        case ValueKind::kText:
          fits = "TRUE";
          value = j;
          break;
        case ValueKind::kFromText:
          fits = first + " = '\"'";
          value = "TRY_CAST(CAST(" + j + " AS JSON) ->> '$' AS " + type + ")";
          break;
        case ValueKind::kNested:
          fits = first + " IN ('{', '[')";
          value = "TRY_CAST(CAST(" + j + " AS JSON) AS " + type + ")";
          break;
      }
      value = "CASE WHEN " + fits + " THEN " + value + " END";
      error = kind == ValueKind::kText
                  ? std::string("NULL")
                  : "CASE WHEN " + j + " <> 'null' AND " + v + " IS NULL THEN " +
                        QuoteString("column " + name + ": ") + " || " + j + "[1:200] || " +
                        QuoteString(" is not " + type) + " END";
    }
    typed += ", " + value + " AS " + v;
    errors += ", " + error;
    out_cols += ", " + v + " AS " + QuoteIdentifier(name);
    good_cols += (good_cols.empty() ? "" : ", ") + QuoteIdentifier(name);
  }
  std::string parsed;
  std::string first_error = "pre_error";
  if (csv) {
    parsed = std::string("SELECT rowid AS rid, topic, kafka_partition, kafka_offset, pre_error") +
             raw_values + " FROM " + kRaw;
  } else {
    // One parse per message: TRY(json_transform) is NULL for text that is not JSON, and a
    // JSON document whose text starts with '{' is an object.
    const std::string extract =
        structure.empty() ? std::string("CASE WHEN json_valid(txt) THEN 1 END")
                          : "TRY(json_transform(txt, " + QuoteString(structure.dump()) + "))";
    parsed = "SELECT rid, topic, kafka_partition, kafka_offset, pre_error, doc_error" + raw_values +
             " FROM (SELECT *, CASE WHEN pre_error IS NOT NULL THEN NULL WHEN __j IS NULL THEN "
             "CASE WHEN json_valid(txt) THEN 'not a JSON object but ' || lower(json_type(txt)) "
             "ELSE 'not JSON: ' || txt[1:100] END WHEN NOT (starts_with(txt, '{') OR "
             "starts_with(ltrim(txt, ' ' || chr(9) || chr(10) || chr(13)), '{')) THEN 'not a JSON "
             "object but ' || lower(json_type(txt)) END AS doc_error FROM (SELECT rowid AS rid, *, "
             "CASE WHEN pre_error IS NULL THEN " +
             extract + " END AS __j FROM " + std::string(kRaw) + "))";
    first_error += ", doc_error";
  }
  const std::string sql = std::string("CREATE OR REPLACE TABLE ") + kDecoded +
                          " AS SELECT rid, topic, kafka_partition, kafka_offset, coalesce(" +
                          first_error + errors + ") AS error" + out_cols + " FROM (SELECT *" +
                          typed + " FROM (" + parsed + "))";
  STRATA_RETURN_NOT_OK(conn->Execute(sql).WithContext("decoding a batch"));
  STRATA_RETURN_NOT_OK(conn->Execute("CREATE OR REPLACE VIEW batch AS SELECT " +
                                     (good_cols.empty() ? std::string("*") : good_cols) + " FROM " +
                                     kDecoded + " WHERE error IS NULL"));
  STRATA_ASSIGN_OR_RETURN(DataFrame count, conn->Collect(std::string("SELECT count(*) FROM ") +
                                                         kDecoded + " WHERE error IS NOT NULL"));
  dead_letters_ = count.column(0).GetInt64(0);
  return Status::OK();
}

Frame Decoder::Rows() const { return session_->sql("SELECT * FROM batch"); }

Result<Frame> Decoder::DeadLetters(const std::map<TopicPartition, int64_t>& written) const {
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(DataFrame bad,
                          conn->Collect(std::string("SELECT rid, error FROM ") + kDecoded +
                                        " WHERE error IS NOT NULL ORDER BY rid"));
  // The coordinates, key and raw bytes come from the batch itself.
  std::vector<engine::Appender::ColumnData> cols(7);
  for (size_t r = 0; r < bad.num_rows(); ++r) {
    const Message& m = batch_->messages[static_cast<size_t>(bad.column(0).GetInt64(r))];
    const std::string& topic = batch_->topics[m.topic];
    auto it = written.find({topic, m.partition});
    if (it != written.end() && m.offset <= it->second) continue;  // in the table already
    cols[0].texts.push_back(topic);
    cols[1].ints.push_back(m.partition);
    cols[2].ints.push_back(m.offset);
    cols[3].ints.push_back(m.timestamp_ms);
    cols[3].nulls.push_back(m.timestamp_ms < 0);
    cols[4].texts.push_back(m.key);
    cols[4].nulls.push_back(!m.has_key);
    cols[5].texts.push_back(m.value);
    cols[5].nulls.push_back(!m.has_value);
    cols[6].texts.push_back(bad.column(1).GetString(r));
  }
  for (int i : {0, 1, 2, 6}) cols[i].nulls.clear();
  STRATA_RETURN_NOT_OK(conn->Execute(std::string("CREATE OR REPLACE TABLE ") + kDead +
                                     " (topic VARCHAR, kafka_partition BIGINT, kafka_offset "
                                     "BIGINT, ts BIGINT, msg_key BLOB, msg_value BLOB, error "
                                     "VARCHAR)"));
  if (!cols[2].ints.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto appender, engine::Appender::Make(conn.get(), kDead));
    STRATA_RETURN_NOT_OK(appender->AppendColumns(cols));
    STRATA_RETURN_NOT_OK(appender->Close());
  }
  return session_->sql(std::string("SELECT topic, CAST(kafka_partition AS INTEGER) AS "
                                   "kafka_partition, kafka_offset, to_timestamp(ts / 1000.0) AS "
                                   "kafka_timestamp, msg_key AS key, msg_value AS value, error "
                                   "FROM ") +
                       kDead);
}

}  // namespace strata::stream::detail
