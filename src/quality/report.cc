// A validation result for people and programs: GE's JSON, a terminal summary, an HTML page.
#include <cstdio>

#include "quality/expectation.h"
#include "strata/version.h"

namespace strata::quality {

using detail::Json;

namespace {

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

std::string Thousands(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

std::string ValidationResult::ToJson(bool pretty) const {
  Json results = Json::array();
  for (const auto& r : this->results) results.push_back(Json::parse(r.json));
  std::time_t now = std::time(nullptr);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
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

std::string ValidationResult::ToHtml() const {
  std::string rows;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : results) {
      if (r.success != (pass == 1)) continue;
      Json j = Json::parse(r.json);
      std::string detail;
      if (r.raised_exception)
        detail = "error: " + r.exception_message;
      else if (j["result"].contains("unexpected_count")) {
        detail = Thousands(r.unexpected_count) + " unexpected (" +
                 PercentText(r.unexpected_percent) + ")";
        std::string sample = SampleText(r.partial_unexpected, 10);
        if (!sample.empty()) detail += "; sample: " + sample;
      } else if (!r.observed_value.empty()) {
        detail = "observed " + ShortValue(Json::parse(r.observed_value));
      }
      rows += std::string("<tr class=\"") + (r.success ? "ok" : "fail") + "\"><td>" +
              (r.success ? "&#10003;" : "&#10007;") + "</td><td><code>" + HtmlEscape(r.type) +
              "</code></td><td>" + HtmlEscape(r.column) + "</td><td><code>" +
              HtmlEscape(j["expectation_config"]["kwargs"].dump()) + "</code></td><td>" +
              HtmlEscape(detail) + "</td></tr>\n";
    }
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Validation: " +
         HtmlEscape(suite_name) +
         "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
         "h1{font-size:1.4em}.badge{padding:.2em .6em;border-radius:.3em;color:#fff}"
         ".pass{background:#2a7}.failed{background:#c33}table{border-collapse:collapse;width:100%}"
         "td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}"
         "tr.fail td:first-child{color:#c33}tr.ok "
         "td:first-child{color:#2a7}code{font-size:.9em}</style></head>\n"
         "<body><h1>Suite <code>" +
         HtmlEscape(suite_name) + "</code> <span class=\"badge " +
         (success ? "pass\">PASSED" : "failed\">FAILED") + "</span></h1>\n<p>" +
         std::to_string(successful) + " of " + std::to_string(evaluated) + " expectations met" +
         (element_count > 0 ? " on " + Thousands(element_count) + " rows" : "") +
         ".</p>\n<table><tr><th></th><th>expectation</th><th>column</th><th>kwargs</th><th>result</"
         "th></tr>\n" +
         rows +
         "</table>\n<p><small>Made by Strata; results in Great Expectations' shape with "
         "<code>--format json</code>.</small></p></body></html>\n";
}

}  // namespace strata::quality
