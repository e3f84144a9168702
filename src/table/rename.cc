// Renaming a column: with column mapping, a new name in the schema and nothing else.
#include <algorithm>

#include "table/column_mapping.h"
#include "table/table_internal.h"

namespace strata {

using engine::QuoteIdentifier;
using table_detail::Json;

namespace {
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

Result<int64_t> Table::RenameColumn(const std::string& from, const std::string& to) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_RETURN_NOT_OK(
      table_detail::CheckWritable(name_, *current, "rename a column of", /*removes_rows=*/false));
  if (!delta::MapsColumns(*current)) {
    return Status::InvalidArgument(
        "table '" + name_ + "' does not map columns, so renaming " + QuoteIdentifier(from) +
        " would orphan the data files' column; turn column mapping on first (strata table set " +
        name_ + " delta.columnMapping.mode=name), which rewrites nothing");
  }
  if (to.empty()) return Status::InvalidArgument("a column's new name cannot be empty");
  Snapshot md = table_detail::MetadataOf(*current);
  auto field = std::find_if(md.schema.begin(), md.schema.end(),
                            [&](const TableField& f) { return f.name == from; });
  if (field == md.schema.end()) {
    std::string names;
    for (const TableField& f : md.schema) names += (names.empty() ? "" : ", ") + f.name;
    return Status::NotFound("table '" + name_ + "' has no column " + QuoteIdentifier(from) +
                            " (it has " + names + ")");
  }
  for (const TableField& f : md.schema) {
    // Delta's column names are case-insensitive: "Price" and "price" are one column.
    if (&f != &*field && Lower(f.name) == Lower(to))
      return Status::AlreadyExists("table '" + name_ + "' already has a column " +
                                   QuoteIdentifier(f.name));
  }
  for (const table_detail::TableConstraint& c : table_detail::ConstraintsOf(*current)) {
    if (Lower(c.expression).find(Lower(from)) != std::string::npos) {
      return Status::InvalidArgument("column " + QuoteIdentifier(from) + " of table '" + name_ +
                                     "' is used by its " + c.name + " (" + c.expression +
                                     "); drop the constraint first");
    }
  }
  field->name = to;
  std::replace(md.partition_columns.begin(), md.partition_columns.end(), from, to);
  Json info =
      table_detail::CommitInfo("RENAME COLUMN", {{"oldColumnPath", from}, {"newColumnPath", to}},
                               current->version, false, {}, Json::object());
  return table_detail::CommitWithRetry(this, fs_, path_, current, info,
                                       {delta::MetadataAction(md, 0)}, false, {});
}

}  // namespace strata
