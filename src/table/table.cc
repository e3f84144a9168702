#include "strata/table.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>

#include "engine/expr_internal.h"
#include "table/delta_log.h"

namespace strata {

using delta::Json;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

constexpr const char* kEngineInfo = "strata/0.1.0";
constexpr size_t kMaxTableColumns = 4096;

std::string Uuid() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (static_cast<uint64_t>(::getpid()) << 20));
  uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// Hive-style directory name for one partition value. The column name is escaped as the
// value is (as Spark does): neither can hold a '/', so no name or value leaves the table.
std::string PartitionDir(const std::string& column, const std::optional<std::string>& value) {
  std::string v = value ? *value : "__HIVE_DEFAULT_PARTITION__";
  return delta::PercentEncode(column, "-_. ") + "=" + delta::PercentEncode(v, "-_. :");
}

bool IsNested(const std::string& delta_type) { return !delta_type.empty() && delta_type[0] == '{'; }

// JSON value of a statistic, as Delta writes them.
Json StatValue(const Column& col, size_t row) {
  switch (col.kind()) {
    case ValueKind::kInt64:
      return col.GetInt64(row);
    case ValueKind::kFloat64: {
      double v = col.GetDouble(row);
      return std::isfinite(v) ? Json(v) : Json(nullptr);
    }
    case ValueKind::kDate:
      return col.Format(row);
    case ValueKind::kTimestamp: {
      std::string s = col.Format(row);  // "YYYY-MM-DD HH:MM:SS[.ffffff]"
      s[10] = 'T';
      if (s.size() == 19)
        s += ".000";
      else
        s = s.substr(0, 23);
      return s + "Z";
    }
    case ValueKind::kString: {
      std::string_view v = col.GetString(row);
      if (v.size() > 64) return nullptr;  // long strings add more log than they save
      return std::string(v);
    }
    case ValueKind::kBool:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

int64_t Snapshot::num_records() const {
  int64_t n = 0;
  for (const DataFile& f : files) n += f.num_records.value_or(0);
  return n;
}

int64_t Snapshot::size_bytes() const {
  int64_t n = 0;
  for (const DataFile& f : files) n += f.size;
  return n;
}

Status ValidateTableName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("a table name cannot be empty");
  if (name.size() > 128)
    return Status::InvalidArgument("table name '" + name + "' is longer than 128 characters");
  if (name[0] == '.' || name[0] == '_') {
    return Status::InvalidArgument("table name '" + name + "' cannot start with '.' or '_'");
  }
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
      return Status::InvalidArgument("table name '" + name +
                                     "' may hold only letters, digits, '_', '-' and '.'");
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Lake

Status Lake::Init(const std::string& root) {
  auto fs = NewLocalFileSystem();
  STRATA_RETURN_NOT_OK(fs->CreateDirs(root + "/_strata"));
  return Status::OK();
}

Result<std::unique_ptr<Lake>> Lake::Open(const std::string& root, bool create,
                                         std::shared_ptr<Session> session) {
  auto fs = NewLocalFileSystem();
  if (!fs->Exists(root + "/_strata")) {
    if (!create) {
      return Status::NotFound("no lake at '" + root + "': run 'strata --lake " + root +
                              " init' first");
    }
    STRATA_RETURN_NOT_OK(Init(root));
  }
  if (!session) {
    STRATA_ASSIGN_OR_RETURN(session, Session::Open());
  }
  return std::unique_ptr<Lake>(new Lake(root, std::move(session), std::move(fs)));
}

Result<std::vector<std::string>> Lake::ListTables() {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(root_));
  std::vector<std::string> tables;
  for (const std::string& n : names) {
    if (ValidateTableName(n).ok() && fs_->Exists(root_ + "/" + n + "/_delta_log"))
      tables.push_back(n);
  }
  return tables;
}

Result<std::unique_ptr<Table>> Lake::OpenTable(const std::string& name,
                                               const TableOptions& options) {
  STRATA_RETURN_NOT_OK(ValidateTableName(name));
  // Names are case-insensitive: an existing folder spelled otherwise is this table.
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  std::vector<std::string> matches;
  auto entries = fs_->ListDir(root_);
  if (entries.ok()) {
    for (const std::string& e : *entries) {
      if (same(e, name) && ValidateTableName(e).ok()) matches.push_back(e);
    }
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "'" : ", '") + m + "'";
    return Status::InvalidArgument(
        "table name '" + name + "' is ambiguous: the lake at '" + root_ + "' holds " + list +
        ", which differ only in case; table names are case-insensitive, so rename all but one "
        "of those folders");
  }
  std::string stored = matches.empty() ? name : matches[0];
  return std::unique_ptr<Table>(
      new Table(stored, root_ + "/" + stored, session_, fs_.get(), options));
}

// ---------------------------------------------------------------------------------------
// Table

struct Table::Impl {
  std::unique_ptr<FileSystem> owned_fs;  // for OpenPath
  std::mutex mutex;
  // Guarded by mutex: the newest snapshot this Table has read; a later Latest() replays
  // only the commits after it.
  std::shared_ptr<const Snapshot> cached;
};

Table::Table(std::string name, std::string path, std::shared_ptr<Session> session, FileSystem* fs,
             TableOptions options)
    : name_(std::move(name)),
      path_(std::move(path)),
      session_(std::move(session)),
      fs_(fs),
      options_(options),
      impl_(std::make_unique<Impl>()) {}

Table::~Table() = default;

Result<std::unique_ptr<Table>> Table::OpenPath(const std::string& path,
                                               std::shared_ptr<Session> session,
                                               const TableOptions& options) {
  auto fs = NewLocalFileSystem();
  std::string name = path.substr(path.find_last_of('/') + 1);
  auto table = std::unique_ptr<Table>(new Table(name, path, std::move(session), fs.get(), options));
  table->impl_->owned_fs = std::move(fs);
  return table;
}

bool Table::exists() {
  // A table exists once version 0 (or a checkpoint) does: a first write that failed may
  // leave an empty _delta_log behind.
  auto listing = delta::ListLog(fs_, path_);
  return listing.ok() && (!listing->commits.empty() || !listing->checkpoints.empty());
}

