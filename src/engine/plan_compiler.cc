// Compiles a Frame's plan to one SQL query: each verb a subquery over its input, each
// source bound once (a single CSV sniffed once) to learn its columns.
#include <algorithm>
#include <set>

#include "engine/expr_internal.h"
#include "engine/plan.h"

namespace strata::detail {

using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

Status CheckDuplicates(const std::vector<std::string>& names, const std::string& verb) {
  std::set<std::string> seen;
  for (const std::string& n : names) {
    if (!seen.insert(n).second) {
      return Status::InvalidArgument("duplicate output column " + QuoteIdentifier(n) + " in " +
                                     verb + "; give one of them another name with alias()");
    }
  }
  return Status::OK();
}

// Compiles a plan to SQL, binding each source once to learn its columns.
class PlanCompiler {
 public:
  explicit PlanCompiler(engine::Connection* conn) : conn_(conn) {}

  Result<Compiled> Compile(const PlanNode& node) {
    STRATA_RETURN_NOT_OK(node.error);
    if (node.kind == PlanKind::kSource) return CompileSource(node);
    STRATA_ASSIGN_OR_RETURN(Compiled in, Compile(*node.input));
    const std::string from = " FROM (" + in.sql + ") AS _s";
    switch (node.kind) {
      case PlanKind::kSelect: {
        bool all_aggregates = !node.exprs.empty();
        for (const Expr& e : node.exprs)
          all_aggregates = all_aggregates && detail::ContainsAggregate(e);
        ExprCompiler ec(in.columns, "select", /*row_context=*/!all_aggregates);
        Compiled out;
        std::string list;
        for (const Expr& e : node.exprs) {
          list += (list.empty() ? "" : ", ") + ec.Compile(e) + " AS " +
                  QuoteIdentifier(e.output_name());
          out.columns.push_back(e.output_name());
        }
        STRATA_RETURN_NOT_OK(ec.status());
        STRATA_RETURN_NOT_OK(CheckDuplicates(out.columns, "select"));
        out.sql = "SELECT " + list + from;
        return out;
      }
      case PlanKind::kWithColumns: {
        ExprCompiler ec(in.columns, "with_columns", /*row_context=*/true);
        std::vector<std::string> new_names;
        std::map<std::string, std::string> replaced;
        for (const Expr& e : node.exprs) new_names.push_back(e.output_name());
        STRATA_RETURN_NOT_OK(CheckDuplicates(new_names, "with_columns"));
        for (const Expr& e : node.exprs) replaced[e.output_name()] = ec.Compile(e);
        STRATA_RETURN_NOT_OK(ec.status());
        Compiled out;
        std::string list;
        for (const std::string& c : in.columns) {
          auto it = replaced.find(c);
          std::string item = it == replaced.end() ? "_s." + QuoteIdentifier(c)
                                                  : it->second + " AS " + QuoteIdentifier(c);
          list += (list.empty() ? "" : ", ") + item;
          out.columns.push_back(c);
          if (it != replaced.end()) replaced.erase(it);
        }
        for (const std::string& n : new_names) {
          auto it = replaced.find(n);
          if (it == replaced.end()) continue;
          list += (list.empty() ? "" : ", ") + it->second + " AS " + QuoteIdentifier(n);
          out.columns.push_back(n);
        }
        out.sql = "SELECT " + list + from;
        return out;
      }
      case PlanKind::kFilter: {
        ExprCompiler ec(in.columns, "filter", /*row_context=*/true);
        std::string pred = ec.Compile(node.exprs[0]);
        STRATA_RETURN_NOT_OK(ec.status());
        if (detail::ContainsAggregate(node.exprs[0])) {
          // Windows cannot appear in WHERE: compute them in an inner projection.
          return Compiled{"SELECT * EXCLUDE (__strata_keep) FROM (SELECT *, " + pred +
                              " AS __strata_keep" + from + ") WHERE __strata_keep",
                          in.columns};
        }
        return Compiled{"SELECT *" + from + " WHERE " + pred, in.columns};
      }
      case PlanKind::kAggregate: {
        ExprCompiler keys_ec(in.columns, "group_by", /*row_context=*/false);
        ExprCompiler agg_ec(in.columns, "agg", /*row_context=*/false);
        Compiled out;
        std::string list, group;
        for (size_t i = 0; i < node.keys.size(); ++i) {
          const Expr& k = node.keys[i];
          list += (list.empty() ? "" : ", ") + keys_ec.Compile(k) + " AS " +
                  QuoteIdentifier(k.output_name());
          group += (group.empty() ? "" : ", ") + std::to_string(i + 1);
          out.columns.push_back(k.output_name());
        }
        for (const Expr& a : node.exprs) {
          std::string sql = agg_ec.Compile(a);
          // A plain expression in agg() gathers the group's values, as Polars does.
          if (!detail::ContainsAggregate(a)) sql = "list(" + sql + ")";
          list += (list.empty() ? "" : ", ") + sql + " AS " + QuoteIdentifier(a.output_name());
          out.columns.push_back(a.output_name());
        }
        STRATA_RETURN_NOT_OK(keys_ec.status());
        STRATA_RETURN_NOT_OK(agg_ec.status());
        STRATA_RETURN_NOT_OK(CheckDuplicates(out.columns, "group_by().agg()"));
        out.sql = "SELECT " + list + from + (group.empty() ? "" : " GROUP BY " + group);
        return out;
      }
      case PlanKind::kSort: {
        ExprCompiler ec(in.columns, "sort", /*row_context=*/true);
        if (node.descending.size() != 1 && node.descending.size() != node.exprs.size()) {
          return Status::InvalidArgument(
              "sort: " + std::to_string(node.descending.size()) + " descending flags for " +
              std::to_string(node.exprs.size()) + " keys; give one flag or one per key");
        }
        std::string order;
        for (size_t i = 0; i < node.exprs.size(); ++i) {
          bool desc = node.descending.size() == 1 ? node.descending[0] : node.descending[i];
          order += (order.empty() ? "" : ", ") + ec.Compile(node.exprs[i]) +
                   (desc ? " DESC" : " ASC") + (node.nulls_last ? " NULLS LAST" : " NULLS FIRST");
        }
        STRATA_RETURN_NOT_OK(ec.status());
        return Compiled{"SELECT *" + from + " ORDER BY " + order, in.columns};
      }
      case PlanKind::kLimit:
        if (node.limit < 0)
          return Status::InvalidArgument("limit: n must be >= 0, got " +
                                         std::to_string(node.limit));
        return Compiled{"SELECT *" + from + " LIMIT " + std::to_string(node.limit), in.columns};
      case PlanKind::kJoin:
        return CompileJoin(node, in);
      case PlanKind::kUnique:
        return CompileUnique(node, in);
      case PlanKind::kRename: {
        std::map<std::string, std::string> mapping;
        for (const auto& [from_name, to_name] : node.mapping) {
          STRATA_RETURN_NOT_OK(RequireColumn(in.columns, from_name, "rename"));
          mapping[from_name] = to_name;
        }
        Compiled out;
        std::string list;
        for (const std::string& c : in.columns) {
          auto it = mapping.find(c);
          std::string name = it == mapping.end() ? c : it->second;
          list += (list.empty() ? "" : ", ") + QuoteIdentifier(c) + " AS " + QuoteIdentifier(name);
          out.columns.push_back(name);
        }
        STRATA_RETURN_NOT_OK(CheckDuplicates(out.columns, "rename"));
        out.sql = "SELECT " + list + from;
        return out;
      }
      case PlanKind::kDrop: {
        std::set<std::string> dropped;
        for (const std::string& c : node.names) {
          STRATA_RETURN_NOT_OK(RequireColumn(in.columns, c, "drop"));
          dropped.insert(c);
        }
        Compiled out;
        std::string list;
        for (const std::string& c : in.columns) {
          if (dropped.count(c)) continue;
          list += (list.empty() ? "" : ", ") + QuoteIdentifier(c);
          out.columns.push_back(c);
        }
        if (out.columns.empty()) return Status::InvalidArgument("drop: no columns would be left");
        out.sql = "SELECT " + list + from;
        return out;
      }
      case PlanKind::kSource:
        break;
    }
    return Status::Internal("unknown plan node");
  }

