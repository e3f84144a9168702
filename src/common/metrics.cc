// The metrics registry and its Prometheus text rendering.
#include "strata/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace strata::metrics {

namespace {

void AddTo(std::atomic<double>& value, double by) {
  double old = value.load(std::memory_order_relaxed);
  while (!value.compare_exchange_weak(old, old + by, std::memory_order_relaxed)) {
  }
}

// A number as Prometheus reads it: integers without a fraction, NaN and infinities spelled
// as the format says.
std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {  // the shortest that reads back
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelText(const Labels& labels, const std::string& extra_key = "",
                      const std::string& extra_value = "") {
  std::string out;
  for (const auto& [k, v] : labels)
    out += (out.empty() ? "" : ",") + k + "=\"" + Escape(v, true) + "\"";
  if (!extra_key.empty())
    out += (out.empty() ? "" : ",") + extra_key + "=\"" + Escape(extra_value, true) + "\"";
  return out.empty() ? "" : "{" + out + "}";
}

}  // namespace

void Counter::Increment(double by) {
  if (by > 0) AddTo(value_, by);
}

void Gauge::Add(double by) { AddTo(value_, by); }

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  AddTo(sum_, v);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
          1,     1.5,    2,     2.5,  5,     10,   20,  30,   60};
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();  // never destroyed: metrics outlive statics
  return *registry;
}

Registry::Family* Registry::FamilyFor(const std::string& name, Kind kind, const std::string& help) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.kind = kind;
    it->second.help = help;
  }
  return it->second.kind == kind ? &it->second : nullptr;
}

Counter* Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, Kind::kCounter, help);
  if (f == nullptr) return orphans_counters_.emplace_back(std::make_unique<Counter>()).get();
  auto& slot = f->counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, Kind::kGauge, help);
  if (f == nullptr) return orphans_gauges_.emplace_back(std::make_unique<Gauge>()).get();
  auto& slot = f->gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, Kind::kHistogram, help);
  if (f == nullptr)
    return orphans_histograms_.emplace_back(std::make_unique<Histogram>(bounds)).get();
  auto& slot = f->histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return slot.get();
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter"
                       : f.kind == Kind::kGauge ? "gauge"
                                                : "histogram";
    out << "# HELP " << name << ' ' << Escape(f.help, false) << '\n';
    out << "# TYPE " << name << ' ' << type << '\n';
    for (const auto& [labels, c] : f.counters)
      out << name << LabelText(labels) << ' ' << Number(c->value()) << '\n';
    for (const auto& [labels, g] : f.gauges)
      out << name << LabelText(labels) << ' ' << Number(g->value()) << '\n';
    for (const auto& [labels, h] : f.histograms) {
      const std::vector<uint64_t> counts = h->cumulative_counts();
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        out << name << "_bucket" << LabelText(labels, "le", Number(h->bounds()[i])) << ' '
            << counts[i] << '\n';
      }
      out << name << "_bucket" << LabelText(labels, "le", "+Inf") << ' ' << counts.back() << '\n';
      out << name << "_sum" << LabelText(labels) << ' ' << Number(h->sum()) << '\n';
      out << name << "_count" << LabelText(labels) << ' ' << counts.back() << '\n';
    }
  }
  return out.str();
}

}  // namespace strata::metrics
