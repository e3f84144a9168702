#include "strata/frame.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <regex>
#include <set>

#include "common/random.h"
#include "engine/expr_internal.h"

namespace strata {

using detail::ExprCompiler;
using detail::ListColumns;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace detail {

enum class PlanKind {
  kSource,
  kSelect,
  kWithColumns,
  kFilter,
  kAggregate,
  kSort,
  kLimit,
  kJoin,
  kUnique,
  kRename,
  kDrop,
};

struct PlanNode {
  PlanKind kind;
  std::shared_ptr<const PlanNode> input;
  std::shared_ptr<const PlanNode> right;  // join
  // kSource: a complete query, and the local files it reads (checked before binding).
  std::string source_sql;
  std::vector<std::string> source_files;
  std::string source_what;  // "CSV", "Parquet", "NDJSON", "SQL"
  // A single CSV file: sniffed once at compile time, then read with its dialect and
  // columns spelled out so that DuckDB does not sniff it again. `csv_dialect_args` are
  // the user's dialect options (given to the sniffer), `csv_read_args` the others.
  bool csv_sniff_once = false;
  std::string csv_dialect_args;
  std::string csv_read_args;
  std::vector<Expr> exprs;  // select, with_columns, filter (one), agg, sort keys
  std::vector<Expr> keys;   // group_by keys
  std::vector<bool> descending;
  bool nulls_last = false;
  int64_t limit = 0;
  JoinOptions join;
  std::vector<std::string> names;  // unique subset, drop
  UniqueKeep keep = UniqueKeep::kAny;
  std::vector<std::pair<std::string, std::string>> mapping;
  Status error;  // a problem found when the verb was called, reported at run time
};

}  // namespace detail

using detail::PlanKind;
using detail::PlanNode;

namespace {

struct Compiled {
  std::string sql;
  std::vector<std::string> columns;
};

bool HasGlob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

Status CheckLocalFile(const std::string& path, const std::string& what) {
  if (path.find("://") != std::string::npos || HasGlob(path)) return Status::OK();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound(what + " file '" + path + "' does not exist");
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("'" + path + "' is a directory, not a " + what + " file");
  }
  if (st.st_size == 0) return Status::InvalidArgument(what + " file '" + path + "' is empty");
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::IOError(what + " file '" + path + "' is not readable");
  }
  return Status::OK();
}

bool IsJsonPath(const std::string& path) {
  return HasExtension(path, ".json") || HasExtension(path, ".ndjson") ||
         HasExtension(path, ".jsonl");
}

std::string WhatFor(const std::string& path) {
  if (HasExtension(path, ".parquet")) return "Parquet";
  if (IsJsonPath(path)) return "JSON";
  return "CSV";
}

std::string PathList(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) out += (i ? ", " : "") + QuoteString(paths[i]);
  return out + "]";
}

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

bool HasExtension(const std::string& path, const std::string& extension) {
  return path.size() >= extension.size() &&
         std::equal(extension.rbegin(), extension.rend(), path.rbegin(), [](char e, char p) {
           return std::tolower(static_cast<unsigned char>(e)) ==
                  std::tolower(static_cast<unsigned char>(p));
         });
}

Status CheckFilesReferencedBy(const std::string& sql) {
  static const std::regex kPathRe(R"((?:\bFROM|\bJOIN|\bread_\w+\s*\()\s*'((?:[^']|'')*)')",
                                  std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), kPathRe);
       it != std::sregex_iterator(); ++it) {
    std::string path;
    std::string raw = (*it)[1];
    for (size_t i = 0; i < raw.size(); ++i) {
      path += raw[i];
      if (raw[i] == '\'' && i + 1 < raw.size() && raw[i + 1] == '\'') ++i;
    }
    struct stat st;
    // Paths that do not exist are left to DuckDB, whose message names them.
    if (path.find("://") != std::string::npos || HasGlob(path) || ::stat(path.c_str(), &st) != 0)
      continue;
    STRATA_RETURN_NOT_OK(CheckLocalFile(path, WhatFor(path)));
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Session

Result<std::shared_ptr<Session>> Session::Open(const engine::DatabaseOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::Database> db, engine::Database::Open(options));
  return std::shared_ptr<Session>(new Session(std::move(db)));
}

