// Column lineage from DuckDB's own parse tree (json_serialize_sql): each relation in a
// query is a list of columns, each column the set of input columns its values derive
// from; SELECT lists map expressions over the relations in FROM, and what filters, joins
// and groups rows is recorded as lineage of the whole dataset.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "strata/engine.h"
#include "strata/lineage.h"

namespace strata::lineage {

namespace {

using Json = nlohmann::json;

struct Source {
  size_t input;  // index into the inputs
  std::string field;
  bool operator<(const Source& o) const {
    return input != o.input ? input < o.input : field < o.field;
  }
};

struct Column {
  std::string name;
  std::set<Source> sources;
  bool known = true;  // false: derived from something we cannot see into
  bool identity = false;
  bool aggregate = false;
  bool through_transform = false;  // refers to a column that is itself not an identity
};

struct Relation {
  std::string alias;
  std::vector<Column> columns;
  bool opaque = false;  // a table function or unknown table: its columns are unknown
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool SameName(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

class Analyzer {
 public:
  explicit Analyzer(const std::vector<ObservedDataset>& inputs) : inputs_(inputs) {}

  std::map<Source, std::string> indirect;  // filters, joins, groups: source -> subtype

  void AddIndirect(const std::set<Source>& sources, const char* subtype) {
    for (const auto& s : sources) indirect.emplace(s, subtype);
  }

  Relation Node(const Json& node, const std::map<std::string, Relation>& ctes) {
    std::map<std::string, Relation> scope = ctes;
    if (node.contains("cte_map") && node["cte_map"].contains("map")) {
      for (const auto& entry : node["cte_map"]["map"]) {
        const std::string name = entry.value("key", "");
        const Json& q = entry["value"]["query"]["node"];
        Relation r = Node(q, scope);
        r.alias = name;
        scope[Lower(name)] = r;
      }
    }
    const std::string type = node.value("type", "");
    if (type == "SET_OPERATION_NODE") {
      Relation left = Node(node["left"], scope);
      Relation right = Node(node["right"], scope);
      for (size_t i = 0; i < left.columns.size() && i < right.columns.size(); ++i) {
        left.columns[i].sources.insert(right.columns[i].sources.begin(),
                                       right.columns[i].sources.end());
        left.columns[i].known = left.columns[i].known && right.columns[i].known;
        left.columns[i].identity = left.columns[i].identity && right.columns[i].identity;
        left.columns[i].aggregate = left.columns[i].aggregate || right.columns[i].aggregate;
      }
      return left;
    }
    if (type != "SELECT_NODE") return Relation{"", {}, true};
    std::vector<Relation> from;
    if (!node["from_table"].is_null()) From(node["from_table"], scope, &from);
    Relation out;
    std::vector<Column> select;
    for (const auto& e : node["select_list"]) {
      if (e.value("class", "") == "STAR") {
        std::set<std::string> excluded;
        if (e.contains("exclude_list")) {
          for (const auto& x : e["exclude_list"]) {
            if (x.is_string()) excluded.insert(Lower(x.get<std::string>()));
            if (x.is_object() && x.contains("exclude_name")) {
              const Json& n = x["exclude_name"];
              if (n.is_array() && !n.empty()) excluded.insert(Lower(n.back().get<std::string>()));
            }
          }
        }
        const std::string rel = e.value("relation_name", "");
        for (const auto& r : from) {
          if (!rel.empty() && !SameName(rel, r.alias)) continue;
          if (r.opaque) {
            opaque_star_ = true;
            continue;
          }
          for (const auto& c : r.columns) {
            if (excluded.count(Lower(c.name))) continue;
            Column copy = c;
            copy.identity = c.identity;
            select.push_back(copy);
          }
        }
        continue;
      }
      Column c;
      c.name = e.value("alias", "");
      if (c.name.empty() && e.value("class", "") == "COLUMN_REF") c.name = e["column_names"].back();
      Refs(e, from, select, &c);
      c.identity = e.value("class", "") == "COLUMN_REF" && !c.through_transform;
      select.push_back(c);
    }
    // WHERE, JOIN conditions (collected in From), GROUP BY, HAVING, QUALIFY: lineage of
    // the whole dataset.
    for (const char* key : {"where_clause", "having", "qualify"}) {
      if (node.contains(key) && !node[key].is_null()) {
        Column c;
        Refs(node[key], from, select, &c);
        AddIndirect(c.sources, "FILTER");
      }
    }
    if (node.contains("group_expressions")) {
      for (const auto& g : node["group_expressions"]) {
        if (g.value("class", "") == "CONSTANT" && g["value"].contains("value") &&
            g["value"]["value"].is_number_integer()) {
          const int64_t pos = g["value"]["value"].get<int64_t>() - 1;
          if (pos >= 0 && static_cast<size_t>(pos) < select.size())
            AddIndirect(select[pos].sources, "GROUP_BY");
          continue;
        }
        Column c;
        Refs(g, from, select, &c);
        AddIndirect(c.sources, "GROUP_BY");
      }
    }
    out.columns = std::move(select);
    return out;
  }

  bool opaque_star() const { return opaque_star_; }

 private:
  void From(const Json& t, const std::map<std::string, Relation>& scope,
            std::vector<Relation>* out) {
    const std::string type = t.value("type", "");
    if (type == "BASE_TABLE") {
      const std::string table = t.value("table_name", "");
      Relation r;
      r.alias = t.value("alias", "").empty() ? table : t.value("alias", "");
      if (auto it = scope.find(Lower(table)); it != scope.end()) {
        Relation cte = it->second;
        cte.alias = r.alias;
        out->push_back(cte);
        return;
      }
      for (size_t i = 0; i < inputs_.size(); ++i) {
        const std::string& n = inputs_[i].name;
        const std::string alias =
            inputs_[i].alias.empty() ? n.substr(n.find_last_of('/') + 1) : inputs_[i].alias;
        if (!SameName(alias, table)) continue;
        for (const auto& f : inputs_[i].schema) {
          Column c;
          c.name = f.name;
          c.sources.insert({i, f.name});
          c.identity = true;
          r.columns.push_back(c);
        }
        out->push_back(r);
        return;
      }
      r.opaque = true;
      out->push_back(r);
      return;
    }
    if (type == "JOIN") {
      From(t["left"], scope, out);
      From(t["right"], scope, out);
      if (t.contains("condition") && !t["condition"].is_null()) {
        Column c;
        Refs(t["condition"], *out, {}, &c);
        AddIndirect(c.sources, "JOIN");
      }
      if (t.contains("using_columns")) {
        for (const auto& u : t["using_columns"]) {
          for (const auto& r : *out) {
            for (const auto& col : r.columns) {
              if (u.is_string() && SameName(col.name, u.get<std::string>()))
                AddIndirect(col.sources, "JOIN");
            }
          }
        }
      }
      return;
    }
    if (type == "SUBQUERY") {
      Relation r = Node(t["subquery"]["node"], scope);
      r.alias = t.value("alias", "");
      if (t.contains("column_name_alias")) {
        size_t i = 0;
        for (const auto& a : t["column_name_alias"]) {
          if (i < r.columns.size() && a.is_string()) r.columns[i].name = a.get<std::string>();
          ++i;
        }
      }
      out->push_back(r);
      return;
    }
    Relation r;  // table functions, VALUES, ...: unknown columns
    r.alias = t.value("alias", "");
    r.opaque = true;
    out->push_back(r);
  }

  // Adds to `c` the sources of every column `e` refers to.
  void Refs(const Json& e, const std::vector<Relation>& from, const std::vector<Column>& select,
            Column* c) {
    if (e.is_array()) {
      for (const auto& x : e) Refs(x, from, select, c);
      return;
    }
    if (!e.is_object()) return;
    const std::string cls = e.value("class", "");
    if (cls == "SUBQUERY") {
      c->known = false;  // a scalar subquery: not followed
      return;
    }
    if (cls == "AGGREGATE" || (cls == "FUNCTION" && IsAggregate(e.value("function_name", ""))))
      c->aggregate = true;
    if (cls == "WINDOW") c->aggregate = c->aggregate || IsAggregate(e.value("function_name", ""));
    if (cls == "COLUMN_REF") {
      const auto& names = e["column_names"];
      const std::string col = names.back();
      const std::string rel = names.size() >= 2 ? names[names.size() - 2].get<std::string>() : "";
      const Column* found = nullptr;
      for (const auto& r : from) {
        if (!rel.empty() && !SameName(rel, r.alias)) continue;
        for (const auto& x : r.columns) {
          if (SameName(x.name, col)) found = &x;
        }
      }
      if (found == nullptr && rel.empty()) {
        for (const auto& x : select) {
          if (SameName(x.name, col)) found = &x;  // an earlier alias of the same SELECT
        }
      }
      if (found == nullptr) {
        c->known = false;  // an unknown relation or column: left out, not guessed
        return;
      }
      c->sources.insert(found->sources.begin(), found->sources.end());
      c->known = c->known && found->known;
      c->aggregate = c->aggregate || found->aggregate;
      c->through_transform = c->through_transform || !found->identity;
      return;
    }
    for (const auto& [k, v] : e.items()) {
      if (k == "order_bys" || k == "partitions" || k == "orders") {
        // Window partitions and orders shape the value too.
        Refs(v, from, select, c);
        continue;
      }
      if (v.is_object() || v.is_array()) Refs(v, from, select, c);
    }
  }

  static bool IsAggregate(const std::string& f) {
    static const std::set<std::string> kAggregates = {
        "count",      "count_star",    "sum",
        "avg",        "mean",          "min",
        "max",        "stddev",        "stddev_samp",
        "stddev_pop", "var_samp",      "var_pop",
        "variance",   "median",        "mode",
        "quantile",   "quantile_cont", "quantile_disc",
        "first",      "last",          "any_value",
        "list",       "array_agg",     "string_agg",
        "bool_and",   "bool_or",       "approx_count_distinct",
        "arg_min",    "arg_max",       "product",
        "entropy",    "kurtosis",      "skewness",
        "corr",       "covar_pop",     "covar_samp",
        "histogram"};
    return kAggregates.count(Lower(f)) > 0;
  }

  const std::vector<ObservedDataset>& inputs_;
  bool opaque_star_ = false;
};

}  // namespace

Result<ColumnLineage> ColumnLineageOf(const std::string& sql,
                                      const std::vector<ObservedDataset>& inputs,
                                      const std::vector<std::string>& output_columns) {
  // Parsing needs no data: an in-memory database of its own.
  static std::unique_ptr<engine::Database> db = [] {
    auto opened = engine::Database::Open({});
    return opened.ok() ? std::move(opened).value() : nullptr;
  }();
  if (db == nullptr) return Status::Internal("cannot open DuckDB to parse SQL");
  // One connection per thread, kept: parsing is done often (every SQL step's events).
  thread_local std::unique_ptr<engine::Connection> conn;
  if (conn == nullptr) {
    STRATA_ASSIGN_OR_RETURN(conn, db->Connect());
  }
  STRATA_ASSIGN_OR_RETURN(auto stmt, conn->Prepare("SELECT json_serialize_sql($1::VARCHAR)"));
  STRATA_RETURN_NOT_OK(stmt->BindString(1, sql));
  STRATA_ASSIGN_OR_RETURN(DataFrame df, stmt->Collect());
  if (df.num_rows() != 1) return Status::Internal("json_serialize_sql returned no row");
  Json tree = Json::parse(std::string(df.column(0).GetString(0)), nullptr, false);
  if (!tree.is_object() || tree.value("error", true) || !tree.contains("statements") ||
      tree["statements"].size() != 1) {
    return Status::InvalidArgument(
        "not one SELECT statement: " +
        (tree.is_object() ? tree.value("error_message", std::string()) : ""));
  }
  Analyzer analyzer(inputs);
  Relation rel = analyzer.Node(tree["statements"][0]["node"], {});
  ColumnLineage out;
  // Output names come from binding the query (DuckDB names unaliased expressions itself);
  // positions line up unless a `*` over an unknown relation made them unknowable.
  const bool by_position = !analyzer.opaque_star() && rel.columns.size() == output_columns.size();
  for (size_t i = 0; i < rel.columns.size(); ++i) {
    const Column& c = rel.columns[i];
    if (!c.known || c.sources.empty()) continue;
    const std::string name = by_position ? output_columns[i] : c.name;
    if (name.empty()) continue;
    std::vector<InputField>& fields = out.fields[name];
    for (const auto& s : c.sources) {
      const auto& d = inputs[s.input];
      fields.push_back({d.name_space, d.name, s.field, "DIRECT",
                        c.aggregate  ? "AGGREGATION"
                        : c.identity ? "IDENTITY"
                                     : "TRANSFORMATION"});
    }
  }
  for (const auto& [s, subtype] : analyzer.indirect) {
    const auto& d = inputs[s.input];
    out.dataset.push_back({d.name_space, d.name, s.field, "INDIRECT", subtype});
  }
  return out;
}

}  // namespace strata::lineage
