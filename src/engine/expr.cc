#include <charconv>
#include <cmath>

#include "engine/expr_internal.h"

namespace strata {

using detail::ExprKind;
using detail::ExprNode;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

Expr Make(ExprNode node) { return Expr(std::make_shared<const ExprNode>(std::move(node))); }

Expr Literal(detail::LiteralValue value) {
  ExprNode n(ExprKind::kLiteral);
  n.value = std::move(value);
  return Make(std::move(n));
}

Expr Unary(std::string op, const Expr& a) {
  ExprNode n(ExprKind::kUnary);
  n.op = std::move(op);
  n.args = {a};
  return Make(std::move(n));
}

Expr Binary(std::string op, const Expr& a, const Expr& b) {
  ExprNode n(ExprKind::kBinary);
  n.op = std::move(op);
  n.args = {a, b};
  return Make(std::move(n));
}

Expr Call(std::string fn, std::vector<Expr> args) {
  ExprNode n(ExprKind::kCall);
  n.op = std::move(fn);
  n.args = std::move(args);
  return Make(std::move(n));
}

Expr Aggregate(std::string fn, std::vector<Expr> args, bool distinct = false) {
  ExprNode n(ExprKind::kAggregate);
  n.op = std::move(fn);
  n.args = std::move(args);
  n.distinct = distinct;
  return Make(std::move(n));
}

Expr Case(std::vector<Expr> args, bool has_otherwise) {
  ExprNode n(ExprKind::kCase);
  n.args = std::move(args);
  n.has_otherwise = has_otherwise;
  return Make(std::move(n));
}

std::string DoubleSql(double v) {
  if (std::isnan(v)) return "CAST('nan' AS DOUBLE)";
  if (std::isinf(v)) return v > 0 ? "CAST('inf' AS DOUBLE)" : "CAST('-inf' AS DOUBLE)";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  // Through a string, so that DuckDB reads the exact double rather than a DECIMAL.
  return "CAST('" + std::string(buf, end) + "' AS DOUBLE)";
}

}  // namespace

std::string_view SqlTypeName(DataType type) {
  switch (type) {
    case DataType::kBool:
      return "BOOLEAN";
    case DataType::kInt8:
      return "TINYINT";
    case DataType::kInt16:
      return "SMALLINT";
    case DataType::kInt32:
      return "INTEGER";
    case DataType::kInt64:
      return "BIGINT";
    case DataType::kUInt8:
      return "UTINYINT";
    case DataType::kUInt16:
      return "USMALLINT";
    case DataType::kUInt32:
      return "UINTEGER";
    case DataType::kUInt64:
      return "UBIGINT";
    case DataType::kFloat32:
      return "FLOAT";
    case DataType::kFloat64:
      return "DOUBLE";
    case DataType::kString:
      return "VARCHAR";
    case DataType::kDate:
      return "DATE";
    case DataType::kDatetime:
      return "TIMESTAMP";
    case DataType::kTime:
      return "TIME";
  }
  return "VARCHAR";
}

Expr::Expr(int value) : Expr(Literal(static_cast<int64_t>(value))) {}
Expr::Expr(int64_t value) : Expr(Literal(value)) {}
Expr::Expr(double value) : Expr(Literal(value)) {}
Expr::Expr(bool value) : Expr(Literal(value)) {}
Expr::Expr(const char* value) : Expr(Literal(std::string(value))) {}
Expr::Expr(std::string value) : Expr(Literal(std::move(value))) {}
Expr::Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}

std::string Expr::output_name() const {
  switch (node_->kind) {
    case ExprKind::kAlias:
    case ExprKind::kColumn:
      return node_->name;
    case ExprKind::kLiteral:
      return "literal";
    case ExprKind::kLen:
      return "len";
    case ExprKind::kCase:
      return node_->args.size() > 1 ? node_->args[1].output_name() : "literal";
    default:
      return node_->args.empty() ? "literal" : node_->args[0].output_name();
  }
}