Result<std::shared_ptr<const Snapshot>> Table::AtVersion(int64_t version) {
  if (version < 0) {
    return Status::InvalidArgument("table '" + name_ + "' has no version " +
                                   std::to_string(version) + ": versions start at 0");
  }
  auto listing = delta::ListLog(fs_, path_);
  if (!listing.ok() && listing.status().code() != StatusCode::kNotFound) return listing.status();
  if (!listing.ok() || (listing->commits.empty() && listing->checkpoints.empty()))
    return Status::NotFound("table '" + name_ + "' does not exist (no '" + path_ + "/_delta_log')");
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(Snapshot snap, delta::Replay(fs_, conn.get(), path_, version));
  return std::make_shared<const Snapshot>(std::move(snap));
}

Result<std::shared_ptr<const Snapshot>> Table::Latest() {
  auto listing = delta::ListLog(fs_, path_);
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound)
      return Status::NotFound("table '" + name_ + "' does not exist");
    return listing.status();
  }
  int64_t latest = listing->commits.empty() ? -1 : listing->commits.back();
  if (!listing->checkpoints.empty())
    latest = std::max(latest, listing->checkpoints.rbegin()->first);
  if (latest < 0) return Status::NotFound("table '" + name_ + "' does not exist");
  std::shared_ptr<const Snapshot> base;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    base = impl_->cached;
  }
  if (base && base->version == latest) return base;
  std::shared_ptr<const Snapshot> snap;
  bool contiguous = base && base->version < latest;
  for (int64_t v = base ? base->version + 1 : 0; contiguous && v <= latest; ++v) {
    contiguous = std::binary_search(listing->commits.begin(), listing->commits.end(), v);
  }
  if (contiguous) {
    STRATA_ASSIGN_OR_RETURN(Snapshot next, delta::ReplayAfter(fs_, path_, *base, latest));
    snap = std::make_shared<const Snapshot>(std::move(next));
  } else {
    STRATA_ASSIGN_OR_RETURN(snap, AtVersion(latest));
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->cached || impl_->cached->version < snap->version) impl_->cached = snap;
  return snap;
}

Result<std::shared_ptr<const Snapshot>> Table::AsOf(int64_t timestamp_ms) {
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  int64_t chosen = -1, first_ts = -1;
  for (int64_t v : listing.commits) {
    STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, v));
    int64_t ts = delta::IntField(info, "timestamp", 0);
    if (first_ts < 0) first_ts = ts;
    if (ts <= timestamp_ms) chosen = v;
  }
  if (chosen < 0) {
    return Status::NotFound("table '" + name_ + "' has no version committed at or before " +
                            std::to_string(timestamp_ms) + " ms; its first version is from " +
                            std::to_string(first_ts) + " ms");
  }
  return AtVersion(chosen);
}

