// Runs Great Expectations' test definitions against Strata: strata_ge_conformance DIR
//
// DIR holds expect_*.json files (GE's tests/test_definitions format; see
// tests/conformance/README.md), in it or in subfolders at any depth (GE's own layout).
// The files are read as GE's Python-written JSON, so NaN, Infinity and -Infinity are
// values: NaN in data is a missing value (as pandas loads it), ±Infinity a double, and in
// kwargs ±Infinity is an open bound (null).
//
// Every test runs and passes or fails, except:
//   - backend-specific tests. Where GE's backends differ, Strata follows pandas and
//     SQLite (GE's reference backends): a test runs when it has no `only_for`, or its
//     `only_for` names pandas (any version but GE's removed V2 API, `*_v2_api`, whose
//     result shape is gone) or sqlite, or names sqlalchemy (every SQL dialect) without
//     being suppressed for sqlite. Tests only for other engines (postgresql, mysql, trino,
//     mssql, snowflake, redshift, bigquery, spark) encode that engine's dialect or
//     rounding: T-SQL's [a] LIKE classes, exact bounds on a standard deviation that
//     PostgreSQL rounds to 1.1547005383792515 where pandas and SQLite give ...517. A test
//     suppressed for pandas and for sqlite (or sqlalchemy) is skipped too;
//   - pandas-only tests over a column that mixes numbers and text (pandas' object dtype),
//     which no typed column can hold;
//   - tests whose semantics are one backend's type system: a test of
//     expect_column_values_to_be_of_type or _in_type_list runs only when its `only_for`
//     names sqlite or sqlalchemy (SQL type names as DuckDB knows them); the others name
//     pandas dtypes, Python classes or another database's types (DOUBLE_PRECISION, BIT).
// Each skip prints its reason. An expectation type Strata does not implement counts as a
// failure for each of its tests; a file that cannot be read or parsed is a failure naming
// it, and the run goes on. No test found is an error (exit 2). The last line is
// "N passed, N failed, N skipped"; exit 0 only with no failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "strata/quality.h"

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using namespace strata;

namespace {

// GE's JSON is written by Python: NaN, Infinity and -Infinity may stand where a number
// does. They become null (NaN: missing, as pandas loads it) and the strings kPosInf /
// kNegInf, which the loader turns into doubles.
const char* kPosInf = "__strata_+inf__";
const char* kNegInf = "__strata_-inf__";

std::string PythonJsonToJson(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
    } else if (text.compare(i, 3, "NaN") == 0) {
      out += "null";
      i += 2;
    } else if (text.compare(i, 8, "Infinity") == 0) {
      out += std::string("\"") + kPosInf + "\"";
      i += 7;
    } else if (text.compare(i, 9, "-Infinity") == 0) {
      out += std::string("\"") + kNegInf + "\"";
      i += 8;
    } else {
      out += c;
    }
  }
  return out;
}

bool IsInfinity(const Json& v) { return v.is_string() && (v == kPosInf || v == kNegInf); }

// A list whose infinite entries are written as strings, with them as numbers.
Json EdgesAsNumbers(const Json& list) {
  Json out = list;
  for (Json& v : out) {
    if (v == kPosInf || v == "Infinity") v = HUGE_VAL;
    if (v == kNegInf || v == "-Infinity") v = -HUGE_VAL;
  }
  return out;
}

// Infinite values as a suite file writes them in JSON: "Infinity" and "-Infinity".
void SpellInfinity(Json* v) {
  if (IsInfinity(*v)) {
    *v = *v == kPosInf ? "Infinity" : "-Infinity";
  } else if (v->is_object() || v->is_array()) {
    for (auto& item : *v) SpellInfinity(&item);
  }
}

// In kwargs an infinite bound is no bound; a partition's infinite bin edges stay (the
// KL divergence expectation reads "Infinity" and "-Infinity" there).
void OpenInfiniteBounds(Json* v) {
  if (IsInfinity(*v)) {
    *v = nullptr;
  } else if (v->is_object()) {
    for (auto& [key, item] : v->items()) {
      if (key == "partition_object") {
        SpellInfinity(&item);
      } else {
        OpenInfiniteBounds(&item);
      }
    }
  } else if (v->is_array()) {
    for (auto& item : *v) OpenInfiniteBounds(&item);
  }
}

