#include "engine/csv_diagnose.h"

#include <array>
#include <fstream>
#include <vector>

namespace strata::engine {
namespace {

// Fields in one line, honoring double quotes (a quoted field may not span lines here).
size_t CountFields(const std::string& line, char delim) {
  size_t fields = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == delim && !quoted)
      ++fields;
  }
  return fields;
}

char DelimiterOf(const std::string& header) {
  const std::array<char, 4> candidates = {',', '|', ';', '\t'};
  char delim = ',';
  size_t best = 1;
  for (char c : candidates) {
    const size_t n = CountFields(header, c);
    if (n > best) best = n, delim = c;
  }
  return delim;
}

}  // namespace

char DetectCsvDelimiter(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return ',';
  return DelimiterOf(line);
}

std::string DiagnoseCsvShape(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  if (!in) return "";
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < max_lines && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (lines.size() < 2) return "";
  const char delim = DelimiterOf(lines[0]);
  const size_t header_fields = CountFields(lines[0], delim);
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    size_t n = CountFields(lines[i], delim);
    if (n != header_fields) {
      std::string shown = delim == '\t' ? "\\t" : std::string(1, delim);
      return "line " + std::to_string(i + 1) + " has " + std::to_string(n) +
             " fields where line 1 has " + std::to_string(header_fields) + " (delimiter '" + shown +
             "')";
    }
  }
  return "";
}

}  // namespace strata::engine
