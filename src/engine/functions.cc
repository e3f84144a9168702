// strata_duplicates: see functions.h.
#include "engine/functions.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sys/mman.h>

namespace strata::engine {

namespace {

// ---------------------------------------------------------------------------------------
// Memory. Touching fresh pages one fault at a time costs about as much as the whole
// duplicate search on the machines we measure, so large buffers are mapped with their
// pages populated in one call.

template <class T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t n) : size_(n) {
    if (n == 0) return;
    mapped_ = n * sizeof(T) >= kMapFrom;
    void* p = mapped_ ? mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
                      : std::calloc(n, sizeof(T));
    if (p == (mapped_ ? MAP_FAILED : nullptr)) throw std::bad_alloc();
    data_ = static_cast<T*>(p);  // zero-filled
  }
  ~Buffer() {
    if (data_ == nullptr) return;
    if (mapped_)
      munmap(data_, size_ * sizeof(T));
    else
      std::free(data_);
  }
  Buffer(Buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(o.size_), mapped_(o.mapped_) {}
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(mapped_, o.mapped_);
    return *this;
  }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  static constexpr size_t kMapFrom = size_t{1} << 20;
  T* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

// A growing array: the first kBlock values in an ordinary vector (small states stay
// small), the rest in fixed blocks, so that appending never copies what is there.
template <class T>
class Blocks {
 public:
  void push_back(const T& v) {
    if (size_ < kBlock) {
      head_.push_back(v);
    } else {
      size_t i = size_ - kBlock;
      if (i % kBlock == 0) tail_.emplace_back(kBlock);
      tail_[i / kBlock][i % kBlock] = v;
    }
    ++size_;
  }
  const T& operator[](size_t i) const {
    return i < kBlock ? head_[i] : tail_[(i - kBlock) / kBlock][(i - kBlock) % kBlock];
  }
  size_t size() const { return size_; }
  void Append(Blocks&& other) {
    if (size_ == 0) {
      std::swap(*this, other);
      return;
    }
    for (size_t i = 0; i < other.size_; ++i) push_back(other[i]);
    other = Blocks();
  }

