// Quarantine: the rows that pass every row-level expectation apart from the rows that do
// not, each of those tagged with the expectations it fails.
#include "quality/prepare.h"

namespace strata::quality {

using detail::Json;

using detail::Label;
using detail::Prepare;
using detail::Prepared;
using detail::RowsSql;

Result<Quarantine> Split(const Frame& data, const Suite& suite) {
  ValidateOptions options;
  STRATA_ASSIGN_OR_RETURN(std::string data_sql, data.to_sql());
  STRATA_ASSIGN_OR_RETURN(auto conn, data.session()->database()->Connect());
  STRATA_ASSIGN_OR_RETURN(std::vector<Prepared> prepared, Prepare(suite, options, conn.get()));
  detail::DataInfo info;
  STRATA_ASSIGN_OR_RETURN(info.columns, conn->Describe(data_sql));
  info.sql = data_sql;
  info.conn = conn.get();
  detail::ScanPlan plan;
  std::string checks;
  for (size_t i = 0; i < prepared.size(); ++i) {
    Status st = prepared[i].kind->Bind(info);
    if (!st.ok()) return st.WithContext(Label(i, prepared[i].config.type));
    prepared[i].kind->args.row_verdicts = true;
    prepared[i].kind->Plan(&plan);
    std::string cond = prepared[i].kind->RowFailureSql();
    if (cond.empty()) continue;
    std::string name = prepared[i].config.type;
    if (!prepared[i].kind->column().empty()) name += "(" + prepared[i].kind->column() + ")";
    checks += (checks.empty() ? "" : ", ") + std::string("CASE WHEN ") + cond + " THEN " +
              engine::QuoteString(name) + " END";
  }
  std::string columns;
  for (const auto& c : info.columns)
    columns += (columns.empty() ? "" : ", ") + detail::Quote(c.name);
  std::string tagged = "SELECT " + columns + ", list_filter([" + checks +
                       "]::VARCHAR[], x -> x IS NOT NULL) AS failed_expectations FROM (" +
                       RowsSql(data_sql, plan) + ") AS _q";
  if (checks.empty())
    tagged = "SELECT " + columns + ", []::VARCHAR[] AS failed_expectations FROM (" + data_sql + ")";
  const auto& session = data.session();
  return Quarantine{
      session->sql("SELECT " + columns + " FROM (" + tagged +
                   ") WHERE len(failed_expectations) = 0"),
      session->sql("SELECT * FROM (" + tagged + ") WHERE len(failed_expectations) > 0")};
}

}  // namespace strata::quality
