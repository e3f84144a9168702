// Metrics: counters, gauges and histograms with labels, in a registry that renders
// Prometheus' text exposition format (version 0.0.4). Layers record into the process's
// default registry (streams: strata_stream_*); the monitoring layer serves Render().
//
// Thread-safety: everything here may be used from several threads at once. Metric objects
// live as long as their registry; the pointers Get* returns stay valid.
#pragma once

#include "strata/export.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

STRATA_API_BEGIN
namespace strata::metrics {

using Labels = std::map<std::string, std::string>;

// A value that only goes up (events, rows, bytes).
class Counter {
 public:
  void Increment(double by = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (lag, queue depth).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets with upper bounds (as Prometheus' histogram: each
// bucket counts the observations <= its bound; +Inf is implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf (the total count).
  std::vector<uint64_t> cumulative_counts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound, then +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Bucket bounds for latencies in seconds, 1 ms to 60 s.
std::vector<double> LatencyBuckets();

class Registry {
 public:
  // The process's registry.
  static Registry& Default();

  // The metric with this name and labels, made on first use. A name is one kind of metric
  // with one help text; asking for it as another kind is a programming error and returns
  // a metric that is not rendered.
  Counter* GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& bounds, const Labels& labels = {});

  // Every metric in Prometheus' text format, families sorted by name.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family* FamilyFor(const std::string& name, Kind kind, const std::string& help);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::unique_ptr<Counter>> orphans_counters_;
  std::vector<std::unique_ptr<Gauge>> orphans_gauges_;
  std::vector<std::unique_ptr<Histogram>> orphans_histograms_;
};

}  // namespace strata::metrics
STRATA_API_END
