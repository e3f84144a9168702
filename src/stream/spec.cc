// Stream files: YAML to a StreamSpec. Errors name the file, line and column.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/closest.h"
#include "common/yaml_json.h"
#include "strata/stream.h"
#include "strata/table.h"

namespace strata::stream {

namespace {

const std::vector<std::string> kTopKeys = {"name",          "source",
                                           "format",        "schema",
                                           "transform",     "checks",
                                           "target",        "dead_letter",
                                           "batch",         "max_message_bytes",
                                           "compact_every", "startup_timeout_ms"};
const std::vector<std::string> kSourceKeys = {"kafka"};
const std::vector<std::string> kKafkaKeys = {"bootstrap_servers", "topics",     "topic_pattern",
                                             "group_id",          "properties", "starting_offsets"};
const std::vector<std::string> kChecksKeys = {"suite", "policy"};
const std::vector<std::string> kBatchKeys = {"max_rows", "max_bytes", "max_ms"};

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  Result<StreamSpec> Parse(const YAML::Node& root) {
    if (!root.IsMap()) return Err(root, "a stream file is a map with 'source', 'target' and more");
    STRATA_RETURN_NOT_OK(Known(root, kTopKeys, "a stream file"));
    StreamSpec spec;
    spec.source = source_;
    if (!root["source"]) return Err(root, "the stream has no 'source'");
    STRATA_RETURN_NOT_OK(Source(root["source"], &spec.kafka));
    if (!root["target"]) return Err(root, "the stream has no 'target' table");
    STRATA_ASSIGN_OR_RETURN(spec.target, Text(root["target"], "'target'"));
    if (Status st = ValidateTableName(spec.target); !st.ok())
      return Err(root["target"], st.message());
    spec.dead_letter = spec.target + "_dead_letter";
    if (root["dead_letter"]) {
      STRATA_ASSIGN_OR_RETURN(spec.dead_letter, Text(root["dead_letter"], "'dead_letter'"));
      if (Status st = ValidateTableName(spec.dead_letter); !st.ok())
        return Err(root["dead_letter"], st.message());
      if (spec.dead_letter == spec.target)
        return Err(root["dead_letter"], "'dead_letter' must be another table than 'target'");
    }
    spec.name = spec.target;
    if (root["name"]) {
      STRATA_ASSIGN_OR_RETURN(spec.name, Text(root["name"], "'name'"));
    }
    if (root["format"]) {
      STRATA_ASSIGN_OR_RETURN(std::string f, Text(root["format"], "'format'"));
      if (f == "json") {
        spec.format = Format::kJson;
      } else if (f == "csv") {
        spec.format = Format::kCsv;
      } else {
        return Err(root["format"], "'format' is json or csv, got '" + f + "'");
      }
    }
    if (const YAML::Node schema = root["schema"]) {
      if (!schema.IsMap() && !schema.IsNull())
        return Err(schema, "'schema' is a map of column names to types");
      for (const auto& kv : schema) {
        STRATA_ASSIGN_OR_RETURN(std::string col, Text(kv.first, "a column name"));
        STRATA_ASSIGN_OR_RETURN(std::string type, Text(kv.second, "the type of '" + col + "'"));
        spec.schema.emplace_back(col, type);
      }
    }
    if (spec.format == Format::kCsv && spec.schema.empty())
      return Err(root, "a csv stream needs a 'schema' (its columns, in order)");
    if (root["transform"]) {
      STRATA_ASSIGN_OR_RETURN(spec.transform, Text(root["transform"], "'transform'"));
    }
    if (const YAML::Node checks = root["checks"]) {
      if (!checks.IsMap()) return Err(checks, "'checks' is a map with 'suite' and 'policy'");
      STRATA_RETURN_NOT_OK(Known(checks, kChecksKeys, "'checks'"));
      if (!checks["suite"]) return Err(checks, "'checks' has no 'suite'");
      STRATA_ASSIGN_OR_RETURN(spec.suite_file, Text(checks["suite"], "'suite'"));
      if (checks["policy"]) {
        STRATA_ASSIGN_OR_RETURN(std::string p, Text(checks["policy"], "'policy'"));
        if (p == "fail") {
          spec.policy = CheckPolicy::kFail;
        } else if (p == "warn") {
          spec.policy = CheckPolicy::kWarn;
        } else if (p == "quarantine") {
          return Err(checks["policy"],
                     "'policy: quarantine' is not supported for streams yet (rows a "
                     "transform made cannot be traced back to their Kafka offsets, so they "
                     "cannot be set aside exactly once); use fail or warn");
        } else {
          return Err(checks["policy"], "'policy' is fail or warn, got '" + p + "'");
        }
      }
    }
    if (const YAML::Node batch = root["batch"]) {
      if (!batch.IsMap()) return Err(batch, "'batch' is a map: max_rows, max_bytes, max_ms");
      STRATA_RETURN_NOT_OK(Known(batch, kBatchKeys, "'batch'"));
      if (batch["max_rows"]) {
        STRATA_ASSIGN_OR_RETURN(spec.batch.max_rows, Count(batch["max_rows"], "'max_rows'"));
      }
      if (batch["max_bytes"]) {
        STRATA_ASSIGN_OR_RETURN(spec.batch.max_bytes, Bytes(batch["max_bytes"], "'max_bytes'"));
      }
      if (batch["max_ms"]) {
        STRATA_ASSIGN_OR_RETURN(spec.batch.max_ms, Count(batch["max_ms"], "'max_ms'"));
      }
    }
    if (root["max_message_bytes"]) {
      STRATA_ASSIGN_OR_RETURN(spec.max_message_bytes,
                              Bytes(root["max_message_bytes"], "'max_message_bytes'"));
    }
    if (root["compact_every"]) {
      STRATA_ASSIGN_OR_RETURN(int64_t n, Count(root["compact_every"], "'compact_every'", true));
      spec.compact_every = static_cast<int>(std::min<int64_t>(n, 1 << 30));
    }
    if (root["startup_timeout_ms"]) {
      STRATA_ASSIGN_OR_RETURN(spec.startup_timeout_ms,
                              Count(root["startup_timeout_ms"], "'startup_timeout_ms'"));
    }
    return spec;
  }