Expr Expr::alias(std::string name) const {
  ExprNode n(ExprKind::kAlias);
  n.name = std::move(name);
  n.args = {*this};
  return Make(std::move(n));
}

Expr Expr::cast(DataType type, bool strict) const {
  ExprNode n(ExprKind::kCast);
  n.args = {*this};
  n.type = type;
  n.strict = strict;
  return Make(std::move(n));
}

Expr Expr::fill_null(const Expr& value) const { return Call("coalesce", {*this, value}); }
Expr Expr::is_null() const { return Unary("IS NULL", *this); }
Expr Expr::is_not_null() const { return Unary("IS NOT NULL", *this); }
Expr Expr::is_in(const std::vector<Expr>& values) const {
  ExprNode n(ExprKind::kIsIn);
  n.args = {*this};
  n.args.insert(n.args.end(), values.begin(), values.end());
  return Make(std::move(n));
}
Expr Expr::abs() const { return Call("abs", {*this}); }
Expr Expr::round(int decimals) const { return Call("round", {*this, Expr(decimals)}); }

Expr Expr::count() const { return Aggregate("count", {*this}); }
Expr Expr::sum() const { return Call("coalesce", {Aggregate("sum", {*this}), Expr(0)}); }
Expr Expr::mean() const { return Aggregate("avg", {*this}); }
Expr Expr::std(int ddof) const {
  return Aggregate(ddof == 0 ? "stddev_pop" : "stddev_samp", {*this});
}
Expr Expr::var(int ddof) const { return Aggregate(ddof == 0 ? "var_pop" : "var_samp", {*this}); }
Expr Expr::min() const { return Aggregate("min", {*this}); }
Expr Expr::max() const { return Aggregate("max", {*this}); }
Expr Expr::median() const { return Aggregate("median", {*this}); }
Expr Expr::quantile(double q) const { return Aggregate("quantile_cont", {*this, Expr(q)}); }
Expr Expr::n_unique() const {
  // count(DISTINCT) skips nulls; Polars counts null as one more value.
  Expr has_null = Aggregate("max", {Case({is_null(), Expr(1), Expr(0)}, true)});
  return Binary("+", Aggregate("count", {*this}, /*distinct=*/true), has_null);
}
Expr Expr::first() const { return Aggregate("first", {*this}); }
Expr Expr::last() const { return Aggregate("last", {*this}); }
Expr Expr::over(const std::vector<std::string>& partition_by) const {
  ExprNode n(ExprKind::kWindow);
  n.args = {*this};
  n.partition_by = partition_by;
  return Make(std::move(n));
}

StringExpr Expr::str() const { return StringExpr(*this); }
DatetimeExpr Expr::dt() const { return DatetimeExpr(*this); }

Expr StringExpr::contains(const std::string& pattern, bool literal) const {
  return Call(literal ? "contains" : "regexp_matches", {e_, Expr(pattern)});
}
Expr StringExpr::starts_with(const std::string& p) const {
  return Call("starts_with", {e_, Expr(p)});
}
Expr StringExpr::ends_with(const std::string& s) const { return Call("ends_with", {e_, Expr(s)}); }
Expr StringExpr::lower() const { return Call("lower", {e_}); }
Expr StringExpr::upper() const { return Call("upper", {e_}); }
Expr StringExpr::len_chars() const { return Call("length", {e_}); }
Expr StringExpr::strptime(DataType type, const std::string& format, bool strict) const {
  Expr parsed = Call(strict ? "strptime" : "try_strptime", {e_, Expr(format)});
  return type == DataType::kDatetime ? parsed : parsed.cast(type, strict);
}

Expr DatetimeExpr::year() const { return Call("year", {e_}); }
Expr DatetimeExpr::month() const { return Call("month", {e_}); }
Expr DatetimeExpr::day() const { return Call("day", {e_}); }
Expr DatetimeExpr::hour() const { return Call("hour", {e_}); }
Expr DatetimeExpr::minute() const { return Call("minute", {e_}); }
Expr DatetimeExpr::second() const { return Call("second", {e_}); }
Expr DatetimeExpr::weekday() const { return Call("isodow", {e_}); }
Expr DatetimeExpr::ordinal_day() const { return Call("dayofyear", {e_}); }
Expr DatetimeExpr::date() const { return e_.cast(DataType::kDate); }

