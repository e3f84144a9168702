// When DuckDB's CSV sniffer gives up on a file, this finds the first line whose number
// of fields differs from the header's, so that the error can name it.
#pragma once

#include <string>

namespace strata::engine {

// The delimiter of a CSV file: of , | ; and tab, the one that splits its first line into the
// most fields (quotes honoured); ',' when none splits it or the file cannot be read.
char DetectCsvDelimiter(const std::string& path);

// "line N has F fields where line 1 has H (delimiter ',')", or "" when every line
// read (at most `max_lines`) agrees or the file cannot be read.
std::string DiagnoseCsvShape(const std::string& path, size_t max_lines = 1000000);

}  // namespace strata::engine
