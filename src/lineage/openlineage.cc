// Observed runs as OpenLineage 2-0-2 RunEvents: run, job and dataset facets.
#include <xxhash.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "strata/lineage.h"
#include "strata/version.h"

namespace strata::lineage {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSpec = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
constexpr const char* kFacets = "https://openlineage.io/spec/facets/";

std::string Producer() { return std::string("https://strata.dev/strata/") + kVersion; }

Json Facet(const std::string& schema) {
  Json f;
  f["_producer"] = Producer();
  f["_schemaURL"] = std::string(kFacets) + schema;
  return f;
}

const char* TypeName(RunEventType t) {
  switch (t) {
    case RunEventType::kStart:
      return "START";
    case RunEventType::kComplete:
      return "COMPLETE";
    case RunEventType::kFail:
      return "FAIL";
    case RunEventType::kAbort:
      return "ABORT";
  }
  return "OTHER";
}

Json Dataset(const ObservedDataset& d, bool output, const RunEvent& e) {
  Json j;
  j["namespace"] = d.name_space;
  j["name"] = d.name;
  Json facets = Json::object();
  if (!d.schema.empty()) {
    Json s = Facet("1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet");
    s["fields"] = Json::array();
    for (const auto& f : d.schema) s["fields"].push_back({{"name", f.name}, {"type", f.type}});
    facets["schema"] = s;
  }
  Json source = Facet("1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet");
  source["name"] = d.name_space;
  source["uri"] = d.name_space == "file" ? "file://" + d.name : d.name_space + "/" + d.name;
  facets["dataSource"] = source;
  if (d.version >= 0) {
    Json v = Facet("1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet");
    v["datasetVersion"] = std::to_string(d.version);
    facets["version"] = v;
  }
  if (output && e.type == RunEventType::kComplete) {
    ColumnLineage lineage;
    bool have = false;
    if (!e.sql.empty()) {
      std::vector<std::string> names;
      for (const auto& f : d.schema) names.push_back(f.name);
      auto computed = ColumnLineageOf(e.sql, e.inputs, names);
      if (computed.ok()) {
        lineage = std::move(*computed);
        have = true;
      }
    } else if (e.identity_columns && e.inputs.size() == 1) {
      const ObservedDataset& in = e.inputs.front();
      for (const auto& f : d.schema) {
        bool present = in.schema.empty();
        for (const auto& g : in.schema) present = present || g.name == f.name;
        if (present)
          lineage.fields[f.name].push_back({in.name_space, in.name, f.name, "DIRECT", "IDENTITY"});
      }
      have = true;
    }
    if (have && !lineage.fields.empty()) {
      Json cl = Facet("1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet");
      cl["fields"] = Json::object();
      auto field_json = [](const InputField& f) {
        Json j;
        j["namespace"] = f.name_space;
        j["name"] = f.name;
        j["field"] = f.field;
        j["transformations"] = Json::array({{{"type", f.type}, {"subtype", f.subtype}}});
        return j;
      };
      for (const auto& [col, inputs] : lineage.fields) {
        Json in = Json::array();
        for (const auto& f : inputs) in.push_back(field_json(f));
        cl["fields"][col] = {{"inputFields", in}};
      }
      if (!lineage.dataset.empty()) {
        cl["dataset"] = Json::array();
        for (const auto& f : lineage.dataset) cl["dataset"].push_back(field_json(f));
      }
      facets["columnLineage"] = cl;
    }
  }
  j["facets"] = facets;
  if (output) {
    Json of = Json::object();
    if (d.rows >= 0 || d.bytes >= 0 || d.files >= 0) {
      Json st = Facet(
          "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/"
          "OutputStatisticsOutputDatasetFacet");
      if (d.rows >= 0) st["rowCount"] = d.rows;
      if (d.bytes >= 0) st["size"] = d.bytes;
      if (d.files >= 0) st["fileCount"] = d.files;
      of["outputStatistics"] = st;
    }
    j["outputFacets"] = of;
  } else {
    Json inf = Json::object();
    if (!d.assertions.empty()) {
      Json q = Facet(
          "1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet");
      q["assertions"] = Json::array();
      for (const auto& a : d.assertions) {
        Json x = {{"assertion", a.assertion}, {"success", a.success}};
        if (!a.column.empty()) x["column"] = a.column;
        q["assertions"].push_back(x);
      }
      inf["dataQualityAssertions"] = q;
    }
    j["inputFacets"] = inf;
  }
  return j;
}

}  // namespace

std::string RunUuid(const std::string& strata_run_id) {
  XXH128_hash_t h = XXH3_128bits(strata_run_id.data(), strata_run_id.size());
  // A version 8 (custom) UUID: 122 bits of the hash, the version and variant bits set.
  uint64_t hi = (h.high64 & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000008000ull;
  uint64_t lo = (h.low64 & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

std::string ToOpenLineage(const RunEvent& e) {
  Json j;
  j["eventTime"] = IsoTimeMs(e.time_ms);
  j["producer"] = Producer();
  j["schemaURL"] = kSpec;
  j["eventType"] = TypeName(e.type);
  Json run;
  run["runId"] = RunUuid(e.run_id);
  Json rf = Json::object();
  if (!e.parent_run_id.empty()) {
    Json p = Facet("1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet");
    p["run"] = {{"runId", RunUuid(e.parent_run_id)}};
    p["job"] = {{"namespace", e.job_namespace}, {"name", e.parent_job_name}};
    p["root"] = {{"run", {{"runId", RunUuid(e.parent_run_id)}}},
                 {"job", {{"namespace", e.job_namespace}, {"name", e.parent_job_name}}}};
    rf["parent"] = p;
  }
  Json engine = Facet("1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet");
  engine["version"] = kVersion;
  engine["name"] = "strata";
  rf["processing_engine"] = engine;
  if (e.type == RunEventType::kFail && !e.error.empty()) {
    Json err = Facet("1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet");
    err["message"] = e.error;
    err["programmingLanguage"] = "C++";
    rf["errorMessage"] = err;
  }
  // Strata's own run id, so an event leads back to `strata runs show`.
  Json own;
  own["_producer"] = Producer();
  own["_schemaURL"] = "https://strata.dev/spec/facets/StrataRunFacet.json";
  // A step's event names the pipeline run and the step.
  const size_t slash = e.parent_run_id.empty() ? std::string::npos : e.run_id.rfind('/');
  own["runId"] = slash == std::string::npos ? e.run_id : e.run_id.substr(0, slash);
  if (slash != std::string::npos) own["step"] = e.run_id.substr(slash + 1);
  rf["strata"] = own;
  run["facets"] = rf;
  j["run"] = run;
  Json job;
  job["namespace"] = e.job_namespace;
  job["name"] = e.job_name;
  Json jf = Json::object();
  Json type = Facet("2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet");
  type["processingType"] = e.streaming ? "STREAMING" : "BATCH";
  type["integration"] = "STRATA";
  type["jobType"] = e.job_type;
  jf["jobType"] = type;
  if (!e.sql.empty()) {
    Json sql = Facet("1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet");
    sql["query"] = e.sql;
    sql["dialect"] = "duckdb";
    jf["sql"] = sql;
  }
  job["facets"] = jf;
  j["job"] = job;
  j["inputs"] = Json::array();
  for (const auto& d : e.inputs) j["inputs"].push_back(Dataset(d, false, e));
  j["outputs"] = Json::array();
  for (const auto& d : e.outputs) j["outputs"].push_back(Dataset(d, true, e));
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace strata::lineage