namespace {

// Whether a file's statistics prove that no row matches `p`.
bool StatsExclude(const DataFile& f, const FilePredicate& p,
                  const std::vector<std::string>& partition_columns) {
  auto compare = [&](const Json& bound, bool is_min) -> std::optional<int> {
    // Returns sign(bound - value), numerically when both are numbers.
    if (bound.is_null()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(p.value.c_str(), &end);
    bool value_numeric = end != p.value.c_str() && *end == '\0';
    if (bound.is_number() && value_numeric) {
      double b = bound.get<double>();
      return b < v ? -1 : (b > v ? 1 : 0);
    }
    if (bound.is_string()) {
      int c = bound.get<std::string>().compare(p.value);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    (void)is_min;
    return std::nullopt;
  };
  if (std::find(partition_columns.begin(), partition_columns.end(), p.column) !=
      partition_columns.end()) {
    auto it = f.partition_values.find(p.column);
    // A null partition value never satisfies a comparison with a literal.
    if (it == f.partition_values.end() || !it->second) return true;
    Json v = *it->second;
    char* end = nullptr;
    double num = std::strtod(it->second->c_str(), &end);
    if (end != it->second->c_str() && *end == '\0') v = num;
    auto c = compare(v, true);
    if (!c) return false;
    if (p.op == "=") return *c != 0;
    if (p.op == "<") return *c >= 0;
    if (p.op == "<=") return *c > 0;
    if (p.op == ">") return *c <= 0;
    if (p.op == ">=") return *c < 0;
    return false;
  }
  if (f.stats_json.empty()) return false;
  Json stats;
  try {
    stats = Json::parse(f.stats_json);
  } catch (const Json::exception&) {
    return false;
  }
  auto bound_of = [&](const char* key) {
    if (!stats.is_object() || !stats.contains(key) || !stats[key].is_object()) return Json();
    auto it = stats[key].find(p.column);
    return it == stats[key].end() ? Json() : *it;
  };
  Json min = bound_of("minValues"), max = bound_of("maxValues");
  auto cmin = compare(min, true), cmax = compare(max, false);
  if (p.op == "=") return (cmin && *cmin > 0) || (cmax && *cmax < 0);
  if (p.op == "<") return cmin && *cmin >= 0;
  if (p.op == "<=") return cmin && *cmin > 0;
  if (p.op == ">") return cmax && *cmax <= 0;
  if (p.op == ">=") return cmax && *cmax < 0;
  return false;
}

}  // namespace

// SQL reading `files` of `snap` with the table's columns in order. With `with_file`, a
// column __strata_file names each row's file (relative path).
static Result<std::string> ScanSql(engine::Connection* conn, const std::string& table_path,
                                   const Snapshot& snap, const std::vector<DataFile>& files,
                                   bool with_file) {
  std::set<std::string> partition(snap.partition_columns.begin(), snap.partition_columns.end());
  if (files.empty()) {
    std::string list;
    for (const TableField& f : snap.schema) {
      STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
      list += (list.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + t + ") AS " +
              QuoteIdentifier(f.name);
    }
    if (with_file) list += ", CAST(NULL AS VARCHAR) AS __strata_file";
    return "SELECT " + list + " WHERE false";
  }
  std::string paths;
  for (const DataFile& f : files)
    paths += (paths.empty() ? "" : ", ") + QuoteString(table_path + "/" + f.path);
  const std::string source = "read_parquet([" + paths + "], filename=true, union_by_name=true)";
  STRATA_ASSIGN_OR_RETURN(auto present, conn->Describe("SELECT * FROM " + source));
  std::set<std::string> in_files;
  for (const auto& c : present) in_files.insert(c.name);
  std::string list;
  for (const TableField& f : snap.schema) {
    STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
    std::string expr;
    if (partition.count(f.name))
      expr = "CAST(p." + QuoteIdentifier(f.name) + " AS " + t + ")";
    else if (in_files.count(f.name))
      expr = "d." + QuoteIdentifier(f.name);
    else
      expr = "CAST(NULL AS " + t + ")";  // a column added after these files were written
    list += (list.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  std::string sql = "SELECT " + list;
  bool need_join = !partition.empty() || with_file;
  if (!need_join) return sql + " FROM " + source + " AS d";
  // Partition values live in the log, not in the files: join them on the file name.
  std::string values;
  for (const DataFile& f : files) {
    std::string row = QuoteString(table_path + "/" + f.path) + ", " + QuoteString(f.path);
    for (const std::string& pc : snap.partition_columns) {
      auto it = f.partition_values.find(pc);
      row += ", " + ((it == f.partition_values.end() || !it->second) ? std::string("NULL")
                                                                     : QuoteString(*it->second));
    }
    values += (values.empty() ? "(" : ", (") + row + ")";
  }
  std::string names = "__strata_path, __strata_file";
  for (const std::string& pc : snap.partition_columns) names += ", " + QuoteIdentifier(pc);
  if (with_file) sql += ", p.__strata_file";
  return sql + " FROM " + source + " AS d JOIN (VALUES " + values + ") AS p(" + names +
         ") ON d.filename = p.__strata_path";
}

namespace {
// The files of `snapshot` that the statistics do not rule out for `skip`.
std::vector<DataFile> FilesToRead(const Snapshot& snapshot,
                                  const std::vector<FilePredicate>& skip) {
  std::vector<DataFile> files;
  for (const DataFile& f : snapshot.files) {
    bool excluded = false;
    for (const FilePredicate& p : skip)
      excluded = excluded || StatsExclude(f, p, snapshot.partition_columns);
    if (!excluded) files.push_back(f);
  }
  return files;
}
}  // namespace

Result<Frame> Table::Scan(const Snapshot& snapshot, const std::vector<FilePredicate>& skip) {
  const std::vector<DataFile> files = FilesToRead(snapshot, skip);
  for (const DataFile& f : files) {
    if (!fs_->Exists(path_ + "/" + f.path)) {
      return Status::NotFound("table '" + name_ + "' version " + std::to_string(snapshot.version) +
                              " needs data file '" + f.path + "', which is missing");
    }
  }
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::string sql, ScanSql(conn.get(), path_, snapshot, files, false));
  return session_->sql(sql);
}

namespace {

// The `column OP literal` conjuncts of a filter, as file predicates.
void CollectFilePredicates(const Expr& e, std::vector<FilePredicate>* out) {
  const detail::ExprNode& n = *e.node();
  if (n.kind == detail::ExprKind::kAlias) return CollectFilePredicates(n.args[0], out);
  if (n.kind != detail::ExprKind::kBinary) return;
  if (n.op == "AND") {
    CollectFilePredicates(n.args[0], out);
    CollectFilePredicates(n.args[1], out);
    return;
  }
  static const std::map<std::string, std::string> kFlip = {
      {"=", "="}, {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}};
  if (!kFlip.count(n.op)) return;
  const detail::ExprNode* a = n.args[0].node().get();
  const detail::ExprNode* b = n.args[1].node().get();
  std::string op = n.op;
  if (a->kind == detail::ExprKind::kLiteral && b->kind == detail::ExprKind::kColumn) {
    std::swap(a, b);
    op = kFlip.at(op);
  }
  if (a->kind != detail::ExprKind::kColumn || b->kind != detail::ExprKind::kLiteral) return;
  std::string value = std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>)
          return std::to_string(v);
        else if constexpr (std::is_same_v<T, double>) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          return buf;
        } else if constexpr (std::is_same_v<T, std::string>)
          return v;
        else
          return "";
      },
      b->value);
  if (value.empty() && !std::holds_alternative<std::string>(b->value))
    return;  // null or bool: no skipping
  out->push_back({a->name, op, value});
}

}  // namespace

Result<Frame> Table::Scan(const Snapshot& snapshot, const Expr& filter, size_t* files_read) {
  std::vector<FilePredicate> skip;
  CollectFilePredicates(filter, &skip);
  if (files_read != nullptr) *files_read = FilesToRead(snapshot, skip).size();
  STRATA_ASSIGN_OR_RETURN(Frame frame, Scan(snapshot, skip));
  return frame.filter(filter);
}

Result<Frame> Table::Scan() {
  STRATA_ASSIGN_OR_RETURN(auto snap, Latest());
  return Scan(*snap);
}

// ---------------------------------------------------------------------------------------
// Writing

