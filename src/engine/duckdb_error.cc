#include "engine/duckdb_error.h"

#include "engine/csv_diagnose.h"

#include <regex>
#include <vector>

namespace strata::engine {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, e - b + 1));
}

StatusCode CodeFor(std::string_view message) {
  auto starts = [&](std::string_view p) { return message.substr(0, p.size()) == p; };
  if (starts("Parser Error")) return StatusCode::kParseError;
  if (starts("Catalog Error") || starts("Binder Error")) return StatusCode::kInvalidArgument;
  if (starts("IO Error")) {
    if (message.find("No files found") != std::string_view::npos ||
        message.find("No such file") != std::string_view::npos ||
        message.find("does not exist") != std::string_view::npos) {
      return StatusCode::kNotFound;
    }
    return StatusCode::kIOError;
  }
  if (starts("Conversion Error") || starts("Invalid Input Error")) return StatusCode::kParseError;
  if (starts("INTERRUPT Error") || message.find("Interrupted") != std::string_view::npos) {
    return StatusCode::kInterrupted;
  }
  if (starts("Not implemented Error")) return StatusCode::kNotSupported;
  if (starts("Out of Memory Error")) return StatusCode::kIOError;
  if (starts("INTERNAL Error") || starts("Fatal Error")) return StatusCode::kInternal;
  return StatusCode::kInvalidArgument;
}

// DuckDB's CSV reader reports "CSV Error on Line: N", the original line, the error, and a
// block of "key = value" reader options including "file = PATH".
std::string FoldCsvError(const std::vector<std::string_view>& lines) {
  static const std::regex kLineRe(R"(CSV Error on Line: (\d+))");
  static const std::regex kColumnRe(R"(column \"([^\"]*)\")", std::regex::icase);
  static const std::regex kColumnNumberRe(R"(Column at position: (\d+))");
  std::string head = Trim(lines[0]);
  std::string file, line_no, column, reason, original;
  for (std::string_view raw : lines) {
    std::string line = Trim(raw);
    std::smatch m;
    if (line.rfind("file = ", 0) == 0) file = line.substr(7);
    if (std::regex_search(line, m, kLineRe)) line_no = m[1];
    if (line.rfind("Original Line:", 0) == 0) original = Trim(line.substr(14));
    if (column.empty() && std::regex_search(line, m, kColumnRe)) column = m[1];
    if (reason.empty() && (line.rfind("Error when converting", 0) == 0 ||
                           line.find("Expected Number of Columns") != std::string::npos ||
                           line.rfind("Value with unterminated quote", 0) == 0 ||
                           line.find("Invalid unicode") != std::string::npos ||
                           line.find("Maximum line size") != std::string::npos)) {
      reason = line;
    }
  }
  size_t colon = head.find(':');
  std::string kind = colon == std::string::npos ? "CSV Error" : head.substr(0, colon);
  // DuckDB names the wrong line (and size) for a record over its line limit: find it.
  static const std::regex kLimitRe(R"(Maximum line size of (\d+) bytes)");
  std::smatch limit;
  if (!file.empty() && std::regex_search(reason, limit, kLimitRe)) {
    std::string found = DiagnoseCsvShape(file, SIZE_MAX, std::stoull(limit[1]));
    if (!found.empty()) {
      return kind + ": '" + file + "' " + found;
    }
  }
  std::string out = kind + ": ";
  if (!file.empty()) out += "'" + file + "'";
  if (!line_no.empty()) out += (file.empty() ? "line " : " line ") + line_no;
  if (!column.empty()) out += ", column \"" + column + "\"";
  out += ": ";
  out += reason.empty() ? Trim(head.substr(colon == std::string::npos ? 0 : colon + 1)) : reason;
  if (!original.empty() && original.size() <= 200) out += " (line: " + original + ")";
  return out;
}

// "LINE 3: SELECT ..." followed by a caret line: returns " at line 3, column C".
std::string CaretPosition(const std::vector<std::string_view>& lines) {
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.substr(0, 5) != "LINE ") continue;
    size_t colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view caret_line = lines[i + 1];
    size_t caret = caret_line.find('^');
    if (caret == std::string_view::npos) continue;
    // The caret sits under the statement text, which starts after "LINE n: ".
    long column = static_cast<long>(caret) - static_cast<long>(colon + 2) + 1;
    if (column < 1) column = 1;
    return " at line " + std::string(l.substr(5, colon - 5)) + ", column " + std::to_string(column);
  }
  return "";
}

}  // namespace

Status StatusFromDuckDB(std::string_view message, std::string_view context) {
  std::vector<std::string_view> lines = SplitLines(message);
  StatusCode code = CodeFor(message);
  std::string text;
  static const std::regex kSniffRe(R"(Error when sniffing file \"([^\"]*)\")");
  std::smatch sniff;
  std::string first_line = Trim(lines[0]);
  if (std::regex_search(first_line, sniff, kSniffRe)) {
    std::string file = sniff[1];
    std::string shape = DiagnoseCsvShape(file);
    text = "Invalid Input Error: cannot read CSV file '" + file + "': " +
           (shape.empty()
                ? std::string("DuckDB could not detect its dialect (delimiter, quote, header); "
                              "set them in read_csv(...) or pass ignore_errors=true")
                : shape);
  } else if (message.find("CSV Error on Line") != std::string_view::npos ||
             message.find("\nfile = ") != std::string_view::npos) {
    text = FoldCsvError(lines);
  } else {
    text = Trim(lines[0]);
    // Keep the lines that explain (candidates, hints) but drop the SQL echo and caret.
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string line = Trim(lines[i]);
      if (line.empty() || line.rfind("LINE ", 0) == 0 ||
          line.find_first_not_of(" ^") == std::string::npos) {
        continue;
      }
      // DuckDB's generic list of possible fixes adds length, not information.
      if (line.rfind("Possible fixes", 0) == 0) break;
      if (i > 0 && Trim(lines[i - 1]).rfind("LINE ", 0) == 0) continue;
      text += " " + line;
    }
    text += CaretPosition(lines);
  }
  if (context.empty()) return Status(code, std::move(text));
  return Status(code, std::string(context) + ": " + text);
}

}  // namespace strata::engine
