// Status and Result<T>: how every Strata operation that can fail reports it.
//
// A Status is either OK or carries a code and a message that names what failed and
// where (file, line, column, table version, step). Result<T> holds either a T or a
// non-OK Status. Both are cheap to move and are [[nodiscard]]: ignoring one is a bug.
//
// Expected failures (bad input, I/O errors, conflicts) are values of these types;
// exceptions from third-party libraries are caught at the wrapper that calls them.
//
// Thread-safety: distinct objects may be used from distinct threads; a single object
// is not synchronized.
#pragma once

#include "strata/export.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

STRATA_API_BEGIN
namespace strata {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller passed something malformed (bad option, bad name)
  kNotFound,         // a file, table, column or version does not exist
  kAlreadyExists,    // put-if-absent found the name taken
  kIOError,          // the operating system refused a read, write or sync
  kParseError,       // input text (SQL, CSV, JSON, YAML) could not be parsed
  kTypeError,        // a value or column has the wrong type
  kConflict,         // a concurrent writer won a race
  kNotSupported,     // valid request, but Strata does not implement it
  kInterrupted,      // cancelled by the user
  kInternal,         // a bug in Strata or a dependency
  kCorruption,       // stored data is damaged: a data file a version lists is gone
};

// Returns a short lowercase name for `code`, such as "not found".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status ParseError(std::string msg) { return {StatusCode::kParseError, std::move(msg)}; }
  static Status TypeError(std::string msg) { return {StatusCode::kTypeError, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status NotSupported(std::string msg) {
    return {StatusCode::kNotSupported, std::move(msg)};
  }
  static Status Interrupted(std::string msg) { return {StatusCode::kInterrupted, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "code name: message", or "OK".
  std::string ToString() const;

  // Returns a Status with the same code whose message is "context: message".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds a T on success or a non-OK Status on failure.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK Status without a value");
    if (status_.ok()) status_ = Status::Internal("Result built from OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // The value. On an error it prints the Status to stderr and aborts, in every build (as
  // Arrow's ValueOrDie): check ok() or use STRATA_ASSIGN_OR_RETURN where an error is
  // possible.
  T& value() & {
    DieUnlessOk();
    return *value_;
  }
  const T& value() const& {
    DieUnlessOk();
    return *value_;
  }
  T&& value() && {
    DieUnlessOk();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  void DieUnlessOk() const {
    if (ok()) return;
    std::fprintf(stderr, "strata: Result::value() called on an error: %s\n",
                 status_.ToString().c_str());
    std::abort();
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define STRATA_RETURN_NOT_OK(expr)           \
  do {                                       \
    ::strata::Status _strata_st = (expr);    \
    if (!_strata_st.ok()) return _strata_st; \
  } while (false)

// `tmp` is a name the macro declares, and `lhs` may be a declaration (`auto x`): neither
// can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define STRATA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

// `lhs = value of rexpr` (a Result<T>), or returns its Status from the enclosing function.
#define STRATA_ASSIGN_OR_RETURN(lhs, rexpr) \
  STRATA_ASSIGN_OR_RETURN_IMPL(STRATA_CONCAT(_strata_res_, __LINE__), lhs, rexpr)

STRATA_API_END