std::string DuckType(const std::string& sqlite_type) {
  std::string t = sqlite_type;
  std::transform(t.begin(), t.end(), t.begin(), ::toupper);
  if (t == "INTEGER" || t == "INT") return "INTEGER";
  if (t == "BIGINT") return "BIGINT";
  if (t == "FLOAT" || t == "REAL" || t == "DOUBLE" || t == "NUMERIC" || t == "DECIMAL")
    return "DOUBLE";
  if (t == "BOOLEAN" || t == "BOOL") return "BOOLEAN";
  if (t == "DATETIME" || t == "TIMESTAMP") return "TIMESTAMP";
  if (t == "DATE") return "DATE";
  return "VARCHAR";
}

std::string PandasType(const std::string& dtype) {
  if (dtype.rfind("datetime64", 0) == 0) return "TIMESTAMP";
  if (dtype.find("int") != std::string::npos || dtype.find("Int") != std::string::npos)
    return "BIGINT";
  if (dtype.find("float") != std::string::npos) return "DOUBLE";
  if (dtype == "bool" || dtype == "boolean") return "BOOLEAN";
  return "VARCHAR";
}

std::string SparkType(const std::string& t) {
  if (t == "TimestampType") return "TIMESTAMP";
  if (t == "DateType") return "DATE";
  if (t == "IntegerType" || t == "LongType" || t == "ShortType") return "BIGINT";
  if (t == "DoubleType" || t == "FloatType" || t.rfind("DecimalType", 0) == 0) return "DOUBLE";
  if (t == "BooleanType") return "BOOLEAN";
  return "VARCHAR";
}

std::string InferType(const Json& values) {
  bool ints = true, nums = true, bools = true, any = false;
  for (const Json& v : values) {
    if (v.is_null()) continue;
    any = true;
    ints = ints && v.is_number_integer();
    nums = nums && (v.is_number() || IsInfinity(v));
    bools = bools && v.is_boolean();
  }
  if (!any) return "VARCHAR";
  if (bools) return "BOOLEAN";
  if (ints) return "BIGINT";
  if (nums) return "DOUBLE";
  return "VARCHAR";
}

std::string Literal(const Json& v, const std::string& type) {
  if (v.is_null()) return "CAST(NULL AS " + type + ")";
  if (IsInfinity(v)) return std::string("CAST('") + (v == kPosInf ? "" : "-") + "inf' AS DOUBLE)";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  quoted += "'";
  if (type == "TIMESTAMP" || type == "DATE") {
    // GE loads datetimes with pandas, which reads formats such as "Jan 01 1970 12:00:01".
    return "coalesce(TRY_CAST(" + quoted + " AS " + type + "), CAST(try_strptime(" + quoted +
           ", '%b %d %Y %H:%M:%S') AS " + type + "))";
  }
  if (type == "VARCHAR") return quoted;
  return "TRY_CAST(" + quoted + " AS " + type + ")";
}

