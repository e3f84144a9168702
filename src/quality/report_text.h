// Text helpers shared by the validation reports (report.cc, html_report.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/thousands.h"
#include "quality/expectation.h"

namespace strata::quality::detail {

// A value as text, cut to 40 characters.
std::string ShortValue(const Json& v);
// "a, b, c" from sampled unexpected values (JSON texts); empty when they are all null.
std::string SampleText(const std::vector<std::string>& samples, size_t n);
// A number in at most 6 significant digits ("0.5", "1.23457e+06").
std::string Number(double v);
// "12.5%".
std::string PercentText(double pct);
std::string HtmlEscape(const std::string& s);
using strata::Thousands;  // "1,234,567"

}  // namespace strata::quality::detail
