// Data quality: Great Expectations-compatible suites, checked in one scan.
//
// A Suite is a list of expectations with Great Expectations' names, kwargs and
// semantics (nulls skipped by column map expectations, `mostly`, strict and non-strict
// bounds, `row_condition`, `result_format`). Validate() compiles the whole suite into one
// aggregate query over the data, whatever the number of expectations; the unexpected
// values and row indexes a result format asks for come from bounded aggregates of the
// same query (the first N by row index), so a validation reads the data once. A failed expectation
// is a result, not an error; an expectation whose column is missing fails with exception_info while
// the rest of the suite runs.
//
// Suites and results are exchanged as JSON text in Great Expectations' shape, so that
// existing suites work unchanged; YAML suites hold the same content.
//
// Thread-safety: Suite and ValidationResult are values. Validate() is thread-safe.
#pragma once

#include "strata/export.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/frame.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata::quality {

// One expectation: its type and its kwargs as a JSON object text.
struct Expectation {
  std::string type;
  std::string kwargs_json = "{}";
  std::string meta_json = "{}";
};

struct ValidateOptions;

class Suite {
 public:
  Suite() = default;
  explicit Suite(std::string name) : name_(std::move(name)) {}

  // Great Expectations' JSON suite (`expectation_suite_name` or `name`, `expectations`
  // with `expectation_type` or `type`, `kwargs`, `meta`), or the same in YAML (chosen by
  // the file extension .yaml/.yml). Errors give the file, line and column.
  static Result<Suite> FromFile(const std::string& path);
  static Result<Suite> FromJson(const std::string& text, const std::string& source = "<json>");
  static Result<Suite> FromYaml(const std::string& text, const std::string& source = "<yaml>");

  const std::string& name() const { return name_; }
  const std::vector<Expectation>& expectations() const { return expectations_; }

  // Adds an expectation; kwargs are checked when the suite is validated (or by Check()).
  Suite& Add(std::string type, std::string kwargs_json = "{}");
  // The same with GE's `meta` (a JSON object text kept with the expectation).
  Suite& Add(std::string type, std::string kwargs_json, std::string meta_json);
  // Checks every expectation's type and kwargs: an unknown type is named with the
  // closest known names; a missing or ill-typed kwarg names the expectation (index and
  // type) and the kwarg.
  Status Check() const;
  // The same, with suite parameters and the other options a validation would use.
  Status Check(const ValidateOptions& options) const;

  // GE-style helpers for the expectations the seed article uses.
  Suite& expect_column_values_to_not_be_null(const std::string& column, double mostly = 1.0);
  Suite& expect_column_values_to_be_between(const std::string& column,
                                            std::optional<double> min_value,
                                            std::optional<double> max_value, double mostly = 1.0);
  Suite& expect_column_values_to_be_unique(const std::string& column, double mostly = 1.0);

  std::string ToJson() const;
  std::string ToYaml() const;

 private:
  std::string name_ = "default";
  std::vector<Expectation> expectations_;
};

enum class ResultFormat { kBooleanOnly, kBasic, kSummary, kComplete };

Result<ResultFormat> ParseResultFormat(const std::string& name);

struct ValidateOptions {
  // Overrides every expectation's own result_format when set.
  std::optional<ResultFormat> result_format;
  int partial_unexpected_count = 20;
  // Suite parameters: {"$PARAMETER": "NAME"} in kwargs takes the value given here (JSON
  // text such as 10, 0.5, [1, 2] or "2024-01-01"; anything else as text), and
  // expressions over them are evaluated as GE does (now(), datetime(2003, 1, 1),
  // timedelta(days=7), + - * /). An undefined name is an error naming it.
  std::map<std::string, std::string> parameters;
  // SQL for a table named in a suite other than the data validated
  // (expect_table_row_count_to_equal_other_table): a lake's tables, say. Unset, the name
  // is looked up in the session's database.
  std::function<Result<std::string>(const std::string& name)> table_sql;
  // What the data is, for reports (a path, `table@version`); kept in the result.
  std::string data_name;
  // Also describe the distribution of each checked column (ValidationResult::columns), for
  // the HTML report: one more pass over the data, on a sample of at most 100,000 rows.
  bool column_summaries = false;
};