 private:
  Status Source(const YAML::Node& node, KafkaSource* k) {
    if (!node.IsMap()) return Err(node, "'source' is a map with 'kafka'");
    STRATA_RETURN_NOT_OK(Known(node, kSourceKeys, "'source'"));
    const YAML::Node kafka = node["kafka"];
    if (!kafka || !kafka.IsMap()) return Err(node, "'source' needs a 'kafka' map");
    STRATA_RETURN_NOT_OK(Known(kafka, kKafkaKeys, "'source.kafka'"));
    if (!kafka["bootstrap_servers"]) return Err(kafka, "'kafka' has no 'bootstrap_servers'");
    STRATA_ASSIGN_OR_RETURN(k->bootstrap_servers,
                            Text(kafka["bootstrap_servers"], "'bootstrap_servers'"));
    if (kafka["topics"]) {
      const YAML::Node topics = kafka["topics"];
      if (topics.IsScalar()) {
        STRATA_ASSIGN_OR_RETURN(std::string t, Text(topics, "a topic"));
        k->topics.push_back(t);
      } else if (topics.IsSequence()) {
        for (const auto& t : topics) {
          STRATA_ASSIGN_OR_RETURN(std::string name, Text(t, "a topic"));
          if (name.empty() || name[0] == '^') return Err(t, "a topic name, not a pattern");
          k->topics.push_back(name);
        }
      } else {
        return Err(topics, "'topics' is a list of topic names");
      }
    }
    if (kafka["topic_pattern"]) {
      STRATA_ASSIGN_OR_RETURN(k->topic_pattern, Text(kafka["topic_pattern"], "'topic_pattern'"));
      if (k->topic_pattern.empty() || k->topic_pattern[0] != '^')
        k->topic_pattern = "^" + k->topic_pattern;
    }
    if (k->topics.empty() == k->topic_pattern.empty())
      return Err(kafka, "'kafka' needs either 'topics' or 'topic_pattern'");
    if (!kafka["group_id"]) return Err(kafka, "'kafka' has no 'group_id'");
    STRATA_ASSIGN_OR_RETURN(k->group_id, Text(kafka["group_id"], "'group_id'"));
    if (k->group_id.empty()) return Err(kafka["group_id"], "'group_id' is empty");
    if (const YAML::Node props = kafka["properties"]) {
      if (!props.IsMap() && !props.IsNull())
        return Err(props, "'properties' is a map of librdkafka properties");
      for (const auto& kv : props) {
        STRATA_ASSIGN_OR_RETURN(std::string key, Text(kv.first, "a property name"));
        STRATA_ASSIGN_OR_RETURN(std::string value, Text(kv.second, "property '" + key + "'"));
        k->properties[key] = value;
      }
    }
    if (kafka["starting_offsets"]) {
      STRATA_ASSIGN_OR_RETURN(k->starting_offsets,
                              Text(kafka["starting_offsets"], "'starting_offsets'"));
      if (k->starting_offsets != "earliest" && k->starting_offsets != "latest") {
        return Err(kafka["starting_offsets"],
                   "'starting_offsets' is earliest or latest, got '" + k->starting_offsets + "'");
      }
    }
    return Status::OK();
  }

