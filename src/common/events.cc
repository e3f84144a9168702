#include "strata/events.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata {
namespace {

// splitmix64, as the shared generator.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t state_;
};

}  // namespace

Status WriteEvents(const EventsOptions& options, std::FILE* out) {
  if (options.rows < 0) return Status::InvalidArgument("events: rows must be >= 0");
  SplitMix64 rng(options.seed);
  const bool dirty = options.dirty;
  std::fputs(
      "sample_id,feature_id,timestamp,category,value,quality_score,normalized_value,event_score,"
      "label\n",
      out);
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // The statement order below matches the generator's calls to the random source.
  for (long long i = 1; i <= options.rows; ++i) {
    long long id = i;
    if (dirty && i > 1 && rng.Next() % 10000 == 0) {
      id = 1 + static_cast<long long>(rng.Next() % static_cast<uint64_t>(i - 1));
    }
    uint64_t r = rng.Next();
    long long secs = static_cast<long long>(r % (365ull * 86400ull));
    int doy = static_cast<int>(secs / 86400), m = 0;
    while (doy >= kDays[m]) doy -= kDays[m++];
    int hh = static_cast<int>(secs % 86400 / 3600), mm = static_cast<int>(secs % 3600 / 60),
        ss = static_cast<int>(secs % 60);
    double u = rng.Unit();
    int cat = static_cast<int>(u * u * 100.0);
    std::fprintf(out, "%lld,", id);
    if (dirty && rng.Next() % 1000 == 0) {
      std::fputc(',', out);
    } else {
      std::fprintf(out, "%llu,", static_cast<unsigned long long>(rng.Next() % 100000));
    }
    std::fprintf(out, "2025-%02d-%02d %02d:%02d:%02d,cat_%03d,", m + 1, doy + 1, hh, mm, ss, cat);
    if (rng.Next() % 20 == 0) {
      std::fputc(',', out);
    } else {
      std::fprintf(out, "%.4f,", (rng.Unit() - 0.3) * 1000.0);
    }
    double nv = rng.Unit();
    if (dirty && rng.Next() % 1000 == 0) nv += 1.5;
    // The shared generator draws these inside one printf call, whose arguments gcc
    // evaluates right to left: label, then event_score, then quality_score.
    int label = static_cast<int>(rng.Next() & 1);
    double event = rng.Unit();
    double quality = rng.Unit();
    std::fprintf(out, "%.4f,%.6f,%.4f,%d\n", quality, nv, event, label);
  }
  if (std::ferror(out))
    return Status::IOError(std::string("events: write failed: ") + std::strerror(errno));
  return Status::OK();
}

Status WriteEventsFile(const EventsOptions& options, const std::string& path) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return Status::IOError("cannot create '" + tmp + "': " + std::strerror(errno));
  static char buf[1 << 20];
  std::setvbuf(f, buf, _IOFBF, sizeof buf);
  Status st = WriteEvents(options, f);
  if (std::fclose(f) != 0 && st.ok())
    st = Status::IOError("cannot write '" + tmp + "': " + std::strerror(errno));
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
  }
  if (!st.ok()) std::remove(tmp.c_str());
  return st;
}

}  // namespace strata
