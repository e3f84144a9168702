// Delta schema JSON and type conversion between Delta and DuckDB.
#include <regex>

#include "table/delta_log.h"

namespace strata::delta {
namespace {

using engine::QuoteIdentifier;

const std::map<std::string, std::string>& DeltaToDuck() {
  static const std::map<std::string, std::string> m = {{"string", "VARCHAR"},
                                                       {"long", "BIGINT"},
                                                       {"integer", "INTEGER"},
                                                       {"short", "SMALLINT"},
                                                       {"byte", "TINYINT"},
                                                       {"float", "FLOAT"},
                                                       {"double", "DOUBLE"},
                                                       {"boolean", "BOOLEAN"},
                                                       {"binary", "BLOB"},
                                                       {"date", "DATE"},
                                                       {"timestamp", "TIMESTAMP WITH TIME ZONE"},
                                                       {"timestamp_ntz", "TIMESTAMP"}};
  return m;
}

const std::map<std::string, std::string>& DuckToDelta() {
  static const std::map<std::string, std::string> m = {
      {"VARCHAR", "string"},
      {"BIGINT", "long"},
      {"INTEGER", "integer"},
      {"SMALLINT", "short"},
      {"TINYINT", "byte"},
      {"FLOAT", "float"},
      {"DOUBLE", "double"},
      {"BOOLEAN", "boolean"},
      {"BLOB", "binary"},
      {"DATE", "date"},
      {"TIMESTAMP WITH TIME ZONE", "timestamp"},
      // A naive timestamp (no zone, as read from most CSV files) is Delta's timestamp_ntz,
      // stored as Parquet's isAdjustedToUTC=false; the table gets the timestampNtz feature.
      {"TIMESTAMP", "timestamp_ntz"}};
  return m;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits at commas that are not inside parentheses or quotes.
std::vector<std::string> SplitTopLevel(const std::string& s) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  std::string cur;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (!quoted && depth == 0 && c == ',') {
      parts.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!Trim(cur).empty()) parts.push_back(Trim(cur));
  return parts;
}

Result<Json> DeltaTypeJson(const std::string& duck);

Result<Json> DeltaTypeJson(const std::string& duck_in) {
  std::string duck = Trim(duck_in);
  static const std::regex kArray(R"((.*)\[\d*\])");
  static const std::regex kDecimal(R"(DECIMAL\((\d+),\s*(\d+)\))");
  std::smatch m;
  if (std::regex_match(duck, m, kArray)) {
    STRATA_ASSIGN_OR_RETURN(Json elem, DeltaTypeJson(m[1]));
    return Json{{"type", "array"}, {"elementType", elem}, {"containsNull", true}};
  }
  if (std::regex_match(duck, m, kDecimal))
    return Json("decimal(" + m[1].str() + "," + m[2].str() + ")");
  if (duck.rfind("STRUCT(", 0) == 0 && duck.back() == ')') {
    Json fields = Json::array();
    for (const std::string& part : SplitTopLevel(duck.substr(7, duck.size() - 8))) {
      std::string name, rest;
      if (!part.empty() && part[0] == '"') {
        size_t i = 1;
        for (; i < part.size(); ++i) {
          if (part[i] == '"') {
            if (i + 1 < part.size() && part[i + 1] == '"') {
              name += '"';
              ++i;
              continue;
            }
            break;
          }
          name += part[i];
        }
        rest = part.substr(i + 1);
      } else {
        size_t sp = part.find(' ');
        name = part.substr(0, sp);
        rest = sp == std::string::npos ? "" : part.substr(sp + 1);
      }
      STRATA_ASSIGN_OR_RETURN(Json t, DeltaTypeJson(rest));
      fields.push_back(
          {{"name", name}, {"type", t}, {"nullable", true}, {"metadata", Json::object()}});
    }
    return Json{{"type", "struct"}, {"fields", fields}};
  }
  if (duck.rfind("MAP(", 0) == 0 && duck.back() == ')') {
    auto kv = SplitTopLevel(duck.substr(4, duck.size() - 5));
    if (kv.size() != 2) return Status::NotSupported("cannot read DuckDB type " + duck);
    STRATA_ASSIGN_OR_RETURN(Json k, DeltaTypeJson(kv[0]));
    STRATA_ASSIGN_OR_RETURN(Json v, DeltaTypeJson(kv[1]));
    return Json{{"type", "map"}, {"keyType", k}, {"valueType", v}, {"valueContainsNull", true}};
  }
  auto it = DuckToDelta().find(duck);
  if (it == DuckToDelta().end()) {
    return Status::NotSupported(
        "DuckDB type " + duck +
        " has no Delta equivalent; cast the column (to BIGINT, DOUBLE, DECIMAL or VARCHAR)");
  }
  return Json(it->second);
}

Result<std::string> DuckTypeOfJson(const Json& t) {
  if (t.is_string()) {
    std::string s = t.get<std::string>();
    static const std::regex kDecimal(R"(decimal\((\d+),\s*(\d+)\))");
    std::smatch m;
    if (std::regex_match(s, m, kDecimal)) return "DECIMAL(" + m[1].str() + "," + m[2].str() + ")";
    auto it = DeltaToDuck().find(s);
    if (it == DeltaToDuck().end())
      return Status::NotSupported("Delta type '" + s + "' is not supported");
    return it->second;
  }
  std::string kind = StringField(t, "type");
  if (kind == "array") {
    if (!t.contains("elementType"))
      return Status::ParseError("Delta array type has no elementType");
    STRATA_ASSIGN_OR_RETURN(std::string e, DuckTypeOfJson(t["elementType"]));
    return e + "[]";
  }
  if (kind == "map") {
    if (!t.contains("keyType") || !t.contains("valueType"))
      return Status::ParseError("Delta map type needs keyType and valueType");
    STRATA_ASSIGN_OR_RETURN(std::string k, DuckTypeOfJson(t["keyType"]));
    STRATA_ASSIGN_OR_RETURN(std::string v, DuckTypeOfJson(t["valueType"]));
    return "MAP(" + k + ", " + v + ")";
  }
  if (kind == "struct") {
    std::string out = "STRUCT(";
    bool first = true;
    if (!t.contains("fields") || !t["fields"].is_array())
      return Status::ParseError("Delta struct type " + t.dump() + " has no list of fields");
    for (const auto& f : t["fields"]) {
      if (!f.is_object() || !f.contains("type") || !f["name"].is_string())
        return Status::ParseError("Delta struct field " + f.dump() + " needs a name and a type");
      STRATA_ASSIGN_OR_RETURN(std::string ft, DuckTypeOfJson(f["type"]));
      out += (first ? "" : ", ") + QuoteIdentifier(f["name"].get<std::string>()) + " " + ft;
      first = false;
    }
    return out + ")";
  }
  return Status::NotSupported("Delta type " + t.dump() + " is not supported");
}

}  // namespace

std::string SchemaString(const std::vector<TableField>& fields) {
  Json out = {{"type", "struct"}, {"fields", Json::array()}};
  for (const TableField& f : fields) {
    Json type = f.type.empty() || f.type[0] != '{' ? Json(f.type) : Json::parse(f.type);
    Json metadata = f.metadata.empty() ? Json::object() : Json::parse(f.metadata, nullptr, false);
    if (!metadata.is_object()) metadata = Json::object();
    out["fields"].push_back(
        {{"name", f.name}, {"type", type}, {"nullable", f.nullable}, {"metadata", metadata}});
  }
  return out.dump();
}

Result<std::vector<TableField>> ParseSchemaString(const std::string& schema_string) {
  Json schema;
  try {
    schema = Json::parse(schema_string);
  } catch (const Json::exception& e) {
    return Status::ParseError(std::string("corrupt schemaString: ") + e.what());
  }
  if (StringField(schema, "type") != "struct" || !schema.contains("fields") ||
      !schema["fields"].is_array()) {
    return Status::ParseError("schemaString is not a struct type with a list of fields");
  }
  std::vector<TableField> fields;
  for (const auto& f : schema["fields"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || f["name"] == "" ||
        !f.contains("type") || !(f["type"].is_string() || f["type"].is_object())) {
      return Status::ParseError("schemaString field " + f.dump() +
                                " needs a non-empty name and a type");
    }
    TableField field;
    field.name = f["name"].get<std::string>();
    field.type = f["type"].is_string() ? f["type"].get<std::string>() : f["type"].dump();
    field.nullable =
        !f.contains("nullable") || !f["nullable"].is_boolean() || f["nullable"].get<bool>();
    if (f.contains("metadata") && f["metadata"].is_object() && !f["metadata"].empty())
      field.metadata = f["metadata"].dump();
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<std::string> DuckTypeOf(const std::string& delta_type) {
  if (!delta_type.empty() && delta_type[0] == '{') {
    Json t = Json::parse(delta_type, nullptr, /*allow_exceptions=*/false);
    if (t.is_discarded()) return Status::ParseError("corrupt Delta type '" + delta_type + "'");
    return DuckTypeOfJson(t);
  }
  return DuckTypeOfJson(Json(delta_type));
}

Result<std::string> DeltaTypeOf(const std::string& duck_type) {
  STRATA_ASSIGN_OR_RETURN(Json t, DeltaTypeJson(duck_type));
  return t.is_string() ? t.get<std::string>() : t.dump();
}

}  // namespace strata::delta
