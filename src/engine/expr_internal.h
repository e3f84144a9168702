// The expression tree behind strata::Expr and its compilation to DuckDB SQL.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "strata/frame.h"

namespace strata::detail {

enum class ExprKind {
  kColumn,     // name
  kLiteral,    // value
  kUnary,      // op, args[0]
  kBinary,     // op, args[0], args[1]
  kCall,       // scalar function `op`(args...)
  kAggregate,  // aggregate function `op`(args...), distinct
  kCast,       // args[0], type, strict
  kAlias,      // args[0] AS name
  kCase,       // args: cond0, value0, cond1, value1, ..., [otherwise]
  kWindow,     // args[0] (an aggregate) OVER (PARTITION BY partition_by)
  kIsIn,       // args[0] IN (args[1..])
  kLen,        // count(*)
};

using LiteralValue = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct ExprNode {
  explicit ExprNode(ExprKind k) : kind(k) {}
  ExprKind kind;
  std::string name;  // column name or alias
  std::string op;    // operator or function name
  LiteralValue value;
  std::vector<Expr> args;
  DataType type = DataType::kString;
  bool strict = true;
  bool distinct = false;
  bool has_otherwise = false;
  std::vector<std::string> partition_by;
};

// Compiles expressions against the columns of the input they read.
class ExprCompiler {
 public:
  // `columns`: the input's column names. `verb`: named in errors ("filter").
  // `row_context`: aggregates outside a group_by become windows over the whole input.
  ExprCompiler(const std::vector<std::string>& columns, std::string verb, bool row_context)
      : columns_(columns), verb_(std::move(verb)), row_context_(row_context) {}

  // SQL for `expr`; the first error (unknown column, bad literal) is kept in status().
  std::string Compile(const Expr& expr);
  const Status& status() const { return status_; }

 private:
  // `over`: the window clause for aggregates inside an over(), else null.
  std::string CompileNode(const ExprNode& node, const std::string* over);
  void Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
  }

  const std::vector<std::string>& columns_;
  std::string verb_;
  bool row_context_;
  Status status_;
};

// True when the expression contains an aggregate that is not inside a window.
bool ContainsAggregate(const Expr& expr);

// "a", "b", "c" for error messages.
std::string ListColumns(const std::vector<std::string>& columns);

}  // namespace strata::detail