namespace {

struct WrittenFiles {
  std::vector<DataFile> files;
  int64_t rows = 0;
  int64_t bytes = 0;
};

// Computes numRecords/min/max/nullCount of freshly written files in one query.
Status AddStats(engine::Connection* conn, const std::string& table_path, const Snapshot& schema_of,
                std::vector<DataFile>* files) {
  if (files->empty()) return Status::OK();
  std::set<std::string> partition(schema_of.partition_columns.begin(),
                                  schema_of.partition_columns.end());
  std::vector<std::string> cols;
  for (const TableField& f : schema_of.schema) {
    if (!partition.count(f.name) && !IsNested(f.type) && f.type != "binary") cols.push_back(f.name);
  }
  std::string paths, select = "filename, count(*) AS n";
  for (const DataFile& f : *files)
    paths += (paths.empty() ? "" : ", ") + QuoteString(table_path + "/" + f.path);
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string c = QuoteIdentifier(cols[i]);
    select += ", min(" + c + "), max(" + c + "), count(*) - count(" + c + ")";
  }
  STRATA_ASSIGN_OR_RETURN(DataFrame df,
                          conn->Collect("SELECT " + select + " FROM read_parquet([" + paths +
                                        "], filename=true) GROUP BY filename"));
  std::map<std::string, size_t> row_of;
  for (size_t r = 0; r < df.num_rows(); ++r) row_of[std::string(df.column(0).GetString(r))] = r;
  for (DataFile& f : *files) {
    auto it = row_of.find(table_path + "/" + f.path);
    Json stats = {{"numRecords", 0},
                  {"minValues", Json::object()},
                  {"maxValues", Json::object()},
                  {"nullCount", Json::object()}};
    if (it != row_of.end()) {
      size_t r = it->second;
      stats["numRecords"] = df.column(1).GetInt64(r);
      for (size_t i = 0; i < cols.size(); ++i) {
        const Column& mn = df.column(2 + 3 * i);
        const Column& mx = df.column(3 + 3 * i);
        const Column& nc = df.column(4 + 3 * i);
        if (!mn.IsNull(r)) {
          Json a = StatValue(mn, r), b = StatValue(mx, r);
          if (!a.is_null() && !b.is_null()) {
            stats["minValues"][cols[i]] = a;
            stats["maxValues"][cols[i]] = b;
          }
        }
        stats["nullCount"][cols[i]] = nc.GetInt64(r);
      }
    }
    f.num_records = stats["numRecords"].get<int64_t>();
    f.stats_json = stats.dump();
  }
  return Status::OK();
}

void RemoveWritten(FileSystem* fs, const std::string& table_path,
                   const std::vector<DataFile>& files) {
  for (const DataFile& f : files) (void)fs->RemoveFile(table_path + "/" + f.path);
}

}  // namespace

// Writes the rows of `select_sql` (columns already in table order) as new data files.
static Result<WrittenFiles> WriteDataFiles(FileSystem* fs, engine::Connection* conn,
                                           const std::string& table_path, const Snapshot& target,
                                           const std::string& select_sql) {
  WrittenFiles out;
  std::vector<std::pair<std::map<std::string, std::optional<std::string>>, std::string>> groups;
  std::set<std::string> partition(target.partition_columns.begin(), target.partition_columns.end());
  std::string data_cols;
  for (const TableField& f : target.schema) {
    if (!partition.count(f.name))
      data_cols += (data_cols.empty() ? "" : ", ") + QuoteIdentifier(f.name);
  }
  if (target.partition_columns.empty()) {
    groups.push_back({{}, "SELECT " + data_cols + " FROM (" + select_sql + ")"});
  } else {
    // Partitioned: materialize once, then one file per partition value.
    STRATA_RETURN_NOT_OK(
        conn->Execute("CREATE OR REPLACE TEMP TABLE __strata_write AS " + select_sql));
    std::string keys;
    for (const std::string& pc : target.partition_columns) {
      keys +=
          (keys.empty() ? "" : ", ") + std::string("CAST(") + QuoteIdentifier(pc) + " AS VARCHAR)";
    }
    STRATA_ASSIGN_OR_RETURN(DataFrame parts,
                            conn->Collect("SELECT DISTINCT " + keys + " FROM __strata_write"));
    for (size_t r = 0; r < parts.num_rows(); ++r) {
      std::map<std::string, std::optional<std::string>> values;
      std::string where;
      for (size_t c = 0; c < target.partition_columns.size(); ++c) {
        const std::string& pc = target.partition_columns[c];
        std::string cond;
        if (parts.column(c).IsNull(r)) {
          values[pc] = std::nullopt;
          cond = QuoteIdentifier(pc) + " IS NULL";
        } else {
          std::string v(parts.column(c).GetString(r));
          values[pc] = v;
          cond = "CAST(" + QuoteIdentifier(pc) + " AS VARCHAR) = " + QuoteString(v);
        }
        where += (where.empty() ? "" : " AND ") + cond;
      }
      groups.push_back({values, "SELECT " + data_cols + " FROM __strata_write WHERE " + where});
    }
  }
  for (const auto& [values, sql] : groups) {
    DataFile f;
    std::string dir;
    for (const std::string& pc : target.partition_columns)
      dir += PartitionDir(pc, values.at(pc)) + "/";
    f.path = dir + "part-00000-" + Uuid() + ".zstd.parquet";
    if (f.path.find("/../") != std::string::npos || f.path.rfind("../", 0) == 0) {
      return Status::Internal("data file path '" + f.path + "' would leave table '" + table_path +
                              "'");
    }
    f.partition_values = values;
    if (!dir.empty())
      STRATA_RETURN_NOT_OK(fs->CreateDirs(table_path + "/" + dir.substr(0, dir.size() - 1)));
    Status st = conn->Execute("COPY (" + sql + ") TO " + QuoteString(table_path + "/" + f.path) +
                              " (FORMAT parquet, COMPRESSION zstd)");
    if (!st.ok()) {
      RemoveWritten(fs, table_path, out.files);
      (void)fs->RemoveFile(table_path + "/" + f.path);
      return st;
    }
    STRATA_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(table_path + "/" + f.path));
    f.size = static_cast<int64_t>(info.size);
    f.modification_time = info.modified_ms;
    out.files.push_back(std::move(f));
  }
  if (!target.partition_columns.empty()) (void)conn->Execute("DROP TABLE IF EXISTS __strata_write");
  Status st = AddStats(conn, table_path, target, &out.files);
  if (!st.ok()) {
    RemoveWritten(fs, table_path, out.files);
    return st;
  }
  for (const DataFile& f : out.files) {
    out.rows += f.num_records.value_or(0);
    out.bytes += f.size;
  }
  return out;
}

namespace {

Json CommitInfo(const std::string& operation, const Json& parameters, int64_t read_version,
                bool blind_append, const WriteOptions& options, const Json& metrics) {
  Json info = {{"timestamp", delta::NowMs()},       {"operation", operation},
               {"operationParameters", parameters}, {"readVersion", read_version},
               {"isolationLevel", "Serializable"},  {"isBlindAppend", blind_append},
               {"operationMetrics", metrics},       {"engineInfo", kEngineInfo}};
  if (!options.metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : options.metadata) meta[k] = v;
    info["userMetadata"] = meta.dump();  // Delta's userMetadata is a string
  }
  if (!options.run_id.empty()) info["strataRunId"] = options.run_id;
  return info;
}

}  // namespace

