// Suite parameters as GE 1.2 evaluates them: {"$PARAMETER": EXPR} anywhere in kwargs,
// where EXPR names a parameter the caller gives (--param NAME=VALUE) or is an expression
// over them: numbers, 'text', now(), datetime(...), timedelta(...), + - * /, unary minus,
// parentheses, abs() and round(). A small recursive-descent evaluator over four kinds of
// value (number, date-time, duration, text); nothing else is ever evaluated.
#include "quality/parameters.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

namespace strata::quality::detail {

namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;
// Python's datetime spans years 1 to 9999.
constexpr int64_t kMinMicros = -62'135'596'800'000'000;  // 0001-01-01T00:00:00
constexpr int64_t kMaxMicros = 253'402'300'799'999'999;  // 9999-12-31T23:59:59.999999

// Days since 1970-01-01 of a civil date (proleptic Gregorian), and back.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

struct Value {
  enum Kind { kNumber, kTime, kDuration, kText } kind = kNumber;
  double number = 0;
  bool integral = false;  // a number that came from integers only (Python's int)
  int64_t micros = 0;     // kTime: since the epoch (naive, UTC); kDuration: length
  std::string text;
  const Json* original = nullptr;  // a parameter's own value (in the caller's map), when used
                                   // alone returned as it is
};

const char* KindName(Value::Kind k) {
  switch (k) {
    case Value::kNumber:
      return "a number";
    case Value::kTime:
      return "a datetime";
    case Value::kDuration:
      return "a timedelta";
    case Value::kText:
      return "text";
  }
  return "?";
}

std::string IsoText(int64_t micros) {
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t y, m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t secs = rest / 1'000'000, us = rest % 1'000'000;
  char buf[48];
  if (us == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(us));
  }
  return buf;
}

// "2024-03-01", "2024-03-01T12:30:00", "2024-03-01 12:30:00.5" as a date-time.
std::optional<int64_t> ParseIsoTime(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
  double sec = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return std::nullopt;
  if (s.size() > 10) {
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    int m2 = 0;
    if (std::sscanf(s.c_str() + 11, "%2d:%2d:%lf%n", &h, &mi, &sec, &m2) != 3 ||
        static_cast<size_t>(m2) + 11 != s.size())
      return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61)
    return std::nullopt;
  return DaysFromCivil(y, mo, d) * kMicrosPerDay +
         (static_cast<int64_t>(h) * 3600 + static_cast<int64_t>(mi) * 60) * 1'000'000 +
         static_cast<int64_t>(std::llround(sec * 1e6));
}

class Evaluator {
 public:
  Evaluator(const std::string& text, const std::map<std::string, Json>& params, int64_t now_us)
      : s_(text), params_(params), now_us_(now_us) {}