// The distribution of one column, from a sample of the data (ValidateOptions::
// column_summaries): equal-width bins over [min, max] for numbers, the most frequent
// values for everything else.
struct ColumnSummary {
  std::string name;
  std::string type;  // DuckDB's type name
  int64_t rows = 0;  // rows sampled
  int64_t nulls = 0;
  int64_t distinct = 0;  // approximate
  bool numeric = false;
  double min = 0, max = 0;
  std::vector<int64_t> bins;                                // numeric: counts in equal bins
  std::vector<std::pair<std::string, int64_t>> top_values;  // others: value, count
};

// One expectation's outcome, in GE's shape (`expectation_config`, `success`, `result`,
// `exception_info`) as JSON text, with the headline fields parsed out.
struct ExpectationResult {
  std::string type;
  std::string column;  // empty for table and multi-column expectations
  bool success = false;
  bool raised_exception = false;
  std::string exception_message;
  int64_t unexpected_count = 0;
  double unexpected_percent = 0;
  std::string observed_value;                   // as JSON text, or empty
  std::vector<std::string> partial_unexpected;  // as JSON texts
  std::string json;                             // the whole result object
};

struct ValidationResult {
  std::string suite_name;
  bool success = false;
  std::vector<ExpectationResult> results;  // in suite order
  int evaluated = 0, successful = 0, unsuccessful = 0;
  int64_t element_count = 0;
  int scans = 0;    // queries run over the data: 1 (more only to isolate a failing expectation)
  std::string sql;  // the one query the suite compiled to
  std::string data_name;               // ValidateOptions::data_name
  int64_t validated_at_ms = 0;         // when the validation ran (ISO 8601 in reports)
  std::vector<ColumnSummary> columns;  // with ValidateOptions::column_summaries

  std::string ToJson(bool pretty = true) const;  // GE's ExpectationSuiteValidationResult
  // A line per expectation, failures first with counts and samples.
  std::string ToText(bool color = false) const;
  // A self-contained HTML page (no network): the data, time and version on top, a summary
  // bar, failures first with observed values, unexpected counts and samples, kwargs
  // folded, and a chart per column when the result has column summaries.
  std::string ToHtml() const;
};

// Validates `data` against `suite`. Errors only for what stops the whole validation
// (unreadable data, a malformed suite); failed expectations are results.
Result<ValidationResult> Validate(const Frame& data, const Suite& suite,
                                  const ValidateOptions& options = {});

// Rows that pass every row-level (column map and multi-column) expectation of `suite`,
// and rows that fail at least one, with a column `failed_expectations` (a list of the
// failed expectation types, with their column: "expect_column_values_to_be_between(x)").
struct Quarantine {
  Frame passed;
  Frame failed;
};
Result<Quarantine> Split(const Frame& data, const Suite& suite);

struct ProfileOptions {
  // How far the next batch of the same source may stray before it fails: numeric and
  // temporal ranges are widened by this share of their span on each side (integers to
  // whole numbers), and a column's null share may grow by this share of itself plus three
  // standard errors of the share observed.
  double margin = 0.1;
  // A text column gets a value set only when it has at most this many distinct values
  // and at least 10 rows per value (so that a set describes categories, not the sample).
  int64_t max_set = 20;
};

// A starting suite for `data`: columns and types, null rates turned into `mostly`,
// ranges, value sets for low-cardinality columns, uniqueness. The data passes it; each
// expectation's `meta` says how it was derived (the observed figures and the margin).
Result<Suite> Profile(const Frame& data, const ProfileOptions& options = {});

// The names of every registered expectation type.
std::vector<std::string> ExpectationTypes();
// The kwargs that positional arguments of `type` fill, in order ({"column", "min_value",
// "max_value"} for expect_column_values_to_be_between); empty for an unknown type.
std::vector<std::string> PositionalArguments(const std::string& type);

}  // namespace strata::quality

STRATA_API_END