// Commits `actions` (after commitInfo) at the version after `read`. Blind appends retry
// on a lost race; everything else fails with kConflict naming the winner.
static Result<int64_t> CommitWithRetry(Table* table, FileSystem* fs, const std::string& path,
                                       std::shared_ptr<const Snapshot> read, Json commit_info,
                                       std::vector<Json> actions, bool blind_append,
                                       const WriteOptions& options) {
  int64_t version = read ? read->version + 1 : 0;
  for (int attempt = 0;; ++attempt) {
    commit_info["readVersion"] = version - 1;
    commit_info["timestamp"] = delta::NowMs();
    std::vector<Json> all = {Json{{"commitInfo", commit_info}}};
    all.insert(all.end(), actions.begin(), actions.end());
    Status st = delta::WriteCommit(fs, path, version, all);
    if (st.ok()) return version;
    if (st.code() != StatusCode::kAlreadyExists) return st;
    // Lost the race for `version`: read what won.
    STRATA_ASSIGN_OR_RETURN(auto latest, table->Latest());
    bool metadata_changed =
        !read || latest->table_id != read->table_id ||
        delta::SchemaString(latest->schema) != delta::SchemaString(read->schema) ||
        latest->partition_columns != read->partition_columns;
    if (!blind_append || metadata_changed || attempt > 10000) {
      STRATA_ASSIGN_OR_RETURN(Json winner, delta::ReadCommitInfo(fs, path, version));
      return Status::Conflict("table '" + table->name() + "': version " + std::to_string(version) +
                              " was committed by another writer (operation " +
                              delta::StringField(winner, "operation", "?") + ") after this " +
                              delta::StringField(commit_info, "operation", "write") +
                              " read version " + std::to_string(version - 1) +
                              "; nothing was changed, retry it");
    }
    if (!options.app_id.empty()) {
      auto it = latest->app_versions.find(options.app_id);
      if (it != latest->app_versions.end() && it->second >= options.app_version) {
        return Status::Conflict("table '" + table->name() + "': app '" + options.app_id +
                                "' version " + std::to_string(options.app_version) +
                                " was committed concurrently (as of version " +
                                std::to_string(latest->version) + ")");
      }
    }
    version = latest->version + 1;
  }
}

Result<int64_t> Table::Write(const Frame& data, const WriteOptions& options) {
  std::shared_ptr<const Snapshot> current;
  auto latest = Latest();
  if (latest.ok()) {
    current = *latest;
    if (current->min_writer_version > 2) {
      return Status::NotSupported("table '" + name_ + "' needs Delta writer version " +
                                  std::to_string(current->min_writer_version) +
                                  "; Strata writes version 2");
    }
    if (!options.app_id.empty()) {
      auto it = current->app_versions.find(options.app_id);
      if (it != current->app_versions.end() && it->second >= options.app_version)
        return current->version;
    }
  } else if (exists()) {
    return latest.status();  // the table is there but unreadable: never write over it
  }
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(auto data_schema, conn->Describe(data_sql));
  // DuckDB 1.4's Parquet writer and the statistics query fail (a SIGFPE at 20,000 columns)
  // long past any real table's width; refuse before it gets there.
  if (data_schema.size() > kMaxTableColumns) {
    return Status::InvalidArgument(
        "the data for table '" + name_ + "' has " + std::to_string(data_schema.size()) +
        " columns; a table holds at most " + std::to_string(kMaxTableColumns));
  }
  if (!current) STRATA_RETURN_NOT_OK(fs_->CreateDirs(path_ + "/_delta_log"));

  Snapshot target;
  bool metadata_change = false;
  if (current) {
    target = *current;
    if (!options.partition_by.empty() && options.partition_by != current->partition_columns) {
      return Status::InvalidArgument("table '" + name_ + "' is partitioned by " + std::string("[") +
                                     [&] {
                                       std::string s;
                                       for (const auto& c : current->partition_columns)
                                         s += (s.empty() ? "" : ", ") + QuoteIdentifier(c);
                                       return s;
                                     }() +
                                     "]" + "; a write cannot change its partitioning");
    }
  } else {
    target.table_id = Uuid();
    target.partition_columns = options.partition_by;
    target.min_reader_version = 1;
    target.min_writer_version = 2;
    metadata_change = true;
  }
  // Schema enforcement: every column of the data must be in the table with the same type.
  std::vector<std::string> problems;
  std::map<std::string, std::string> data_types;
  for (const auto& c : data_schema) {
    auto delta_type = delta::DeltaTypeOf(c.sql_type);
    if (!delta_type.ok())
      return delta_type.status().WithContext("column " + QuoteIdentifier(c.name));
    data_types[c.name] = *delta_type;
    auto existing = std::find_if(target.schema.begin(), target.schema.end(),
                                 [&](const TableField& f) { return f.name == c.name; });
    if (existing == target.schema.end()) {
      if (current && !options.merge_schema) {
        problems.push_back("new column " + QuoteIdentifier(c.name) + " " + *delta_type);
      } else {
        target.schema.push_back({c.name, *delta_type, true});
        metadata_change = true;
      }
    } else if (existing->type != *delta_type) {
      problems.push_back("column " + QuoteIdentifier(c.name) + " is " + *delta_type +
                         " in the data but " + existing->type + " in the table");
    }
  }
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
    return Status::TypeError(
        "data does not match the schema of table '" + name_ + "': " + list +
        (options.merge_schema ? "" : " (new columns need merge_schema / --merge-schema)"));
  }
  for (const std::string& pc : target.partition_columns) {
    auto it = std::find_if(target.schema.begin(), target.schema.end(),
                           [&](const TableField& f) { return f.name == pc; });
    if (it == target.schema.end()) {
      return Status::InvalidArgument("partition column " + QuoteIdentifier(pc) +
                                     " is not a column of the data");
    }
    if (IsNested(it->type))
      return Status::InvalidArgument("partition column " + QuoteIdentifier(pc) + " is nested");
  }
  std::string select;
  for (const TableField& f : target.schema) {
    std::string expr = data_types.count(f.name) ? QuoteIdentifier(f.name) : "NULL";
    if (!data_types.count(f.name)) {
      STRATA_ASSIGN_OR_RETURN(std::string t, delta::DuckTypeOf(f.type));
      expr = "CAST(NULL AS " + t + ")";
    }
    select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  STRATA_ASSIGN_OR_RETURN(WrittenFiles written,
                          WriteDataFiles(fs_, conn.get(), path_, target,
                                         "SELECT " + select + " FROM (" + data_sql + ")"));

  std::vector<Json> actions;
  if (!current) actions.push_back(delta::ProtocolAction(1, 2));
  if (metadata_change) actions.push_back(delta::MetadataAction(target, delta::NowMs()));
  int64_t removed_rows = 0, removed_bytes = 0;
  const int64_t now = delta::NowMs();
  if (options.mode == WriteMode::kOverwrite && current) {
    for (const DataFile& f : current->files) {
      Json remove = delta::RemoveAction(f, now, true);
      if (!f.stats_json.empty()) remove["remove"]["stats"] = f.stats_json;
      actions.push_back(remove);
      removed_rows += f.num_records.value_or(0);
      removed_bytes += f.size;
    }
  }
  for (const DataFile& f : written.files) actions.push_back(delta::AddAction(f, true));
  if (!options.app_id.empty())
    actions.push_back(delta::TxnAction(options.app_id, options.app_version, now));

  Json params = {{"mode", options.mode == WriteMode::kAppend ? "Append" : "Overwrite"},
                 {"partitionBy", Json(target.partition_columns).dump()}};
  Json metrics = {{"numFiles", std::to_string(written.files.size())},
                  {"numOutputRows", std::to_string(written.rows)},
                  {"numOutputBytes", std::to_string(written.bytes)}};
  if (options.mode == WriteMode::kOverwrite) {
    metrics["numRemovedFiles"] = std::to_string(current ? current->files.size() : 0);
    metrics["numRemovedRows"] = std::to_string(removed_rows);
    metrics["numRemovedBytes"] = std::to_string(removed_bytes);
  }
  bool blind = options.mode == WriteMode::kAppend && !metadata_change;
  Json info = CommitInfo(current ? "WRITE" : "CREATE TABLE AS SELECT", params,
                         current ? current->version : -1, blind, options, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, blind, options);
  if (!version.ok()) {
    RemoveWritten(fs_, path_, written.files);
    // Two writers creating the same table: the loser writes again against the table the
    // winner created (its schema checks apply).
    if (!current && version.status().code() == StatusCode::kConflict && exists())
      return Write(data, options);
    return version.status();
  }
  if (options_.checkpoint_interval > 0 && *version > 0 &&
      *version % options_.checkpoint_interval == 0) {
    // A failed checkpoint costs readers time, not data: the commit stands.
    auto snap = AtVersion(*version);
    if (snap.ok()) (void)delta::WriteCheckpoint(fs_, conn.get(), path_, **snap);
  }
  return *version;
}

