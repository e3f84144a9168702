// Lake::BindTables: the lake's tables made readable by name inside a user's SQL. Table
// references are found by DuckDB's own parser (json_serialize_sql), never by guessing at
// the text, and each is rewritten to a view in a schema private to this bind.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "strata/table.h"

namespace strata {
namespace {

using Json = nlohmann::json;
using engine::QuoteIdentifier;
using engine::QuoteString;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of the quoted text that starts at `i` (the index after its closing quote), or
// npos if it is not closed. A doubled quote is part of the text.
size_t QuotedEnd(const std::string& sql, size_t i, std::string* content) {
  char q = sql[i];
  for (size_t j = i + 1; j < sql.size(); ++j) {
    if (sql[j] != q) {
      if (content) *content += sql[j];
      continue;
    }
    if (j + 1 < sql.size() && sql[j + 1] == q) {
      if (content) *content += q;
      ++j;
      continue;
    }
    return j + 1;
  }
  return std::string::npos;
}

// Time travel is not SQL: `name@3` and `name@'TIME'` (for a lake table `name`) become a
// placeholder identifier before DuckDB parses the query. `refs` receives each
// placeholder's reference.
Result<std::string> ReplaceTimeTravel(const std::string& sql, const std::set<std::string>& tables,
                                      std::map<std::string, TableRef>* refs) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      end = end == std::string::npos ? sql.size() : end;
      out.append(sql, i, end - i);
      i = end;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      end = end == std::string::npos ? sql.size() : end + 2;
      out.append(sql, i, end - i);
      i = end;
      continue;
    }
    std::string name;
    size_t end;
    if (c == '\'' || c == '"') {
      end = QuotedEnd(sql, i, c == '"' ? &name : nullptr);
      if (end == std::string::npos) end = sql.size();  // DuckDB reports it
      if (c == '\'') {
        out.append(sql, i, end - i);
        i = end;
        continue;
      }
    } else if (IsWordChar(c) && (i == 0 || (!IsWordChar(sql[i - 1]) && sql[i - 1] != '.'))) {
      end = i;
      while (end < sql.size() && IsWordChar(sql[end])) ++end;
      name = sql.substr(i, end - i);
    } else {
      out += c;
      ++i;
      continue;
    }
    if (end >= sql.size() || sql[end] != '@' || !tables.count(Lower(name))) {
      out.append(sql, i, end - i);
      i = end;
      continue;
    }
    // NAME@VERSION or NAME@'TIME'
    size_t spec_end = end + 1;
    if (spec_end < sql.size() && sql[spec_end] == '\'') {
      spec_end = QuotedEnd(sql, spec_end, nullptr);
      if (spec_end == std::string::npos)
        return Status::InvalidArgument("unterminated time after '" + name + "@' in the query");
    } else {
      if (spec_end < sql.size() && (sql[spec_end] == '-' || sql[spec_end] == '+')) ++spec_end;
      while (spec_end < sql.size() && (IsWordChar(sql[spec_end]) || sql[spec_end] == '.'))
        ++spec_end;
    }
    STRATA_ASSIGN_OR_RETURN(TableRef ref, TableRef::Parse(name + sql.substr(end, spec_end - end)));
    std::string placeholder = "__strata_ref_" + std::to_string(refs->size());
    (*refs)[placeholder] = std::move(ref);
    out += QuoteIdentifier(placeholder);
    i = spec_end;
  }
  return out;
}

// A BASE_TABLE reference in the parsed query: where its name starts, and the name.
struct TableMention {
  size_t location;
  std::string name;
};

void FindTables(const Json& node, std::vector<TableMention>* out, std::set<std::string>* ctes) {
  if (node.is_array()) {
    for (const Json& child : node) FindTables(child, out, ctes);
    return;
  }
  if (!node.is_object()) return;
  auto type = node.find("type");
  if (type != node.end() && type->is_string() && *type == "BASE_TABLE") {
    auto loc = node.find("query_location");
    if (node.value("schema_name", "").empty() && node.value("catalog_name", "").empty() &&
        loc != node.end() && loc->is_number_unsigned() &&
        loc->get<uint64_t>() < (uint64_t{1} << 62)) {
      out->push_back({static_cast<size_t>(loc->get<uint64_t>()), node.value("table_name", "")});
    }
  }
  auto cte_map = node.find("cte_map");
  if (cte_map != node.end() && cte_map->is_object() && cte_map->contains("map")) {
    for (const Json& entry : (*cte_map)["map"]) {
      if (entry.is_object() && entry.contains("key") && entry["key"].is_string())
        ctes->insert(Lower(entry["key"].get<std::string>()));
    }
  }
  for (const auto& [key, child] : node.items()) FindTables(child, out, ctes);
}

