#include "table/deletion_vector.h"

#include <roaring/roaring.h>
#include <zlib.h>

#include <cstring>
#include <memory>

#include "common/random.h"

namespace strata::delta {
namespace {

constexpr std::string_view kZ85 =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
// The first four bytes of a vector (little-endian): the 64-bit portable bitmap format,
// and the "native" one Delta also defines (Strata reads the first only).
constexpr uint32_t kPortableMagic = 1681511377;
constexpr uint32_t kNativeMagic = 1681511376;

uint32_t LoadLE32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint32_t LoadBE32(const unsigned char* p) {
  return uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
}
void AppendLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void AppendBE32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

struct BitmapFree {
  void operator()(roaring_bitmap_t* b) const { roaring_bitmap_free(b); }
};
using Bitmap = std::unique_ptr<roaring_bitmap_t, BitmapFree>;

// The positions of a vector's bytes (magic + bitmap); `where` names it in errors.
Result<std::vector<uint64_t>> DecodeBitmap(std::string_view data, const std::string& where) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t left = data.size();
  if (left < 12) return Status::ParseError(where + " is too short to hold a bitmap");
  const uint32_t magic = LoadLE32(p);
  if (magic == kNativeMagic) {
    return Status::NotSupported(where +
                                " uses the native RoaringBitmapArray format, which Strata does "
                                "not read (it reads the portable one writers use)");
  }
  if (magic != kPortableMagic)
    return Status::ParseError(where + " does not start with a deletion vector's magic number");
  p += 4, left -= 4;
  uint64_t count = uint64_t{LoadLE32(p)} | uint64_t{LoadLE32(p + 4)} << 32;
  p += 8, left -= 8;
  std::vector<uint64_t> rows;
  int64_t last_key = -1;
  for (uint64_t i = 0; i < count; ++i) {
    if (left < 4) return Status::ParseError(where + " ends inside bitmap " + std::to_string(i));
    const uint32_t key = LoadLE32(p);
    p += 4, left -= 4;
    if (static_cast<int64_t>(key) <= last_key)
      return Status::ParseError(where + " has bitmap keys out of order");
    last_key = key;
    const char* at = reinterpret_cast<const char*>(p);
    const size_t size = roaring_bitmap_portable_deserialize_size(at, left);
    Bitmap bitmap(size == 0 ? nullptr : roaring_bitmap_portable_deserialize_safe(at, left));
    if (!bitmap) return Status::ParseError(where + " has a corrupt bitmap " + std::to_string(i));
    const uint64_t n = roaring_bitmap_get_cardinality(bitmap.get());
    std::vector<uint32_t> low(n);
    roaring_bitmap_to_uint32_array(bitmap.get(), low.data());
    for (uint32_t v : low) rows.push_back(uint64_t{key} << 32 | v);
    p += size, left -= size;
  }
  return rows;
}

// The bytes of a vector (magic + portable bitmap) holding `rows` (ascending).
std::string EncodeBitmap(const std::vector<uint64_t>& rows) {
  std::string out;
  AppendLE(&out, kPortableMagic, 4);
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> by_key;
  for (uint64_t r : rows) {
    const auto key = static_cast<uint32_t>(r >> 32);
    if (by_key.empty() || by_key.back().first != key) by_key.push_back({key, {}});
    by_key.back().second.push_back(static_cast<uint32_t>(r));
  }
  AppendLE(&out, by_key.size(), 8);
  for (const auto& [key, low] : by_key) {
    AppendLE(&out, key, 4);
    Bitmap bitmap(roaring_bitmap_create());
    roaring_bitmap_add_many(bitmap.get(), low.size(), low.data());
    roaring_bitmap_run_optimize(bitmap.get());
    std::string bytes(roaring_bitmap_portable_size_in_bytes(bitmap.get()), '\0');
    roaring_bitmap_portable_serialize(bitmap.get(), bytes.data());
    out += bytes;
  }
  return out;
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

DeletionVector DeletionVectorFromJson(const Json& d) {
  DeletionVector dv;
  dv.storage_type = StringField(d, "storageType");
  dv.path_or_inline = StringField(d, "pathOrInlineDv");
  if (d.is_object() && d.contains("offset") && d["offset"].is_number_integer())
    dv.offset = static_cast<int32_t>(d["offset"].get<int64_t>());
  dv.size_in_bytes = static_cast<int32_t>(IntField(d, "sizeInBytes", 0));
  dv.cardinality = IntField(d, "cardinality", 0);
  return dv;
}

Json DeletionVectorJson(const DeletionVector& dv) {
  Json d = {{"storageType", dv.storage_type}, {"pathOrInlineDv", dv.path_or_inline}};
  if (dv.offset) d["offset"] = *dv.offset;
  d["sizeInBytes"] = dv.size_in_bytes;
  d["cardinality"] = dv.cardinality;
  return d;
}

std::optional<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) {
      const size_t digit = kZ85.find(text[i + j]);
      if (digit == std::string_view::npos) return std::nullopt;
      v = v * 85 + digit;
    }
    if (v > 0xffffffffULL) return std::nullopt;
    AppendBE32(&out, static_cast<uint32_t>(v));
  }
  return out;
}