// ---------------------------------------------------------------------------------------
// Delete, optimize, restore

namespace {

std::vector<Json> RemoveActions(const std::vector<DataFile>& files, bool data_change) {
  std::vector<Json> out;
  const int64_t now = delta::NowMs();
  for (const DataFile& f : files) {
    Json remove = delta::RemoveAction(f, now, data_change);
    if (!f.stats_json.empty()) remove["remove"]["stats"] = f.stats_json;
    out.push_back(std::move(remove));
  }
  return out;
}

}  // namespace

Result<int64_t> Table::Delete(const std::string& predicate_sql, const WriteOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::string scan,
                          ScanSql(conn.get(), path_, *current, current->files, true));
  // Which files hold matching rows, and how many.
  auto counts = conn->Collect("SELECT __strata_file, count(*) FILTER (WHERE (" + predicate_sql +
                              ")) AS hit, count(*) AS total FROM (" + scan + ") GROUP BY 1");
  if (!counts.ok())
    return counts.status().WithContext("delete from '" + name_ + "' where " + predicate_sql);
  std::map<std::string, std::pair<int64_t, int64_t>> per_file;
  for (size_t r = 0; r < counts->num_rows(); ++r) {
    per_file[std::string(counts->column(0).GetString(r))] = {counts->column(1).GetInt64(r),
                                                             counts->column(2).GetInt64(r)};
  }
  std::vector<DataFile> removed;
  WrittenFiles rewritten;
  int64_t deleted_rows = 0;
  for (const DataFile& f : current->files) {
    auto it = per_file.find(f.path);
    if (it == per_file.end() || it->second.first == 0) continue;
    removed.push_back(f);
    deleted_rows += it->second.first;
    if (it->second.first == it->second.second) continue;  // every row goes: no new file
    // Rewrite the file without the matching rows, in the same partition.
    Snapshot one = *current;
    one.files = {f};
    STRATA_ASSIGN_OR_RETURN(std::string file_scan,
                            ScanSql(conn.get(), path_, one, one.files, false));
    Snapshot target = *current;
    auto part = WriteDataFiles(
        fs_, conn.get(), path_, target,
        "SELECT * FROM (" + file_scan + ") WHERE NOT coalesce((" + predicate_sql + "), false)");
    if (!part.ok()) {
      RemoveWritten(fs_, path_, rewritten.files);
      return part.status();
    }
    for (auto& nf : part->files) rewritten.files.push_back(std::move(nf));
  }
  if (removed.empty()) return current->version;  // nothing matched: no new version
  std::vector<Json> actions = RemoveActions(removed, true);
  for (const DataFile& f : rewritten.files) actions.push_back(delta::AddAction(f, true));
  Json metrics = {{"numRemovedFiles", std::to_string(removed.size())},
                  {"numAddedFiles", std::to_string(rewritten.files.size())},
                  {"numDeletedRows", std::to_string(deleted_rows)}};
  Json info = CommitInfo("DELETE", {{"predicate", Json::array({predicate_sql}).dump()}},
                         current->version, false, options, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, false, options);
  if (!version.ok()) RemoveWritten(fs_, path_, rewritten.files);
  return version;
}

