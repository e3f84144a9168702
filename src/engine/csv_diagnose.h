// When DuckDB's CSV reader gives up on a file (or would read it wrongly), this finds the
// first record that is wrong so that the error can name its line: a record whose number
// of fields differs from the header's, a record longer than the reader's line limit, a
// quoted field that is never closed.
#pragma once

#include <cstddef>
#include <string>

namespace strata::engine {

// The delimiter of a CSV file: of , | ; and tab, the one that splits its first line into the
// most fields (quotes honoured); ',' when none splits it or the file cannot be read.
char DetectCsvDelimiter(const std::string& path);

// Reads up to `max_records` records of the CSV file at `path` (RFC 4180: a quoted field
// may hold delimiters, doubled quotes and line breaks; the delimiter is the header's) and
// describes the first problem: "line N has F fields where line 1 has H (delimiter ',')",
// "line N starts a record of over M bytes, ...", "line N opens a quoted field that is
// never closed". Line numbers count physical lines from 1. Returns "" when the records
// read agree or the file cannot be read. Stops reading at the first problem, so a huge
// malformed record costs one pass over it, not more.
std::string DiagnoseCsvShape(const std::string& path, size_t max_records = 1000000,
                             size_t max_record_bytes = 2000000);

}  // namespace strata::engine
