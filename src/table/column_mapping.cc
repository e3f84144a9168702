#include "table/column_mapping.h"

namespace strata::delta {
namespace {

std::string PhysicalName(const Json& metadata, const std::string& name) {
  return StringField(metadata, "delta.columnMapping.physicalName", name);
}

std::optional<std::string> Logical(const std::string& expr, const Json& type, int depth) {
  if (!type.is_object()) return std::nullopt;
  const std::string kind = StringField(type, "type");
  const std::string var = "__v" + std::to_string(depth);
  if (kind == "struct" && type.contains("fields") && type["fields"].is_array()) {
    bool renamed = false;
    std::string fields;
    for (const Json& f : type["fields"]) {
      if (!f.is_object()) return std::nullopt;
      const std::string name = StringField(f, "name");
      const std::string physical = PhysicalName(f.value("metadata", Json::object()), name);
      const std::string child =
          "struct_extract(" + expr + ", " + engine::QuoteString(physical) + ")";
      auto inner = Logical(child, f.value("type", Json()), depth + 1);
      renamed = renamed || physical != name || inner.has_value();
      fields += (fields.empty() ? "" : ", ") + engine::QuoteIdentifier(name) +
                " := " + inner.value_or(child);
    }
    if (!renamed) return std::nullopt;
    return "CASE WHEN " + expr + " IS NULL THEN NULL ELSE struct_pack(" + fields + ") END";
  }
  if (kind == "array") {
    auto inner = Logical(var, type.value("elementType", Json()), depth + 1);
    if (!inner) return std::nullopt;
    return "list_transform(" + expr + ", " + var + " -> " + *inner + ")";
  }
  if (kind == "map") {
    auto key = Logical(var + ".key", type.value("keyType", Json()), depth + 1);
    auto value = Logical(var + ".value", type.value("valueType", Json()), depth + 1);
    if (!key && !value) return std::nullopt;
    return "map_from_entries(list_transform(map_entries(" + expr + "), " + var +
           " -> {'key': " + key.value_or(var + ".key") +
           ", 'value': " + value.value_or(var + ".value") + "}))";
  }
  return std::nullopt;
}

}  // namespace

bool MapsColumns(const Snapshot& snapshot) {
  auto it = snapshot.configuration.find("delta.columnMapping.mode");
  return it != snapshot.configuration.end() && (it->second == "name" || it->second == "id");
}

std::map<std::string, std::string> PhysicalNames(const Snapshot& snapshot) {
  std::map<std::string, std::string> out;
  const bool maps = MapsColumns(snapshot);
  for (const TableField& f : snapshot.schema) {
    out[f.name] = f.name;
    if (!maps || f.metadata.empty()) continue;
    out[f.name] = PhysicalName(Json::parse(f.metadata, nullptr, false), f.name);
  }
  return out;
}

std::optional<std::string> LogicalValueSql(const std::string& expr, const std::string& type,
                                           int depth) {
  if (type.empty() || type[0] != '{') return std::nullopt;
  return Logical(expr, Json::parse(type, nullptr, false), depth);
}

}  // namespace strata::delta