Result<int64_t> Table::Optimize(int64_t target_bytes) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(auto conn, session_->database()->Connect());
  // Bin-pack small files per partition, smallest first.
  std::map<std::string, std::vector<DataFile>> by_partition;
  for (const DataFile& f : current->files) {
    if (f.size >= target_bytes) continue;
    std::string key;
    for (const auto& [k, v] : f.partition_values) key += k + "=" + (v ? *v : "\x01") + "\x02";
    by_partition[key].push_back(f);
  }
  std::vector<DataFile> removed;
  WrittenFiles added;
  for (auto& [key, files] : by_partition) {
    std::sort(files.begin(), files.end(),
              [](const DataFile& a, const DataFile& b) { return a.size < b.size; });
    std::vector<std::vector<DataFile>> bins(1);
    int64_t bin_bytes = 0;
    for (const DataFile& f : files) {
      if (bin_bytes + f.size > target_bytes && !bins.back().empty()) {
        bins.emplace_back();
        bin_bytes = 0;
      }
      bins.back().push_back(f);
      bin_bytes += f.size;
    }
    for (const auto& bin : bins) {
      if (bin.size() < 2) continue;
      Snapshot group = *current;
      group.files = bin;
      STRATA_ASSIGN_OR_RETURN(std::string scan, ScanSql(conn.get(), path_, group, bin, false));
      auto part = WriteDataFiles(fs_, conn.get(), path_, *current, scan);
      if (!part.ok()) {
        RemoveWritten(fs_, path_, added.files);
        return part.status();
      }
      removed.insert(removed.end(), bin.begin(), bin.end());
      for (auto& nf : part->files) added.files.push_back(std::move(nf));
    }
  }
  if (removed.empty()) return current->version;
  std::vector<Json> actions = RemoveActions(removed, false);
  for (const DataFile& f : added.files) actions.push_back(delta::AddAction(f, false));
  Json metrics = {{"numRemovedFiles", std::to_string(removed.size())},
                  {"numAddedFiles", std::to_string(added.files.size())}};
  Json info = CommitInfo("OPTIMIZE", {{"targetSize", std::to_string(target_bytes)}},
                         current->version, false, {}, metrics);
  auto version = CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
  if (!version.ok()) RemoveWritten(fs_, path_, added.files);
  return version;
}

Result<int64_t> Table::Restore(int64_t version) {
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(auto old, AtVersion(version));
  std::set<std::string> old_paths, current_paths;
  for (const DataFile& f : old->files) old_paths.insert(f.path);
  for (const DataFile& f : current->files) current_paths.insert(f.path);
  std::vector<DataFile> to_remove, to_add;
  for (const DataFile& f : current->files) {
    if (!old_paths.count(f.path)) to_remove.push_back(f);
  }
  for (const DataFile& f : old->files) {
    if (current_paths.count(f.path)) continue;
    if (!fs_->Exists(path_ + "/" + f.path)) {
      return Status::NotFound("cannot restore table '" + name_ + "' to version " +
                              std::to_string(version) + ": its data file '" + f.path +
                              "' was removed by vacuum");
    }
    to_add.push_back(f);
  }
  std::vector<Json> actions;
  if (delta::SchemaString(old->schema) != delta::SchemaString(current->schema) ||
      old->partition_columns != current->partition_columns) {
    Snapshot md = *old;
    md.table_id = current->table_id;
    actions.push_back(delta::MetadataAction(md, delta::NowMs()));
  }
  for (Json& r : RemoveActions(to_remove, true)) actions.push_back(std::move(r));
  for (const DataFile& f : to_add) actions.push_back(delta::AddAction(f, true));
  Json info = CommitInfo("RESTORE", {{"version", version}}, current->version, false, {},
                         {{"numRestoredFiles", std::to_string(to_add.size())},
                          {"numRemovedFiles", std::to_string(to_remove.size())}});
  return CommitWithRetry(this, fs_, path_, current, info, actions, false, {});
}

// ---------------------------------------------------------------------------------------
// Vacuum, history, diff

namespace {

// Data files under `dir` (relative to `root`), skipping _delta_log and hidden folders.
Status ListDataFiles(FileSystem* fs, const std::string& root, const std::string& rel,
                     std::vector<std::pair<std::string, FileInfo>>* out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  for (const std::string& n : names) {
    if (n.empty() || n[0] == '.' || (n[0] == '_' && n.find('=') == std::string::npos)) continue;
    std::string child = rel.empty() ? n : rel + "/" + n;
    STRATA_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(root + "/" + child));
    if (info.is_directory) {
      STRATA_RETURN_NOT_OK(ListDataFiles(fs, root, child, out));
    } else {
      out->push_back({child, info});
    }
  }
  return Status::OK();
}

}  // namespace

Result<VacuumResult> Table::Vacuum(double retain_hours, bool dry_run) {
  if (retain_hours < 0) return Status::InvalidArgument("vacuum: --retain must be >= 0 hours");
  STRATA_ASSIGN_OR_RETURN(auto current, Latest());
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  const int64_t cutoff = delta::NowMs() - static_cast<int64_t>(retain_hours * 3600.0 * 1000.0);
  // When each file stopped being part of the table (the newest remove of it).
  std::map<std::string, int64_t> removed_at;
  for (int64_t v : listing.commits) {
    std::vector<Json> actions;
    STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, v, &actions));
    for (const Json& a : actions) {
      if (a.contains("remove")) {
        std::string p = delta::DecodePath(delta::StringField(a["remove"], "path"));
        int64_t ts = delta::IntField(a["remove"], "deletionTimestamp",
                                     delta::IntField(info, "timestamp", 0));
        removed_at[p] = std::max(removed_at[p], ts);
      }
    }
  }
  std::set<std::string> live;
  for (const DataFile& f : current->files) live.insert(f.path);
  std::vector<std::pair<std::string, FileInfo>> on_disk;
  STRATA_RETURN_NOT_OK(ListDataFiles(fs_, path_, "", &on_disk));
  VacuumResult result;
  for (const auto& [rel, info] : on_disk) {
    if (live.count(rel)) continue;
    // A removed file goes once its removal is older than the retention window; a file the
    // log never mentions (a failed write's leftover) once it is that old itself.
    auto it = removed_at.find(rel);
    int64_t since = it != removed_at.end() ? it->second : info.modified_ms;
    if (since > cutoff) continue;
    result.files.push_back(rel);
    result.bytes += static_cast<int64_t>(info.size);
  }
  if (!dry_run) {
    for (const std::string& rel : result.files)
      STRATA_RETURN_NOT_OK(fs_->RemoveFile(path_ + "/" + rel));
  }
  return result;
}