 private:
  static Status RequireColumn(const std::vector<std::string>& columns, const std::string& name,
                              const std::string& verb) {
    for (const std::string& c : columns) {
      if (c == name) return Status::OK();
    }
    return Status::NotFound("unknown column " + QuoteIdentifier(name) + " in " + verb +
                            "; the columns are: " + ListColumns(columns));
  }

  Result<Compiled> CompileSource(const PlanNode& node) {
    for (const std::string& f : node.source_files)
      STRATA_RETURN_NOT_OK(CheckLocalFile(f, node.source_what));
    if (node.source_what == "SQL") STRATA_RETURN_NOT_OK(CheckFilesReferencedBy(node.source_sql));
    if (node.csv_sniff_once) return CompileSniffedCsv(node);
    auto described = conn_->Describe(node.source_sql);
    if (!described.ok()) return described.status();
    Compiled out{node.source_sql, {}};
    for (const auto& c : *described) out.columns.push_back(c.name);
    return out;
  }

  // Sniffing a large CSV costs as much as a fifth of reading it; it happens here once.
  Result<Compiled> CompileSniffedCsv(const PlanNode& node) {
    const std::string path = QuoteString(node.source_files[0]);
    STRATA_ASSIGN_OR_RETURN(
        DataFrame sniffed,
        conn_->Collect(
            "SELECT Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, HasHeader, Comment, "
            "DateFormat, TimestampFormat, c.name AS col_name, c.type AS col_type FROM "
            "(SELECT *, unnest(Columns) AS c FROM sniff_csv(" +
            path + node.csv_dialect_args + "))"));
    if (sniffed.num_rows() == 0) {
      return Status::InvalidArgument("CSV file '" + node.source_files[0] + "' has no columns");
    }
    auto text = [&](size_t col) -> std::string {
      const Column& c = sniffed.column(col);
      if (c.IsNull(0)) return "";
      std::string v = c.kind() == ValueKind::kString ? std::string(c.GetString(0)) : c.Format(0);
      return v == "(empty)" ? "" : v;  // the sniffer's word for "none"
    };
    std::string args = path + ", auto_detect=false, delim=" + QuoteString(text(0)) +
                       ", quote=" + QuoteString(text(1)) + ", escape=" + QuoteString(text(2)) +
                       ", new_line=" + QuoteString(text(3)) + ", skip=" + text(4) +
                       ", header=" + text(5);
    if (!text(6).empty()) args += ", comment=" + QuoteString(text(6));
    if (!text(7).empty()) args += ", dateformat=" + QuoteString(text(7));
    if (!text(8).empty()) args += ", timestampformat=" + QuoteString(text(8));
    Compiled out;
    std::string columns;
    for (size_t r = 0; r < sniffed.num_rows(); ++r) {
      std::string name(sniffed.column(9).GetString(r));
      columns += (r ? ", " : "") + QuoteString(name) + ": " +
                 QuoteString(std::string(sniffed.column(10).GetString(r)));
      out.columns.push_back(std::move(name));
    }
    out.sql =
        "SELECT * FROM read_csv(" + args + ", columns={" + columns + "}" + node.csv_read_args + ")";
    return out;
  }