Expr col(std::string name) {
  ExprNode n(ExprKind::kColumn);
  n.name = std::move(name);
  return Make(std::move(n));
}
Expr lit(const Expr& value) { return value; }
Expr lit_null() { return Literal(std::monostate{}); }
Expr len() { return Make(ExprNode(ExprKind::kLen)); }

Expr operator+(const Expr& a, const Expr& b) { return Binary("+", a, b); }
Expr operator-(const Expr& a, const Expr& b) { return Binary("-", a, b); }
Expr operator*(const Expr& a, const Expr& b) { return Binary("*", a, b); }
Expr operator/(const Expr& a, const Expr& b) {
  // DuckDB's `/` is already true division for integers; the cast keeps it so whatever
  // the integer_division setting.
  return Binary("/", a.cast(DataType::kFloat64), b);
}
Expr operator%(const Expr& a, const Expr& b) { return Binary("%", a, b); }
Expr operator-(const Expr& a) { return Unary("-", a); }
Expr operator==(const Expr& a, const Expr& b) { return Binary("=", a, b); }
Expr operator!=(const Expr& a, const Expr& b) { return Binary("<>", a, b); }
Expr operator<(const Expr& a, const Expr& b) { return Binary("<", a, b); }
Expr operator<=(const Expr& a, const Expr& b) { return Binary("<=", a, b); }
Expr operator>(const Expr& a, const Expr& b) { return Binary(">", a, b); }
Expr operator>=(const Expr& a, const Expr& b) { return Binary(">=", a, b); }
Expr operator&(const Expr& a, const Expr& b) { return Binary("AND", a, b); }
Expr operator|(const Expr& a, const Expr& b) { return Binary("OR", a, b); }
Expr operator!(const Expr& a) { return Unary("NOT", a); }
Expr floor_div(const Expr& a, const Expr& b) {
  return Call("floor", {Binary("/", a.cast(DataType::kFloat64), b)}).cast(DataType::kInt64);
}

When when(const Expr& condition) {
  When w;
  w.pending_ = condition;
  return w;
}
Then When::then(const Expr& value) const {
  Then t;
  t.branches_ = branches_;
  t.branches_.emplace_back(*pending_, value);
  return t;
}
When Then::when(const Expr& condition) const {
  When w;
  w.branches_ = branches_;
  w.pending_ = condition;
  return w;
}
Expr Then::otherwise(const Expr& value) const {
  std::vector<Expr> args;
  for (const auto& [c, v] : branches_) {
    args.push_back(c);
    args.push_back(v);
  }
  args.push_back(value);
  return Case(std::move(args), true);
}
Then::operator Expr() const {
  std::vector<Expr> args;
  for (const auto& [c, v] : branches_) {
    args.push_back(c);
    args.push_back(v);
  }
  return Case(std::move(args), false);
}

// ---------------------------------------------------------------------------------------

namespace detail {

std::string ListColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + QuoteIdentifier(c);
  return out;
}

bool ContainsAggregate(const Expr& expr) {
  const ExprNode& n = *expr.node();
  if (n.kind == ExprKind::kAggregate || n.kind == ExprKind::kLen) return true;
  if (n.kind == ExprKind::kWindow) return false;
  for (const Expr& a : n.args) {
    if (ContainsAggregate(a)) return true;
  }
  return false;
}

std::string ExprCompiler::Compile(const Expr& expr) { return CompileNode(*expr.node(), nullptr); }

