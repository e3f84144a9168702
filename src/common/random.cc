#include "common/random.h"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace strata {

uint64_t RandomU64() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (static_cast<uint64_t>(::getpid()) << 20));
  return rng();
}

std::string RandomHex() {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(RandomU64()));
  return buf;
}

std::string RandomUuid() {
  const uint64_t a = RandomU64(), b = RandomU64();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

std::string TempPathFor(const std::string& path) { return path + ".tmp-" + RandomHex(); }

}  // namespace strata