// Creates table `name` from a dataset's columns; returns false if it cannot.
std::string CreateTable(const Json& dataset, const std::string& name) {
  const Json& data = dataset.at("data");
  if (!data.is_object())  // GE's multi-table form (a list of datasets) is not read yet
    return "SELECT error('the dataset\'s data is not one table of columns')";
  // The sqlite schema where present, else the pandas one, else inferred from the values.
  // (With neither, a Spark schema still says which columns hold timestamps.)
  Json schema, pandas, spark;
  if (dataset.contains("schemas") && dataset["schemas"].contains("sqlite"))
    schema = dataset["schemas"]["sqlite"];
  else if (dataset.contains("schemas") && dataset["schemas"].contains("pandas"))
    pandas = dataset["schemas"]["pandas"];
  else if (dataset.contains("schemas") && dataset["schemas"].contains("spark"))
    spark = dataset["schemas"]["spark"];
  std::vector<std::string> cols, types;
  size_t rows = 0;
  for (const auto& [col, values] : data.items()) {
    cols.push_back(col);
    std::string type =
        schema.is_object() && schema.contains(col)   ? DuckType(schema[col].get<std::string>())
        : pandas.is_object() && pandas.contains(col) ? PandasType(pandas[col].get<std::string>())
        : spark.is_object() && spark.contains(col)   ? SparkType(spark[col].get<std::string>())
                                                     : InferType(values);
    // Values given as text stay text (GE's tests expect string-to-number comparisons to
    // fail), and a column of nulls only is numeric.
    bool any_string = false, all_null = true;
    for (const Json& v : values) {
      any_string = any_string || (v.is_string() && !IsInfinity(v));
      all_null = all_null && v.is_null();
    }
    if (any_string && type != "TIMESTAMP" && type != "DATE") type = "VARCHAR";
    if (all_null) type = "DOUBLE";
    types.push_back(type);
    rows = std::max(rows, values.size());
  }
  std::string defs;
  for (size_t c = 0; c < cols.size(); ++c)
    defs += (c ? ", " : "") + engine::QuoteIdentifier(cols[c]) + " " + types[c];
  std::string sql = "CREATE TABLE " + name + " (" + defs + ");";
  if (rows > 0) {
    std::string values;
    for (size_t r = 0; r < rows; ++r) {
      std::string row;
      for (size_t c = 0; c < cols.size(); ++c) {
        const Json& col = data[cols[c]];
        row += (c ? ", " : "") + Literal(r < col.size() ? col[r] : Json(nullptr), types[c]);
      }
      values += (r ? ", (" : "(") + row + ")";
    }
    sql += " INSERT INTO " + name + " VALUES " + values + ";";
  }
  return sql;
}

bool Near(double a, double b, double tol) {
  if (a == b) return true;
  double scale = std::max(std::abs(a), std::abs(b));
  return std::abs(a - b) <= std::max(tol * scale, 1e-12);
}

bool Same(const Json& want, const Json& got, double tol);