std::shared_ptr<Session> Session::Default() {
  static std::shared_ptr<Session> session = [] {
    auto opened = Open();
    // An in-memory database only fails to open when the process is out of memory.
    if (!opened.ok()) {
      std::fprintf(stderr, "strata: cannot open DuckDB: %s\n", opened.status().ToString().c_str());
      std::abort();
    }
    return *opened;
  }();
  return session;
}

namespace {
std::shared_ptr<PlanNode> SourceNode(std::string sql, std::vector<std::string> files,
                                     std::string what) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kSource;
  node->source_sql = std::move(sql);
  node->source_files = std::move(files);
  node->source_what = std::move(what);
  if (node->source_files.empty() && node->source_what != "SQL") {
    node->error = Status::InvalidArgument("scan of " + node->source_what + ": no file given");
  }
  return node;
}
}  // namespace

Frame Session::scan_csv(std::vector<std::string> paths, const CsvOptions& o) {
  // Options that shape the dialect or the types go to the sniffer; the rest only to the
  // reader.
  std::string dialect = ", delim=" + QuoteString(o.delimiter) +
                        ", header=" + (o.has_header ? "true" : "false") +
                        ", quote=" + QuoteString(std::string(1, o.quote));
  // Always given: left to itself, DuckDB's sniffer may skip leading lines that do not fit
  // the dialect it found, silently dropping rows of a ragged file.
  dialect += ", skip=" + std::to_string(o.skip_rows);
  dialect += ", sample_size=" + std::to_string(o.infer_schema_length);
  std::string nulls = "['']";
  if (!o.null_values.empty()) {
    nulls = "[''";
    for (const auto& n : o.null_values) nulls += ", " + QuoteString(n);
    nulls += "]";
  }
  dialect += ", nullstr=" + nulls;
  if (!o.schema_overrides.empty()) {
    std::string types;
    for (const auto& [name, type] : o.schema_overrides) {
      types += (types.empty() ? "" : ", ") + QuoteString(name) + ": " +
               QuoteString(std::string(SqlTypeName(type)));
    }
    dialect += ", types={" + types + "}";
  }
  std::string read = ", nullstr=" + nulls;
  // DuckDB reads a CSV file in buffers (32 MB by default). 4 MB ones read the 720 MB
  // events file 18 % faster with nine typed columns and 29 % faster for count(*) on our
  // 2-core machines (measured side by side, bench/quality): fresh large buffers cost page
  // faults. Lines may still be as long as DuckDB's max_line_size (2 MB).
  const std::string buffer = ", buffer_size=4194304";
  dialect += buffer;
  read += buffer;
  if (o.ignore_errors) {
    dialect += ", ignore_errors=true";
    read += ", ignore_errors=true";
  }
  auto node = SourceNode("SELECT * FROM read_csv(" + PathList(paths) + dialect + ")", paths, "CSV");
  node->csv_sniff_once =
      paths.size() == 1 && !HasGlob(paths[0]) && paths[0].find("://") == std::string::npos;
  node->csv_dialect_args = dialect;
  node->csv_read_args = read;
  return Frame(shared_from_this(), node);
}

Frame Session::scan_parquet(const std::vector<std::string>& paths) {
  return Frame(shared_from_this(),
               SourceNode("SELECT * FROM read_parquet(" + PathList(paths) + ")", paths, "Parquet"));
}

Frame Session::scan_ndjson(const std::vector<std::string>& paths) {
  return Frame(shared_from_this(), SourceNode("SELECT * FROM read_json(" + PathList(paths) +
                                                  ", format='newline_delimited')",
                                              paths, "NDJSON"));
}

Frame Session::sql(std::string query) {
  // A trailing semicolon would end the subquery the Frame wraps the query in.
  while (!query.empty() &&
         (query.back() == ';' || std::isspace(static_cast<unsigned char>(query.back())))) {
    query.pop_back();
  }
  return Frame(shared_from_this(), SourceNode(std::move(query), {}, "SQL"));
}

Frame Session::scan_file(const std::string& path) { return scan_files({path}); }

