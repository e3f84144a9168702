// Delta deletion vectors: the descriptor in add/remove actions, reading the deleted row
// positions (inline Z85 text, or a deletion_vector_<uuid>.bin file of the table), and
// writing them (one .bin file per commit holding the vectors of several data files).
// The bitmap is the protocol's 64-bit "portable" RoaringBitmapArray, read and written
// with CRoaring. Internal to libstrata.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/filesystem.h"
#include "strata/table.h"
#include "table/delta_log.h"

namespace strata::delta {

// The descriptor of an add/remove action's `deletionVector` (checked by CheckAction).
DeletionVector DeletionVectorFromJson(const Json& descriptor);
Json DeletionVectorJson(const DeletionVector& dv);

// Z85 (ZeroMQ's base 85), as the protocol encodes inline vectors and file UUIDs.
// Decoding fails (nullopt) on a character outside the alphabet or a length not a
// multiple of 5.
std::optional<std::string> Z85Decode(std::string_view text);
std::string Z85Encode(std::string_view bytes);  // pads to a multiple of 4 with zeros

// The file of a "u" or "p" vector, relative to the table folder (or absolute for "p");
// InvalidArgument when the descriptor cannot name one.
Result<std::string> DeletionVectorFile(const DeletionVector& dv);

// The deleted row positions of `dv`, ascending. Errors name the table's file, the
// offset and what is wrong (a missing file, a bad checksum, a size or cardinality that
// does not match the descriptor, the native bitmap format).
// `files` (when given) keeps the .bin files read, for the next vector in the same file.
Result<std::vector<uint64_t>> ReadDeletionVector(
    FileSystem* fs, const std::string& table_path, const DeletionVector& dv,
    std::map<std::string, std::string>* files = nullptr);

// Writes one deletion_vector_<uuid>.bin in the table folder holding a vector for each of
// `positions` (ascending row positions; each non-empty), and returns their descriptors,
// in order. The file is complete and synced before this returns.
Result<std::vector<DeletionVector>> WriteDeletionVectors(
    FileSystem* fs, const std::string& table_path,
    const std::vector<std::vector<uint64_t>>& positions);

}  // namespace strata::delta
