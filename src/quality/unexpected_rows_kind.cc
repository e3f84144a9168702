// unexpected_rows_expectation (GE 1.2's UnexpectedRowsExpectation): a SQL query over
// {batch} whose rows are the unexpected ones; success when it returns none. The query
// must be one SELECT statement (checked by DuckDB's parser and pasted as DuckDB renders
// it), and runs inside the suite's one scan as two scalar subqueries: its row count and
// its first rows.
#include "quality/families.h"

namespace strata::quality::detail {
namespace {

constexpr const char* kBatch = "__strata_batch";
constexpr int kRowsShown = 200;  // GE returns the query's rows; this many at most

class UnexpectedRows final : public ExpectationKind {
 public:
  explicit UnexpectedRows(const std::string& /*type*/) {}
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "unexpected_rows_query", &query_));
    if (query_.find("{batch}") == std::string::npos) {
      return Status::InvalidArgument(
          "kwarg 'unexpected_rows_query' must read the data as {batch}, such as SELECT * FROM "
          "{batch} WHERE amount < 0");
    }
    return OptionalString(kwargs, "description", &description_);
  }
  Status Bind(const DataInfo& data) override {
    std::string text = query_;
    for (size_t at = text.find("{batch}"); at != std::string::npos; at = text.find("{batch}"))
      text.replace(at, 7, kBatch);
    if (data.conn == nullptr) return Status::Internal("no connection to parse the query on");
    STRATA_ASSIGN_OR_RETURN(std::string rendered, engine::ParseSelectQuery(data.conn, text));
    // DuckDB renders the placeholder as it was written: each use reads the data.
    const std::string batch = "(" + data.sql + ")";
    for (size_t at = rendered.find(kBatch); at != std::string::npos;
         at = rendered.find(kBatch, at + batch.size()))
      rendered.replace(at, std::string(kBatch).size(), batch);
    sql_ = rendered;
    return Status::OK();
  }
  void Plan(ScanPlan* plan) override {
    count_ = plan->Aggregate("(SELECT count(*) FROM (" + sql_ + ") AS _u)");
    rows_ = plan->Aggregate("(SELECT CAST(to_json(list(_u)) AS VARCHAR) FROM (SELECT * FROM (" +
                            sql_ + ") LIMIT " + std::to_string(kRowsShown) + ") AS _u)");
  }
  Json Evaluate(const ScanValues& values) override {
    const int64_t n = values.Int(count_);
    Json rows = Json::array();
    Json raw = values.Get(rows_);
    if (raw.is_string()) {
      Json parsed = ParseSqlJson(raw.get<std::string>());
      if (parsed.is_array()) rows = parsed;
    }
    Json result = {
        {"observed_value", std::to_string(n) + " unexpected " + (n == 1 ? "row" : "rows")}};
    if (args.result_format != ResultFormat::kBooleanOnly)
      result["details"] = {{"unexpected_rows", rows}};
    return {{"success", n == 0}, {"result", result}};
  }

 private:
  std::string query_, description_, sql_;
  int count_ = 0, rows_ = 0;
};

}  // namespace

void RegisterUnexpectedRowsKind(Registry* registry) {
  registry->Add<UnexpectedRows>("unexpected_rows_expectation", {"unexpected_rows_query"});
}

}  // namespace strata::quality::detail
