// CHECK constraints (delta.constraints.<name>) and column invariants (delta.invariants):
// adding and dropping constraints, and checking the rows of a write against both.
#include <algorithm>

#include "table/table_internal.h"

namespace strata {

using namespace table_detail;

namespace {

constexpr const char* kPrefix = "delta.constraints.";

// The rows of `rows_sql` that break constraint `c` (at most `limit`), as text:
// "(id=4, price=-1.5)".
Result<std::string> Sample(engine::Connection* conn, const std::string& rows_sql,
                           const TableConstraint& c, int limit) {
  STRATA_ASSIGN_OR_RETURN(DataFrame df,
                          conn->Collect("SELECT * FROM (" + rows_sql + ") WHERE NOT coalesce((" +
                                        c.expression + "), false) LIMIT " + std::to_string(limit)));
  std::string out;
  for (size_t r = 0; r < df.num_rows(); ++r) {
    std::string row;
    for (size_t col = 0; col < df.num_columns(); ++col) {
      row += (col == 0 ? "" : ", ") + df.column(col).name() + "=" +
             (df.column(col).IsNull(r) ? "NULL" : df.column(col).Format(r));
    }
    out += (out.empty() ? "(" : ", (") + row + ")";
  }
  return out;
}

}  // namespace

std::vector<TableConstraint> table_detail::ConstraintsOf(const Snapshot& snapshot) {
  std::vector<TableConstraint> out;
  for (const auto& [key, value] : snapshot.configuration) {
    if (key.rfind(kPrefix, 0) == 0)
      out.push_back(
          {"CHECK constraint '" + key.substr(std::char_traits<char>::length(kPrefix)) + "'",
           value});
  }
  for (const TableField& f : snapshot.schema) {
    if (f.metadata.find("delta.invariants") == std::string::npos) continue;
    // {"delta.invariants": "{\"expression\":{\"expression\":\"x > 3\"}}"}
    Json metadata = Json::parse(f.metadata, nullptr, false);
    Json inv = Json::parse(delta::StringField(metadata, "delta.invariants"), nullptr, false);
    std::string expression;
    if (inv.is_object() && inv.contains("expression"))
      expression = delta::StringField(inv["expression"], "expression");
    if (expression.empty()) expression = "false";  // unreadable: refuse every row, never skip
    out.push_back({"invariant of column '" + f.name + "'", expression});
  }
  return out;
}

Status table_detail::CheckConstraints(engine::Connection* conn, const std::string& table,
                                      const Snapshot& snapshot, const std::string& rows_sql) {
  const std::vector<TableConstraint> constraints = ConstraintsOf(snapshot);
  if (constraints.empty()) return Status::OK();
  // One pass: how many rows break each.
  std::string counts;
  for (const TableConstraint& c : constraints) {
    counts += (counts.empty() ? "" : ", ") + std::string("count(*) FILTER (WHERE NOT coalesce((") +
              c.expression + "), false))";
  }
  auto df = conn->Collect("SELECT " + counts + " FROM (" + rows_sql + ")");
  if (!df.ok()) {
    std::string names;
    for (const TableConstraint& c : constraints) names += "\n  " + c.name + ": " + c.expression;
    return df.status().WithContext("checking the constraints of table '" + table + "':" + names);
  }
  for (size_t i = 0; i < constraints.size(); ++i) {
    const int64_t broken = df->column(i).GetInt64(0);
    if (broken == 0) continue;
    STRATA_ASSIGN_OR_RETURN(std::string sample, Sample(conn, rows_sql, constraints[i], 3));
    return Status::InvalidArgument(std::to_string(broken) + " row(s) violate the " +
                                   constraints[i].name + " (" + constraints[i].expression +
                                   ") of table '" + table + "', such as " + sample +
                                   "; nothing was written");
  }
  return Status::OK();
}

Result<int64_t> Table::AddConstraint(const std::string& name, const std::string& expression) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (key.empty() || key.find_first_of(" \t\n.") != std::string::npos) {
    return Status::InvalidArgument("a constraint name is one word without dots, not '" + name +
                                   "'");
  }
  if (expression.find_first_not_of(" \t\n") == std::string::npos)
    return Status::InvalidArgument("constraint '" + key + "' needs a SQL condition");
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_RETURN_NOT_OK(CheckWritable(name_, *current, "add a constraint to", false));
  if (current->configuration.count(kPrefix + key)) {
    return Status::AlreadyExists("table '" + name_ + "' has a constraint '" + key + "' (" +
                                 current->configuration.at(kPrefix + key) +
                                 "); drop it first to change it");
  }
  Snapshot md = MetadataOf(*current);
  md.configuration[kPrefix + key] = expression;
  // The rows already there must satisfy it (as Delta's ALTER TABLE ADD CONSTRAINT checks).
  Snapshot only;
  only.configuration[kPrefix + key] = expression;
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::string rows,
                          ScanSql(fs_, conn.get(), path_, *current, current->files, false));
  if (Status st = CheckConstraints(conn.get(), name_, only, rows); !st.ok()) {
    std::string message = st.message();
    const std::string tail = "; nothing was written";
    if (message.size() > tail.size() && message.ends_with(tail))
      message = message.substr(0, message.size() - tail.size());
    return Status(st.code(), message + ", so it cannot be added; nothing was written");
  }
  std::vector<Json> actions = {delta::MetadataAction(md, 0)};
  if (auto protocol = ProtocolFor(current.get(), md)) actions.push_back(*protocol);
  Json info = CommitInfo("ADD CONSTRAINT", {{"name", key}, {"expr", expression}}, current->version,
                         false, {}, Json::object());
  return CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
}

Result<int64_t> Table::DropConstraint(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  if (!current->configuration.count(kPrefix + key)) {
    std::string names;
    for (const auto& [k, v] : current->configuration) {
      if (k.rfind(kPrefix, 0) == 0)
        names += (names.empty() ? "" : ", ") + k.substr(std::char_traits<char>::length(kPrefix));
    }
    return Status::NotFound("table '" + name_ + "' has no constraint '" + key + "' (it has " +
                            (names.empty() ? "none" : names) + ")");
  }
  Snapshot md = MetadataOf(*current);
  md.configuration.erase(kPrefix + key);
  Json info =
      CommitInfo("DROP CONSTRAINT", {{"name", key}}, current->version, false, {}, Json::object());
  return CommitWithRetry(this, fs_, path_, current, info, {delta::MetadataAction(md, 0)}, false,
                         {});
}

}  // namespace strata
