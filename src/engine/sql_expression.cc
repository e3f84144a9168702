// ParseScalarExpression and ParseSelectQuery: user-written SQL conditions and queries
// (row_condition, filters) checked by DuckDB's own parser and rendered back by it, so that text
// pasted into a larger query is exactly one expression: it cannot close a clause, add a column or
// read a file.
#include <nlohmann/json.hpp>

#include "strata/engine.h"

namespace strata::engine {
namespace {

using Json = nlohmann::json;

constexpr const char* kTable = "__strata_expression_source";

// The first subquery or window inside an expression tree, or nullptr.
const char* Forbidden(const Json& node) {
  if (node.is_array()) {
    for (const Json& child : node) {
      if (const char* f = Forbidden(child)) return f;
    }
    return nullptr;
  }
  if (!node.is_object()) return nullptr;
  auto cls = node.find("class");
  if (cls != node.end() && cls->is_string()) {
    if (*cls == "SUBQUERY") return "a subquery";
    if (*cls == "WINDOW") return "a window function";
  }
  for (const auto& [key, child] : node.items()) {
    if (const char* f = Forbidden(child)) return f;
  }
  return nullptr;
}

bool IsEmptyList(const Json& node, const char* key) {
  auto it = node.find(key);
  return it == node.end() || it->is_null() || (it->is_array() && it->empty());
}

// `function`(CAST(text AS type)) evaluated by DuckDB, as text.
Result<std::string> CallOnText(Connection* conn, const std::string& function,
                               const std::string& type, const std::string& text) {
  STRATA_ASSIGN_OR_RETURN(auto stmt,
                          conn->Prepare("SELECT " + function + "(CAST($1 AS " + type + "))"));
  STRATA_RETURN_NOT_OK(stmt->BindString(1, text));
  STRATA_ASSIGN_OR_RETURN(DataFrame out, stmt->Collect());
  return std::string(out.column(0).GetString(0));
}

// DuckDB's parse tree of `sql`, as JSON text.
Result<std::string> Serialize(Connection* conn, const std::string& sql) {
  return CallOnText(conn, "json_serialize_sql", "VARCHAR", sql);
}

// Why a parse tree says the text does not parse; empty when it does.
std::string ParseError(const Json& tree) {
  if (!tree.is_object()) return "DuckDB's parser gave no result";
  if (!tree.value("error", false)) return "";
  return tree.contains("error_message") && tree["error_message"].is_string()
             ? tree["error_message"].get<std::string>()
             : "it does not parse";
}

// DuckDB's own rendering of a parse tree Serialize gave.
Result<std::string> Render(Connection* conn, const std::string& tree_text) {
  return CallOnText(conn, "json_deserialize_sql", "JSON", tree_text);
}

}  // namespace

Result<std::string> ParseScalarExpression(Connection* conn, std::string_view expression) {
  const std::string shown(expression.substr(0, 200));
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("'" + shown + "' is not one SQL condition: " + why);
  };
  if (expression.find('\0') != std::string_view::npos) return refuse("it holds a NUL byte");
  if (expression.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return refuse("it is empty");
  // The newline ends a trailing -- comment before the closing parenthesis.
  const std::string statement =
      std::string("SELECT * FROM ") + kTable + " WHERE (" + std::string(expression) + "\n)";
  STRATA_ASSIGN_OR_RETURN(const std::string tree_text, Serialize(conn, statement));
  Json tree = Json::parse(tree_text, nullptr, /*allow_exceptions=*/false);
  if (std::string why = ParseError(tree); !why.empty()) return refuse(why);
  const Json& statements = tree["statements"];
  if (!statements.is_array() || statements.size() != 1) return refuse("it ends the statement");
  const Json& node = statements[0]["node"];
  const Json& select_list = node["select_list"];
  const Json& from = node["from_table"];
  bool shape_ok =
      node.is_object() && node.value("type", "") == "SELECT_NODE" && select_list.is_array() &&
      select_list.size() == 1 && select_list[0].value("class", "") == "STAR" && from.is_object() &&
      from.value("type", "") == "BASE_TABLE" && from.value("table_name", "") == kTable &&
      IsEmptyList(node, "modifiers") && IsEmptyList(node, "group_expressions") &&
      IsEmptyList(node, "group_sets") && node["having"].is_null() && node["qualify"].is_null() &&
      node["sample"].is_null() && node["where_clause"].is_object() &&
      (!node.contains("cte_map") || IsEmptyList(node["cte_map"], "map"));
  if (!shape_ok) return refuse("it closes the condition and adds to the query around it");
  if (const char* what = Forbidden(node["where_clause"]))
    return refuse(std::string("it holds ") + what + ", which a condition may not");

  STRATA_ASSIGN_OR_RETURN(const std::string sql, Render(conn, tree_text));
  const std::string prefix = std::string("SELECT * FROM ") + kTable + " WHERE ";
  if (sql.compare(0, prefix.size(), prefix) != 0) return refuse("DuckDB rendered it unexpectedly");
  return "(" + sql.substr(prefix.size()) + ")";
}

Result<std::string> ParseSelectQuery(Connection* conn, std::string_view query) {
  const std::string shown(query.substr(0, 200));
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("'" + shown + "' is not one SQL query: " + why);
  };
  if (query.find('\0') != std::string_view::npos) return refuse("it holds a NUL byte");
  STRATA_ASSIGN_OR_RETURN(const std::string tree_text, Serialize(conn, std::string(query)));
  Json tree = Json::parse(tree_text, nullptr, /*allow_exceptions=*/false);
  if (std::string why = ParseError(tree); !why.empty()) return refuse(why);
  const Json& statements = tree["statements"];
  if (!statements.is_array() || statements.size() != 1)
    return refuse("it holds " + std::to_string(statements.is_array() ? statements.size() : 0) +
                  " statements");
  return Render(conn, tree_text);
}

}  // namespace strata::engine
