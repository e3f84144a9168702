// An independent check of a Delta table on disk against the protocol, for the tests: the
// log is replayed here with nlohmann::json alone (not Strata's replay), the data files are
// read with DuckDB, and every problem found is described. TableTest runs it over every
// table each test leaves in its lake.
//
// What it checks: every commit line is one action of a known kind with the protocol's
// required fields and types; each add's statistics agree with its file (numRecords,
// nullCount, and the min/max of numbers and strings; a decimal bound must be exact);
// partition values parse as their column's type (timestamps in the protocol's format);
// timestamp statistics are in their type's format; a timestamp_ntz column comes with the
// timestampNtz feature; each checkpoint (classic, or v2 with its sidecars) holds exactly the live
// files of the replay at its version, and the remove tombstones the replay has that are younger
// than 7 days, and no others.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "strata/engine.h"

namespace strata::testing {

inline std::vector<std::string> DeltaProtocolProblems(const std::string& table,
                                                      engine::Connection* conn) {
  using Json = nlohmann::json;
  namespace fs = std::filesystem;
  std::vector<std::string> problems;
  const auto problem = [&](const std::string& where, const std::string& what) {
    problems.push_back(table + " " + where + ": " + what);
  };
  const auto sql_string = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  const auto scalar = [&](const std::string& sql) -> std::string {
    auto df = conn->Collect(sql);
    if (!df.ok() || df->num_rows() == 0) return "<error: " + df.status().ToString() + ">";
    return df->column(0).IsNull(0) ? "<null>" : df->column(0).Format(0);
  };
  const auto path_of = [](std::string p) {
    std::string out;  // percent-decoding
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '%' && i + 2 < p.size()) {
        out += static_cast<char>(std::stoi(p.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += p[i];
      }
    }
    return out;
  };

  std::vector<fs::path> commits, checkpoints;
  for (const auto& e : fs::directory_iterator(table + "/_delta_log")) {
    const std::string name = e.path().filename().string();
    if (std::regex_match(name, std::regex(R"(\d{20}\.json)"))) commits.push_back(e.path());
    if (std::regex_match(name,
                         std::regex(R"(\d{20}\.checkpoint(\.[0-9a-f-]{36})?\.(parquet|json))")))
      checkpoints.push_back(e.path());
  }
  std::sort(commits.begin(), commits.end());
  std::map<std::string, std::string> types;  // column -> Delta type
  std::vector<std::string> partition_columns;
  std::map<std::string, Json> live;           // path -> add
  std::map<std::string, int64_t> tombstones;  // path -> deletionTimestamp
  std::map<int64_t, std::pair<std::set<std::string>, std::map<std::string, int64_t>>> states;
  std::map<int64_t, int64_t> commit_time;
  // The protocol's timestamp partition formats: "YYYY-MM-DD HH:MM:SS[.ffffff]", or
  // ISO 8601 adjusted to UTC.
  const std::regex ts_format(
      R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z)");
  Json protocol;       // the latest protocol action
  bool naive = false;  // the schema has a timestamp_ntz
  const std::regex utc_stat(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const std::regex naive_stat(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})");
  for (const fs::path& file : commits) {
    const int64_t version = std::stoll(file.filename().string().substr(0, 20));
    const std::string where = "version " + std::to_string(version);
    std::ifstream in(file);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      Json action = Json::parse(line, nullptr, false);
      if (!action.is_object() || action.size() != 1) {
        problem(where, "line " + std::to_string(line_no) + " is not one action");
        continue;
      }
      const std::string kind = action.begin().key();
      const Json& a = action.begin().value();
      const auto need = [&](const char* field, bool (Json::*is)() const noexcept) {
        if (!a.contains(field) || !(a[field].*is)())
          problem(where, kind + "." + field + " missing or of the wrong type: " + a.dump());
      };
      if (kind == "commitInfo") {
        need("timestamp", &Json::is_number_integer);
        if (a.contains("timestamp") && a["timestamp"].is_number_integer())
          commit_time[version] = a["timestamp"].get<int64_t>();
      } else if (kind == "protocol") {
        protocol = a;
        need("minReaderVersion", &Json::is_number_integer);
        need("minWriterVersion", &Json::is_number_integer);
      } else if (kind == "metaData") {
        need("id", &Json::is_string);
        need("format", &Json::is_object);
        need("schemaString", &Json::is_string);
        need("partitionColumns", &Json::is_array);
        need("configuration", &Json::is_object);
        Json schema = Json::parse(a.value("schemaString", ""), nullptr, false);
        if (!schema.is_object() || !schema.contains("fields")) {
          problem(where, "schemaString does not parse as a struct");
        } else {
          types.clear();
          naive = a.value("schemaString", "").find("\"timestamp_ntz\"") != std::string::npos;
          for (const Json& f : schema["fields"]) {
            if (!f.contains("metadata") || !f["metadata"].is_object())
              problem(where, "field without a metadata object: " + f.dump());
            types[f.value("name", "")] =
                f["type"].is_string() ? f["type"].get<std::string>() : "nested";
          }
        }
        partition_columns = a.value("partitionColumns", std::vector<std::string>{});
      } else if (kind == "add") {
        need("path", &Json::is_string);
        need("partitionValues", &Json::is_object);
        need("size", &Json::is_number_integer);
        need("modificationTime", &Json::is_number_integer);
        need("dataChange", &Json::is_boolean);
        if (!a.contains("path") || !a["path"].is_string()) continue;
        const std::string path = path_of(a["path"].get<std::string>());
        live[path] = a;
        tombstones.erase(path);
        const Json partition_values = a.value("partitionValues", Json::object());
        for (const auto& [column, value] : partition_values.items()) {
          if (value.is_null()) continue;
          if (!value.is_string()) {
            problem(where, "partition value of " + column + " is not a string or null");
            continue;
          }
          const std::string v = value.get<std::string>(), type = types[column];
          if (v.empty()) problem(where, "empty-string partition value of " + column);
          if (type == "timestamp" || type == "timestamp_ntz") {
            if (!std::regex_match(v, ts_format))
              problem(where, "timestamp partition value '" + v + "' of " + column +
                                 " is not in the protocol's format");
          } else if (type != "string" && type != "binary") {
            const std::string cast = type == "long"      ? "BIGINT"
                                     : type == "integer" ? "INTEGER"
                                     : type == "double"  ? "DOUBLE"
                                     : type == "date"    ? "DATE"
                                     : type == "boolean" ? "BOOLEAN"
                                                         : "VARCHAR";
            if (scalar("SELECT TRY_CAST(" + sql_string(v) + " AS " + cast + ") IS NOT NULL") !=
                "true")
              problem(where, "partition value '" + v + "' of " + column + " is not a " + type);
          }
        }
        if (!a.contains("stats") || !a["stats"].is_string()) continue;
        Json stats = Json::parse(a["stats"].get<std::string>(), nullptr, false);
        const std::string data = sql_string(table + "/" + path);
        if (!fs::exists(table + "/" + path)) continue;  // vacuumed since
        if (std::to_string(stats.value("numRecords", -1)) !=
            scalar("SELECT count(*) FROM read_parquet(" + data + ")"))
          problem(where, path + ": numRecords disagrees with the file");
        const Json null_counts = stats.value("nullCount", Json::object());
        for (const auto& [column, nulls] : null_counts.items()) {
          const std::string c = "\"" + column + "\"";
          if (std::to_string(nulls.get<int64_t>()) !=
              scalar("SELECT count(*) - count(" + c + ") FROM read_parquet(" + data + ")"))
            problem(where, path + ": nullCount of " + column + " disagrees with the file");
        }
        for (const char* bound : {"minValues", "maxValues"}) {
          const std::string fn = std::string(bound) == "minValues" ? "min" : "max";
          const Json bounds = stats.value(bound, Json::object());
          for (const auto& [column, value] : bounds.items()) {
            const std::string c = "\"" + column + "\"", type = types[column];
            if (value.is_number()) {
              // Exact: the recorded number must equal the data's bound as a double.
              const std::string got =
                  scalar("SELECT CAST(" + fn + "(" + c + ") AS DOUBLE) = " + value.dump() +
                         " FROM read_parquet(" + data + ")");
              if (got != "true")
                problem(where, path + ": " + bound + "." + column + " = " + value.dump() +
                                   " is not the data's " + fn);
            } else if (value.is_string() && (type == "timestamp" || type == "timestamp_ntz")) {
              // To the millisecond, truncated: a `timestamp` in UTC with 'Z', a naive one
              // without a zone.
              const bool utc = type == "timestamp";
              const std::string v = value.get<std::string>();
              if (!std::regex_match(v, utc ? utc_stat : naive_stat))
                problem(where, path + ": " + bound + "." + column + " '" + v + "' is not in the " +
                                   type + " statistics format");
              const std::string data_bound =
                  scalar("SELECT strftime(" + fn + "(" + c + ")" +
                         (utc ? " AT TIME ZONE 'UTC'" : "") +
                         ", '%Y-%m-%dT%H:%M:%S.%g') FROM read_parquet(" + data + ")") +
                  (utc ? "Z" : "");
              if (v != data_bound)
                problem(where, path + ": " + bound + "." + column + " = " + v +
                                   " is not the data's " + fn + " (" + data_bound + ")");
            } else if (value.is_string() && type == "string") {
              if (value.get<std::string>() !=
                  scalar("SELECT " + fn + "(" + c + ") FROM read_parquet(" + data + ")"))
                problem(where, path + ": " + bound + "." + column + " is not the data's " + fn);
            }
          }
        }
      } else if (kind == "remove") {
        need("path", &Json::is_string);
        need("dataChange", &Json::is_boolean);
        if (!a.contains("path") || !a["path"].is_string()) continue;
        const std::string path = path_of(a["path"].get<std::string>());
        live.erase(path);
        tombstones[path] = a.value("deletionTimestamp", int64_t{0});
      } else if (kind == "txn") {
        need("appId", &Json::is_string);
        need("version", &Json::is_number_integer);
      } else if (kind != "domainMetadata" && kind != "cdc" && kind != "checkpointMetadata") {
        problem(where, "unknown action '" + kind + "'");
      }
    }
    std::set<std::string> paths;
    for (const auto& [p, a] : live) paths.insert(p);
    states[version] = {paths, tombstones};
    // A timestamp_ntz column needs the timestampNtz reader and writer feature.
    if (naive) {
      for (const char* list : {"readerFeatures", "writerFeatures"}) {
        const Json features = protocol.value(list, Json::array());
        if (std::find(features.begin(), features.end(), Json("timestampNtz")) == features.end())
          problem(where, std::string("a timestamp_ntz column without timestampNtz in ") + list);
      }
    }
  }
  for (const fs::path& cp : checkpoints) {
    const int64_t version = std::stoll(cp.filename().string().substr(0, 20));
    auto it = states.find(version);
    bool complete = it != states.end();
    for (int64_t v = 0; v <= version && complete; ++v) complete = states.count(v) > 0;
    if (!complete) continue;  // the commits before it were cleaned up: nothing to compare
    const std::string where = "checkpoint " + std::to_string(version);
    // A v2 checkpoint's file actions are in its sidecars: Parquet files in _sidecars named
    // by its `sidecar` actions, after a leading checkpointMetadata of its version.
    std::string files = sql_string(cp.string());
    if (cp.extension() == ".json") {
      std::ifstream top(cp);
      files.clear();
      bool metadata_first = false;
      int line_no = 0;
      for (std::string line; std::getline(top, line); ++line_no) {
        Json a = Json::parse(line, nullptr, false);
        if (line_no == 0)
          metadata_first = a.contains("checkpointMetadata") &&
                           a["checkpointMetadata"].value("version", int64_t{-1}) == version;
        if (a.contains("add") || a.contains("remove"))
          problem(where, "a v2 checkpoint written by Strata keeps file actions in sidecars");
        if (!a.contains("sidecar")) continue;
        const fs::path sidecar =
            cp.parent_path() / "_sidecars" / a["sidecar"].value("path", std::string());
        if (!fs::exists(sidecar) || static_cast<int64_t>(fs::file_size(sidecar)) !=
                                        a["sidecar"].value("sizeInBytes", int64_t{-1}))
          problem(where, "sidecar " + sidecar.string() + " is missing or of another size");
        files += (files.empty() ? "" : ", ") + sql_string(sidecar.string());
      }
      if (!metadata_first) problem(where, "does not start with its checkpointMetadata");
      if (files.empty()) files = "[]";  // no file actions
    }
    auto adds = files == "[]" ? conn->Collect("SELECT NULL WHERE false")
                              : conn->Collect("SELECT \"add\".path FROM read_parquet([" + files +
                                              "]) WHERE \"add\" IS NOT NULL");
    auto removes = files == "[]" ? conn->Collect("SELECT NULL, NULL WHERE false")
                                 : conn->Collect(
                                       "SELECT remove.path, remove.deletionTimestamp FROM "
                                       "read_parquet([" +
                                       files + "]) WHERE remove IS NOT NULL");
    if (!adds.ok() || !removes.ok()) {
      problem(where, "does not read");
      continue;
    }
    std::set<std::string> in_checkpoint;
    for (size_t r = 0; r < adds->num_rows(); ++r)
      in_checkpoint.insert(path_of(std::string(adds->column(0).GetString(r))));
    if (in_checkpoint != it->second.first)
      problem(where, "its files differ from the replay's live files");
    const int64_t cutoff = commit_time[version] - 7LL * 24 * 3600 * 1000;
    std::set<std::string> want, got;
    for (const auto& [p, ts] : it->second.second) {
      if (ts >= cutoff) want.insert(p);
    }
    for (size_t r = 0; r < removes->num_rows(); ++r)
      got.insert(path_of(std::string(removes->column(0).GetString(r))));
    if (want != got)
      problem(where, "its tombstones (" + std::to_string(got.size()) +
                         ") differ from the replay's unexpired ones (" +
                         std::to_string(want.size()) + ")");
  }
  return problems;
}

}  // namespace strata::testing
