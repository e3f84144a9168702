// expect_column_kl_divergence_to_be_less_than: the Kullback-Leibler divergence of a
// column's distribution from an expected partition, as GE computes it.
//
// A partition is categorical ({values, weights}) or continuous ({bins, weights} with
// optional tail_weights; a bin edge may be -Infinity or Infinity). The observed weights
// are counts over non-null values divided by their number; bins are half-open
// [b_i, b_i+1) except the last, which is closed (numpy's histogram). The divergence is
// KL(observed || expected) with both normalised, natural log (scipy.stats.entropy):
// infinite when data fall where the expected weight is 0, which tail_weight_holdout and
// internal_weight_holdout exist to soften. An infinite or undefined divergence is reported
// as observed_value null and fails. Everything is counted in the suite's one scan; only a
// null partition with bucketize_data (GE's profiling form, bins chosen from the data like
// numpy's "auto") reads the column a second time, in a scalar subquery.
#include <algorithm>
#include <cmath>
#include <optional>

#include "quality/families.h"

namespace strata::quality::detail {
namespace {

// A bin edge: a number, or GE's JSON spelling of an infinite one.
std::optional<double> Edge(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "Infinity" || s == "inf" || s == ".inf" || s == "+Infinity") return HUGE_VAL;
    if (s == "-Infinity" || s == "-inf" || s == "-.inf") return -HUGE_VAL;
  }
  return std::nullopt;
}

std::optional<std::vector<double>> Numbers(const Json& list) {
  if (!list.is_array()) return std::nullopt;
  std::vector<double> out;
  for (const Json& v : list) {
    auto x = Edge(v);
    if (!x) return std::nullopt;
    out.push_back(*x);
  }
  return out;
}

double Sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// numpy.allclose(sum, 1) with its default tolerances.
bool SumsToOne(const std::vector<double>& v) { return std::fabs(Sum(v) - 1.0) <= 1e-8 + 1e-5; }

// scipy.stats.entropy(p, q): both normalised to sum 1; sum of p*log(p/q), where p = 0
// adds nothing and p > 0 with q = 0 makes it infinite.
double Entropy(const std::vector<double>& p, const std::vector<double>& q) {
  const double sp = Sum(p), sq = Sum(q);
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double x = p[i] / sp, y = q[i] / sq;
    if (std::isnan(x) || std::isnan(y)) return std::nan("");
    if (x > 0 && y > 0) {
      s += x * std::log(x / y);
    } else if (x == 0 && y >= 0) {
      continue;
    } else {
      s = HUGE_VAL;
    }
  }
  return s;
}

Json Doubles(const std::vector<double>& v) {
  Json out = Json::array();
  for (double x : v) out.push_back(x);
  return out;
}

Json EdgesJson(const std::vector<double>& v) {
  Json out = Json::array();
  for (double x : v) {
    if (std::isinf(x)) {
      out.push_back(x > 0 ? "Infinity" : "-Infinity");
    } else {
      out.push_back(x);
    }
  }
  return out;
}