 private:
  static constexpr size_t kBlock = size_t{1} << 17;
  std::vector<T> head_;
  std::vector<Buffer<T>> tail_;
  size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------
// Value stores: the values an aggregate state keeps, one class per argument type. Each
// gives a 64-bit key per value: the value itself for numbers, so equal keys are equal
// values; for strings see StringStore::ExactKey.

uint64_t Mix(uint64_t x) {  // a 64-bit finalizer: every output bit depends on every input bit
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

class Int64Store {
 public:
  static duckdb_type Type() { return DUCKDB_TYPE_BIGINT; }
  void Add(const void* data, idx_t row) {
    int64_t v = static_cast<const int64_t*>(data)[row];
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
    values_.push_back(v);
  }
  void AppendAll(Int64Store&& other) {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    values_.Append(std::move(other.values_));
  }
  size_t size() const { return values_.size(); }
  uint64_t Key(size_t i) const { return static_cast<uint64_t>(values_[i]); }
  void Write(duckdb_vector out, idx_t pos, size_t i) const {
    static_cast<int64_t*>(duckdb_vector_get_data(out))[pos] = values_[i];
  }
  // Values minus the smallest, when they span at most `limit` (ids usually do).
  bool Dense(uint64_t limit) const {
    return size() > 0 && static_cast<uint64_t>(max_) - static_cast<uint64_t>(min_) < limit;
  }
  uint64_t Offset(size_t i) const {
    return static_cast<uint64_t>(values_[i]) - static_cast<uint64_t>(min_);
  }
  uint64_t Span() const { return static_cast<uint64_t>(max_) - static_cast<uint64_t>(min_) + 1; }

 private:
  Blocks<int64_t> values_;
  int64_t min_ = std::numeric_limits<int64_t>::max();
  int64_t max_ = std::numeric_limits<int64_t>::min();
};

class DoubleStore {
 public:
  static duckdb_type Type() { return DUCKDB_TYPE_DOUBLE; }
  void Add(const void* data, idx_t row) {
    double v = static_cast<const double*>(data)[row];
    // One key per value as SQL compares them: -0.0 equals 0.0, NaN equals NaN.
    if (v == 0.0) v = 0.0;
    if (v != v) v = std::numeric_limits<double>::quiet_NaN();
    values_.push_back(v);
  }
  void AppendAll(DoubleStore&& other) { values_.Append(std::move(other.values_)); }
  size_t size() const { return values_.size(); }
  uint64_t Key(size_t i) const {
    uint64_t bits;
    std::memcpy(&bits, &values_[i], sizeof bits);
    return bits;
  }
  void Write(duckdb_vector out, idx_t pos, size_t i) const {
    static_cast<double*>(duckdb_vector_get_data(out))[pos] = values_[i];
  }

 private:
  Blocks<double> values_;
};

class StringStore {
 public:
  // Strings of up to 7 bytes are their own key: the bytes, the length and the top bit
  // set. Longer ones are keyed by a hash with the top bit clear, so the two never meet.
  static bool ExactKey(uint64_t key) { return key >> 63; }
  static duckdb_type Type() { return DUCKDB_TYPE_VARCHAR; }
  void Add(const void* data, idx_t row) {
    auto* s = const_cast<duckdb_string_t*>(static_cast<const duckdb_string_t*>(data) + row);
    Push(std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
  }
  void AppendAll(StringStore&& other) {
    // The other's views stay valid: its arena chunks move here.
    for (auto& chunk : other.chunks_) chunks_.push_back(std::move(chunk));
    views_.Append(std::move(other.views_));
    keys_.Append(std::move(other.keys_));
    other = StringStore();
  }
  size_t size() const { return views_.size(); }
  uint64_t Key(size_t i) const { return keys_[i]; }  // made while scanning, in parallel
  std::string_view Bytes(size_t i) const { return views_[i]; }
  void Write(duckdb_vector out, idx_t pos, size_t i) const {
    std::string_view s = Bytes(i);
    duckdb_vector_assign_string_element_len(out, pos, s.data(), s.size());
  }

 private:
  void Push(std::string_view s) {
    if (chunks_.empty() || used_ + s.size() > chunk_size_) {
      // Chunks grow from 4 KiB to 1 MiB, so that a state with a few strings stays small.
      chunk_size_ = std::max(std::clamp(2 * chunk_size_, size_t{4096}, kChunk), s.size());
      chunks_.emplace_back(chunk_size_);
      used_ = 0;
    }
    char* at = &chunks_.back()[used_];
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    used_ += s.size();
    views_.push_back(std::string_view(at, s.size()));
    uint64_t key;
    if (s.size() <= 7) {
      key = uint64_t{1} << 63 | static_cast<uint64_t>(s.size()) << 56;
      for (size_t i = 0; i < s.size(); ++i)
        key |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    } else {
      key = std::hash<std::string_view>()(s) & ~(uint64_t{1} << 63);
    }
    keys_.push_back(key);
  }

  static constexpr size_t kChunk = size_t{1} << 20;
  std::vector<Buffer<char>> chunks_;
  size_t chunk_size_ = 0, used_ = 0;
  Blocks<std::string_view> views_;
  Blocks<uint64_t> keys_;
};

// ---------------------------------------------------------------------------------------
// Finding duplicates. The keys (with their row numbers) are scattered into 256
// partitions by hash, so that each partition's counting table fits in cache. A key seen
// twice or more in its partition is a duplicated value; its rows count, and the first k
// of them in arrival order are kept in a bounded heap. For strings longer than 7 bytes
// the key is a hash: every row of a duplicated hash is compared with the first row of
// that hash, and a partition where two strings share a hash is counted again by the
// bytes themselves.

class CountTable {
 public:
  struct Slot {
    uint64_t key;
    uint32_t count;  // 0: empty
    uint32_t first;  // the first row with this key
  };
  void Reset(size_t expected) {
    size_t cap = 16;
    while (cap < 2 * expected) cap *= 2;
    slots_.assign(cap, Slot{0, 0, 0});
    mask_ = cap - 1;
  }
  Slot& Insert(uint64_t key, uint64_t hash, uint32_t row) {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        s = {key, 0, row};
        return s;
      }
      if (s.key == key) return s;
    }
  }

 private:
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

struct Duplicates {
  int64_t rows = 0;           // rows whose value occurs more than once
  std::vector<size_t> first;  // the first k of them, in arrival order
};

// The k values of smallest rank offered (rank: the arrival index, or the row number
// given to the aggregate).
class FirstRows {
 public:
  explicit FirstRows(size_t k) : k_(k) {}
  void Offer(int64_t rank, size_t index) {
    if (heap_.size() < k_) {
      heap_.push_back({rank, index});
      std::push_heap(heap_.begin(), heap_.end());
    } else if (k_ > 0 && std::make_pair(rank, index) < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = {rank, index};
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  std::vector<size_t> Sorted() {
    std::sort(heap_.begin(), heap_.end());
    std::vector<size_t> out;
    for (const auto& [rank, index] : heap_) out.push_back(index);
    return out;
  }

 private:
  size_t k_;
  std::vector<std::pair<int64_t, size_t>> heap_;
};

// The rank of the value at `index`: its row number when the aggregate was given one.
int64_t Rank(const Blocks<int64_t>* order, size_t index) {
  return order == nullptr ? static_cast<int64_t>(index) : (*order)[index];
}

// Integers spanning a range not much wider than their number: a saturating count per
// possible value, one byte each, instead of partitions.
Duplicates FindDuplicatesDense(const Int64Store& values, size_t k, const Blocks<int64_t>* order) {
  const size_t n = values.size();
  Buffer<uint8_t> counts(values.Span());
  for (size_t i = 0; i < n; ++i) {
    uint8_t& c = counts[values.Offset(i)];
    c += c < 2;
  }
  Duplicates out;
  FirstRows first(k);
  for (size_t i = 0; i < n; ++i) {
    if (counts[values.Offset(i)] > 1) {
      ++out.rows;
      if (order != nullptr)
        first.Offer(Rank(order, i), i);
      else if (out.first.size() < k)
        out.first.push_back(i);  // arrival order: the first k seen are the answer
    }
  }
  if (order != nullptr) out.first = first.Sorted();
  return out;
}

template <class Store>
Duplicates FindDuplicates(const Store& values, size_t k, const Blocks<int64_t>* order) {
  const size_t n = values.size();
  if constexpr (std::is_same_v<Store, Int64Store>) {
    if (values.Dense(4 * static_cast<uint64_t>(n) + 4096))
      return FindDuplicatesDense(values, k, order);
  }
  if (n > std::numeric_limits<uint32_t>::max())
    throw std::length_error("strata_duplicates: more than 2^32 values");
  constexpr int kBits = 8;
  constexpr size_t kParts = size_t{1} << kBits;
  auto part = [](uint64_t hash) { return hash >> (64 - kBits); };

  std::vector<size_t> starts(kParts + 1, 0);
  for (size_t i = 0; i < n; ++i) ++starts[part(Mix(values.Key(i))) + 1];
  for (size_t p = 0; p < kParts; ++p) starts[p + 1] += starts[p];
  Buffer<uint64_t> keys(n);
  Buffer<uint32_t> rows(n);
  {
    std::vector<size_t> next(starts.begin(), starts.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      uint64_t key = values.Key(i);
      size_t at = next[part(Mix(key))]++;
      keys[at] = key;
      rows[at] = static_cast<uint32_t>(i);
    }
  }

  Duplicates out;
  FirstRows first(k);
  CountTable table;
  std::vector<const CountTable::Slot*> slot_of;
  for (size_t p = 0; p < kParts; ++p) {
    const size_t begin = starts[p], end = starts[p + 1];
    table.Reset(end - begin);
    slot_of.resize(end - begin);
    for (size_t j = begin; j < end; ++j) {
      CountTable::Slot& s = table.Insert(keys[j], Mix(keys[j]), rows[j]);
      ++s.count;
      slot_of[j - begin] = &s;
    }
    // Strings keyed by a hash: a partition where two different strings share one is
    // counted again by the bytes themselves.
    if constexpr (std::is_same_v<Store, StringStore>) {
      bool collision = false;
      for (size_t j = begin; j < end && !collision; ++j) {
        const CountTable::Slot* s = slot_of[j - begin];
        collision = s->count > 1 && !StringStore::ExactKey(keys[j]) &&
                    values.Bytes(rows[j]) != values.Bytes(s->first);
      }
      if (collision) {
        std::unordered_map<std::string_view, uint32_t> counts;
        for (size_t j = begin; j < end; ++j) ++counts[values.Bytes(rows[j])];
        for (size_t j = begin; j < end; ++j) {
          if (counts[values.Bytes(rows[j])] > 1) {
            ++out.rows;
            first.Offer(Rank(order, rows[j]), rows[j]);
          }
        }
        continue;
      }
    }
    for (size_t j = begin; j < end; ++j) {
      if (slot_of[j - begin]->count > 1) {
        ++out.rows;
        first.Offer(Rank(order, rows[j]), rows[j]);
      }
    }
  }
  out.first = first.Sorted();
  return out;
}

// ---------------------------------------------------------------------------------------
// The aggregate state is a pointer to an Acc, made on first use.

template <class Store>
struct Acc {
  Store values;
  Blocks<int64_t> order;  // the row number of each value, when given
  int64_t limit = -1;     // k, from the first row seen
};

template <class Store>
struct State {
  Acc<Store>* acc;
};

template <class Store>
idx_t StateSize(duckdb_function_info) {
  return sizeof(State<Store>);
}

template <class Store>
void StateInit(duckdb_function_info, duckdb_aggregate_state state) {
  reinterpret_cast<State<Store>*>(state)->acc = nullptr;
}

template <class Store>
void StateDestroy(duckdb_aggregate_state* states, idx_t count) {
  for (idx_t i = 0; i < count; ++i) {
    auto* s = reinterpret_cast<State<Store>*>(states[i]);
    delete s->acc;
    s->acc = nullptr;
  }
}

template <class Store>
Acc<Store>* AccOf(duckdb_aggregate_state state) {
  auto* s = reinterpret_cast<State<Store>*>(state);
  if (s->acc == nullptr) s->acc = new Acc<Store>();
  return s->acc;
}

template <class Store, bool kOrdered>
void Update(duckdb_function_info info, duckdb_data_chunk input, duckdb_aggregate_state* states) {
  try {
    const idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector values = duckdb_data_chunk_get_vector(input, 0);
    duckdb_vector limits = duckdb_data_chunk_get_vector(input, 1);
    const void* data = duckdb_vector_get_data(values);
    uint64_t* validity = duckdb_vector_get_validity(values);
    const auto* k = static_cast<const int64_t*>(duckdb_vector_get_data(limits));
    uint64_t* k_validity = duckdb_vector_get_validity(limits);
    const int64_t* order = nullptr;
    uint64_t* order_validity = nullptr;
    if constexpr (kOrdered) {
      duckdb_vector v = duckdb_data_chunk_get_vector(input, 2);
      order = static_cast<const int64_t*>(duckdb_vector_get_data(v));
      order_validity = duckdb_vector_get_validity(v);
    }
    for (idx_t row = 0; row < n; ++row) {
      Acc<Store>* acc = AccOf<Store>(states[row]);
      if (acc->limit < 0) {
        if (k_validity != nullptr && !duckdb_validity_row_is_valid(k_validity, row)) continue;
        if (k[row] < 0) {
          duckdb_aggregate_function_set_error(info, "strata_duplicates: k must not be negative");
          return;
        }
        acc->limit = k[row];
      }
      if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) continue;
      acc->values.Add(data, row);
      if constexpr (kOrdered) {
        bool known = order_validity == nullptr || duckdb_validity_row_is_valid(order_validity, row);
        acc->order.push_back(known ? order[row] : std::numeric_limits<int64_t>::max());
      }
    }
  } catch (const std::exception& e) {
    duckdb_aggregate_function_set_error(info, e.what());
  }
}

template <class Store>
void Combine(duckdb_function_info info, duckdb_aggregate_state* source,
             duckdb_aggregate_state* target, idx_t count) {
  try {
    for (idx_t i = 0; i < count; ++i) {
      auto* from = reinterpret_cast<State<Store>*>(source[i])->acc;
      if (from == nullptr) continue;
      Acc<Store>* to = AccOf<Store>(target[i]);
      if (to->limit < 0) to->limit = from->limit;
      to->values.AppendAll(std::move(from->values));
      to->order.Append(std::move(from->order));
    }
  } catch (const std::exception& e) {
    duckdb_aggregate_function_set_error(info, e.what());
  }
}

// Writes `n` items as the list at `row` of `list`; write(child, position, j) writes the j-th.
template <class Write>
void AppendList(duckdb_vector list, idx_t row, size_t n, Write write) {
  const idx_t base = duckdb_list_vector_get_size(list);
  duckdb_list_vector_reserve(list, base + n);
  duckdb_vector child = duckdb_list_vector_get_child(list);
  for (size_t j = 0; j < n; ++j) write(child, base + j, j);
  duckdb_list_vector_set_size(list, base + n);
  static_cast<duckdb_list_entry*>(duckdb_vector_get_data(list))[row] = {base, n};
}

template <class Store, bool kOrdered>
void Finalize(duckdb_function_info info, duckdb_aggregate_state* source, duckdb_vector result,
              idx_t count, idx_t offset) {
  try {
    duckdb_vector counts = duckdb_struct_vector_get_child(result, 0);
    duckdb_vector samples = duckdb_struct_vector_get_child(result, 1);
    for (idx_t i = 0; i < count; ++i) {
      const Acc<Store>* acc = reinterpret_cast<State<Store>*>(source[i])->acc;
      if (acc == nullptr) {  // no row reached this state: no duplicates, empty lists
        static_cast<int64_t*>(duckdb_vector_get_data(counts))[offset + i] = 0;
        AppendList(samples, offset + i, 0, [](duckdb_vector, idx_t, size_t) {});
        if constexpr (kOrdered) {
          AppendList(duckdb_struct_vector_get_child(result, 2), offset + i, 0,
                     [](duckdb_vector, idx_t, size_t) {});
        }
        continue;
      }
      const Duplicates found =
          FindDuplicates(acc->values, static_cast<size_t>(std::max<int64_t>(acc->limit, 0)),
                         kOrdered ? &acc->order : nullptr);
      static_cast<int64_t*>(duckdb_vector_get_data(counts))[offset + i] = found.rows;
      // The sample (and its row numbers) as one list entry of row offset + i.
      AppendList(samples, offset + i, found.first.size(),
                 [&](duckdb_vector child, idx_t at, size_t j) {
                   acc->values.Write(child, at, found.first[j]);
                 });
      if constexpr (kOrdered) {
        AppendList(duckdb_struct_vector_get_child(result, 2), offset + i, found.first.size(),
                   [&](duckdb_vector child, idx_t at, size_t j) {
                     static_cast<int64_t*>(duckdb_vector_get_data(child))[at] =
                         acc->order[found.first[j]];
                   });
      }
    }
  } catch (const std::exception& e) {
    duckdb_aggregate_function_set_error(info, e.what());
  }
}

// ---------------------------------------------------------------------------------------
// Registration

struct LogicalType {
  duckdb_logical_type type;
  explicit LogicalType(duckdb_logical_type t) : type(t) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type); }
};

constexpr const char* kName = "strata_duplicates";

// strata_duplicates(x, k) -> {unexpected, sample}; with a row number argument,
// strata_duplicates(x, k, row) -> {unexpected, sample, rows}, the sample being the k
// duplicated values of smallest row number.
template <class Store, bool kOrdered>
duckdb_aggregate_function MakeFunction() {
  duckdb_aggregate_function f = duckdb_create_aggregate_function();
  duckdb_aggregate_function_set_name(f, kName);
  LogicalType value(duckdb_create_logical_type(Store::Type()));
  LogicalType bigint(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  duckdb_aggregate_function_add_parameter(f, value.type);
  duckdb_aggregate_function_add_parameter(f, bigint.type);
  if (kOrdered) duckdb_aggregate_function_add_parameter(f, bigint.type);
  LogicalType list(duckdb_create_list_type(value.type));
  LogicalType rows(duckdb_create_list_type(bigint.type));
  duckdb_logical_type members[] = {bigint.type, list.type, rows.type};
  const char* names[] = {"unexpected", "sample", "rows"};
  LogicalType result(duckdb_create_struct_type(members, names, kOrdered ? 3 : 2));
  duckdb_aggregate_function_set_return_type(f, result.type);
  duckdb_aggregate_function_set_functions(f, StateSize<Store>, StateInit<Store>,
                                          Update<Store, kOrdered>, Combine<Store>,
                                          Finalize<Store, kOrdered>);
  duckdb_aggregate_function_set_destructor(f, StateDestroy<Store>);
  return f;
}

}  // namespace

Status RegisterFunctions(duckdb_connection conn) {
  duckdb_aggregate_function_set set = duckdb_create_aggregate_function_set(kName);
  duckdb_aggregate_function fs[] = {
      MakeFunction<Int64Store, false>(),  MakeFunction<DoubleStore, false>(),
      MakeFunction<StringStore, false>(), MakeFunction<Int64Store, true>(),
      MakeFunction<DoubleStore, true>(),  MakeFunction<StringStore, true>()};
  bool ok = true;
  for (auto& f : fs) {
    ok = ok && duckdb_add_aggregate_function_to_set(set, f) == DuckDBSuccess;
    duckdb_destroy_aggregate_function(&f);
  }
  ok = ok && duckdb_register_aggregate_function_set(conn, set) == DuckDBSuccess;
  duckdb_destroy_aggregate_function_set(&set);
  return ok ? Status::OK() : Status::Internal(std::string("cannot register ") + kName);
}

}  // namespace strata::engine