Result<std::vector<VersionInfo>> Table::History() {
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  std::vector<VersionInfo> out;
  for (int64_t v : listing.commits) {
    std::vector<Json> actions;
    STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, v, &actions));
    VersionInfo vi;
    vi.version = v;
    vi.timestamp_ms = delta::IntField(info, "timestamp", 0);
    vi.operation = delta::StringField(info, "operation");
    vi.engine_info = delta::StringField(info, "engineInfo");
    vi.run_id = delta::StringField(info, "strataRunId");
    if (info.contains("operationParameters") && info["operationParameters"].is_object()) {
      for (const auto& [k, val] : info["operationParameters"].items()) {
        vi.operation_parameters[k] = val.is_string() ? val.get<std::string>() : val.dump();
      }
    }
    if (info.contains("userMetadata") && info["userMetadata"].is_string()) {
      try {
        Json meta = Json::parse(info["userMetadata"].get<std::string>());
        for (const auto& [k, val] : meta.items())
          vi.user_metadata[k] = val.is_string() ? val.get<std::string>() : val.dump();
      } catch (const Json::exception&) {
        vi.user_metadata["userMetadata"] = info["userMetadata"].get<std::string>();
      }
    }
    for (const Json& a : actions) {
      const char* key = a.contains("add") ? "add" : a.contains("remove") ? "remove" : nullptr;
      if (key == nullptr) continue;
      const Json& f = a[key];
      int64_t rows = 0;
      if (f.contains("stats") && f["stats"].is_string()) {
        try {
          rows = delta::IntField(Json::parse(f["stats"].get<std::string>()), "numRecords", 0);
        } catch (const Json::exception&) {
        }
      }
      if (std::string(key) == "add") {
        ++vi.files_added;
        vi.rows_added += rows;
        vi.bytes_added += delta::IntField(f, "size", 0);
      } else {
        ++vi.files_removed;
        vi.rows_removed += rows;
        vi.bytes_removed += delta::IntField(f, "size", 0);
      }
    }
    out.push_back(std::move(vi));
  }
  return out;
}

namespace {

// Per column: "min/max/nulls" over a snapshot's file statistics.
std::map<std::string, std::string> ColumnStats(const Snapshot& s) {
  std::map<std::string, Json> mins, maxs;
  std::map<std::string, int64_t> nulls;
  for (const DataFile& f : s.files) {
    if (f.stats_json.empty()) continue;
    Json st;
    try {
      st = Json::parse(f.stats_json);
    } catch (const Json::exception&) {
      continue;
    }
    // Named locals: items() of a temporary would dangle inside the loop.
    auto object_at = [&](const char* key) {
      return st.is_object() && st.contains(key) && st[key].is_object() ? st[key] : Json::object();
    };
    const Json min_values = object_at("minValues");
    const Json max_values = object_at("maxValues");
    const Json null_counts = object_at("nullCount");
    for (const auto& [c, v] : min_values.items()) {
      if (!mins.count(c) || v < mins[c]) mins[c] = v;
    }
    for (const auto& [c, v] : max_values.items()) {
      if (!maxs.count(c) || v > maxs[c]) maxs[c] = v;
    }
    for (const auto& [c, v] : null_counts.items()) {
      if (v.is_number_integer()) nulls[c] += v.get<int64_t>();
    }
  }
  std::map<std::string, std::string> out;
  for (const TableField& f : s.schema) {
    if (!mins.count(f.name) && !nulls.count(f.name)) continue;
    out[f.name] = "min " + (mins.count(f.name) ? mins[f.name].dump() : "?") + ", max " +
                  (maxs.count(f.name) ? maxs[f.name].dump() : "?") + ", nulls " +
                  std::to_string(nulls[f.name]);
  }
  return out;
}

}  // namespace

Result<TableDiff> Table::Diff(int64_t from_version, int64_t to_version) {
  STRATA_ASSIGN_OR_RETURN(auto a, AtVersion(from_version));
  STRATA_ASSIGN_OR_RETURN(auto b, AtVersion(to_version));
  TableDiff d;
  d.from_version = from_version;
  d.to_version = to_version;
  std::map<std::string, std::string> ta, tb;
  for (const TableField& f : a->schema) ta[f.name] = f.type;
  for (const TableField& f : b->schema) tb[f.name] = f.type;
  for (const auto& [n, t] : tb) {
    if (!ta.count(n))
      d.columns_added.push_back(n + " " + t);
    else if (ta[n] != t)
      d.columns_retyped.push_back(n + ": " + ta[n] + " -> " + t);
  }
  for (const auto& [n, t] : ta) {
    if (!tb.count(n)) d.columns_removed.push_back(n + " " + t);
  }
  std::map<std::string, const DataFile*> fa, fb;
  for (const DataFile& f : a->files) fa[f.path] = &f;
  for (const DataFile& f : b->files) fb[f.path] = &f;
  for (const auto& [p, f] : fb) {
    if (!fa.count(p)) {
      d.files_added.push_back(p);
      d.rows_added += f->num_records.value_or(0);
    }
  }
  for (const auto& [p, f] : fa) {
    if (!fb.count(p)) {
      d.files_removed.push_back(p);
      d.rows_removed += f->num_records.value_or(0);
    }
  }
  auto sa = ColumnStats(*a), sb = ColumnStats(*b);
  for (const auto& [c, v] : sb) {
    if (!sa.count(c) || sa[c] != v) d.stats_changed[c] = {sa.count(c) ? sa[c] : "", v};
  }
  for (const auto& [c, v] : sa) {
    if (!sb.count(c)) d.stats_changed[c] = {v, ""};
  }
  return d;
}

}  // namespace strata
