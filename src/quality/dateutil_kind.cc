// expect_column_values_to_be_dateutil_parseable: each value is text that Python's
// dateutil.parser.parse (default settings, not fuzzy) reads as a date or time. The check
// follows dateutil's lexer and rules: words must be month or weekday names, AM/PM,
// dateutil's skipped words (at, on, of, st, nd, rd, th, ...) or time-zone names; numbers
// are dates in any of the orders dateutil tries (month first by default), compact dates
// (20240301, 240301, 20240301123000), times (12:30, 12:30:15.5) or zone offsets; values
// out of range (month 13, 31 April, hour 25) and leftover numbers are unparseable. It runs
// in the suite's one scan as a C++ scalar SQL function, strata_dateutil_parseable.
#include <cctype>
#include <string_view>

#include "quality/families.h"

namespace strata::quality::detail {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool ValidDate(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysIn(y, m);
}

int MonthOf(const std::string& w) {
  static const char* kMonths[] = {"january",   "february", "march",    "april",
                                  "may",       "june",     "july",     "august",
                                  "september", "october",  "november", "december"};
  for (int i = 0; i < 12; ++i) {
    const std::string full = kMonths[i];
    if (w == full || w == full.substr(0, 3) || (i == 8 && w == "sept")) return i + 1;
  }
  return 0;
}

bool IsWeekday(const std::string& w) {
  static const char* kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                "friday", "saturday", "sunday"};
  for (const char* d : kDays) {
    const std::string full = d;
    if (w == full || w == full.substr(0, 3)) return true;
  }
  return false;
}

bool IsSkipped(const std::string& w) {
  static const char* kJump[] = {"at", "on", "and", "ad", "m", "t", "of", "st", "nd", "rd", "th"};
  for (const char* j : kJump) {
    if (w == j) return true;
  }
  return false;
}

// A date from up to three numbers (with the month when a name gave it), in some order
// dateutil would try.
bool DateFits(const std::vector<std::string>& nums, int named_month) {
  std::vector<int> v;
  std::vector<bool> four;
  for (const auto& n : nums) {
    if (n.size() > 4) return false;
    v.push_back(std::stoi(n));
    four.push_back(n.size() >= 3);
  }
  auto year = [&](size_t i) { return four[i] ? v[i] : (v[i] < 100 ? 2000 + v[i] : v[i]); };
  if (named_month > 0) {
    if (v.size() > 2) return false;
    if (v.empty()) return true;
    if (v.size() == 1) return four[0] || (v[0] >= 1 && v[0] <= 31);
    return (ValidDate(year(1), named_month, v[0]) && !four[0]) ||
           (ValidDate(year(0), named_month, v[1]) && !four[1]);
  }
  switch (v.size()) {
    case 0:
      return true;
    case 1:
      return four[0] ? v[0] >= 1 : v[0] >= 1 && v[0] <= 31;  // a year, or a day
    case 2:
      // month and day, either order; or month and year
      return (!four[0] && !four[1] &&
              (ValidDate(2000, v[0], v[1]) || ValidDate(2000, v[1], v[0]) ||
               (v[0] >= 1 && v[0] <= 12) || (v[1] >= 1 && v[1] <= 12))) ||
             (four[0] && v[1] >= 1 && v[1] <= 12) || (four[1] && v[0] >= 1 && v[0] <= 12);
    default:
      if (v.size() > 3) return false;
      // Y-M-D, M-D-Y, D-M-Y, Y-D-M
      return (four[0] && ValidDate(v[0], v[1], v[2])) ||
             (!four[0] && !four[1] && ValidDate(year(2), v[0], v[1])) ||
             (!four[0] && !four[1] && ValidDate(year(2), v[1], v[0])) ||
             (four[0] && ValidDate(v[0], v[2], v[1])) ||
             (!four[0] && !four[1] && !four[2] && ValidDate(year(0), v[1], v[2]));
  }
}

}  // namespace

