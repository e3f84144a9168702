// Turns a suite's expectations into configured kinds (GE's standard arguments, row
// conditions, evaluation parameters) and gives the rows the suite's one scan reads.
// Internal to libstrata: shared by validation and quarantine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "quality/expectation.h"

namespace strata::quality::detail {

struct Prepared {
  Expectation config;
  Json kwargs;
  std::unique_ptr<ExpectationKind> kind;
};

// "expectation 3 (expect_column_values_to_be_unique)": how errors name an expectation.
std::string Label(size_t index, const std::string& type);

// Builds every expectation of the suite; a bad type or kwarg is an error for the whole
// suite (as GE raises on a bad configuration). Row conditions are parsed on `conn`.
Result<std::vector<Prepared>> Prepare(const Suite& suite, const ValidateOptions& options,
                                      engine::Connection* conn);

// The rows the aggregates run over: the data, with a row index when some expectation
// needs row order, and the per-row window columns.
std::string RowsSql(const std::string& data_sql, const ScanPlan& plan);

}  // namespace strata::quality::detail