  Result<Compiled> CompileJoin(const PlanNode& node, const Compiled& left) {
    STRATA_ASSIGN_OR_RETURN(Compiled right, Compile(*node.right));
    const JoinOptions& o = node.join;
    std::vector<std::string> lk = o.on.empty() ? o.left_on : o.on;
    std::vector<std::string> rk = o.on.empty() ? o.right_on : o.on;
    if (o.how != JoinType::kCross) {
      if (lk.empty() || lk.size() != rk.size()) {
        return Status::InvalidArgument(
            "join: give `on`, or `left_on` and `right_on` of equal length");
      }
      for (const auto& k : lk)
        STRATA_RETURN_NOT_OK(RequireColumn(left.columns, k, "join (left side)"));
      for (const auto& k : rk)
        STRATA_RETURN_NOT_OK(RequireColumn(right.columns, k, "join (right side)"));
    }
    std::string cond;
    for (size_t i = 0; i < lk.size(); ++i) {
      cond += (i ? " AND " : "") + std::string("_l.") + QuoteIdentifier(lk[i]) + " = _r." +
              QuoteIdentifier(rk[i]);
    }
    Compiled out;
    std::string list;
    auto add = [&](const std::string& expr, const std::string& name) {
      list += (list.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(name);
      out.columns.push_back(name);
    };
    bool right_cols = o.how != JoinType::kSemi && o.how != JoinType::kAnti;
    bool coalesce = o.how == JoinType::kFull && o.coalesce_full;
    std::set<std::string> right_keys(rk.begin(), rk.end());
    for (size_t i = 0; i < left.columns.size(); ++i) {
      const std::string& c = left.columns[i];
      std::string ref = "_l." + QuoteIdentifier(c);
      auto key = std::find(lk.begin(), lk.end(), c);
      if (coalesce && key != lk.end()) {
        ref = "coalesce(" + ref + ", _r." + QuoteIdentifier(rk[key - lk.begin()]) + ")";
      }
      add(ref, c);
    }
    if (right_cols) {
      std::set<std::string> taken(out.columns.begin(), out.columns.end());
      for (const std::string& c : right.columns) {
        // Inner and left joins (and a coalesced full join) keep one copy of the keys.
        bool drop_key = right_keys.count(c) &&
                        (o.how == JoinType::kInner || o.how == JoinType::kLeft || coalesce);
        if (drop_key) continue;
        std::string name = taken.count(c) ? c + o.suffix : c;
        add("_r." + QuoteIdentifier(c), name);
        taken.insert(name);
      }
    }
    STRATA_RETURN_NOT_OK(CheckDuplicates(out.columns, "join"));
    static const std::map<JoinType, const char*> kJoinSql = {
        {JoinType::kInner, "INNER JOIN"},     {JoinType::kLeft, "LEFT JOIN"},
        {JoinType::kFull, "FULL OUTER JOIN"}, {JoinType::kSemi, "SEMI JOIN"},
        {JoinType::kAnti, "ANTI JOIN"},       {JoinType::kCross, "CROSS JOIN"}};
    const std::string kind = kJoinSql.at(o.how);
    out.sql = "SELECT " + list + " FROM (" + left.sql + ") AS _l " + kind + " (" + right.sql +
              ") AS _r" + (o.how == JoinType::kCross ? "" : " ON " + cond);
    return out;
  }

  Result<Compiled> CompileUnique(const PlanNode& node, const Compiled& in) {
    const std::string from = " FROM (" + in.sql + ") AS _s";
    for (const auto& c : node.names) STRATA_RETURN_NOT_OK(RequireColumn(in.columns, c, "unique"));
    std::vector<std::string> subset = node.names.empty() ? in.columns : node.names;
    std::string keys;
    for (const auto& c : subset) keys += (keys.empty() ? "" : ", ") + QuoteIdentifier(c);
    switch (node.keep) {
      case UniqueKeep::kAny:
        if (node.names.empty()) return Compiled{"SELECT DISTINCT *" + from, in.columns};
        return Compiled{"SELECT DISTINCT ON (" + keys + ") *" + from, in.columns};
      case UniqueKeep::kFirst:
      case UniqueKeep::kLast: {
        // Number the rows in input order, keep the first (or last) of each key, and
        // return them in input order.
        std::string dir = node.keep == UniqueKeep::kFirst ? "ASC" : "DESC";
        return Compiled{
            "SELECT * EXCLUDE (__strata_ord, __strata_rn) FROM (SELECT *, row_number() OVER "
            "(PARTITION BY " +
                keys + " ORDER BY __strata_ord " + dir +
                ") AS __strata_rn FROM "
                "(SELECT *, row_number() OVER () AS __strata_ord" +
                from +
                ")) WHERE __strata_rn = 1 "
                "ORDER BY __strata_ord",
            in.columns};
      }
      case UniqueKeep::kNone:
        return Compiled{
            "SELECT * EXCLUDE (__strata_n) FROM (SELECT *, count(*) OVER (PARTITION BY " + keys +
                ") AS __strata_n" + from + ") WHERE __strata_n = 1",
            in.columns};
    }
    return Status::Internal("unknown unique keep");
  }

  engine::Connection* conn_;  // borrowed for the compile
};

}  // namespace

Result<Compiled> CompilePlan(engine::Connection* conn, const PlanNode& plan) {
  return PlanCompiler(conn).Compile(plan);
}

}  // namespace strata::detail
