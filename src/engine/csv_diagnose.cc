#include "engine/csv_diagnose.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "common/thousands.h"

namespace strata::engine {
namespace {

// Fields in one line, honoring double quotes.
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

std::string DiagnoseCsvShape(const std::string& path, size_t max_records, size_t max_record_bytes) {
  const char delim = DetectCsvDelimiter(path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return "";
  const std::string shown = delim == '\t' ? "\\t" : std::string(1, delim);

  size_t line = 1;           // the physical line being read
  size_t record_line = 1;    // where the current record started
  size_t record_bytes = 0;   // bytes of the current record so far
  size_t fields = 1;         // fields of the current record so far
  size_t header_fields = 0;  // 0 until the header is read
  size_t records = 0;
  bool quoted = false;
  bool blank = true;  // the record has nothing yet (blank lines are skipped)
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), f.get());
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      const char c = buffer[i];
      if (c == '\n') ++line;
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '\n') {
        if (!blank) {
          if (header_fields == 0) {
            header_fields = fields;
          } else if (fields != header_fields) {
            return "line " + std::to_string(record_line) + " has " + std::to_string(fields) +
                   " fields where line 1 has " + std::to_string(header_fields) + " (delimiter '" +
                   shown + "')";
          }
          if (++records >= max_records) return "";
        }
        record_line = line, record_bytes = 0, fields = 1, blank = true;
        continue;
      } else if (!quoted && c == delim) {
        ++fields;
      }
      if (c != '\r') blank = false;
      if (++record_bytes > max_record_bytes) {
        return "line " + std::to_string(record_line) + " starts a record of over " +
               Thousands(static_cast<int64_t>(max_record_bytes)) +
               " bytes, the CSV reader's line limit" +
               (quoted ? ", inside a quoted field (is a quote never closed?)" : "") +
               "; read_csv(..., max_line_size=N) reads longer records";
      }
    }
  }
  if (quoted) {
    return "line " + std::to_string(record_line) +
           " opens a quoted field that is never closed (the file ends inside it)";
  }
  if (!blank && header_fields != 0 && fields != header_fields) {
    return "line " + std::to_string(record_line) + " has " + std::to_string(fields) +
           " fields where line 1 has " + std::to_string(header_fields) + " (delimiter '" + shown +
           "')";
  }
  return "";
}

}  // namespace strata::engine
