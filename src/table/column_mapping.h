// Delta column mapping (delta.columnMapping.mode = name or id) for readers: the data
// files and the log's statistics and partition values use each column's physical name
// (field metadata delta.columnMapping.physicalName), the schema its logical one.
// Internal to libstrata.
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

}  // namespace strata::delta
