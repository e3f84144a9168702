// Random names: ids and temporary-file suffixes that must not collide across threads and
// processes. One per-thread generator, seeded from the OS and the process id. Not for
// data (the events generator has its own seeded, reproducible source).
#pragma once

#include <cstdint>
#include <string>

namespace strata {

uint64_t RandomU64();
// 16 hex digits.
std::string RandomHex();
// A version 4 UUID, such as Delta's metaData.id and data file names use.
std::string RandomUuid();
// `path` + ".tmp-<16 hex digits>": a sibling name for writing a file before it is moved
// into place.
std::string TempPathFor(const std::string& path);

}  // namespace strata
