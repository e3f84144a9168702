// expect_column_values_to_match_json_schema: each value is JSON text that the given JSON
// Schema accepts, checked by valijson (a maintained validator; draft 4 and 7 keywords)
// over nlohmann-json documents. A schema valijson cannot read is a configuration error;
// a value that is not JSON is unexpected. It runs inside the suite's one scan as the
// scalar SQL function strata_matches_json_schema(value, schema), which keeps the parsed
// schemas it has seen.
// valijson aborts the process on a bad schema unless told to throw instead.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <exception>
#include <map>
#include <memory>
#include <mutex>

#include "quality/families.h"

namespace strata::quality::detail {
namespace {

constexpr const char* kFunction = "strata_matches_json_schema";

using Plain = nlohmann::json;

Result<std::shared_ptr<const valijson::Schema>> ParseSchema(const std::string& text) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const valijson::Schema>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(text); it != cache.end()) return it->second;
  Plain doc = Plain::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::InvalidArgument("kwarg 'json_schema' must be a JSON Schema object");
  auto schema = std::make_shared<valijson::Schema>();
  try {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("kwarg 'json_schema' is not a valid schema: ") +
                                   e.what());
  }
  if (cache.size() > 64) cache.clear();
  cache.emplace(text, schema);
  return std::shared_ptr<const valijson::Schema>(schema);
}

bool Matches(const valijson::Schema& schema, std::string_view value) {
  Plain doc = Plain::parse(value, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return false;
  valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  try {
    return validator.validate(schema, target, nullptr);
  } catch (const std::exception&) {
    return false;
  }
}

engine::ScalarFunction TheFunction() {
  engine::ScalarFunction f;
  f.name = kFunction;
  f.arguments = {ValueKind::kString, ValueKind::kString};
  f.result = ValueKind::kBool;
  f.compute = [](const std::vector<Column>& args, size_t rows, Column* out) -> Status {
    std::shared_ptr<const valijson::Schema> schema;
    std::string schema_text;
    for (size_t r = 0; r < rows; ++r) {
      if (args[0].IsNull(r) || args[1].IsNull(r)) {
        out->AppendNull();
        continue;
      }
      if (!schema || args[1].GetString(r) != schema_text) {
        schema_text = std::string(args[1].GetString(r));
        STRATA_ASSIGN_OR_RETURN(schema, ParseSchema(schema_text));
      }
      out->AppendInt64(Matches(*schema, args[0].GetString(r)) ? 1 : 0);
    }
    return Status::OK();
  };
  return f;
}

class MatchJsonSchema final : public ColumnMapExpectation {
 public:
  using ColumnMapExpectation::ColumnMapExpectation;
  Status ConfigureKind(const Json& kwargs) override {
    if (!kwargs.contains("json_schema") || !kwargs["json_schema"].is_object())
      return Status::InvalidArgument("kwarg 'json_schema' must be a JSON Schema object");
    schema_ = kwargs["json_schema"].dump();
    return ParseSchema(schema_).status();
  }
  Status BindKind(const DataInfo& data) override {
    if (data.conn == nullptr) return Status::Internal("no connection to register the check on");
    return EnsureScalarFunction(data.conn, TheFunction());
  }
  std::string UnexpectedSql() const override {
    return std::string("NOT ") + kFunction + "(CAST(" + Col() + " AS VARCHAR), " +
           engine::QuoteString(schema_) + ")";
  }

 private:
  std::string schema_;
};

}  // namespace

void RegisterJsonSchemaKind(Registry* registry) {
  registry->Add<MatchJsonSchema>("expect_column_values_to_match_json_schema",
                                 {"column", "json_schema"});
}

}  // namespace strata::quality::detail
