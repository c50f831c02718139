// Open-addressed hash map from order id to arena index: linear probing, backward-shift deletion.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "types.h"

namespace tranche {

// Keys are non-zero order ids (0 marks an empty slot). The table doubles at load 1/4 (short probe chains
// measured faster than a denser, more cache-friendly table on GOOG-shaped streams), so a book whose
// resting order count has reached its high-water mark never allocates again.
class IdMap {
 public:
  explicit IdMap(uint32_t capacityHint = 1024) { rehash(roundUp(uint64_t{capacityHint} * 4)); }

  uint32_t find(OrderId id) const {
    const int64_t s = findSlot(id);
    return s < 0 ? kNil : table_[static_cast<size_t>(s)].index;
  }

  // Slot holding id, or -1. A slot stays valid until the next insert or erase.
  int64_t findSlot(OrderId id) const {
    for (uint64_t i = slot(id);; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.id == id) return static_cast<int64_t>(i);
      if (e.id == 0) return -1;
    }
  }
  uint32_t valueAt(int64_t s) const { return table_[static_cast<size_t>(s)].index; }

  // Inserts id → index unless id is present; one probe either way. Returns false for a duplicate.
  bool insertNew(OrderId id, uint32_t index) {
    if ((size_ + 1) * 4 > table_.size()) rehash(table_.size() * 2);
    uint64_t i = slot(id);
    for (; table_[i].id != 0; i = (i + 1) & mask_)
      if (table_[i].id == id) return false;
    table_[i] = Entry{id, index};
    ++size_;
    return true;
  }

  // Inserts id → index; the caller guarantees the id is absent.
  void insert(OrderId id, uint32_t index) {
    if ((size_ + 1) * 4 > table_.size()) rehash(table_.size() * 2);
    uint64_t i = slot(id);
    while (table_[i].id != 0) i = (i + 1) & mask_;
    table_[i] = Entry{id, index};
    ++size_;
  }

  // Removes id if present; backward-shift keeps probe chains intact without tombstones.
  void erase(OrderId id) {
    const int64_t s = findSlot(id);
    if (s >= 0) eraseAt(s);
  }

  void eraseAt(int64_t s) {
    uint64_t hole = static_cast<uint64_t>(s);
    for (uint64_t j = (hole + 1) & mask_; table_[j].id != 0; j = (j + 1) & mask_) {
      const uint64_t home = slot(table_[j].id);
      // Move entry j into the hole if the hole lies cyclically within [home, j).
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        table_[hole] = table_[j];
        hole = j;
      }
    }
    table_[hole] = Entry{0, kNil};
    --size_;
  }

  void clear() {
    std::fill(table_.begin(), table_.end(), Entry{0, kNil});
    size_ = 0;
  }
  uint32_t size() const { return size_; }
  size_t bytes() const { return table_.capacity() * sizeof(Entry); }

  template <typename F>
  void forEach(F&& f) const {
    for (const Entry& e : table_)
      if (e.id != 0) f(e.id, e.index);
  }

 private:
  struct Entry {
    OrderId id;
    uint32_t index;
  };

  static uint64_t roundUp(uint64_t n) {
    uint64_t c = 16;
    while (c < n) c <<= 1;
    return c;
  }
  // Fibonacci hashing: spreads sequential ids (exchange ids mostly are) across the table.
  uint64_t slot(OrderId id) const { return (id * 0x9E3779B97F4A7C15ull) >> shift_; }

  void rehash(uint64_t capacity) {
    std::vector<Entry> old;
    old.swap(table_);
    table_.assign(capacity, Entry{0, kNil});
    mask_ = capacity - 1;
    shift_ = 64;
    for (uint64_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
    for (const Entry& e : old)
      if (e.id != 0) insert(e.id, e.index);
  }

  std::vector<Entry> table_;
  uint64_t mask_ = 0;
  int shift_ = 64;
  uint32_t size_ = 0;
};

} // namespace tranche