  std::string Where(const YAML::Node& node) const { return YamlWhere(source_, node); }
  Status Err(const YAML::Node& node, const std::string& what) const {
    return Status::InvalidArgument(Where(node) + ": " + what);
  }

  Status Known(const YAML::Node& map, const std::vector<std::string>& known,
               const std::string& what) const {
    return YamlKnownKeys(source_, map, known, what);
  }
  Result<std::string> Text(const YAML::Node& node, const std::string& what) const {
    return YamlText(source_, node, what);
  }

  // A whole number >= 1 (>= 0 with zero_ok).
  Result<int64_t> Count(const YAML::Node& node, const std::string& what,
                        bool zero_ok = false) const {
    STRATA_ASSIGN_OR_RETURN(std::string s, Text(node, what));
    int64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      if (v > (INT64_MAX - 9) / 10) return Err(node, what + " is too large");
      v = v * 10 + (s[i] - '0');
    }
    if (s.empty() || i != s.size() || (v == 0 && !zero_ok))
      return Err(node,
                 what + " is a whole number" + (zero_ok ? "" : " above 0") + ", got '" + s + "'");
    return v;
  }

  // A size: a whole number with an optional unit (B, KB, MB, GB; 1 KB = 1024 bytes).
  Result<int64_t> Bytes(const YAML::Node& node, const std::string& what) const {
    STRATA_ASSIGN_OR_RETURN(std::string s, Text(node, what));
    size_t i = 0;
    int64_t v = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      if (v > (int64_t{1} << 40)) return Err(node, what + " is too large");
      v = v * 10 + (s[i] - '0');
    }
    std::string unit = s.substr(i);
    unit.erase(0, unit.find_first_not_of(' '));
    std::transform(unit.begin(), unit.end(), unit.begin(), ::toupper);
    int64_t scale = 0;
    if (unit.empty() || unit == "B") {
      scale = 1;
    } else if (unit == "KB" || unit == "KIB") {
      scale = 1 << 10;
    } else if (unit == "MB" || unit == "MIB") {
      scale = 1 << 20;
    } else if (unit == "GB" || unit == "GIB") {
      scale = 1 << 30;
    }
    if (i == 0 || scale == 0 || v == 0)
      return Err(node, what + " is a size such as 65536, 512KB or 64MB, got '" + s + "'");
    return v * scale;
  }

  std::string source_;
};

}  // namespace

std::string AppId(const std::string& group_id, const std::string& topic, int32_t partition) {
  return "strata-stream/" + group_id + "/" + topic + "/" + std::to_string(partition);
}

Result<StreamSpec> ParseStreamYaml(const std::string& text, const std::string& source) {
  Parser parser(source);
  return ParseYaml<StreamSpec>(text, source,
                               [&](const YAML::Node& root) { return parser.Parse(root); });
}

Result<StreamSpec> LoadStreamFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("stream file '" + path + "' cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  STRATA_ASSIGN_OR_RETURN(StreamSpec spec, ParseStreamYaml(buf.str(), path));
  spec.dir = std::filesystem::path(path).parent_path().string();
  return spec;
}

}  // namespace strata::stream
