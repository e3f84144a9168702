#include "table/column_mapping.h"

#include "common/random.h"

namespace strata::delta {
namespace {

std::string PhysicalName(const Json& metadata, const std::string& name) {
  return StringField(metadata, "delta.columnMapping.physicalName", name);
}

// SQL renaming the struct fields inside `expr` (of Delta type `type`) from physical to
// logical names, or (`to_physical`) back; nullopt when no name differs.
std::optional<std::string> Rename(const std::string& expr, const Json& type, int depth,
                                  bool to_physical) {
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
      const std::string& from = to_physical ? name : physical;
      const std::string& to = to_physical ? physical : name;
      const std::string child = "struct_extract(" + expr + ", " + engine::QuoteString(from) + ")";
      auto inner = Rename(child, f.value("type", Json()), depth + 1, to_physical);
      renamed = renamed || physical != name || inner.has_value();
      fields += (fields.empty() ? "" : ", ") + engine::QuoteIdentifier(to) +
                " := " + inner.value_or(child);
    }
    if (!renamed) return std::nullopt;
    return "CASE WHEN " + expr + " IS NULL THEN NULL ELSE struct_pack(" + fields + ") END";
  }
  if (kind == "array") {
    auto inner = Rename(var, type.value("elementType", Json()), depth + 1, to_physical);
    if (!inner) return std::nullopt;
    return "list_transform(" + expr + ", " + var + " -> " + *inner + ")";
  }
  if (kind == "map") {
    auto key = Rename(var + ".key", type.value("keyType", Json()), depth + 1, to_physical);
    auto value = Rename(var + ".value", type.value("valueType", Json()), depth + 1, to_physical);
    if (!key && !value) return std::nullopt;
    return "map_from_entries(list_transform(map_entries(" + expr + "), " + var +
           " -> {'key': " + key.value_or(var + ".key") +
           ", 'value': " + value.value_or(var + ".value") + "}))";
  }
  return std::nullopt;
}

constexpr const char* kId = "delta.columnMapping.id";
constexpr const char* kPhysical = "delta.columnMapping.physicalName";

// Assigns ids (and physical names = names) to the nested fields of `type` that lack them.
void AssignNested(Json* type, int64_t* max_id) {
  if (!type->is_object()) return;
  const std::string kind = StringField(*type, "type");
  if (kind == "struct" && type->contains("fields") && (*type)["fields"].is_array()) {
    for (Json& f : (*type)["fields"]) {
      if (!f.is_object()) continue;
      if (!f.contains("metadata") || !f["metadata"].is_object()) f["metadata"] = Json::object();
      if (!f["metadata"].contains(kId)) {
        f["metadata"][kId] = ++*max_id;
        f["metadata"][kPhysical] = StringField(f, "name");
      }
      if (f.contains("type")) AssignNested(&f["type"], max_id);
    }
  } else if (kind == "array" && type->contains("elementType")) {
    AssignNested(&(*type)["elementType"], max_id);
  } else if (kind == "map") {
    if (type->contains("keyType")) AssignNested(&(*type)["keyType"], max_id);
    if (type->contains("valueType")) AssignNested(&(*type)["valueType"], max_id);
  }
}

void StripMetadata(Json* type) {
  if (!type->is_object()) return;
  if (type->contains("fields") && (*type)["fields"].is_array()) {
    for (Json& f : (*type)["fields"]) {
      if (!f.is_object()) continue;
      f.erase("metadata");
      if (f.contains("type")) StripMetadata(&f["type"]);
    }
  }
  for (const char* key : {"elementType", "keyType", "valueType"}) {
    if (type->contains(key)) StripMetadata(&(*type)[key]);
  }
}

}  // namespace

std::string TypeWithoutMetadata(const std::string& type) {
  if (type.empty() || type[0] != '{') return type;
  Json parsed = Json::parse(type, nullptr, false);
  if (!parsed.is_object()) return type;
  StripMetadata(&parsed);
  return parsed.dump();
}

void AssignColumnMapping(Snapshot* snapshot, bool fresh_names) {
  if (!MapsColumns(*snapshot)) return;
  const std::string max_key = "delta.columnMapping.maxColumnId";
  int64_t max_id = 0;
  auto it = snapshot->configuration.find(max_key);
  if (it != snapshot->configuration.end()) max_id = std::strtoll(it->second.c_str(), nullptr, 10);
  for (TableField& f : snapshot->schema) {
    Json metadata = f.metadata.empty() ? Json::object() : Json::parse(f.metadata, nullptr, false);
    if (!metadata.is_object()) metadata = Json::object();
    if (!metadata.contains(kId)) {
      metadata[kId] = ++max_id;
      metadata[kPhysical] = fresh_names ? "col-" + RandomUuid() : f.name;
      f.metadata = metadata.dump();
    }
    if (!f.type.empty() && f.type[0] == '{') {
      Json type = Json::parse(f.type, nullptr, false);
      AssignNested(&type, &max_id);
      f.type = type.dump();
    }
  }
  snapshot->configuration[max_key] = std::to_string(max_id);
}

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
  return Rename(expr, Json::parse(type, nullptr, false), depth, /*to_physical=*/false);
}

std::optional<std::string> PhysicalValueSql(const std::string& expr, const std::string& type) {
  if (type.empty() || type[0] != '{') return std::nullopt;
  return Rename(expr, Json::parse(type, nullptr, false), 0, /*to_physical=*/true);
}

}  // namespace strata::delta
