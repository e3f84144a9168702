// Column summaries for the HTML report (ValidateOptions::column_summaries).
#pragma once

#include <string>
#include <vector>

#include "quality/expectation.h"

namespace strata::quality::detail {

// The distribution of each of `columns` (names in `data`), from a reservoir sample of at
// most 100,000 rows of the data.
Result<std::vector<ColumnSummary>> SummarizeColumns(engine::Connection* conn, const DataInfo& data,
                                                    const std::vector<std::string>& columns);

}  // namespace strata::quality::detail
