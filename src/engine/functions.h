// An aggregate function Strata adds to every DuckDB database it opens, for speed.
//
//   strata_duplicates(x, k) -> STRUCT(unexpected BIGINT, sample x[])
//     The number of non-null rows whose value occurs more than once (GE's
//     expect_column_values_to_be_unique), and the values of the first k such rows in
//     the order the aggregate saw them (row order for a single-threaded scan).
//   strata_duplicates(x, k, row) -> STRUCT(unexpected BIGINT, sample x[], rows BIGINT[])
//     The same, the sample being the k such rows of smallest `row` (a row number), with
//     their row numbers.
//
// It replaces count(x) OVER (PARTITION BY x), which sorts or hashes every row with its
// payload: here the values are only appended while DuckDB scans in parallel, and
// counted once at the end: one byte per possible value for integers in a narrow range
// (ids), else in cache-sized hash partitions. x is BIGINT, DOUBLE or VARCHAR
// (smaller integers cast implicitly). Not usable as a window function or with ORDER BY
// inside the call (DuckDB's C API does not support those shapes for aggregates). Like
// any aggregate without a "simple update" (all C API aggregates), it makes DuckDB run
// the query's aggregates in its hash aggregate rather than the ungrouped one; cheap
// unless the query also holds FILTER clauses, which the hash aggregate applies slowly.
#pragma once

#include <duckdb.h>

#include "strata/status.h"

namespace strata::engine {

Status RegisterFunctions(duckdb_connection conn);

}  // namespace strata::engine
