// Turns DuckDB's error text into a Status: picks the StatusCode from DuckDB's error
// class and folds DuckDB's multi-line messages (a caret under the SQL, a CSV error
// report) into one line that names the file, line and column.
#pragma once

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::engine {

// `context` says what Strata was doing ("reading query result"); empty for none. The
// position of a syntax error comes from DuckDB's caret line, not from the SQL text.
Status StatusFromDuckDB(std::string_view message, std::string_view context = {});

}  // namespace strata::engine