std::string ExprCompiler::CompileNode(const ExprNode& n, const std::string* over) {
  auto arg = [&](size_t i) { return CompileNode(*n.args[i].node(), over); };
  auto window = [&]() -> std::string {
    if (over != nullptr) return " OVER (" + *over + ")";
    return row_context_ ? " OVER ()" : "";
  };
  switch (n.kind) {
    case ExprKind::kColumn: {
      bool known = false;
      for (const std::string& c : columns_) known = known || c == n.name;
      if (!known) {
        Fail(Status::NotFound("unknown column " + QuoteIdentifier(n.name) + " in " + verb_ +
                              "; the columns are: " + ListColumns(columns_)));
      }
      return QuoteIdentifier(n.name);
    }
    case ExprKind::kLiteral:
      return std::visit(
          [&](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>)
              return "NULL";
            else if constexpr (std::is_same_v<T, bool>)
              return v ? "TRUE" : "FALSE";
            else if constexpr (std::is_same_v<T, int64_t>) {
              return "CAST(" + std::to_string(v) + " AS BIGINT)";
            } else if constexpr (std::is_same_v<T, double>)
              return DoubleSql(v);
            else {
              if (v.find('\0') != std::string::npos) {
                Fail(
                    Status::InvalidArgument("string literal in " + verb_ + " contains a NUL byte"));
              }
              return QuoteString(v);
            }
          },
          n.value);
    case ExprKind::kUnary:
      if (n.op == "IS NULL" || n.op == "IS NOT NULL") return "(" + arg(0) + " " + n.op + ")";
      return "(" + n.op + " " + arg(0) + ")";
    case ExprKind::kBinary:
      return "(" + arg(0) + " " + n.op + " " + arg(1) + ")";
    case ExprKind::kCall: {
      std::string out = n.op + "(";
      for (size_t i = 0; i < n.args.size(); ++i) out += (i ? ", " : "") + arg(i);
      return out + ")";
    }
    case ExprKind::kAggregate: {
      std::string out = n.op + "(" + std::string(n.distinct ? "DISTINCT " : "");
      for (size_t i = 0; i < n.args.size(); ++i) out += (i ? ", " : "") + arg(i);
      return out + ")" + window();
    }
    case ExprKind::kLen:
      return "count(*)" + window();
    case ExprKind::kCast:
      return std::string(n.strict ? "CAST(" : "TRY_CAST(") + arg(0) + " AS " +
             std::string(SqlTypeName(n.type)) + ")";
    case ExprKind::kAlias:
      return arg(0);
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (n.args.size() - (n.has_otherwise ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) out += " WHEN " + arg(2 * i) + " THEN " + arg(2 * i + 1);
      if (n.has_otherwise) out += " ELSE " + arg(n.args.size() - 1);
      return out + " END";
    }
    case ExprKind::kWindow: {
      // The window clause goes on every aggregate inside (sum() is coalesce(sum(x), 0)).
      std::string clause;
      if (!n.partition_by.empty()) {
        clause = "PARTITION BY ";
        for (size_t i = 0; i < n.partition_by.size(); ++i) {
          clause += (i ? ", " : "") + CompileNode(*col(n.partition_by[i]).node(), nullptr);
        }
      }
      if (!ContainsAggregate(n.args[0])) {
        Fail(Status::InvalidArgument("over() in " + verb_ + " needs an aggregate such as mean()"));
      }
      return CompileNode(*n.args[0].node(), &clause);
    }
    case ExprKind::kIsIn: {
      if (n.args.size() == 1) return "FALSE";
      std::string out = "(" + arg(0) + " IN (";
      for (size_t i = 1; i < n.args.size(); ++i) out += (i > 1 ? ", " : "") + arg(i);
      return out + "))";
    }
  }
  return "NULL";
}

}  // namespace detail
namespace {

void CollectComparisons(const Expr& e, std::vector<ColumnComparison>* out) {
  const detail::ExprNode& n = *e.node();
  if (n.kind == detail::ExprKind::kAlias) return CollectComparisons(n.args[0], out);
  if (n.kind != detail::ExprKind::kBinary) return;
  if (n.op == "AND") {
    CollectComparisons(n.args[0], out);
    CollectComparisons(n.args[1], out);
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

std::vector<ColumnComparison> Expr::column_comparisons() const {
  std::vector<ColumnComparison> out;
  CollectComparisons(*this, &out);
  return out;
}

}  // namespace strata
