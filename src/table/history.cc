// A table's history (one entry a version) and the difference between two versions.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "table/table_internal.h"

namespace strata {

using namespace table_detail;

Result<VersionInfo> Table::VersionAt(int64_t version) {
  std::vector<Json> actions;
  STRATA_ASSIGN_OR_RETURN(Json info, delta::ReadCommitInfo(fs_, path_, version, &actions));
  VersionInfo vi;
  vi.version = version;
  vi.timestamp_ms = delta::IntField(info, "timestamp", 0);
  vi.operation = delta::StringField(info, "operation");
  vi.engine_info = delta::StringField(info, "engineInfo");
  vi.run_id = delta::StringField(info, "strataRunId");
  if (info.contains("operationParameters") && info["operationParameters"].is_object()) {
    for (const auto& [k, val] : info["operationParameters"].items()) {
      vi.operation_parameters[k] = val.is_string() ? val.get<std::string>() : val.dump();
    }
  }
  if (info.contains("userMetadata") && info["userMetadata"].is_string()) {
    try {
      Json meta = Json::parse(info["userMetadata"].get<std::string>());
      for (const auto& [k, val] : meta.items())
        vi.user_metadata[k] = val.is_string() ? val.get<std::string>() : val.dump();
    } catch (const Json::exception&) {
      vi.user_metadata["userMetadata"] = info["userMetadata"].get<std::string>();
    }
  }
  if (info.contains("operationMetrics") && info["operationMetrics"].is_object()) {
    for (const auto& [k, val] : info["operationMetrics"].items()) {
      vi.operation_metrics[k] = val.is_string() ? val.get<std::string>() : val.dump();
    }
  }
  // A file whose deletion vector changed is removed and added again under its path: only
  // the difference of its live rows changed (rows by path: removed, added).
  std::map<std::string, std::pair<int64_t, int64_t>> readded;
  for (const Json& a : actions) {
    const char* key = a.contains("add") ? "add" : a.contains("remove") ? "remove" : nullptr;
    if (key == nullptr) continue;
    const Json& f = a[key];
    const bool data_change = !f.contains("dataChange") || f["dataChange"] != false;
    int64_t rows = 0;
    if (f.contains("stats") && f["stats"].is_string()) {
      try {
        rows = delta::IntField(Json::parse(f["stats"].get<std::string>()), "numRecords", 0);
      } catch (const Json::exception&) {
      }
    }
    auto dv = f.find("deletionVector");
    if (dv != f.end() && dv->is_object()) rows -= delta::IntField(*dv, "cardinality", 0);
    const bool add = std::string(key) == "add";
    if (add) {
      ++vi.files_added;
      vi.bytes_added += delta::IntField(f, "size", 0);
    } else {
      ++vi.files_removed;
      vi.bytes_removed += delta::IntField(f, "size", 0);
    }
    if (!data_change) continue;
    auto& [removed, added] = readded[delta::StringField(f, "path")];
    (add ? added : removed) += rows;
  }
  for (const auto& [path, rows] : readded) {
    const auto [removed, added] = rows;
    if (removed > 0 && added > 0) {
      vi.rows_added += std::max<int64_t>(0, added - removed);
      vi.rows_removed += std::max<int64_t>(0, removed - added);
    } else {
      vi.rows_added += added;
      vi.rows_removed += removed;
    }
  }
  // Rows a rewrite copied unchanged are in both the added and the removed files.
  auto copied = vi.operation_metrics.find("numCopiedRows");
  if (copied != vi.operation_metrics.end()) {
    int64_t n = 0;
    const std::string& text = copied->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && n > 0 && n <= vi.rows_added && n <= vi.rows_removed) {
      vi.rows_added -= n;
      vi.rows_removed -= n;
    }
  }
  return vi;
}

Result<std::vector<VersionInfo>> Table::History() {
  STRATA_ASSIGN_OR_RETURN(delta::LogListing listing, delta::ListLog(fs_, path_));
  std::vector<VersionInfo> out;
  for (int64_t v : listing.commits) {
    STRATA_ASSIGN_OR_RETURN(VersionInfo vi, VersionAt(v));
    out.push_back(std::move(vi));
  }
  return out;
}

