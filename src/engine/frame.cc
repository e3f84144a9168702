// Frames: the verbs, each adding one node over the current plan, and running a plan
// (to SQL, explained, collected, or written to a file).
#include "strata/frame.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/random.h"
#include "engine/plan.h"

namespace strata {

using detail::Compiled;
using detail::PlanKind;
using detail::PlanNode;
using engine::QuoteString;

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
  STRATA_ASSIGN_OR_RETURN(Compiled compiled, detail::CompilePlan(conn.get(), plan));
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
