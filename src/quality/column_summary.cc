// Column summaries for the HTML report: how each checked column is distributed, from a
// reservoir sample of at most 100,000 rows (one more pass over the data, only when asked
// for), as equal-width bins for numbers and the most frequent values for the rest.
#include "quality/column_summary.h"

#include <atomic>

namespace strata::quality::detail {
namespace {

constexpr int64_t kSampleRows = 100000;
constexpr int kBins = 20;
constexpr int kTopValues = 8;

}  // namespace

Result<std::vector<ColumnSummary>> SummarizeColumns(engine::Connection* conn, const DataInfo& data,
                                                    const std::vector<std::string>& columns) {
  std::vector<ColumnSummary> out;
  if (columns.empty()) return out;
  static std::atomic<int> counter{0};
  const std::string sample = "__strata_summary_sample_" + std::to_string(++counter);
  std::string select;
  for (const std::string& c : columns) select += (select.empty() ? "" : ", ") + Quote(c);
  STRATA_RETURN_NOT_OK(conn->Execute("CREATE TEMP TABLE " + sample + " AS SELECT " + select +
                                     " FROM (" + data.sql + ") AS _d USING SAMPLE reservoir(" +
                                     std::to_string(kSampleRows) + " ROWS) REPEATABLE (7)"));
  auto summarize = [&]() -> Result<std::vector<ColumnSummary>> {
    // First the counts and ranges, then bins over those ranges and the top values.
    std::string stats = "count(*)";
    for (const std::string& c : columns) {
      const std::string q = Quote(c);
      stats += ", count(" + q + "), approx_count_distinct(" + q + ")";
      if (data.IsNumeric(c))
        stats += ", min(CAST(" + q + " AS DOUBLE)), max(CAST(" + q + " AS DOUBLE))";
    }
    STRATA_ASSIGN_OR_RETURN(DataFrame st, conn->Collect("SELECT " + stats + " FROM " + sample));
    const int64_t rows = st.column(0).GetInt64(0);
    size_t at = 1;
    std::string shapes;
    for (const std::string& c : columns) {
      ColumnSummary s;
      s.name = c;
      s.type = data.Find(c)->sql_type;
      s.rows = rows;
      s.nulls = rows - st.column(at++).GetInt64(0);
      s.distinct = st.column(at++).GetInt64(0);
      s.numeric = data.IsNumeric(c);
      const std::string q = Quote(c);
      if (s.numeric) {
        const Column& lo = st.column(at++);
        const Column& hi = st.column(at++);
        if (!lo.IsNull(0)) s.min = lo.GetDouble(0), s.max = hi.GetDouble(0);
        const std::string bin =
            s.max > s.min
                ? "CAST(least(floor((CAST(" + q + " AS DOUBLE) - " + SqlLiteral(Json(s.min)) +
                      ") / " + SqlLiteral(Json(s.max - s.min)) + " * " + std::to_string(kBins) +
                      "), " + std::to_string(kBins - 1) + ") AS INTEGER)"
                : "CASE WHEN " + q + " IS NOT NULL THEN 0 END";
        shapes += ", CAST(to_json(histogram(" + bin + ")) AS VARCHAR)";
      } else {
        shapes += ", (SELECT CAST(to_json(list({'v': v, 'n': n})) AS VARCHAR) FROM (SELECT CAST(" +
                  q + " AS VARCHAR) AS v, count(*) AS n FROM " + sample + " WHERE " + q +
                  " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + std::to_string(kTopValues) +
                  "))";
      }
      out.push_back(std::move(s));
    }
    STRATA_ASSIGN_OR_RETURN(DataFrame sh, conn->Collect("SELECT 1" + shapes + " FROM " + sample));
    for (size_t i = 0; i < out.size(); ++i) {
      const Column& col = sh.column(i + 1);
      if (col.IsNull(0)) continue;
      const Json parsed = ParseSqlJson(std::string(col.GetString(0)));
      ColumnSummary& s = out[i];
      if (s.numeric) {
        s.bins.assign(s.max > s.min ? kBins : 1, 0);
        for (const auto& [bin, count] : parsed.items()) {
          const size_t b = static_cast<size_t>(std::stoll(bin));
          if (b < s.bins.size() && count.is_number_integer()) s.bins[b] = count.get<int64_t>();
        }
      } else if (parsed.is_array()) {
        for (const Json& e : parsed) {
          const Json& v = e.at("v");
          s.top_values.emplace_back(v.is_string() ? v.get<std::string>() : v.dump(),
                                    e.at("n").get<int64_t>());
        }
      }
    }
    return out;
  };
  auto result = summarize();
  Status dropped = conn->Execute("DROP TABLE IF EXISTS " + sample);
  if (!result.ok()) return result.status();
  STRATA_RETURN_NOT_OK(dropped);
  return result;
}

}  // namespace strata::quality::detail
