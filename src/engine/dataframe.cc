#include "strata/dataframe.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace strata {
namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days =
      micros >= 0 ? micros / 86400000000LL : -((-micros + 86399999999LL) / 86400000000LL);
  int64_t rem = micros - days * 86400000000LL;
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02lld:%02lld:%02lld", FormatDate(days).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, end);
  if (out.find_first_of(".eE") == std::string::npos) out += ".0";
  return out;
}

// Display width of UTF-8 text: code points, not bytes.
size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt64:
      return "i64";
    case ValueKind::kFloat64:
      return "f64";
    case ValueKind::kString:
      return "str";
    case ValueKind::kDate:
      return "date";
    case ValueKind::kTimestamp:
      return "datetime[μs]";
  }
  return "?";
}

Column::Column(std::string name, ValueKind kind, std::string sql_type)
    : name_(std::move(name)), kind_(kind), sql_type_(std::move(sql_type)) {}

size_t Column::null_count() const {
  return static_cast<size_t>(std::count(valid_.begin(), valid_.end(), 0));
}

bool Column::GetBool(size_t row) const {
  assert(kind_ == ValueKind::kBool);
  return ints_[row] != 0;
}

int64_t Column::GetInt64(size_t row) const {
  assert(kind_ != ValueKind::kFloat64 && kind_ != ValueKind::kString);
  return ints_[row];
}

double Column::GetDouble(size_t row) const {
  if (kind_ == ValueKind::kFloat64) return doubles_[row];
  assert(kind_ == ValueKind::kInt64 || kind_ == ValueKind::kBool);
  return static_cast<double>(ints_[row]);
}

std::string_view Column::GetString(size_t row) const {
  assert(kind_ == ValueKind::kString);
  return strings_[row];
}

std::string Column::Format(size_t row) const {
  if (IsNull(row)) return "null";
  switch (kind_) {
    case ValueKind::kBool:
      return GetBool(row) ? "true" : "false";
    case ValueKind::kInt64:
      return std::to_string(ints_[row]);
    case ValueKind::kFloat64:
      return FormatDouble(doubles_[row]);
    case ValueKind::kString:
      return strings_[row];
    case ValueKind::kDate:
      return FormatDate(ints_[row]);
    case ValueKind::kTimestamp:
      return FormatTimestamp(ints_[row]);
  }
  return "";
}

void Column::Reserve(size_t rows) {
  valid_.reserve(rows);
  if (kind_ == ValueKind::kFloat64)
    doubles_.reserve(rows);
  else if (kind_ == ValueKind::kString)
    strings_.reserve(rows);
  else
    ints_.reserve(rows);
}

void Column::AppendNull() {
  valid_.push_back(0);
  if (kind_ == ValueKind::kFloat64)
    doubles_.push_back(0);
  else if (kind_ == ValueKind::kString)
    strings_.emplace_back();
  else
    ints_.push_back(0);
}

void Column::AppendInt64(int64_t v) {
  assert(kind_ != ValueKind::kFloat64 && kind_ != ValueKind::kString);
  valid_.push_back(1);
  ints_.push_back(v);
}

void Column::AppendDouble(double v) {
  assert(kind_ == ValueKind::kFloat64);
  valid_.push_back(1);
  doubles_.push_back(v);
}

void Column::AppendString(std::string_view v) {
  assert(kind_ == ValueKind::kString);
  valid_.push_back(1);
  strings_.emplace_back(v);
}

DataFrame::DataFrame(std::vector<Column> columns) : columns_(std::move(columns)) {}

Result<const Column*> DataFrame::column(std::string_view name) const {
  for (const Column& c : columns_) {
    if (c.name() == name) return &c;
  }
  std::string names;
  for (const Column& c : columns_) names += (names.empty() ? "" : ", ") + c.name();
  return Status::NotFound("no column '" + std::string(name) + "'; columns are: " + names);
}

std::vector<std::string> DataFrame::column_names() const {
  std::vector<std::string> out;
  for (const Column& c : columns_) out.push_back(c.name());
  return out;
}

std::string DataFrame::ToString(size_t max_rows) const {
  const size_t rows = num_rows();
  std::vector<size_t> shown;
  bool elided = rows > max_rows;
  if (!elided) {
    for (size_t r = 0; r < rows; ++r) shown.push_back(r);
  } else {
    size_t head = (max_rows + 1) / 2, tail = max_rows / 2;
    for (size_t r = 0; r < head; ++r) shown.push_back(r);
    for (size_t r = rows - tail; r < rows; ++r) shown.push_back(r);
  }
  const size_t ncol = columns_.size();
  std::vector<std::vector<std::string>> cells(ncol);
  std::vector<size_t> width(ncol);
  for (size_t c = 0; c < ncol; ++c) {
    const Column& col = columns_[c];
    width[c] = std::max(DisplayWidth(col.name()), DisplayWidth(ValueKindName(col.kind())));
    for (size_t r : shown) {
      std::string cell = col.Format(r);
      if (col.kind() == ValueKind::kString && !col.IsNull(r)) cell = "\"" + cell + "\"";
      if (DisplayWidth(cell) > 40) cell = cell.substr(0, 37) + "…";
      width[c] = std::max(width[c], DisplayWidth(cell));
      cells[c].push_back(std::move(cell));
    }
    width[c] = std::max<size_t>(width[c], elided ? 1 : 0);
  }
  auto pad = [](const std::string& s, size_t w, bool right) {
    size_t n = DisplayWidth(s);
    std::string fill(w > n ? w - n : 0, ' ');
    return right ? fill + s : s + fill;
  };
  auto rule = [&](const char* l, const char* m, const char* r, const char* h) {
    std::string line = l;
    for (size_t c = 0; c < ncol; ++c) {
      for (size_t i = 0; i < width[c] + 2; ++i) line += h;
      line += c + 1 < ncol ? m : r;
    }
    return line + "\n";
  };
  std::string out = "shape: (" + std::to_string(rows) + ", " + std::to_string(ncol) + ")\n";
  if (ncol == 0) return out;
  out += rule("┌", "┬", "┐", "─");
  std::string names = "│", kinds = "│";
  for (size_t c = 0; c < ncol; ++c) {
    names += " " + pad(columns_[c].name(), width[c], false) + " │";
    kinds += " " + pad(std::string(ValueKindName(columns_[c].kind())), width[c], false) + " │";
  }
  out += names + "\n" + kinds + "\n";
  out += rule("╞", "╪", "╡", "═");
  for (size_t i = 0; i < shown.size(); ++i) {
    if (elided && i == (max_rows + 1) / 2) {
      std::string dots = "│";
      for (size_t c = 0; c < ncol; ++c) dots += " " + pad("…", width[c], false) + " │";
      out += dots + "\n";
    }
    std::string line = "│";
    for (size_t c = 0; c < ncol; ++c) {
      ValueKind k = columns_[c].kind();
      bool right = k == ValueKind::kInt64 || k == ValueKind::kFloat64;
      line += " " + pad(cells[c][i], width[c], right) + " │";
    }
    out += line + "\n";
  }
  out += rule("└", "┴", "┘", "─");
  return out;
}

}  // namespace strata