  Result<Value> Run() {
    STRATA_ASSIGN_OR_RETURN(Value v, Expr(0));
    Skip();
    if (pos_ != s_.size()) return Error("unexpected '" + s_.substr(pos_, 10) + "'");
    return v;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("suite parameter expression '" + s_ + "': " + what +
                                   " (at offset " + std::to_string(pos_) + ")");
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<Value> Expr(int depth) {
    if (depth > 64) return Error("nested too deeply");
    STRATA_ASSIGN_OR_RETURN(Value left, Term(depth));
    for (;;) {
      if (Eat('+')) {
        STRATA_ASSIGN_OR_RETURN(Value right, Term(depth));
        STRATA_ASSIGN_OR_RETURN(left, Add(left, right, false));
      } else if (Eat('-')) {
        STRATA_ASSIGN_OR_RETURN(Value right, Term(depth));
        STRATA_ASSIGN_OR_RETURN(left, Add(left, right, true));
      } else {
        return left;
      }
    }
  }

  Result<Value> Term(int depth) {
    STRATA_ASSIGN_OR_RETURN(Value left, Unary(depth));
    for (;;) {
      const bool mul = Eat('*');
      if (!mul && !Eat('/')) return left;
      STRATA_ASSIGN_OR_RETURN(Value right, Unary(depth));
      STRATA_ASSIGN_OR_RETURN(left, Multiply(left, right, !mul));
    }
  }

  Result<Value> Unary(int depth) {
    if (Eat('-')) {
      STRATA_ASSIGN_OR_RETURN(Value v, Unary(depth + 1));
      if (v.kind == Value::kNumber) {
        v.number = -v.number;
      } else if (v.kind == Value::kDuration) {
        v.micros = -v.micros;
      } else {
        return Error(std::string("cannot negate ") + KindName(v.kind));
      }
      v.original = nullptr;
      return v;
    }
    if (Eat('+')) return Unary(depth + 1);
    return Primary(depth);
  }

  Result<Value> Primary(int depth) {
    Skip();
    if (pos_ >= s_.size()) return Error("an expression ends too early");
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      STRATA_ASSIGN_OR_RETURN(Value v, Expr(depth + 1));
      if (!Eat(')')) return Error("')' expected");
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return Number();
    if (c == '\'' || c == '"') {
      const size_t end = s_.find(c, pos_ + 1);
      if (end == std::string::npos) return Error("unterminated text");
      Value v;
      v.kind = Value::kText;
      v.text = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      const std::string name = s_.substr(start, pos_ - start);
      if (Eat('(')) return Call(name, depth);
      return Parameter(name);
    }
    return Error(std::string("unexpected '") + c + "'");
  }

  Result<Value> Number() {
    const size_t start = pos_;
    bool integral = true;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E' ||
                                ((s_[pos_] == '-' || s_[pos_] == '+') && pos_ > start &&
                                 (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))) {
      if (!std::isdigit(static_cast<unsigned char>(s_[pos_]))) integral = false;
      ++pos_;
    }
    Value v;
    const std::string text = s_.substr(start, pos_ - start);
    char* end = nullptr;
    v.number = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v.number))
      return Error("'" + text + "' is not a number");
    v.integral = integral && std::fabs(v.number) < 9e15;
    return v;
  }

  Result<Value> Parameter(const std::string& name) {
    auto it = params_.find(name);
    if (it == params_.end()) {
      if (name == "true" || name == "True" || name == "false" || name == "False")
        return Error("booleans are not values here");
      return Status::NotFound("suite parameter '" + name +
                              "' is not defined (give it with --param " + name +
                              "=VALUE, or in ValidateOptions::parameters)");
    }
    Value v;
    v.original = &it->second;
    const Json& j = it->second;
    if (j.is_number()) {
      v.number = j.get<double>();
      v.integral = j.is_number_integer();
    } else if (j.is_string()) {
      const std::string s = j.get<std::string>();
      if (auto t = ParseIsoTime(s)) {
        v.kind = Value::kTime;
        v.micros = *t;
      } else {
        v.kind = Value::kText;
        v.text = s;
      }
    } else {
      v.kind = Value::kText;  // lists, objects, booleans: usable alone only
      v.text = j.dump();
    }
    return v;
  }

  struct Args {
    std::vector<Value> positional;
    std::map<std::string, Value> named;
  };

  Result<Args> ReadArgs(int depth) {
    Args args;
    if (Eat(')')) return args;
    for (;;) {
      Skip();
      size_t save = pos_;
      std::string name;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      name = s_.substr(save, pos_ - save);
      Skip();
      if (!name.empty() && pos_ < s_.size() && s_[pos_] == '=' &&
          (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '=')) {
        ++pos_;
        STRATA_ASSIGN_OR_RETURN(Value v, Expr(depth + 1));
        if (!args.named.emplace(name, v).second) return Error("'" + name + "' given twice");
      } else {
        pos_ = save;
        if (!args.named.empty()) return Error("a positional argument after a named one");
        STRATA_ASSIGN_OR_RETURN(Value v, Expr(depth + 1));
        args.positional.push_back(v);
      }
      if (Eat(')')) return args;
      if (!Eat(',')) return Error("',' or ')' expected");
      if (args.positional.size() + args.named.size() > 16) return Error("too many arguments");
    }
  }

  Result<double> NumberArg(const Value& v, const std::string& what) const {
    if (v.kind != Value::kNumber) return Error(what + " must be a number, not " + KindName(v.kind));
    return v.number;
  }

  Result<Value> Call(const std::string& name, int depth) {
    STRATA_ASSIGN_OR_RETURN(Args args, ReadArgs(depth));
    Value out;
    if (name == "now") {
      if (!args.positional.empty() || !args.named.empty()) return Error("now() takes nothing");
      out.kind = Value::kTime;
      out.micros = now_us_;
      return out;
    }
    if (name == "timedelta") {
      // Python's order: days, seconds, microseconds, milliseconds, minutes, hours, weeks.
      static const std::vector<std::pair<std::string, double>> kUnits = {
          {"days", 86400e6}, {"seconds", 1e6},  {"microseconds", 1}, {"milliseconds", 1e3},
          {"minutes", 60e6}, {"hours", 3600e6}, {"weeks", 604800e6}};
      if (args.positional.size() > kUnits.size()) return Error("timedelta() takes 7 arguments");
      double micros = 0;
      for (size_t i = 0; i < args.positional.size(); ++i) {
        STRATA_ASSIGN_OR_RETURN(double n, NumberArg(args.positional[i], kUnits[i].first));
        micros += n * kUnits[i].second;
      }
      for (const auto& named : args.named) {
        const std::string& unit = named.first;
        auto it = std::find_if(kUnits.begin(), kUnits.end(),
                               [&](const auto& u) { return u.first == unit; });
        if (it == kUnits.end()) return Error("timedelta() has no argument '" + unit + "'");
        STRATA_ASSIGN_OR_RETURN(double n, NumberArg(named.second, unit));
        micros += n * it->second;
      }
      if (!(std::fabs(micros) <= static_cast<double>(kMaxMicros - kMinMicros)))
        return Error("the timedelta reaches outside years 1 to 9999");
      out.kind = Value::kDuration;
      out.micros = static_cast<int64_t>(std::llround(micros));
      return out;
    }
    if (name == "datetime") {
      static const std::vector<std::string> kParts = {"year",   "month",  "day",        "hour",
                                                      "minute", "second", "microsecond"};
      std::vector<double> part = {0, 0, 0, 0, 0, 0, 0};
      std::vector<bool> given(kParts.size(), false);
      if (args.positional.size() > kParts.size()) return Error("datetime() takes 7 arguments");
      for (size_t i = 0; i < args.positional.size(); ++i) {
        STRATA_ASSIGN_OR_RETURN(part[i], NumberArg(args.positional[i], kParts[i]));
        given[i] = true;
      }
      for (const auto& [key, v] : args.named) {
        auto it = std::find(kParts.begin(), kParts.end(), key);
        if (it == kParts.end()) return Error("datetime() has no argument '" + key + "'");
        const size_t i = static_cast<size_t>(it - kParts.begin());
        STRATA_ASSIGN_OR_RETURN(part[i], NumberArg(v, key));
        given[i] = true;
      }
      if (!given[0] || !given[1] || !given[2]) return Error("datetime() needs year, month, day");
      for (double p : part) {
        if (p != std::floor(p)) return Error("datetime() takes whole numbers");
      }
      static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      if (part[0] < 1 || part[0] > 9999 || part[1] < 1 || part[1] > 12 || part[2] < 1 ||
          part[2] > kDays[static_cast<int>(part[1]) - 1] || part[3] < 0 || part[3] > 23 ||
          part[4] < 0 || part[4] > 59 || part[5] < 0 || part[5] > 59 || part[6] < 0 ||
          part[6] > 999999)
        return Error("datetime() out of range");
      const auto y = static_cast<int64_t>(part[0]), m = static_cast<int64_t>(part[1]),
                 d = static_cast<int64_t>(part[2]);
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      if (m == 2 && d == 29 && !leap) return Error("datetime() out of range (not a leap year)");
      out.kind = Value::kTime;
      out.micros =
          DaysFromCivil(y, m, d) * kMicrosPerDay +
          static_cast<int64_t>(part[3] * 3600e6 + part[4] * 60e6 + part[5] * 1e6 + part[6]);
      return out;
    }
    if (name == "abs" || name == "round") {
      if (args.positional.empty() || !args.named.empty() ||
          args.positional.size() > (name == "round" ? 2u : 1u))
        return Error(name + "() takes " + (name == "round" ? "one or two numbers" : "one number"));
      Value v = args.positional[0];
      if (name == "abs" && v.kind == Value::kDuration) {
        v.micros = v.micros < 0 ? -v.micros : v.micros;
        return v;
      }
      STRATA_ASSIGN_OR_RETURN(double x, NumberArg(v, name + "()'s argument"));
      out.integral = v.integral;
      if (name == "abs") {
        out.number = std::fabs(x);
      } else {
        double digits = 0;
        if (args.positional.size() == 2) {
          STRATA_ASSIGN_OR_RETURN(digits, NumberArg(args.positional[1], "round()'s digits"));
        }
        const double scale = std::pow(10.0, digits);
        // Python rounds halves to even.
        out.number = std::nearbyint(x * scale) / scale;
        out.integral = args.positional.size() == 1 || v.integral;
      }
      return out;
    }
    return Error("unknown function '" + name + "()' (known: now, datetime, timedelta, abs, round)");
  }

  Result<Value> Add(const Value& a, const Value& b, bool subtract) const {
    Value out;
    if (a.kind == Value::kNumber && b.kind == Value::kNumber) {
      out.number = subtract ? a.number - b.number : a.number + b.number;
      out.integral = a.integral && b.integral;
      return out;
    }
    if (a.kind == Value::kText && b.kind == Value::kText && !subtract) {
      out.kind = Value::kText;
      out.text = a.text + b.text;
      return out;
    }
    int64_t micros = 0;
    if (a.kind == Value::kTime && b.kind == Value::kDuration) {
      out.kind = Value::kTime;
      micros = subtract ? a.micros - b.micros : a.micros + b.micros;
    } else if (a.kind == Value::kDuration && b.kind == Value::kTime && !subtract) {
      out.kind = Value::kTime;
      micros = a.micros + b.micros;
    } else if (a.kind == Value::kDuration && b.kind == Value::kDuration) {
      out.kind = Value::kDuration;
      micros = subtract ? a.micros - b.micros : a.micros + b.micros;
    } else if (a.kind == Value::kTime && b.kind == Value::kTime && subtract) {
      out.kind = Value::kDuration;
      micros = a.micros - b.micros;
    } else {
      return Error(std::string("cannot ") + (subtract ? "subtract " : "add ") + KindName(b.kind) +
                   (subtract ? " from " : " to ") + KindName(a.kind));
    }
    if (out.kind == Value::kTime && (micros < kMinMicros || micros > kMaxMicros))
      return Error("the date falls outside years 1 to 9999");
    out.micros = micros;
    return out;
  }

  Result<Value> Multiply(const Value& a, const Value& b, bool divide) const {
    Value out;
    if (a.kind == Value::kNumber && b.kind == Value::kNumber) {
      if (divide && b.number == 0) return Error("division by zero");
      out.number = divide ? a.number / b.number : a.number * b.number;
      out.integral = !divide && a.integral && b.integral;
      return out;
    }
    const Value* d = a.kind == Value::kDuration ? &a : (!divide ? &b : nullptr);
    const Value* n = d == &a ? &b : &a;
    if (d != nullptr && d->kind == Value::kDuration && n->kind == Value::kNumber) {
      if (divide && n->number == 0) return Error("division by zero");
      const double micros = divide ? static_cast<double>(d->micros) / n->number
                                   : static_cast<double>(d->micros) * n->number;
      if (!(std::fabs(micros) <= static_cast<double>(kMaxMicros - kMinMicros)))
        return Error("the timedelta reaches outside years 1 to 9999");
      out.kind = Value::kDuration;
      out.micros = static_cast<int64_t>(std::llround(micros));
      return out;
    }
    return Error(std::string("cannot ") + (divide ? "divide " : "multiply ") + KindName(a.kind) +
                 " by " + KindName(b.kind));
  }

  const std::string& s_;
  const std::map<std::string, Json>& params_;
  int64_t now_us_;
  size_t pos_ = 0;
};

}  // namespace

