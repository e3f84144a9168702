// Content hashes (xxh3-128) of files and fingerprints, with the catalog's hash cache so an
// unchanged large file is not read again.
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "pipeline/internal.h"

namespace strata::pipeline {

namespace {
std::string Hex(const XXH128_hash_t& h) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}
}  // namespace

std::string HashBytes(std::string_view bytes) {
  return Hex(XXH3_128bits(bytes.data(), bytes.size()));
}

Fingerprint& Fingerprint::Add(std::string_view part) {
  buffer_ += std::to_string(part.size());
  buffer_ += ':';
  buffer_ += part;
  return *this;
}

Status HashFile(catalog::Catalog* catalog, const std::string& path, catalog::DataRef* ref) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return Status::NotFound("file '" + path + "' does not exist");
  if (!S_ISREG(sb.st_mode)) return Status::InvalidArgument("'" + path + "' is not a file");
  const int64_t mtime_ns =
      static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec;
  ref->kind = catalog::DataRef::Kind::kFile;
  ref->name = path;
  ref->bytes = sb.st_size;
  if (catalog != nullptr) {
    STRATA_ASSIGN_OR_RETURN(auto cached, catalog->CachedHash(path, sb.st_size, mtime_ns));
    if (cached) {
      ref->hash = *cached;
      return Status::OK();
    }
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("file '" + path + "' cannot be read");
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      ::close(fd);
      return Status::IOError("file '" + path + "' cannot be read");
    }
    if (n == 0) break;
    XXH3_128bits_update(state.get(), buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  ref->hash = Hex(XXH3_128bits_digest(state.get()));
  if (catalog != nullptr)
    STRATA_RETURN_NOT_OK(catalog->StoreHash(path, sb.st_size, mtime_ns, ref->hash));
  return Status::OK();
}

Result<std::vector<std::string>> ExpandGlob(const std::string& pattern) {
  if (pattern.find_first_of("*?[") == std::string::npos) {
    struct stat sb {};
    if (::stat(pattern.c_str(), &sb) != 0)
      return Status::NotFound("file '" + pattern + "' does not exist");
    return std::vector<std::string>{pattern};
  }
  glob_t g{};
  int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  if (out.empty()) return Status::NotFound("no file matches '" + pattern + "'");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace strata::pipeline