// Lists compared as multisets.
bool SameMultiset(const Json& want, const Json& got, double tol) {
  if (!want.is_array() || !got.is_array() || want.size() != got.size()) return false;
  std::vector<bool> used(got.size(), false);
  for (const Json& w : want) {
    bool found = false;
    for (size_t i = 0; i < got.size() && !found; ++i) {
      if (!used[i] && Same(w, got[i], tol)) used[i] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

bool Same(const Json& want, const Json& got, double tol) {
  if (want.is_number() && got.is_number()) return Near(want.get<double>(), got.get<double>(), tol);
  if (want.is_string() && got.is_string()) {
    std::string a = want.get<std::string>(), b = got.get<std::string>();
    if (a == b) return true;
    // Timestamps: "2000-01-01T00:00:00" vs "2000-01-01 00:00:00".
    std::replace(a.begin(), a.end(), 'T', ' ');
    std::replace(b.begin(), b.end(), 'T', ' ');
    return a == b;
  }
  if (want.is_array() && got.is_array()) {
    if (want.size() != got.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      if (!Same(want[i], got[i], tol)) return false;
    }
    return true;
  }
  if (want.is_object() && got.is_object()) {
    for (const auto& [k, v] : want.items()) {
      if (!got.contains(k) || !Same(v, got[k], tol)) return false;
    }
    return true;
  }
  return want == got;
}

struct Outcome {
  std::string problem;  // empty: passed
};

std::string RunTest(const std::string& type, const Json& test,
                    const std::shared_ptr<Session>& session, const std::string& table) {
  Json kwargs = Json::object();
  const Json& in = test.at("in");
  if (in.is_array()) {
    std::vector<std::string> names = quality::PositionalArguments(type);
    for (size_t i = 0; i < in.size() && i < names.size(); ++i) kwargs[names[i]] = in[i];
  } else {
    kwargs = in;
  }
  if (test.contains("kwargs") && test["kwargs"].is_object()) {
    for (const auto& [k, v] : test.at("kwargs").items()) kwargs[k] = v;
  }
  OpenInfiniteBounds(&kwargs);
  quality::ValidateOptions options;
  std::string rf = test.contains("result_format") && test["result_format"].is_string()
                       ? test.at("result_format").get<std::string>()
                       : "COMPLETE";
  if (!kwargs.contains("result_format")) kwargs["result_format"] = rf;
  quality::Suite suite("conformance");
  suite.Add(type, kwargs.dump());
  auto result = quality::Validate(session->sql("SELECT * FROM " + table), suite, options);
  const Json& out = test.at("out");
  bool want_error =
      (test.contains("error") && !test.at("error").is_null() && test.at("error") != false) ||
      (out.is_object() && out.contains("traceback_substring"));
  if (!result.ok()) {
    if (want_error) return "";
    return "error: " + result.status().ToString();
  }
  const auto& r = result->results[0];
  if (want_error) {
    if (r.raised_exception) return "";
    return "expected an error, got success=" + std::string(r.success ? "true" : "false");
  }
  if (r.raised_exception) return "exception: " + r.exception_message;
  Json got = Json::parse(r.json);
  double tol = test.value("tolerance", 1e-9);
  for (const auto& [key, want] : out.items()) {
    if (key == "success") {
      if (got["success"] != want)
        return "success " + got["success"].dump() + ", expected " + want.dump();
    } else if (key == "observed_value") {
      if (!Same(want, got["result"].value("observed_value", Json()), tol)) {
        return "observed_value " + got["result"].value("observed_value", Json()).dump() +
               ", expected " + want.dump();
      }
    } else if (key == "unexpected_list" || key == "unexpected_index_list") {
      Json have = got["result"].value(key, Json::array());
      if (!SameMultiset(want, have, tol))
        return key + " " + have.dump() + ", expected " + want.dump();
    } else if (key == "result") {
      for (const auto& [k, v] : want.items()) {
        Json have = got["result"].value(k, Json());
        bool ok = v.is_array() ? SameMultiset(v, have, tol) : Same(v, have, tol);
        if (!ok) return "result." + k + " " + have.dump() + ", expected " + v.dump();
      }
    } else if (key == "value_counts") {
      Json have = got["result"].contains("details")
                      ? got["result"]["details"].value("value_counts", Json())
                      : Json();
      if (!SameMultiset(want, have, tol))
        return "value_counts " + have.dump() + ", expected " + want.dump();
    } else if (key == "details") {
      Json have = got["result"].value("details", Json());
      if (!Same(want, have, tol)) return "details " + have.dump() + ", expected " + want.dump();
    } else if (key == "observed_partition" || key == "expected_partition") {
      // GE compares bins, weights and (when the result has them) tail_weights numerically.
      Json have = got["result"].contains("details")
                      ? got["result"]["details"].value(key, Json::object())
                      : Json::object();
      for (const char* part : {"bins", "weights", "tail_weights"}) {
        if (!want.contains(part) || (!have.contains(part) && std::string(part) == "tail_weights"))
          continue;
        if (!have.contains(part) ||
            !Same(EdgesAsNumbers(want.at(part)), EdgesAsNumbers(have.at(part)), 1e-5))
          return key + "." + part + " " + (have.contains(part) ? have.at(part).dump() : "none") +
                 ", expected " + want.at(part).dump();
      }
    } else if (key == "observed_value_list") {
      continue;  // pandas dtype names; the success flag decides
    } else {
      return "cannot compare output key '" + key + "'";
    }
  }
  return "";
}

bool IsPandas(const std::string& b) {
  return b.rfind("pandas", 0) == 0 && b.find("_v2_api") == std::string::npos;
}

// Whether a dataset column holds both numbers and text (pandas' object dtype).
bool MixesNumbersAndText(const Json& dataset) {
  if (!dataset.contains("data") || !dataset["data"].is_object()) return false;
  for (const auto& [name, values] : dataset["data"].items()) {
    bool number = false, text = false;
    for (const Json& v : values) {
      number = number || v.is_number();
      text = text || (v.is_string() && !IsInfinity(v));
    }
    if (number && text) return true;
  }
  return false;
}

std::vector<std::string> Backends(const Json& test, const char* key) {
  std::vector<std::string> out;
  if (test.contains(key) && test[key].is_array()) {
    for (const Json& b : test[key]) {
      if (b.is_string()) out.push_back(b.get<std::string>());
    }
  }
  return out;
}

// A key's value as JSON text; "[]" when the test does not have it (operator[] on a const
// object must not be asked for a missing key).
std::string ListText(const Json& test, const char* key) {
  return test.contains(key) ? test.at(key).dump() : "[]";
}

std::string SkipReason(const std::string& type, const Json& dataset, const Json& test) {
  const std::vector<std::string> only = Backends(test, "only_for");
  const std::vector<std::string> suppressed = Backends(test, "suppress_test_for");
  auto any = [](const std::vector<std::string>& list, auto pred) {
    return std::any_of(list.begin(), list.end(), pred);
  };
  if (type == "expect_column_values_to_be_of_type" ||
      type == "expect_column_values_to_be_in_type_list") {
    if (!any(only, [](const std::string& b) { return b == "sqlite" || b == "sqlalchemy"; }))
      return "types of another backend's type system: only for " + ListText(test, "only_for");
  }
  const bool for_sqlite = any(only, [](const std::string& b) { return b == "sqlite"; });
  const bool not_sqlite = any(suppressed, [](const std::string& b) { return b == "sqlite"; });
  const bool for_sql =
      for_sqlite ||
      (any(only, [](const std::string& b) { return b == "sqlalchemy"; }) && !not_sqlite);
  if (!only.empty() && !any(only, IsPandas) && !for_sql)
    return "backend-specific: only for " + ListText(test, "only_for") +
           (test.contains("suppress_test_for")
                ? ", suppressed for " + ListText(test, "suppress_test_for")
                : "");
  if (!only.empty() && std::all_of(only.begin(), only.end(), IsPandas) &&
      MixesNumbersAndText(dataset))
    return "pandas object column mixing numbers and text";
  if (any(suppressed, IsPandas) &&
      any(suppressed, [](const std::string& b) { return b == "sqlite" || b == "sqlalchemy"; }))
    return "suppressed for " + ListText(test, "suppress_test_for");
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const char* env = std::getenv("STRATA_GE_CONFORMANCE");
  std::string root = argc > 1 ? argv[1] : (env != nullptr ? env : "");
  if (root.empty() || !fs::is_directory(root)) {
    std::fprintf(stderr, "usage: strata_ge_conformance DIR (or STRATA_GE_CONFORMANCE=DIR)\n");
    return 2;
  }
  auto session = Session::Open();
  if (!session.ok()) return 2;
  auto conn = (*session)->database()->Connect();
  if (!conn.ok()) return 2;
  std::vector<std::string> implemented = quality::ExpectationTypes();
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0, skipped = 0, table_no = 0;
  for (const auto& file : files) {
    Json doc;
    std::string problem;
    try {
      std::ifstream in(file);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      doc = Json::parse(PythonJsonToJson(text));
      if (!doc.is_object() || !doc.contains("datasets") || !doc["datasets"].is_array())
        problem = "no \"datasets\" list";
    } catch (const Json::exception& e) {
      problem = e.what();
    }
    if (!problem.empty()) {
      std::printf("FAIL %s: cannot be read as a test definition: %s\n", file.c_str(),
                  problem.c_str());
      ++failed;
      continue;
    }
    const std::string type = doc.value("expectation_type", "");
    const bool known = std::find(implemented.begin(), implemented.end(), type) != implemented.end();
    std::printf("%s (%s)\n", type.c_str(), fs::relative(file, root).c_str());
    for (const Json& dataset : doc["datasets"]) {
      std::string table = "t" + std::to_string(table_no++);
      Status created = Status::OK();
      try {
        if (known) created = (*conn)->Execute(CreateTable(dataset, table));
      } catch (const Json::exception& e) {
        created = Status::InvalidArgument(e.what());
      }
      if (!dataset.contains("tests") || !dataset["tests"].is_array()) continue;
      for (const Json& test : dataset["tests"]) {
        std::string title = test.value("title", "?");
        std::string reason = SkipReason(type, dataset, test);
        if (!reason.empty()) {
          std::printf("  SKIP %s: %s\n", title.c_str(), reason.c_str());
          ++skipped;
          continue;
        }
        std::string outcome;
        if (!known) {
          outcome = "expectation type not implemented";
        } else if (!created.ok()) {
          outcome = "cannot load data: " + created.ToString();
        } else {
          try {
            outcome = RunTest(type, test, *session, table);
          } catch (const Json::exception& e) {
            outcome = std::string("malformed test: ") + e.what();
          }
        }
        if (outcome.empty()) {
          ++passed;
        } else {
          ++failed;
          std::printf("  FAIL %s: %s\n", title.c_str(), outcome.c_str());
        }
      }
    }
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  if (passed + failed + skipped == 0) {
    std::fprintf(stderr, "strata_ge_conformance: no test definitions found under %s\n",
                 root.c_str());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}
