// YAML documents as JSON values, with bounds for text from users and disk.
#include "common/yaml_json.h"

#include <algorithm>

#include "common/closest.h"

#include <cerrno>
#include <charconv>
#include <cmath>

namespace strata {

using Json = nlohmann::json;

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF), as JSON text must be.
bool IsUtf8(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = byte(i);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return false;
    for (size_t k = 2; k < n; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += n;
  }
  return true;
}

namespace {

// YAML to JSON, counting nodes as aliases expand them.
class YamlConverter {
 public:
  YamlConverter(std::string source, size_t max_depth, size_t max_nodes)
      : source_(std::move(source)), max_depth_(max_depth), max_nodes_(max_nodes) {}

  Result<Json> Convert(const YAML::Node& node, size_t depth = 0) {
    if (++nodes_ > max_nodes_) {
      return Status::InvalidArgument(source_ + ": the document expands to more than " +
                                     std::to_string(max_nodes_) +
                                     " YAML nodes (aliases repeated within aliases?)");
    }
    if (depth > max_depth_) {
      return Status::InvalidArgument(Where(node) + ": nested deeper than " +
                                     std::to_string(max_depth_) + " levels");
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return Json(nullptr);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : node) {
          STRATA_ASSIGN_OR_RETURN(Json v, Convert(item, depth + 1));
          out.push_back(std::move(v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            return Status::InvalidArgument(Where(kv.first) +
                                           ": a key must be plain text, not a list or a map");
          }
          if (!IsUtf8(kv.first.Scalar()))
            return Status::InvalidArgument(Where(kv.first) + ": a key is not valid UTF-8");
          STRATA_ASSIGN_OR_RETURN(Json v, Convert(kv.second, depth + 1));
          out[kv.first.Scalar()] = std::move(v);
        }
        return out;
      }
      case YAML::NodeType::Scalar:
        if (!IsUtf8(node.Scalar()))
          return Status::InvalidArgument(Where(node) + ": the text is not valid UTF-8");
        return Scalar(node);
    }
    return Json(nullptr);
  }

 private:
  std::string Where(const YAML::Node& node) const { return YamlWhere(source_, node); }

  static Json Scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted: always a string
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s == "null" || s == "Null" || s == "NULL" || s == "~") return nullptr;
    if (s.empty()) return s;
    const char* begin = s.c_str();
    const char* end = begin + s.size();
    int64_t i = 0;
    auto [ip, iec] = std::from_chars(begin + (s[0] == '+' ? 1 : 0), end, i);
    if (iec == std::errc() && ip == end) return i;
    char* dend = nullptr;
    errno = 0;
    double d = std::strtod(begin, &dend);
    // A number too large for a double stays the text it was (a kwarg check then says
    // which kwarg is not a number), as does anything that is not all number.
    if (dend == end && errno != ERANGE && s.find_first_of("0123456789") != std::string::npos &&
        std::isfinite(d))
      return d;
    return s;
  }

  std::string source_;
  size_t max_depth_;
  size_t max_nodes_;
  size_t nodes_ = 0;
};

}  // namespace

std::string YamlWhere(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return source;
  return source + " line " + std::to_string(m.line + 1) + ", column " +
         std::to_string(m.column + 1);
}

Status YamlParseError(const std::string& source, const YAML::Exception& e) {
  return Status::ParseError(source + " line " + std::to_string(e.mark.line + 1) + ", column " +
                            std::to_string(e.mark.column + 1) + ": " + e.msg);
}

Result<nlohmann::json> YamlToJson(const YAML::Node& node, const std::string& source,
                                  size_t max_depth, size_t max_nodes) {
  YamlConverter converter(source, max_depth, max_nodes);
  return converter.Convert(node);
}

Status YamlKnownKeys(const std::string& source, const YAML::Node& node,
                     const std::vector<std::string>& known, const std::string& what) {
  for (const auto& kv : node) {
    if (!kv.first.IsScalar())
      return Status::InvalidArgument(YamlWhere(source, kv.first) + ": a key must be plain text");
    const std::string& key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    auto near = ClosestNames(key, known, 1);
    return Status::InvalidArgument(YamlWhere(source, kv.first) + ": unknown key '" + key + "' in " +
                                   what +
                                   (near.empty() ? "" : " (did you mean '" + near[0] + "'?)"));
  }
  return Status::OK();
}

Result<std::string> YamlText(const std::string& source, const YAML::Node& node,
                             const std::string& what) {
  if (!node.IsScalar())
    return Status::InvalidArgument(YamlWhere(source, node) + ": " + what +
                                   " must be text, not a list or a map");
  return node.Scalar();
}

}  // namespace strata