bool SameValue(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

class KlDivergence final : public ExpectationKind {
 public:
  explicit KlDivergence(const std::string& /*type*/) {}

  // GE checks the partition and holdouts when it validates, so a bad one fails this
  // expectation alone (exception_info) and the rest of the suite runs: Bind reports it.
  Status Configure(const Json& kwargs) override {
    STRATA_RETURN_NOT_OK(RequireString(kwargs, "column", &column_));
    STRATA_RETURN_NOT_OK(OptionalBool(kwargs, "bucketize_data", &bucketize_));
    check_ = Check(kwargs);
    return Status::OK();
  }

  Status Bind(const DataInfo& data) override {
    STRATA_RETURN_NOT_OK(check_);
    const engine::ColumnSchema* col = data.Find(column_);
    if (col == nullptr) return Status::NotFound("column " + Quote(column_) + " is not in the data");
    if ((mode_ == Mode::kBins || mode_ == Mode::kAutoBins) && !data.IsNumeric(column_)) {
      return Status::TypeError("column " + Quote(column_) + " is " + col->sql_type +
                               ", not numeric, so a continuous partition (bins) cannot apply");
    }
    data_sql_ = data.sql;
    return Status::OK();
  }

  void Plan(ScanPlan* plan) override {
    const std::string c = Quote(column_);
    nonnull_ = plan->Aggregate("count(" + c + ")" + Filter(""));
    switch (mode_) {
      case Mode::kValues:
      case Mode::kObservedValues:
        counts_ = plan->Aggregate("to_json({'k': map_keys(histogram(" + c + ")" + Filter("") +
                                  "), 'v': map_values(histogram(" + c + ")" + Filter("") + ")})");
        break;
      case Mode::kBins: {
        std::string list;
        for (size_t i = 0; i + 1 < bins_.size(); ++i) {
          const bool last = i + 2 == bins_.size();
          const std::string cond = c + " >= " + SqlLiteral(bins_[i]) + " AND " + c +
                                   (last ? " <= " : " < ") + SqlLiteral(bins_[i + 1]);
          list += (i ? ", " : "") + std::string("count(*)") + Filter(cond);
        }
        counts_ = plan->Aggregate("to_json([" + list + "])");
        below_ = plan->Aggregate("count(*)" + Filter(c + " < " + SqlLiteral(bins_.front())));
        above_ = plan->Aggregate("count(*)" + Filter(c + " > " + SqlLiteral(bins_.back())));
        break;
      }
      case Mode::kAutoBins:
        counts_ = plan->Aggregate(AutoBinsSql());
        break;
    }
  }

  Json Evaluate(const ScanValues& values) override {
    const auto n = static_cast<double>(values.Int(nonnull_));
    Json counts = values.Get(counts_);
    counts = counts.is_string() ? ParseSqlJson(counts.get<std::string>()) : Json();
    switch (mode_) {
      case Mode::kValues:
      case Mode::kObservedValues:
        return Categorical(counts, n);
      case Mode::kBins: {
        std::vector<double> hist;
        for (const Json& k : counts.is_array() ? counts : Json::array())
          hist.push_back(k.get<double>() / n);
        return Continuous(hist, values.Int(below_) / n, values.Int(above_) / n);
      }
      case Mode::kAutoBins:
        return AutoBins(counts, n);
    }
    return {};
  }

  std::string column() const override { return column_; }

 private:
  Status Check(const Json& kwargs) {
    if (kwargs.contains("partition_object") && !kwargs.at("partition_object").is_null()) {
      STRATA_RETURN_NOT_OK(ReadPartition(kwargs.at("partition_object")));
    } else {
      mode_ = bucketize_ ? Mode::kAutoBins : Mode::kObservedValues;
    }
    if (kwargs.contains("threshold") && !kwargs.at("threshold").is_null()) {
      const Json& t = kwargs.at("threshold");
      if (!t.is_number() || t.get<double>() < 0)
        return Status::InvalidArgument("threshold must be a number >= 0, got " + t.dump());
      threshold_ = t.get<double>();
    }
    STRATA_RETURN_NOT_OK(Holdout(kwargs, "tail_weight_holdout", &tail_holdout_));
    STRATA_RETURN_NOT_OK(Holdout(kwargs, "internal_weight_holdout", &internal_holdout_));
    if (tail_holdout_ != 0 && !tail_weights_.empty())
      return Status::InvalidArgument(
          "tail_weight_holdout must be 0 when the partition object has tail_weights");
    if (mode_ == Mode::kValues && internal_holdout_ > 0)
      return Status::InvalidArgument(
          "internal_weight_holdout cannot be used with a categorical partition (values)");
    if (mode_ == Mode::kBins) {
      if (!bucketize_)
        return Status::InvalidArgument(
            "the KL divergence of a continuous partition (bins) needs bucketize_data: true");
      const bool low = std::isinf(bins_.front()), high = std::isinf(bins_.back());
      if (low && high && tail_holdout_ > 0)
        return Status::InvalidArgument(
            "tail_weight_holdout cannot be used for partitions with infinite endpoints");
      if ((low || high) && !tail_weights_.empty())
        return Status::InvalidArgument(
            "a partition with an infinite endpoint can have no tail_weights");
    }
    return Status::OK();
  }

  enum class Mode { kValues, kBins, kObservedValues, kAutoBins };

  Status ReadPartition(const Json& p) {
    Status invalid = Status::InvalidArgument(
        "invalid partition_object: expected {values: [...], weights: [...]} with weights "
        "summing to 1, or {bins: [...], weights: [...], tail_weights: [l, r]} with one more "
        "increasing bin edge than weights and all weights summing to 1; got " +
        p.dump().substr(0, 200));
    if (!p.is_object() || !p.contains("weights")) return invalid;
    bool valid = false;
    auto weights = Numbers(p.at("weights"));
    if (!weights) return invalid;
    if (p.contains("bins")) {
      auto bins = Numbers(p.at("bins"));
      std::vector<double> all = *weights;
      bool ok = bins.has_value() && bins->size() == weights->size() + 1;
      if (ok && p.contains("tail_weights")) {
        auto tails = Numbers(p.at("tail_weights"));
        ok = tails && tails->size() == 2;
        if (ok) {
          tail_weights_ = *tails;
          all.insert(all.end(), tails->begin(), tails->end());
        }
      }
      for (size_t i = 1; ok && i < bins->size(); ++i) ok = (*bins)[i] > (*bins)[i - 1];
      if (ok && SumsToOne(all)) {
        valid = true;
        mode_ = Mode::kBins;
        bins_ = *bins;
        weights_ = *weights;
      } else {
        tail_weights_.clear();
      }
    }
    // GE takes a partition that is valid both ways as categorical.
    if (p.contains("values") && p.at("values").is_array() &&
        p.at("values").size() == weights->size() && SumsToOne(*weights)) {
      valid = true;
      mode_ = Mode::kValues;
      values_ = p.at("values");
      weights_ = *weights;
      tail_weights_.clear();
    }
    return valid ? Status::OK() : invalid;
  }

  static Status Holdout(const Json& kwargs, const char* name, double* out) {
    if (!kwargs.contains(name)) return Status::OK();
    const Json& v = kwargs.at(name);
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
      return Status::InvalidArgument(std::string(name) + " must be between zero and one, got " +
                                     v.dump());
    *out = v.get<double>();
    return Status::OK();
  }

  std::string Filter(const std::string& cond) const {
    std::string where = cond;
    if (!args.row_condition.empty())
      where =
          where.empty() ? args.row_condition : "(" + where + ") AND (" + args.row_condition + ")";
    return where.empty() ? "" : " FILTER (WHERE " + where + ")";
  }

  Json Result(double kl, Json observed, Json expected) const {
    const bool defined = std::isfinite(kl);
    const bool success = !threshold_.has_value() || kl <= *threshold_;
    return {{"success", success},
            {"result",
             {{"observed_value", defined ? Json(kl) : Json()},
              {"details",
               {{"observed_partition", std::move(observed)},
                {"expected_partition", std::move(expected)}}}}}};
  }

  // Observed value counts against expected values; values the partition lacks share
  // tail_weight_holdout.
  Json Categorical(const Json& counts, double n) const {
    Json keys = counts.is_object() && counts.contains("k") ? counts["k"] : Json::array();
    Json expected_values = mode_ == Mode::kValues ? values_ : keys;
    std::vector<double> expected = weights_;
    if (mode_ == Mode::kObservedValues) {
      expected.clear();
      for (const Json& v : counts["v"]) expected.push_back(v.get<double>() / n);
    }
    Json all_values = expected_values;
    std::vector<double> p(all_values.size(), 0.0);
    std::vector<bool> unexpected(all_values.size(), false);
    for (size_t i = 0; i < keys.size(); ++i) {
      const double w = counts["v"][i].get<double>() / n;
      size_t at = 0;
      while (at < all_values.size() && !SameValue(all_values[at], keys[i])) ++at;
      if (at == all_values.size()) {
        all_values.push_back(keys[i]);
        p.push_back(0);
        unexpected.push_back(true);
      }
      p[at] = w;
    }
    const auto missing =
        static_cast<double>(std::count(unexpected.begin(), unexpected.end(), true));
    std::vector<double> q(all_values.size());
    for (size_t i = 0; i < q.size(); ++i) {
      if (unexpected[i]) {
        q[i] = tail_holdout_ / missing;
      } else {
        q[i] = missing > 0 ? expected[i] * (1 - tail_holdout_) : expected[i];
      }
    }
    return Result(Entropy(p, q), {{"values", all_values}, {"weights", Doubles(p)}},
                  {{"values", all_values}, {"weights", Doubles(q)}});
  }

  // Observed bin weights (and the weights below the first edge and above the last)
  // against the expected ones, with GE's handling of infinite endpoints and holdouts.
  Json Continuous(const std::vector<double>& obs, double below, double above) const {
    std::vector<double> w = weights_;
    for (double& x : w) x *= 1 - tail_holdout_ - internal_holdout_;
    if (internal_holdout_ > 0) {
      const auto zeros = static_cast<double>(std::count(w.begin(), w.end(), 0.0));
      for (double& x : w) {
        if (x == 0) x = internal_holdout_ / zeros;
      }
    }
    const bool low = std::isinf(bins_.front()), high = std::isinf(bins_.back());
    std::vector<double> edges = bins_, exp_w = w, obs_w = obs, comb_exp, comb_obs;
    std::vector<double> exp_tail, obs_tail;
    if (low && high) {
      edges = {bins_.begin() + 1, bins_.end() - 1};
      comb_exp = w;
      comb_obs = obs;
      exp_tail = {w.front(), w.back()};
      obs_tail = {obs.front(), obs.back()};
      exp_w = {w.begin() + 1, w.end() - 1};
      obs_w = {obs.begin() + 1, obs.end() - 1};
    } else if (low) {
      edges = {bins_.begin() + 1, bins_.end()};
      comb_exp = w;
      comb_exp.push_back(tail_holdout_);
      comb_obs = obs;
      comb_obs.push_back(above);
      exp_tail = {w.front(), tail_holdout_};
      obs_tail = {obs.front(), above};
      exp_w = {w.begin() + 1, w.end()};
      obs_w = {obs.begin() + 1, obs.end()};
    } else if (high) {
      edges = {bins_.begin(), bins_.end() - 1};
      comb_exp = {tail_holdout_};
      comb_exp.insert(comb_exp.end(), w.begin(), w.end());
      comb_obs = {below};
      comb_obs.insert(comb_obs.end(), obs.begin(), obs.end());
      exp_tail = {tail_holdout_, w.back()};
      obs_tail = {below, obs.back()};
      exp_w = {w.begin(), w.end() - 1};
      obs_w = {obs.begin(), obs.end() - 1};
    } else {
      exp_tail = tail_weights_.empty() ? std::vector<double>{tail_holdout_ / 2, tail_holdout_ / 2}
                                       : tail_weights_;
      comb_exp = {exp_tail[0]};
      comb_exp.insert(comb_exp.end(), w.begin(), w.end());
      comb_exp.push_back(exp_tail[1]);
      obs_tail = {below, above};
      comb_obs = {below};
      comb_obs.insert(comb_obs.end(), obs.begin(), obs.end());
      comb_obs.push_back(above);
    }
    return Result(Entropy(comb_obs, comb_exp),
                  {{"bins", EdgesJson(edges)},
                   {"weights", Doubles(obs_w)},
                   {"tail_weights", Doubles(obs_tail)}},
                  {{"bins", EdgesJson(edges)},
                   {"weights", Doubles(exp_w)},
                   {"tail_weights", Doubles(exp_tail)}});
  }

  // GE's profiling form: no partition, so the bins come from the data (numpy's "auto":
  // the narrower of the Sturges and Freedman-Diaconis widths) and the expected partition
  // is the observed one.
  std::string AutoBinsSql() const {
    const std::string c = Quote(column_);
    std::string where = c + " IS NOT NULL AND NOT isnan(CAST(" + c + " AS DOUBLE))";
    if (!args.row_condition.empty()) where += " AND (" + args.row_condition + ")";
    return "(WITH s AS (SELECT CAST(" + c + " AS DOUBLE) AS v FROM (" + data_sql_ +
           ") AS _d WHERE " + where +
           "), st AS (SELECT count(*) AS n, min(v) AS lo, max(v) AS hi, "
           "quantile_cont(v, 0.75) - quantile_cont(v, 0.25) AS iqr FROM s), "
           "k AS (SELECT n, lo, hi, CASE WHEN n = 0 THEN 0 WHEN hi = lo THEN 1 ELSE "
           "CAST(least(10000, ceil((hi - lo) / least((hi - lo) / (log2(n) + 1), CASE WHEN iqr > 0 "
           "THEN 2 * iqr / pow(n, 1.0 / 3) ELSE 'inf'::DOUBLE END))) AS BIGINT) END AS nb FROM st) "
           "SELECT to_json({'lo': any_value(k.lo), 'hi': any_value(k.hi), 'nb': any_value(k.nb), "
           "'h': histogram(CASE WHEN k.hi = k.lo THEN 0 ELSE least(CAST(floor((s.v - k.lo) / "
           "(k.hi - k.lo) * k.nb) AS BIGINT), k.nb - 1) END)}) FROM k LEFT JOIN s ON TRUE)";
  }

  Json AutoBins(const Json& counts, double n) const {
    std::vector<double> edges, hist;
    if (counts.is_object() && counts.value("nb", 0) > 0) {
      const int64_t nb = counts["nb"].get<int64_t>();
      double lo = counts["lo"].get<double>(), hi = counts["hi"].get<double>();
      if (lo == hi) lo -= 0.5, hi += 0.5;  // numpy's range for a constant column
      for (int64_t i = 0; i <= nb; ++i)
        edges.push_back(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(nb));
      hist.assign(nb, 0.0);
      const Json& h = counts["h"];
      for (const auto& [bin, count] : h.items()) hist[std::stoll(bin)] = count.get<double>() / n;
    }
    const double tail = (1 - Sum(hist)) / 2;
    Json partition = {{"bins", EdgesJson(edges)},
                      {"weights", Doubles(hist)},
                      {"tail_weights", Doubles({tail, tail})}};
    const double kl = edges.empty() ? std::nan("") : Entropy(hist, hist);
    return Result(kl, partition, partition);
  }

  std::string column_, data_sql_;
  Status check_;
  Mode mode_ = Mode::kValues;
  bool bucketize_ = true;
  Json values_;
  std::vector<double> bins_, weights_, tail_weights_;
  std::optional<double> threshold_;
  double tail_holdout_ = 0, internal_holdout_ = 0;
  int nonnull_ = 0, counts_ = 0, below_ = 0, above_ = 0;
};

}  // namespace

void RegisterKlDivergenceKind(Registry* registry) {
  registry->Add<KlDivergence>("expect_column_kl_divergence_to_be_less_than",
                              {"column", "partition_object", "threshold"});
}

}  // namespace strata::quality::detail