Frame Session::scan_files(std::vector<std::string> paths, const CsvOptions& csv) {
  const std::string first = paths.empty() ? "" : paths.front();
  if (HasExtension(first, ".parquet")) return scan_parquet(paths);
  if (IsJsonPath(first)) return scan_ndjson(paths);
  if (HasExtension(first, ".tsv") && csv.delimiter == CsvOptions().delimiter) {
    CsvOptions tabs = csv;
    tabs.delimiter = "\t";
    return scan_csv(std::move(paths), tabs);
  }
  return scan_csv(std::move(paths), csv);
}

Frame scan_csv(const std::string& path, const CsvOptions& options) {
  return Session::Default()->scan_csv({path}, options);
}
Frame scan_parquet(const std::string& path) { return Session::Default()->scan_parquet({path}); }
Frame scan_ndjson(const std::string& path) { return Session::Default()->scan_ndjson({path}); }
Frame sql(const std::string& query) { return Session::Default()->sql(query); }

// ---------------------------------------------------------------------------------------
// Frame verbs: each adds one node over the current plan.

Frame Frame::With(std::shared_ptr<PlanNode> node) const {
  node->input = plan_;
  return Frame(session_, std::move(node));
}

namespace {
std::shared_ptr<PlanNode> NodeOf(PlanKind kind) {
  auto n = std::make_shared<PlanNode>();
  n->kind = kind;
  return n;
}
std::vector<Expr> Exprs(const std::vector<IntoExpr>& in) {
  std::vector<Expr> out;
  out.reserve(in.size());
  for (const IntoExpr& e : in) out.push_back(e.expr);
  return out;
}
}  // namespace

Frame Frame::select(const std::vector<IntoExpr>& exprs) const {
  auto n = NodeOf(PlanKind::kSelect);
  n->exprs = Exprs(exprs);
  if (n->exprs.empty()) n->error = Status::InvalidArgument("select: no columns given");
  return With(n);
}

Frame Frame::with_columns(const std::vector<IntoExpr>& exprs) const {
  auto n = NodeOf(PlanKind::kWithColumns);
  n->exprs = Exprs(exprs);
  return With(n);
}

Frame Frame::filter(const Expr& predicate) const {
  auto n = NodeOf(PlanKind::kFilter);
  n->exprs = {predicate};
  return With(n);
}

GroupBy Frame::group_by(const std::vector<IntoExpr>& keys) const {
  return GroupBy(*this, Exprs(keys));
}

Frame GroupBy::agg(const std::vector<IntoExpr>& aggs) const {
  auto n = NodeOf(PlanKind::kAggregate);
  n->keys = keys_;
  n->exprs = Exprs(aggs);
  if (keys_.empty()) n->error = Status::InvalidArgument("group_by: no keys given");
  return input_.With(n);
}

Frame Frame::sort(const std::vector<IntoExpr>& by, std::vector<bool> descending,
                  bool nulls_last) const {
  auto n = NodeOf(PlanKind::kSort);
  n->exprs = Exprs(by);
  n->descending = std::move(descending);
  n->nulls_last = nulls_last;
  if (n->exprs.empty()) n->error = Status::InvalidArgument("sort: no keys given");
  return With(n);
}

Frame Frame::limit(int64_t count) const {
  auto n = NodeOf(PlanKind::kLimit);
  n->limit = count;
  return With(n);
}

Frame Frame::join(const Frame& other, const JoinOptions& options) const {
  auto n = NodeOf(PlanKind::kJoin);
  n->right = other.plan_;
  n->join = options;
  if (other.session_ != session_) {
    n->error = Status::InvalidArgument("join: both Frames must come from the same Session");
  }
  return With(n);
}

Frame Frame::unique(const std::vector<std::string>& subset, UniqueKeep keep) const {
  auto n = NodeOf(PlanKind::kUnique);
  n->names = subset;
  n->keep = keep;
  return With(n);
}

Frame Frame::rename(const std::vector<std::pair<std::string, std::string>>& mapping) const {
  auto n = NodeOf(PlanKind::kRename);
  n->mapping = mapping;
  return With(n);
}

