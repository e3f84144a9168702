// The graph of jobs and datasets around a dataset, from the COMPLETE events of the lake's
// lineage folder: `strata lineage TABLE [--upstream|--downstream] [--depth N] [--column C]`.
#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "strata/lineage.h"

namespace strata::lineage {

namespace {

using Json = nlohmann::json;

struct Key {
  std::string kind, ns, name;
  bool operator<(const Key& o) const {
    return std::tie(kind, ns, name) < std::tie(o.kind, o.ns, o.name);
  }
};

struct Builder {
  std::map<Key, size_t> index;
  LineageGraph all;
  std::set<std::pair<size_t, size_t>> edges;
  // Column lineage: (output dataset node, column) -> (input dataset node, column).
  std::map<std::pair<size_t, std::string>, std::set<std::pair<size_t, std::string>>> columns;

  size_t Node(const std::string& kind, const std::string& ns, const std::string& name) {
    auto [it, added] = index.emplace(Key{kind, ns, name}, all.nodes.size());
    if (added) all.nodes.push_back({kind, ns, name, -1, "", ""});
    return it->second;
  }

  void Add(const Json& e) {
    if (e.value("eventType", "") != "COMPLETE" || !e.contains("job")) return;
    const Json& job = e["job"];
    std::string type;
    if (job.contains("facets") && job["facets"].contains("jobType"))
      type = job["facets"]["jobType"].value("jobType", "");
    if (type == "JOB") return;  // a pipeline: its steps draw the same graph in detail
    const size_t j = Node("job", job.value("namespace", ""), job.value("name", ""));
    const std::string time = e.value("eventTime", "");
    if (time >= all.nodes[j].last_event_time) {
      all.nodes[j].last_event_time = time;
      if (e["run"].contains("facets") && e["run"]["facets"].contains("strata"))
        all.nodes[j].last_run = e["run"]["facets"]["strata"].value("runId", "");
    }
    auto dataset = [&](const Json& d) {
      const size_t n = Node("dataset", d.value("namespace", ""), d.value("name", ""));
      if (d.contains("facets") && d["facets"].contains("version")) {
        try {
          const int64_t v = std::stoll(d["facets"]["version"].value("datasetVersion", "-1"));
          if (time >= all.nodes[n].last_event_time) {
            all.nodes[n].version = v;
            all.nodes[n].last_event_time = time;
          }
        } catch (const std::exception&) {
        }
      }
      return n;
    };
    for (const auto& d : e.value("inputs", Json::array())) edges.insert({dataset(d), j});
    for (const auto& d : e.value("outputs", Json::array())) {
      const size_t out = dataset(d);
      edges.insert({j, out});
      if (!d.contains("facets") || !d["facets"].contains("columnLineage")) continue;
      const Json fields = d["facets"]["columnLineage"].value("fields", Json::object());
      for (const auto& [col, spec] : fields.items()) {
        for (const auto& f : spec.value("inputFields", Json::array())) {
          const size_t in = Node("dataset", f.value("namespace", ""), f.value("name", ""));
          columns[{out, col}].insert({in, f.value("field", "")});
        }
      }
    }
  }
};

std::string Label(const LineageNode& n) {
  std::string s = n.name;
  if (n.kind == "dataset" && n.version >= 0) s += "@" + std::to_string(n.version);
  return s;
}

// The path of one column through column lineage, up and/or downstream from `starts`: only
// the datasets and jobs it crosses, each edge labelled with the columns it maps.
LineageGraph FollowColumn(const Builder& b, const std::vector<std::vector<size_t>>& in_edges,
                          const std::vector<size_t>& starts, const GraphQuery& q) {
  using DatasetColumn = std::pair<size_t, std::string>;
  std::map<DatasetColumn, std::set<DatasetColumn>> used_by;  // input column -> outputs
  for (const auto& [out, ins] : b.columns) {
    for (const auto& in : ins) used_by[in].insert(out);
  }
  std::set<std::tuple<size_t, std::string, size_t, std::string>> hops;  // in -> out
  // Each direction on its own, so a sibling column of an upstream source is not followed
  // down again.
  for (bool up : {true, false}) {
    if ((up && !q.upstream) || (!up && !q.downstream)) continue;
    std::set<DatasetColumn> frontier;
    for (size_t s : starts) frontier.insert({s, q.column});
    std::set<DatasetColumn> reached = frontier;
    for (int d = 0; d < q.depth * 2 && !frontier.empty(); ++d) {
      std::set<DatasetColumn> next;
      for (const auto& at : frontier) {
        const auto& links = up ? b.columns : used_by;
        auto it = links.find(at);
        if (it == links.end()) continue;
        for (const auto& other : it->second) {
          if (up) {
            hops.emplace(other.first, other.second, at.first, at.second);
          } else {
            hops.emplace(at.first, at.second, other.first, other.second);
          }
          if (reached.insert(other).second) next.insert(other);
        }
      }
      frontier = std::move(next);
    }
  }
  LineageGraph g;
  std::map<size_t, size_t> keep;
  auto take = [&](size_t n) {
    auto [it, added] = keep.emplace(n, g.nodes.size());
    if (added) g.nodes.push_back(b.all.nodes[n]);
    return it->second;
  };
  std::map<std::pair<size_t, size_t>, std::vector<std::pair<std::string, std::string>>> by_pair;
  for (const auto& [in, in_col, out, out_col] : hops)
    by_pair[{in, out}].push_back({in_col, out_col});
  for (const auto& [pair, cols] : by_pair) {
    // The jobs that wrote `out` reading `in`.
    for (size_t job : in_edges[pair.second]) {
      const auto& reads = in_edges[job];
      if (std::find(reads.begin(), reads.end(), pair.first) == reads.end()) continue;
      const size_t from = take(pair.first), j = take(job), to = take(pair.second);
      g.edges.push_back({from, j, cols});
      g.edges.push_back({j, to, cols});
    }
  }
  for (size_t s : starts) take(s);
  return g;
}

}  // namespace

Result<LineageGraph> QueryGraph(const std::string& lake_root, const GraphQuery& q) {
  STRATA_ASSIGN_OR_RETURN(EventLog log, ReadEvents(lake_root + "/_strata/lineage"));
  Builder b;
  for (const auto& text : log.events) {
    Json e = Json::parse(text, nullptr, false);
    if (e.is_object()) b.Add(e);
  }
  std::vector<size_t> starts;
  for (size_t i = 0; i < b.all.nodes.size(); ++i) {
    if (b.all.nodes[i].kind == "dataset" && b.all.nodes[i].name == q.dataset) starts.push_back(i);
  }
  if (starts.empty()) {
    return Status::NotFound("no lineage recorded for '" + q.dataset +
                            "' (events are recorded by strata run and strata table write)");
  }
  std::vector<std::vector<size_t>> out_edges(b.all.nodes.size()), in_edges(b.all.nodes.size());
  for (const auto& [from, to] : b.edges) {
    out_edges[from].push_back(to);
    in_edges[to].push_back(from);
  }
  if (!q.column.empty()) return FollowColumn(b, in_edges, starts, q);
  // Breadth-first over datasets and jobs; depth counts jobs crossed.
  std::map<size_t, size_t> keep;  // node -> index in the result
  LineageGraph g;
  auto take = [&](size_t n) {
    auto [it, added] = keep.emplace(n, g.nodes.size());
    if (added) g.nodes.push_back(b.all.nodes[n]);
    return it->second;
  };
  std::set<std::pair<size_t, size_t>> taken_edges;
  for (bool up : {true, false}) {
    if ((up && !q.upstream) || (!up && !q.downstream)) continue;
    std::deque<std::pair<size_t, int>> queue;
    std::set<size_t> seen;
    for (size_t s : starts) {
      take(s);
      queue.push_back({s, 0});
      seen.insert(s);
    }
    while (!queue.empty()) {
      auto [n, depth] = queue.front();
      queue.pop_front();
      const bool is_job = b.all.nodes[n].kind == "job";
      if (is_job && depth >= q.depth) continue;
      for (size_t m : up ? in_edges[n] : out_edges[n]) {
        take(n);
        take(m);
        taken_edges.insert(up ? std::pair{m, n} : std::pair{n, m});
        if (seen.insert(m).second) queue.push_back({m, depth + (is_job ? 1 : 0)});
      }
    }
  }
  for (const auto& [from, to] : taken_edges) g.edges.push_back({keep[from], keep[to], {}});
  return g;
}

std::string LineageGraph::ToText() const {
  std::ostringstream out;
  for (const auto& e : edges) {
    const auto& a = nodes[e.from];
    const auto& b = nodes[e.to];
    if (a.kind == "dataset") {
      out << Label(a) << "  ->  [" << b.name << "]";
    } else {
      out << "[" << a.name << "]  ->  " << Label(b);
    }
    if (!e.columns.empty()) {
      out << "   (";
      for (size_t i = 0; i < e.columns.size(); ++i)
        out << (i ? ", " : "") << e.columns[i].first << " -> " << e.columns[i].second;
      out << ")";
    }
    // Once per job: on the edge to what it wrote.
    if (a.kind == "job" && !a.last_run.empty())
      out << "   last run " << a.last_run << " at " << a.last_event_time;
    out << "\n";
  }
  return out.str();
}

std::string LineageGraph::ToJson() const {
  nlohmann::ordered_json j;
  j["nodes"] = nlohmann::ordered_json::array();
  for (const auto& n : nodes) {
    nlohmann::ordered_json x = {{"kind", n.kind}, {"namespace", n.name_space}, {"name", n.name}};
    if (n.version >= 0) x["version"] = n.version;
    if (!n.last_run.empty()) x["last_run"] = n.last_run;
    if (!n.last_event_time.empty()) x["last_event_time"] = n.last_event_time;
    j["nodes"].push_back(x);
  }
  j["edges"] = nlohmann::ordered_json::array();
  for (const auto& e : edges) {
    nlohmann::ordered_json x = {{"from", e.from}, {"to", e.to}};
    if (!e.columns.empty()) {
      x["columns"] = nlohmann::ordered_json::array();
      for (const auto& [a, b] : e.columns) x["columns"].push_back({{"from", a}, {"to", b}});
    }
    j["edges"].push_back(x);
  }
  return j.dump(2);
}

std::string LineageGraph::ToDot() const {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::ostringstream out;
  out << "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    out << "  n" << i << " [label=" << quote(Label(n))
        << ", shape=" << (n.kind == "job" ? "box, style=rounded" : "cylinder") << "];\n";
  }
  for (const auto& e : edges) {
    out << "  n" << e.from << " -> n" << e.to;
    if (!e.columns.empty()) {
      std::string label;
      for (const auto& [a, b] : e.columns) label += (label.empty() ? "" : "\n") + a + " -> " + b;
      out << " [label=" << quote(label) << "]";
    }
    out << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace strata::lineage
