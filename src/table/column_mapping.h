// Delta column mapping (delta.columnMapping.mode = name or id): the data files and the
// log's statistics and partition values use each column's physical name (field metadata
// delta.columnMapping.physicalName), the schema its logical one. Read in both modes;
// written in mode name. Internal to libstrata.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "strata/table.h"
#include "table/delta_log.h"

namespace strata::delta {

// Whether `snapshot` maps columns (mode name or id).
bool MapsColumns(const Snapshot& snapshot);

// Logical name -> physical name of each top-level column (itself when not mapped).
std::map<std::string, std::string> PhysicalNames(const Snapshot& snapshot);

// SQL turning `expr`, a value of Delta type `type` as stored (struct fields under their
// physical names, at any depth: in structs, lists and maps), into one with the logical
// names; nullopt when no field inside is renamed. `depth` names lambda variables.
std::optional<std::string> LogicalValueSql(const std::string& expr, const std::string& type,
                                           int depth = 0);
// The inverse, for writing: a value under logical names into one with the physical names.
std::optional<std::string> PhysicalValueSql(const std::string& expr, const std::string& type);

// Gives every field of `snapshot` (nested ones too) that has none a column mapping id
// (above delta.columnMapping.maxColumnId, which it raises) and a physical name: a
// top-level column "col-<uuid>" when `fresh_names` (a new column of a mapped table), else
// its own name (a table turning to column mapping: its files already use the names);
// nested fields keep their names. For mode `name`; no-op for a table that does not map.
void AssignColumnMapping(Snapshot* snapshot, bool fresh_names);

// Delta type text `type` without its nested fields' metadata (column mapping ids,
// comments), for comparing a table's type with the data's.
std::string TypeWithoutMetadata(const std::string& type);

}  // namespace strata::delta
