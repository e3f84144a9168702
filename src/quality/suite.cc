// Suite files (GE JSON, or the same in YAML) and suite building.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/json_depth.h"
#include "common/yaml_json.h"
#include "quality/expectation.h"

namespace strata::quality {

using detail::Json;

namespace {

// Line and column (1-based) of a byte offset.
std::pair<size_t, size_t> LineColumn(const std::string& text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// Suites are small: these bounds stop hostile files (deep nesting, YAML alias bombs)
// long before they cost memory or stack, and no real suite comes near them.
constexpr size_t kMaxDepth = 256;
constexpr size_t kMaxYamlNodes = 1'000'000;

// The string field `key` of `object`, or `fallback` when it is missing or null;
// InvalidArgument naming `where` when it holds something else.
Result<std::string> StringOf(const Json& object, const char* key, const std::string& where,
                             std::string fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_string()) {
    return Status::InvalidArgument(where + ": '" + key + "' must be a string, not " + it->dump());
  }
  return it->get<std::string>();
}

Result<Suite> FromParsed(const Json& doc, const std::string& source) {
  if (!doc.is_object())
    return Status::ParseError(source + ": a suite is an object with 'expectations'");
  STRATA_ASSIGN_OR_RETURN(std::string name, StringOf(doc, "name", source, "default"));
  STRATA_ASSIGN_OR_RETURN(name, StringOf(doc, "expectation_suite_name", source, name));
  Suite suite(name);
  if (!doc.contains("expectations") || !doc["expectations"].is_array()) {
    return Status::ParseError(source + ": 'expectations' must be a list");
  }
  size_t index = 0;
  for (const Json& e : doc["expectations"]) {
    std::string where = source + ": expectations[" + std::to_string(index++) + "]";
    if (!e.is_object()) return Status::ParseError(where + " must be an object");
    STRATA_ASSIGN_OR_RETURN(std::string type, StringOf(e, "type", where, ""));
    STRATA_ASSIGN_OR_RETURN(type, StringOf(e, "expectation_type", where, type));
    if (type.empty()) return Status::ParseError(where + " has no 'expectation_type' (or 'type')");
    Json kwargs = e.contains("kwargs") ? e["kwargs"] : Json::object();
    if (!kwargs.is_object())
      return Status::ParseError(where + " (" + type + "): 'kwargs' must be an object");
    suite.Add(type, kwargs.dump());
  }
  return suite;
}

}  // namespace

Result<Suite> Suite::FromJson(const std::string& text, const std::string& source) {
  if (JsonDepth(text) > kMaxDepth) {
    return Status::InvalidArgument(source + ": nested deeper than " + std::to_string(kMaxDepth) +
                                   " levels");
  }
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::out_of_range& e) {
    // A number beyond a double (1e400): nlohmann names the text but not the place.
    std::string what = e.what();
    size_t colon = what.rfind("] ");
    return Status::InvalidArgument(source + ": " +
                                   (colon == std::string::npos ? what : what.substr(colon + 2)) +
                                   "; numbers must fit a 64-bit float");
  } catch (const Json::parse_error& e) {
    auto [line, col] = LineColumn(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    size_t colon = what.rfind(": ");
    return Status::ParseError(source + " line " + std::to_string(line) + ", column " +
                              std::to_string(col) + ": " +
                              (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  return FromParsed(doc, source);
}

Result<Suite> Suite::FromYaml(const std::string& text, const std::string& source) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return YamlParseError(source, e);
  }
  STRATA_ASSIGN_OR_RETURN(Json doc, YamlToJson(node, source, kMaxDepth, kMaxYamlNodes));
  return FromParsed(doc, source);
}

Result<Suite> Suite::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("suite file '" + path + "' cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".yaml") || ends(".yml")) return FromYaml(buf.str(), path);
  return FromJson(buf.str(), path);
}

Suite& Suite::Add(std::string type, std::string kwargs_json) {
  return Add(std::move(type), std::move(kwargs_json), "{}");
}

Suite& Suite::Add(std::string type, std::string kwargs_json, std::string meta_json) {
  expectations_.push_back({std::move(type), std::move(kwargs_json), std::move(meta_json)});
  return *this;
}

Suite& Suite::expect_column_values_to_not_be_null(const std::string& column, double mostly) {
  Json k = {{"column", column}};
  if (mostly < 1.0) k["mostly"] = mostly;
  return Add("expect_column_values_to_not_be_null", k.dump());
}

Suite& Suite::expect_column_values_to_be_between(const std::string& column,
                                                 std::optional<double> min_value,
                                                 std::optional<double> max_value, double mostly) {
  Json k = {{"column", column},
            {"min_value", min_value ? Json(*min_value) : Json(nullptr)},
            {"max_value", max_value ? Json(*max_value) : Json(nullptr)}};
  if (mostly < 1.0) k["mostly"] = mostly;
  return Add("expect_column_values_to_be_between", k.dump());
}

Suite& Suite::expect_column_values_to_be_unique(const std::string& column, double mostly) {
  Json k = {{"column", column}};
  if (mostly < 1.0) k["mostly"] = mostly;
  return Add("expect_column_values_to_be_unique", k.dump());
}

std::string Suite::ToJson() const {
  Json doc = {{"expectation_suite_name", name_}, {"expectations", Json::array()}};
  for (const auto& e : expectations_) {
    doc["expectations"].push_back({{"expectation_type", e.type},
                                   {"kwargs", Json::parse(e.kwargs_json)},
                                   {"meta", Json::parse(e.meta_json)}});
  }
  return doc.dump(2) + "\n";
}

std::string Suite::ToYaml() const {
  YAML::Emitter out;
  std::function<void(const Json&)> emit = [&](const Json& v) {
    if (v.is_object()) {
      out << YAML::BeginMap;
      for (const auto& [k, x] : v.items()) {
        out << YAML::Key << k << YAML::Value;
        emit(x);
      }
      out << YAML::EndMap;
    } else if (v.is_array()) {
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& x : v) emit(x);
      out << YAML::EndSeq;
    } else if (v.is_string()) {
      out << YAML::DoubleQuoted << v.get<std::string>();
    } else if (v.is_null()) {
      out << YAML::Null;
    } else {
      out << v.dump();
    }
  };
  Json doc = Json::parse(ToJson());
  out << YAML::BeginMap << YAML::Key << "expectation_suite_name" << YAML::Value << name_;
  out << YAML::Key << "expectations" << YAML::Value << YAML::BeginSeq;
  for (const auto& e : doc["expectations"]) {
    out << YAML::BeginMap << YAML::Key << "expectation_type" << YAML::Value
        << e["expectation_type"].get<std::string>();
    out << YAML::Key << "kwargs" << YAML::Value;
    emit(e["kwargs"]);
    if (e.contains("meta") && !e["meta"].empty()) {
      out << YAML::Key << "meta" << YAML::Value;
      emit(e["meta"]);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> ExpectationTypes() { return detail::Registry::Get().Types(); }

std::vector<std::string> PositionalArguments(const std::string& type) {
  const auto* p = detail::Registry::Get().Positional(type);
  return p == nullptr ? std::vector<std::string>{} : *p;
}

}  // namespace strata::quality