std::string Z85Encode(std::string_view bytes) {
  std::string padded(bytes);
  padded.resize((bytes.size() + 3) / 4 * 4, '\0');
  std::string out;
  for (size_t i = 0; i < padded.size(); i += 4) {
    uint64_t v = LoadBE32(reinterpret_cast<const unsigned char*>(padded.data() + i));
    char group[5];
    for (int j = 4; j >= 0; --j) {
      group[j] = kZ85[v % 85];
      v /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

Result<std::string> DeletionVectorFile(const DeletionVector& dv) {
  if (dv.storage_type == "p") return DecodePath(dv.path_or_inline);
  if (dv.storage_type != "u") {
    return Status::InvalidArgument("a deletion vector of storage type '" + dv.storage_type +
                                   "' has no file");
  }
  const std::string& text = dv.path_or_inline;
  auto uuid =
      text.size() >= 20 ? Z85Decode(std::string_view(text).substr(text.size() - 20)) : std::nullopt;
  if (!uuid || uuid->size() != 16) {
    return Status::ParseError("deletion vector pathOrInlineDv '" + text +
                              "' does not end with a Z85-encoded UUID");
  }
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    const auto b = static_cast<unsigned char>((*uuid)[i]);
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  const std::string prefix = text.substr(0, text.size() - 20);
  return (prefix.empty() ? "" : prefix + "/") + "deletion_vector_" + id + ".bin";
}

namespace {
// Where the file of `dv` is: in the table folder, or an absolute path.
Result<std::string> VectorPath(const std::string& table_path, const DeletionVector& dv) {
  auto rel = DeletionVectorFile(dv);
  if (!rel.ok()) return rel.status();
  if (rel->rfind('/', 0) == 0) return *rel;
  return table_path + "/" + *rel;
}
}  // namespace

Result<std::vector<uint64_t>> ReadDeletionVector(FileSystem* fs, const std::string& table_path,
                                                 const DeletionVector& dv,
                                                 std::map<std::string, std::string>* files) {
  std::vector<uint64_t> rows;
  if (dv.storage_type == "i") {
    auto bytes = Z85Decode(dv.path_or_inline);
    const std::string where = "the inline deletion vector '" + dv.path_or_inline + "'";
    if (!bytes || dv.size_in_bytes < 0 || static_cast<size_t>(dv.size_in_bytes) > bytes->size())
      return Status::ParseError(where + " is not Z85 text of sizeInBytes bytes");
    bytes->resize(static_cast<size_t>(dv.size_in_bytes));
    STRATA_ASSIGN_OR_RETURN(rows, DecodeBitmap(*bytes, where));
  } else {
    STRATA_ASSIGN_OR_RETURN(const std::string path, VectorPath(table_path, dv));
    std::string local;
    const std::string* content = &local;
    if (files != nullptr && files->count(path)) {
      content = &files->at(path);
    } else {
      auto read = fs->ReadFile(path);
      if (!read.ok()) {
        return read.status().WithContext("deletion vector file '" + path + "' of table '" +
                                         table_path + "'");
      }
      local = std::move(read).value();
      if (files != nullptr) {
        std::string& kept = (*files)[path];
        kept = std::move(local);
        content = &kept;
      }
    }
    const int64_t offset = dv.offset.value_or(1);
    const std::string where =
        "deletion vector file '" + path + "' at offset " + std::to_string(offset);
    if (offset < 1 || static_cast<uint64_t>(offset) + 8 > content->size())
      return Status::ParseError(where + ": the file is " + std::to_string(content->size()) +
                                " bytes");
    const auto* p = reinterpret_cast<const unsigned char*>(content->data()) + offset;
    const uint32_t size = LoadBE32(p);
    if (static_cast<int64_t>(size) != dv.size_in_bytes ||
        static_cast<uint64_t>(offset) + 8 + size > content->size()) {
      return Status::ParseError(where + ": holds " + std::to_string(size) +
                                " bytes where the log says " + std::to_string(dv.size_in_bytes));
    }
    const std::string_view data(content->data() + offset + 4, size);
    if (Crc32(data) != LoadBE32(p + 4 + size))
      return Status::ParseError(where + ": the checksum does not match (a corrupt file?)");
    STRATA_ASSIGN_OR_RETURN(rows, DecodeBitmap(data, where));
  }
  if (static_cast<int64_t>(rows.size()) != dv.cardinality) {
    return Status::ParseError("deletion vector '" + dv.UniqueId() + "' of table '" + table_path +
                              "' holds " + std::to_string(rows.size()) +
                              " rows where the log says " + std::to_string(dv.cardinality));
  }
  return rows;
}

Result<std::vector<DeletionVector>> WriteDeletionVectors(
    FileSystem* fs, const std::string& table_path,
    const std::vector<std::vector<uint64_t>>& positions) {
  const std::string uuid = RandomUuid();
  std::string raw;
  for (char c : uuid) {
    if (c == '-') continue;
    raw += c;
  }
  std::string id_bytes;
  for (size_t i = 0; i + 1 < raw.size(); i += 2)
    id_bytes += static_cast<char>(std::stoi(raw.substr(i, 2), nullptr, 16));
  DeletionVector base;
  base.storage_type = "u";
  base.path_or_inline = Z85Encode(id_bytes);
  std::string content(1, '\x01');  // the file format's version
  std::vector<DeletionVector> out;
  for (const std::vector<uint64_t>& rows : positions) {
    const std::string data = EncodeBitmap(rows);
    DeletionVector dv = base;
    dv.offset = static_cast<int32_t>(content.size());
    dv.size_in_bytes = static_cast<int32_t>(data.size());
    dv.cardinality = static_cast<int64_t>(rows.size());
    AppendBE32(&content, static_cast<uint32_t>(data.size()));
    content += data;
    AppendBE32(&content, Crc32(data));
    out.push_back(std::move(dv));
  }
  STRATA_ASSIGN_OR_RETURN(std::string rel, DeletionVectorFile(base));
  const std::string path = table_path + "/" + rel;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewWritableFile(path));
  Status st = file->Append(content);
  if (st.ok()) st = file->Sync();
  if (st.ok()) st = file->Close();
  if (!st.ok()) {
    (void)fs->RemoveFile(path);
    return st.WithContext("writing deletion vectors '" + path + "'");
  }
  return out;
}

}  // namespace strata::delta
