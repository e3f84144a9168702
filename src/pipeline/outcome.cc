// A run as JSON: what `strata run --format json` prints and `strata runs show --format
// json` reads back from the catalog.
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "strata/pipeline.h"

namespace strata::pipeline {

namespace {
using Json = nlohmann::ordered_json;

Json DataJson(const catalog::DataRef& d) {
  Json j;
  if (d.kind == catalog::DataRef::Kind::kTable) {
    j["table"] = d.name;
    j["version"] = d.version;
  } else {
    j["file"] = d.name;
    j["hash"] = d.hash;
  }
  if (d.rows >= 0) j["rows"] = d.rows;
  if (d.bytes >= 0) j["bytes"] = d.bytes;
  return j;
}

Json TimeJson(int64_t ms) { return ms == 0 ? Json(nullptr) : Json(IsoTimeMs(ms)); }
}  // namespace

std::string RunOutcome::ToJson() const {
  Json j;
  j["run_id"] = run_id;
  j["pipeline"] = pipeline;
  j["status"] = std::string(catalog::ToString(status));
  j["started"] = TimeJson(started_ms);
  j["ended"] = TimeJson(ended_ms);
  j["error"] = error.empty() ? Json(nullptr) : Json(error);
  j["steps"] = Json::array();
  for (const auto& s : steps) {
    Json st;
    st["name"] = s.name;
    st["kind"] = s.kind;
    st["status"] = std::string(catalog::ToString(s.status));
    st["started"] = TimeJson(s.started_ms);
    st["ended"] = TimeJson(s.ended_ms);
    st["attempts"] = s.attempts;
    st["rows_out"] = s.rows_out >= 0 ? Json(s.rows_out) : Json(nullptr);
    st["error"] = s.error.empty() ? Json(nullptr) : Json(s.error);
    st["note"] = s.note.empty() ? Json(nullptr) : Json(s.note);
    st["inputs"] = Json::array();
    for (const auto& d : s.inputs) st["inputs"].push_back(DataJson(d));
    st["outputs"] = Json::array();
    for (const auto& d : s.outputs) st["outputs"].push_back(DataJson(d));
    j["steps"].push_back(std::move(st));
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string RunRecordToJson(const catalog::RunRecord& run) {
  RunOutcome o;
  o.run_id = run.run_id;
  o.pipeline = run.pipeline;
  o.status = run.status;
  o.started_ms = run.started_ms;
  o.ended_ms = run.ended_ms;
  o.error = run.error;
  for (const auto& s : run.steps) {
    StepOutcome so;
    so.name = s.step;
    so.kind = s.kind;
    so.status = s.status;
    so.started_ms = s.started_ms;
    so.ended_ms = s.ended_ms;
    so.attempts = s.attempts;
    so.rows_out = s.rows_out;
    so.error = s.error;
    so.inputs = s.inputs;
    so.outputs = s.outputs;
    o.steps.push_back(std::move(so));
  }
  return o.ToJson();
}

}  // namespace strata::pipeline
