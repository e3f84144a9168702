// Table::WriteChecked: a write behind a quality gate, the results kept with the version.
#include "table/table_internal.h"

namespace strata {

void AddQualityMetadata(const quality::Suite& suite, const quality::ValidationResult& v,
                        WriteOptions* options) {
  options->metadata["quality.suite"] = suite.name();
  options->metadata["quality.success"] = v.success ? "true" : "false";
  options->metadata["quality.expectations_met"] =
      std::to_string(v.successful) + "/" + std::to_string(v.evaluated);
  for (const quality::ExpectationResult& r : v.results) {
    if (r.success || r.raised_exception) continue;
    const std::string kind = r.type.rfind("expect_", 0) == 0 ? r.type.substr(7) : r.type;
    options->metadata["quality.unexpected." + kind + (r.column.empty() ? "" : "." + r.column)] =
        std::to_string(r.unexpected_count);
  }
}

Result<CheckedWrite> Table::WriteChecked(const Frame& data, const quality::Suite& suite,
                                         WriteOptions options, bool allow_failed) {
  CheckedWrite out;
  STRATA_ASSIGN_OR_RETURN(out.validation, quality::Validate(data, suite));
  AddQualityMetadata(suite, out.validation, &options);
  if (!out.validation.success && !allow_failed) return out;
  STRATA_ASSIGN_OR_RETURN(int64_t version, Write(data, options));
  out.version = version;
  return out;
}

}  // namespace strata
