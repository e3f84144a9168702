#include "strata/status.h"

namespace strata {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kIOError:
      return "I/O error";
    case StatusCode::kParseError:
      return "parse error";
    case StatusCode::kTypeError:
      return "type error";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kNotSupported:
      return "not supported";
    case StatusCode::kInterrupted:
      return "interrupted";
    case StatusCode::kInternal:
      return "internal error";
    case StatusCode::kCorruption:
      return "corrupt data";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

}  // namespace strata