namespace {

// Per column: "min/max/nulls" over a snapshot's file statistics.
std::map<std::string, std::string> ColumnStats(const Snapshot& s) {
  std::map<std::string, Json> mins, maxs;
  std::map<std::string, int64_t> nulls;
  for (const DataFile& f : s.files) {
    if (f.stats_json.empty()) continue;
    Json st;
    try {
      st = Json::parse(f.stats_json);
    } catch (const Json::exception&) {
      continue;
    }
    // Named locals: items() of a temporary would dangle inside the loop.
    auto object_at = [&](const char* key) {
      return st.is_object() && st.contains(key) && st[key].is_object() ? st[key] : Json::object();
    };
    const Json min_values = object_at("minValues");
    const Json max_values = object_at("maxValues");
    const Json null_counts = object_at("nullCount");
    for (const auto& [c, v] : min_values.items()) {
      if (!mins.count(c) || v < mins[c]) mins[c] = v;
    }
    for (const auto& [c, v] : max_values.items()) {
      if (!maxs.count(c) || v > maxs[c]) maxs[c] = v;
    }
    for (const auto& [c, v] : null_counts.items()) {
      if (v.is_number_integer()) nulls[c] += v.get<int64_t>();
    }
  }
  std::map<std::string, std::string> out;
  for (const TableField& f : s.schema) {
    if (!mins.count(f.name) && !nulls.count(f.name)) continue;
    out[f.name] = "min " + (mins.count(f.name) ? mins[f.name].dump() : "?") + ", max " +
                  (maxs.count(f.name) ? maxs[f.name].dump() : "?") + ", nulls " +
                  std::to_string(nulls[f.name]);
  }
  return out;
}

}  // namespace

Result<TableDiff> Table::Diff(int64_t from_version, int64_t to_version) {
  STRATA_ASSIGN_OR_RETURN(auto a, AtVersion(from_version));
  STRATA_ASSIGN_OR_RETURN(auto b, AtVersion(to_version));
  TableDiff d;
  d.from_version = from_version;
  d.to_version = to_version;
  std::map<std::string, std::string> ta, tb;
  for (const TableField& f : a->schema) ta[f.name] = f.type;
  for (const TableField& f : b->schema) tb[f.name] = f.type;
  for (const auto& [n, t] : tb) {
    if (!ta.count(n))
      d.columns_added.push_back(n + " " + t);
    else if (ta[n] != t)
      d.columns_retyped.push_back(n + ": " + ta[n] + " -> " + t);
  }
  for (const auto& [n, t] : ta) {
    if (!tb.count(n)) d.columns_removed.push_back(n + " " + t);
  }
  std::map<std::string, const DataFile*> fa, fb;
  for (const DataFile& f : a->files) fa[f.path] = &f;
  for (const DataFile& f : b->files) fb[f.path] = &f;
  for (const auto& [p, f] : fb) {
    if (!fa.count(p)) d.files_added.push_back(p);
  }
  for (const auto& [p, f] : fa) {
    if (!fb.count(p)) d.files_removed.push_back(p);
  }
  // Rows changed: what the versions in between inserted and deleted.
  const int64_t lo = std::min(from_version, to_version), hi = std::max(from_version, to_version);
  for (int64_t v = lo + 1; v <= hi; ++v) {
    STRATA_ASSIGN_OR_RETURN(VersionInfo vi, VersionAt(v));
    d.rows_added += from_version < to_version ? vi.rows_added : vi.rows_removed;
    d.rows_removed += from_version < to_version ? vi.rows_removed : vi.rows_added;
  }
  auto sa = ColumnStats(*a), sb = ColumnStats(*b);
  for (const auto& [c, v] : sb) {
    if (!sa.count(c) || sa[c] != v) d.stats_changed[c] = {sa.count(c) ? sa[c] : "", v};
  }
  for (const auto& [c, v] : sa) {
    if (!sb.count(c)) d.stats_changed[c] = {v, ""};
  }
  return d;
}

}  // namespace strata