bool DateutilParseable(std::string_view s) {
  std::vector<std::string> date_numbers;
  int named_month = 0;
  bool any = false, time = false;
  size_t i = 0;
  const size_t n = s.size();
  auto digits_at = [&](size_t at) {
    size_t e = at;
    while (e < n && std::isdigit(static_cast<unsigned char>(s[e]))) ++e;
    return e - at;
  };
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool separator =
        std::isspace(c) || c == ',' || c == ';' || c == '\'' || c == '(' || c == ')' ||
        ((c == '-' || c == '/' || c == '.' || c == ':') &&
         !(c == '-' && time && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1]))));
    if (separator) {
      ++i;
    } else if (std::isalpha(c)) {
      size_t e = i;
      while (e < n && (std::isalpha(static_cast<unsigned char>(s[e])) || s[e] == '.')) ++e;
      std::string original(s.substr(i, e - i)), w;
      while (!original.empty() && original.back() == '.') original.pop_back();
      for (char ch : original) {
        if (ch != '.') w += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      i = e;
      if (const int m = MonthOf(w)) {
        if (named_month != 0) return false;
        named_month = m;
        any = true;
      } else if (IsWeekday(w)) {
        any = true;
      } else if (w == "am" || w == "pm" || w == "a" || w == "p") {
        if (!time) return false;
      } else {
        const bool zone = w == "utc" || w == "gmt" || w == "z" ||
                          (original.size() >= 3 && original.size() <= 5 &&
                           std::all_of(original.begin(), original.end(), [](char ch) {
                             return std::isupper(static_cast<unsigned char>(ch));
                           }));
        // A word dateutil does not know (it is not fuzzy by default).
        if (!IsSkipped(w) && !zone) return false;
      }
    } else if ((c == '+' || c == '-') && time && i + 1 < n &&
               std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      // A zone offset after a time: +05, +0530, +05:30.
      const size_t d = digits_at(i + 1);
      size_t e = i + 1 + d;
      if (d == 2 && e + 2 < n + 1 && e < n && s[e] == ':' && digits_at(e + 1) == 2)
        e += 3;
      else if (d != 2 && d != 4)
        return false;
      i = e;
    } else if (std::isdigit(c)) {
      const size_t d = digits_at(i);
      const std::string num(s.substr(i, d));
      size_t e = i + d;
      any = true;
      if (e < n && s[e] == ':') {
        // A time: h:mm[:ss[.ffffff]]
        if (time || d > 2) return false;
        const int h = std::stoi(num);
        if (digits_at(e + 1) != 2) return false;
        const int m = std::stoi(std::string(s.substr(e + 1, 2)));
        e += 3;
        int sec = 0;
        if (e < n && s[e] == ':') {
          if (digits_at(e + 1) != 2) return false;
          sec = std::stoi(std::string(s.substr(e + 1, 2)));
          e += 3;
          if (e < n && s[e] == '.' && digits_at(e + 1) > 0) e += 1 + digits_at(e + 1);
        }
        if (h > 24 || m > 59 || sec > 59) return false;
        time = true;
      } else if (e < n && s[e] == '.' && digits_at(e + 1) > 0) {
        // 2003.09.25 (a date) or 10.5 (a number dateutil reads as seconds or a day).
        std::vector<std::string> parts = {num};
        while (e < n && s[e] == '.' && digits_at(e + 1) > 0) {
          parts.emplace_back(s.substr(e + 1, digits_at(e + 1)));
          e += 1 + digits_at(e + 1);
        }
        if (parts.size() == 3) {
          for (auto& p : parts) date_numbers.push_back(p);
        } else if (parts.size() != 2) {
          return false;
        }
      } else if (d == 8 || d == 14 || d == 12) {
        // YYYYMMDD[hhmm[ss]]
        const int y = std::stoi(num.substr(0, 4)), mo = std::stoi(num.substr(4, 2)),
                  da = std::stoi(num.substr(6, 2));
        if (!ValidDate(y, mo, da)) return false;
        if (d >= 12 && (std::stoi(num.substr(8, 2)) > 23 || std::stoi(num.substr(10, 2)) > 59))
          return false;
        if (d == 14 && std::stoi(num.substr(12, 2)) > 59) return false;
        time = time || d >= 12;
        date_numbers.insert(date_numbers.end(),
                            {num.substr(0, 4), num.substr(4, 2), num.substr(6, 2)});
      } else if (d == 6) {
        // YYMMDD, or hhmmss after a date
        if (date_numbers.empty() && named_month == 0) {
          if (!ValidDate(2000 + std::stoi(num.substr(0, 2)), std::stoi(num.substr(2, 2)),
                         std::stoi(num.substr(4, 2))))
            return false;
          date_numbers.insert(date_numbers.end(),
                              {num.substr(0, 2), num.substr(2, 2), num.substr(4, 2)});
        } else if (std::stoi(num.substr(0, 2)) > 23 || std::stoi(num.substr(2, 2)) > 59 ||
                   std::stoi(num.substr(4, 2)) > 59) {
          return false;
        } else {
          time = true;
        }
      } else if (d <= 4) {
        // An hour before am/pm, else a date part.
        size_t k = e;
        while (k < n && s[k] == ' ') ++k;
        std::string next;
        while (k < n && std::isalpha(static_cast<unsigned char>(s[k])))
          next += static_cast<char>(std::tolower(static_cast<unsigned char>(s[k++])));
        if ((next == "am" || next == "pm" || next == "a" || next == "p") && d <= 2) {
          const int h = std::stoi(num);
          if (h < 1 || h > 12) return false;
          time = true;
        } else {
          date_numbers.push_back(num);
        }
      } else {
        return false;
      }
      i = e;
    } else {
      return false;
    }
  }
  return any && DateFits(date_numbers, named_month);
}

namespace {

constexpr const char* kFunction = "strata_dateutil_parseable";

// The SQL function the kind's row test calls.
engine::ScalarFunction TheFunction() {
  engine::ScalarFunction f;
  f.name = kFunction;
  f.arguments = {ValueKind::kString};
  f.result = ValueKind::kBool;
  f.compute = [](const std::vector<Column>& args, size_t rows, Column* out) -> Status {
    for (size_t r = 0; r < rows; ++r) {
      if (args[0].IsNull(r)) {
        out->AppendNull();
      } else {
        out->AppendInt64(DateutilParseable(args[0].GetString(r)) ? 1 : 0);
      }
    }
    return Status::OK();
  };
  return f;
}

class DateutilParseableKind final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status BindKind(const DataInfo& data) override {
    if (data.conn == nullptr) return Status::Internal("no connection to register the check on");
    if (!data.IsString(column_)) {
      return Status::TypeError(
          "Values passed to expect_column_values_to_be_dateutil_parseable must be of type "
          "string.");
    }
    return EnsureScalarFunction(data.conn, TheFunction());
  }
  std::string UnexpectedSql() const override {
    return std::string("NOT ") + kFunction + "(" + Col() + ")";
  }
};

}  // namespace

void RegisterDateutilKind(Registry* registry) {
  registry->Add<DateutilParseableKind>("expect_column_values_to_be_dateutil_parseable");
}

}  // namespace strata::quality::detail