Frame Frame::drop(const std::vector<std::string>& columns) const {
  auto n = NodeOf(PlanKind::kDrop);
  n->names = columns;
  return With(n);
}

// ---------------------------------------------------------------------------------------
// Running

namespace {
// A plan compiled on a connection of its own, which runs it.
struct BoundPlan {
  std::unique_ptr<engine::Connection> conn;
  Compiled compiled;
};

Result<BoundPlan> BindPlan(Session* session, const PlanNode& plan) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::Connection> conn, session->database()->Connect());
  PlanCompiler compiler(conn.get());
  STRATA_ASSIGN_OR_RETURN(Compiled compiled, compiler.Compile(plan));
  return BoundPlan{std::move(conn), std::move(compiled)};
}
}  // namespace

Result<std::string> Frame::to_sql() const {
  STRATA_ASSIGN_OR_RETURN(BoundPlan bound, BindPlan(session_.get(), *plan_));
  auto& [conn, compiled] = bound;
  return compiled.sql;
}

Result<std::string> Frame::explain() const {
  STRATA_ASSIGN_OR_RETURN(BoundPlan bound, BindPlan(session_.get(), *plan_));
  auto& [conn, compiled] = bound;
  STRATA_ASSIGN_OR_RETURN(DataFrame plan, conn->Collect("EXPLAIN " + compiled.sql));
  std::string out = "SQL:\n" + compiled.sql + "\n\nPlan:\n";
  STRATA_ASSIGN_OR_RETURN(const Column* text, plan.column("explain_value"));
  for (size_t i = 0; i < plan.num_rows(); ++i) out += std::string(text->GetString(i)) + "\n";
  return out;
}

Result<std::vector<engine::ColumnSchema>> Frame::schema() const {
  STRATA_ASSIGN_OR_RETURN(BoundPlan bound, BindPlan(session_.get(), *plan_));
  auto& [conn, compiled] = bound;
  return conn->Describe(compiled.sql);
}

Result<DataFrame> Frame::collect(const engine::ProgressCallback& progress) const {
  STRATA_ASSIGN_OR_RETURN(BoundPlan bound, BindPlan(session_.get(), *plan_));
  auto& [conn, compiled] = bound;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::PreparedStatement> stmt,
                          conn->Prepare(compiled.sql));
  return stmt->Collect(progress);
}

Status Frame::Sink(const std::string& path, const std::string& copy_options,
                   const engine::ProgressCallback& progress) const {
  STRATA_ASSIGN_OR_RETURN(BoundPlan bound, BindPlan(session_.get(), *plan_));
  // Named references, not a structured binding: clang 14 cannot capture those.
  engine::Connection* conn = bound.conn.get();
  const Compiled& compiled = bound.compiled;
  // DuckDB writes a temporary file beside the target; only a complete file is renamed
  // into place, so a failed run leaves the target as it was.
  const std::string tmp = TempPathFor(path);
  std::string copy =
      "COPY (" + compiled.sql + ") TO " + QuoteString(tmp) + " (" + copy_options + ")";
  Status st = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::PreparedStatement> stmt, conn->Prepare(copy));
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> r, stmt->Execute(false, progress));
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      return Status::IOError("cannot move finished output into place at '" + path +
                             "': " + std::strerror(errno));
    }
    return Status::OK();
  }();
  if (!st.ok()) {
    std::remove(tmp.c_str());
    return st.WithContext("writing '" + path + "'");
  }
  return st;
}

Status Frame::sink_parquet(const std::string& path, const SinkOptions& options,
                           const engine::ProgressCallback& progress) const {
  std::string opts = "FORMAT parquet, COMPRESSION " + QuoteString(options.compression);
  if (options.row_group_size > 0)
    opts += ", ROW_GROUP_SIZE " + std::to_string(options.row_group_size);
  return Sink(path, opts, progress);
}

Status Frame::sink_csv(const std::string& path, const SinkOptions& options,
                       const engine::ProgressCallback& progress) const {
  return Sink(path,
              "FORMAT csv, HEADER " + std::string(options.header ? "true" : "false") +
                  ", DELIMITER " + QuoteString(options.delimiter),
              progress);
}

}  // namespace strata
