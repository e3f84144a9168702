// A validation result for people and programs: GE's JSON and a terminal summary (the HTML
// page is html_report.cc), and the text helpers both use.
#include <cstdio>

#include "common/time_format.h"
#include "quality/expectation.h"
#include "quality/report_text.h"
#include "strata/version.h"

namespace strata::quality {

using detail::Json;

namespace detail {

std::string ShortValue(const Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

// "e.g. a, b, c" from sampled unexpected values; empty when they are all null (a null
// check's samples say nothing its count does not).
std::string SampleText(const std::vector<std::string>& samples, size_t n) {
  std::string out;
  bool informative = false;
  for (size_t i = 0; i < samples.size() && i < n; ++i) {
    Json v = Json::parse(samples[i]);
    informative = informative || !v.is_null();
    out += (i ? ", " : "") + ShortValue(v);
  }
  return informative ? out : "";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string PercentText(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", pct);
  return buf;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace detail

using detail::PercentText;
using detail::SampleText;
using detail::ShortValue;
using detail::Thousands;

std::string ValidationResult::ToJson(bool pretty) const {
  Json results = Json::array();
  for (const auto& r : this->results) results.push_back(Json::parse(r.json));
  const std::string ts = IsoTimeMs(validated_at_ms != 0 ? validated_at_ms : NowMs());
  Json doc = {{"success", success},
              {"results", results},
              {"suite_name", suite_name},
              {"statistics",
               {{"evaluated_expectations", evaluated},
                {"successful_expectations", successful},
                {"unsuccessful_expectations", unsuccessful},
                {"success_percent",
                 evaluated == 0 ? Json(nullptr) : Json(100.0 * successful / evaluated)}}},
              {"meta",
               {{"great_expectations_version", std::string("strata-") + kVersion},
                {"validation_time", ts},
                {"data", data_name.empty() ? Json(nullptr) : Json(data_name)},
                {"row_count", element_count},
                {"scans", scans}}}};
  return pretty ? doc.dump(2) + "\n" : doc.dump();
}

std::string ValidationResult::ToText(bool color) const {
  const char* red = color ? "\033[31m" : "";
  const char* green = color ? "\033[32m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out = std::string(success ? green : red) + (success ? "PASSED" : "FAILED") + reset +
                    "  suite '" + suite_name + "': " + std::to_string(successful) + " of " +
                    std::to_string(evaluated) + " expectations met";
  if (element_count > 0) out += ", " + Thousands(element_count) + " rows";
  out += "\n";
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : results) {
      if (r.success != (pass == 1)) continue;
      std::string name = r.type + (r.column.empty() ? "" : "(" + r.column + ")");
      out += std::string(r.success ? green : red) + (r.success ? "  ok    " : "  FAIL  ") + reset +
             name;
      if (r.raised_exception) {
        out += ": error: " + r.exception_message;
      } else if (!r.success && r.unexpected_count > 0) {
        out += ": " + Thousands(r.unexpected_count) + " unexpected (" +
               PercentText(r.unexpected_percent) + ")";
        std::string sample = SampleText(r.partial_unexpected, 5);
        if (!sample.empty()) out += ", e.g. " + sample;
      } else if (!r.observed_value.empty()) {
        out += ": observed " + ShortValue(Json::parse(r.observed_value));
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace strata::quality