std::atomic<uint64_t> bind_counter{0};

}  // namespace

BoundQuery::~BoundQuery() {
  if (schema_.empty()) return;
  auto conn = session_->database()->Connect();
  if (conn.ok())
    (void)(*conn)->Execute("DROP SCHEMA IF EXISTS " + QuoteIdentifier(schema_) + " CASCADE");
}

Result<std::unique_ptr<BoundQuery>> Lake::BindTables(const std::string& sql) {
  auto unbound = [&](std::string text) {
    return std::unique_ptr<BoundQuery>(new BoundQuery(session_, "", std::move(text)));
  };
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ListTables());
  if (names.empty()) return unbound(sql);
  std::map<std::string, std::string> tables;  // lower-case name -> stored name
  std::set<std::string> lower_names;
  for (const std::string& n : names) {
    tables[Lower(n)] = n;
    lower_names.insert(Lower(n));
  }
  std::map<std::string, TableRef> refs;
  STRATA_ASSIGN_OR_RETURN(std::string text, ReplaceTimeTravel(sql, lower_names, &refs));

  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(DataFrame parsed,
                          conn->Collect("SELECT json_serialize_sql(" + QuoteString(text) + ")"));
  Json tree = Json::parse(std::string(parsed.column(0).GetString(0)), nullptr, false);
  if (tree.is_discarded() || !tree.is_object() || tree.value("error", true)) {
    // Not a query DuckDB can serialize (a syntax error, or not a SELECT): DuckDB itself
    // reports what is wrong when the text runs. Time travel needs a SELECT.
    if (!refs.empty()) {
      return Status::InvalidArgument(
          "time travel (" + refs.begin()->second.ToString() +
          ") works in SELECT queries only; this query does not parse as one: " +
          (tree.is_object() ? tree.value("error_message", std::string("?")) : std::string("?")));
    }
    return unbound(sql);
  }
  std::vector<TableMention> mentions;
  std::set<std::string> ctes;
  FindTables(tree, &mentions, &ctes);

  const std::string schema =
      "strata_bind_" + std::to_string(::getpid()) + "_" + std::to_string(bind_counter++);
  std::unique_ptr<BoundQuery> bound(new BoundQuery(session_, "", ""));
  std::set<std::string> views;
  // Rewrite from the end, so earlier locations stay valid.
  std::sort(mentions.begin(), mentions.end(),
            [](const TableMention& a, const TableMention& b) { return a.location > b.location; });
  for (const TableMention& m : mentions) {
    TableRef ref;
    auto placeholder = refs.find(m.name);
    if (placeholder != refs.end()) {
      ref = placeholder->second;
    } else if (tables.count(Lower(m.name)) && !ctes.count(Lower(m.name))) {
      ref.name = m.name;
    } else {
      continue;  // not a lake table: a DuckDB table, a CTE or an error DuckDB reports
    }
    if (m.location >= text.size()) continue;
    size_t end = text[m.location] == '"' ? QuotedEnd(text, m.location, nullptr) : m.location;
    if (text[m.location] != '"') {
      while (end < text.size() && IsWordChar(text[end])) ++end;
    }
    if (end == std::string::npos || end == m.location) continue;
    std::string stored = tables[Lower(ref.name)];
    ref.name = stored;
    std::string view = ref.ToString();
    if (!views.count(view)) {
      if (bound->schema_.empty()) {
        STRATA_RETURN_NOT_OK(conn->Execute("CREATE SCHEMA " + QuoteIdentifier(schema)));
        bound->schema_ = schema;  // dropped by ~BoundQuery from here on
      }
      STRATA_ASSIGN_OR_RETURN(ResolvedTable resolved, Resolve(ref));
      STRATA_ASSIGN_OR_RETURN(Frame frame, resolved.table->Scan(*resolved.snapshot));
      STRATA_ASSIGN_OR_RETURN(std::string scan_sql, frame.to_sql());
      STRATA_RETURN_NOT_OK(conn->Execute("CREATE VIEW " + QuoteIdentifier(schema) + "." +
                                         QuoteIdentifier(view) + " AS " + scan_sql));
      views.insert(view);
      bound->tables_.push_back(
          {view, resolved.table->name(), resolved.snapshot->version, resolved.snapshot->schema});
    }
    // The view is named as the reference (`events`, or `"events@3"`), so a query's
    // `events.value` still binds.
    text.replace(m.location, end - m.location,
                 QuoteIdentifier(schema) + "." + QuoteIdentifier(view));
  }
  bound->sql_ = std::move(text);
  return bound;
}

}  // namespace strata
