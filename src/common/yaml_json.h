// YAML to JSON values, bounded: suites, pipelines and test files are read through it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata {

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF), as JSON text must be.
bool IsUtf8(std::string_view s);

// "SOURCE line L, column C" for where `node` is (just SOURCE when yaml-cpp has no mark).
std::string YamlWhere(const std::string& source, const YAML::Node& node);

// A ParseError naming SOURCE, the line and the column of a YAML syntax error.
Status YamlParseError(const std::string& source, const YAML::Exception& e);

// OK when every key of the map `node` is one of `known`; else InvalidArgument naming
// SOURCE, the line and the column of the first other key, `what` it is in, and the
// closest known key.
Status YamlKnownKeys(const std::string& source, const YAML::Node& node,
                     const std::vector<std::string>& known, const std::string& what);

// The text of a scalar `node`; else InvalidArgument naming SOURCE, the line and column.
Result<std::string> YamlText(const std::string& source, const YAML::Node& node,
                             const std::string& what);

// Loads YAML `text` and returns parse(root); a YAML syntax error, or one yaml-cpp throws
// while `parse` reads the nodes, becomes a ParseError naming SOURCE, the line and column.
template <typename T, typename F>
Result<T> ParseYaml(const std::string& text, const std::string& source, F&& parse) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return YamlParseError(source, e);
  }
  try {
    return parse(root);
  } catch (const YAML::Exception& e) {
    return YamlParseError(source, e);
  }
}

// `node` as JSON. Scalars become booleans, null, integers and doubles where YAML 1.2's core
// schema reads them so, and quoted ones stay text. InvalidArgument naming `source`, the
// line and the column for a key that is not text, text that is not UTF-8, nesting deeper
// than `max_depth`, or more than `max_nodes` nodes once aliases are expanded (alias bombs).
Result<nlohmann::json> YamlToJson(const YAML::Node& node, const std::string& source,
                                  size_t max_depth, size_t max_nodes);

}  // namespace strata
