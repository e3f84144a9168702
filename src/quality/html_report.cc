// The validation report as one self-contained HTML page, in the spirit of GE's Data Docs:
// what was validated, when, by which version, over how many rows; a summary bar; failed
// expectations first with the numbers a reader looks for (observed value, unexpected count
// and percent, sample values) before the kwargs, which are folded; a small inline-SVG chart
// per checked column. No script and no network: a Content-Security-Policy forbids both.
// The layout reflows from 375 px (phones) to 1920 px wide screens.
#include <algorithm>
#include <cstdio>

#include "common/time_format.h"
#include "quality/report_text.h"
#include "strata/version.h"

namespace strata::quality {

using detail::HtmlEscape;
using detail::Json;
using detail::Number;
using detail::PercentText;
using detail::SampleText;
using detail::Thousands;

namespace {

constexpr const char* kStyle = R"css(
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f5f6f8;line-height:1.4}
main{max-width:1180px;margin:0 auto;padding:16px}
header h1{font-size:1.35rem;margin:0 0 4px;overflow-wrap:anywhere}
.badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-size:.85rem;font-weight:600;vertical-align:middle}
.badge.pass{background:#1f8a4c}.badge.fail{background:#c62f2f}
.facts{display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0 10px;font-size:.9rem;color:#444}
.facts b{color:#1d2330}
.bar{display:flex;height:14px;border-radius:7px;overflow:hidden;background:#ddd;margin:4px 0}
.bar .ok{background:#1f8a4c}.bar .ko{background:#c62f2f}
.summary{font-size:1rem;margin:0 0 14px}
h2{font-size:1.05rem;margin:18px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:10px}
.card{background:#fff;border:1px solid #dde1e7;border-left:5px solid #1f8a4c;border-radius:6px;padding:10px 12px;min-width:0}
.card.fail{border-left-color:#c62f2f}
.card h3{font-size:.92rem;margin:0 0 6px;font-weight:600;overflow-wrap:anywhere}
.card h3 .col{color:#555;font-weight:400}
.nums{display:flex;flex-wrap:wrap;gap:4px 16px;margin:4px 0}
.num{font-size:1.15rem;font-weight:700}
.num small{display:block;font-size:.72rem;font-weight:400;color:#666}
.fail .num.bad{color:#c62f2f}
.samples{margin:6px 0 2px;font-size:.82rem;color:#333;overflow-wrap:anywhere}
.samples code{background:#f0f1f4;border-radius:3px;padding:0 4px;margin:0 4px 2px 0;display:inline-block}
.error{color:#c62f2f;font-size:.85rem;overflow-wrap:anywhere}
details{margin-top:6px;font-size:.8rem}
details pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f9;padding:6px;border-radius:4px;margin:4px 0 0}
.passed .card{padding:6px 12px}
.chart svg{width:100%;height:70px;display:block}
.chart .axis{display:flex;justify-content:space-between;font-size:.72rem;color:#666}
.topv{font-size:.8rem;width:100%;border-collapse:collapse}
.topv td{padding:1px 4px;vertical-align:middle}
.topv td.v{max-width:9em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.topv .b{background:#4a6fa5;height:10px;border-radius:2px}
footer{font-size:.78rem;color:#666;margin:18px 0 4px}
)css";

// A value from the result JSON as a reader wants it: numbers shortened, text unquoted.
std::string Display(const Json& v) {
  if (v.is_number_float()) return Number(v.get<double>());
  if (v.is_number_integer()) return Thousands(v.get<int64_t>());
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

std::string Card(const ExpectationResult& r) {
  const Json j = Json::parse(r.json);
  const Json& result = j.contains("result") ? j.at("result") : Json::object();
  std::string html =
      std::string("<article class=\"card ") + (r.success ? "ok" : "fail") + "\"><h3>" +
      (r.success ? "&#10003; " : "&#10007; ") + HtmlEscape(r.type) +
      (r.column.empty() ? "" : " <span class=\"col\">" + HtmlEscape(r.column) + "</span>") +
      "</h3>";
  if (r.raised_exception) {
    html += "<p class=\"error\">error: " + HtmlEscape(r.exception_message) + "</p>";
  } else {
    std::string nums;
    if (result.contains("unexpected_count")) {
      nums += "<div class=\"num bad unexpected\">" + Thousands(r.unexpected_count) +
              "<small>unexpected</small></div><div class=\"num bad\">" +
              PercentText(r.unexpected_percent) + "<small>of values</small></div>";
    }
    if (result.contains("element_count"))
      nums += "<div class=\"num\">" + Thousands(result.at("element_count").get<int64_t>()) +
              "<small>rows</small></div>";
    if (result.contains("observed_value"))
      nums += "<div class=\"num observed\">" + HtmlEscape(Display(result.at("observed_value"))) +
              "<small>observed</small></div>";
    if (!nums.empty()) html += "<div class=\"nums\">" + nums + "</div>";
    if (!r.success && !SampleText(r.partial_unexpected, 10).empty()) {
      html += "<div class=\"samples\">sample:";
      for (size_t i = 0; i < r.partial_unexpected.size() && i < 10; ++i)
        html += " <code>" + HtmlEscape(Display(Json::parse(r.partial_unexpected[i]))) + "</code>";
      html += "</div>";
    }
  }
  const Json kwargs =
      j.contains("expectation_config") && j.at("expectation_config").contains("kwargs")
          ? j.at("expectation_config").at("kwargs")
          : Json::object();
  html += "<details><summary>kwargs</summary><pre>" + HtmlEscape(kwargs.dump(2)) +
          "</pre></details></article>\n";
  return html;
}

// Bars as inline SVG: equal-width bins of a numeric column.
std::string Histogram(const ColumnSummary& s) {
  int64_t top = 1;
  for (int64_t b : s.bins) top = std::max(top, b);
  const double w = 100.0 / static_cast<double>(std::max<size_t>(s.bins.size(), 1));
  std::string bars;
  for (size_t i = 0; i < s.bins.size(); ++i) {
    const double h = 68.0 * static_cast<double>(s.bins[i]) / static_cast<double>(top);
    bars += "<rect x=\"" + Number(w * static_cast<double>(i) + w * 0.08) + "\" y=\"" +
            Number(70 - h) + "\" width=\"" + Number(w * 0.84) + "\" height=\"" + Number(h) +
            "\" fill=\"#4a6fa5\"><title>" + Thousands(s.bins[i]) + "</title></rect>";
  }
  return "<svg viewBox=\"0 0 100 70\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"" +
         HtmlEscape(s.name) + " histogram\">" + bars + "</svg><div class=\"axis\"><span>" +
         Number(s.min) + "</span><span>" + Number(s.max) + "</span></div>";
}

std::string TopValues(const ColumnSummary& s) {
  int64_t top = 1;
  for (const auto& [v, n] : s.top_values) top = std::max(top, n);
  std::string rows;
  for (const auto& [v, n] : s.top_values) {
    rows += "<tr><td class=\"v\" title=\"" + HtmlEscape(v) + "\">" + HtmlEscape(v) +
            "</td><td style=\"width:60%\"><div class=\"b\" style=\"width:" +
            Number(100.0 * static_cast<double>(n) / static_cast<double>(top)) +
            "%\"></div></td><td>" + Thousands(n) + "</td></tr>";
  }
  return "<table class=\"topv\">" + rows + "</table>";
}

std::string ColumnCard(const ColumnSummary& s) {
  const double null_pct =
      s.rows == 0 ? 0.0 : 100.0 * static_cast<double>(s.nulls) / static_cast<double>(s.rows);
  return "<article class=\"card chart\"><h3>" + HtmlEscape(s.name) + " <span class=\"col\">" +
         HtmlEscape(s.type) + "</span></h3><div class=\"nums\"><div class=\"num\">" +
         PercentText(null_pct) + "<small>null</small></div><div class=\"num\">~" +
         Thousands(s.distinct) + "<small>distinct</small></div></div>" +
         (s.numeric ? Histogram(s) : TopValues(s)) + "</article>\n";
}

}  // namespace

std::string ValidationResult::ToHtml() const {
  std::string failed_cards, passed_cards;
  for (const auto& r : results) (r.success ? passed_cards : failed_cards) += Card(r);
  const double ok_pct = evaluated == 0 ? 100.0 : 100.0 * successful / evaluated;
  const std::string title = data_name.empty() ? "suite " + suite_name : data_name;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\">"
      "<title>Validation of " +
      HtmlEscape(title) + "</title><style>" + kStyle +
      "</style></head>\n<body><main>\n<header><h1>" + HtmlEscape(title) + " <span class=\"badge " +
      (success ? "pass\">PASSED" : "fail\">FAILED") +
      "</span></h1><div class=\"facts\"><span>suite <b>" + HtmlEscape(suite_name) +
      "</b></span><span>data <b>" + HtmlEscape(data_name.empty() ? "-" : data_name) +
      "</b></span><span>rows <b>" + (element_count > 0 ? Thousands(element_count) : "-") +
      "</b></span><span>validated <b>" +
      HtmlEscape(IsoTimeMs(validated_at_ms != 0 ? validated_at_ms : NowMs())) +
      "</b></span><span>Strata <b>" + kVersion + "</b></span></div></header>\n" +
      "<section id=\"summary\"><div class=\"bar\" title=\"" + Number(ok_pct) +
      "% met\"><div class=\"ok\" style=\"width:" + Number(ok_pct) +
      "%\"></div><div class=\"ko\" style=\"width:" + Number(100 - ok_pct) +
      "%\"></div></div><p class=\"summary\"><b>" + std::to_string(successful) + " of " +
      std::to_string(evaluated) + "</b> expectations met, <b>" + std::to_string(unsuccessful) +
      "</b> failed</p></section>\n";
  if (!failed_cards.empty())
    html += "<section id=\"failed\"><h2>Failed</h2><div class=\"cards\">" + failed_cards +
            "</div></section>\n";
  if (!passed_cards.empty())
    html += "<section id=\"passed\" class=\"passed\"><h2>Met</h2><div class=\"cards\">" +
            passed_cards + "</div></section>\n";
  if (!columns.empty()) {
    std::string cards;
    for (const ColumnSummary& s : columns) cards += ColumnCard(s);
    const int64_t sampled = columns.front().rows;
    html += "<section id=\"columns\"><h2>Columns <small>(" +
            (element_count > sampled ? "a sample of " + Thousands(sampled) + " rows"
                                     : Thousands(sampled) + " rows") +
            ")</small></h2><div class=\"cards\">" + cards + "</div></section>\n";
  }
  html += "<footer>Made by Strata " + std::string(kVersion) +
          ". The same results in Great Expectations' JSON shape: <code>strata validate ... "
          "--format json</code>.</footer>\n</main></body></html>\n";
  return html;
}

}  // namespace strata::quality