Result<Json> EvaluateParameter(const std::string& expression,
                               const std::map<std::string, Json>& parameters, int64_t now_us) {
  if (expression.size() > 4096)
    return Status::InvalidArgument("suite parameter expression longer than 4096 characters");
  Evaluator e(expression, parameters, now_us);
  STRATA_ASSIGN_OR_RETURN(Value v, e.Run());
  if (v.original != nullptr) return *v.original;  // a parameter used alone: its own value
  switch (v.kind) {
    case Value::kNumber:
      if (v.integral) return Json(static_cast<int64_t>(v.number));
      return Json(v.number);
    case Value::kTime:
      return Json(IsoText(v.micros));
    case Value::kText:
      return Json(v.text);
    case Value::kDuration:
      break;
  }
  return Status::InvalidArgument("suite parameter expression '" + expression +
                                 "' gives a timedelta, which no kwarg takes (add it to a "
                                 "datetime such as now())");
}

Status ResolveParameters(Json* value, const std::map<std::string, Json>& parameters,
                         int64_t now_us) {
  if (value->is_object() && value->size() == 1 && value->contains("$PARAMETER")) {
    const Json& expr = (*value)["$PARAMETER"];
    if (!expr.is_string())
      return Status::InvalidArgument("a $PARAMETER must be a name or an expression, not " +
                                     expr.dump());
    STRATA_ASSIGN_OR_RETURN(Json resolved,
                            EvaluateParameter(expr.get<std::string>(), parameters, now_us));
    *value = std::move(resolved);
    return Status::OK();
  }
  if (value->is_object() || value->is_array()) {
    for (auto& item : *value) STRATA_RETURN_NOT_OK(ResolveParameters(&item, parameters, now_us));
  }
  return Status::OK();
}

Json ParameterValue(const std::string& text) {
  try {
    Json j = Json::parse(text);
    if (j.is_number() || j.is_boolean() || j.is_array() || j.is_object() || j.is_null()) return j;
  } catch (const Json::exception&) {
  }
  return Json(text);
}

}  // namespace strata::quality::detail
