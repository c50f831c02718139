// Open-addressed hash map from order id to arena index: linear probing, backward-shift deletion.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "types.h"

namespace tranche {

// Keys are non-zero order ids (0 marks an empty slot). The table doubles at load 1/2, so a book whose
// resting order count has reached its high-water mark never allocates again.
class IdMap {
 public:
  explicit IdMap(uint32_t capacityHint = 1024) { rehash(roundUp(capacityHint * 2)); }

  uint32_t find(OrderId id) const {
    for (uint64_t i = slot(id);; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.id == id) return e.index;
      if (e.id == 0) return kNil;
    }
  }

  // Inserts id → index; the caller guarantees the id is absent.
  void insert(OrderId id, uint32_t index) {
    if ((size_ + 1) * 2 > table_.size()) rehash(table_.size() * 2);
    uint64_t i = slot(id);
    while (table_[i].id != 0) i = (i + 1) & mask_;
    table_[i] = Entry{id, index};
    ++size_;
  }

  // Removes id if present; backward-shift keeps probe chains intact without tombstones.
  void erase(OrderId id) {
    uint64_t i = slot(id);
    while (table_[i].id != id) {
      if (table_[i].id == 0) return;
      i = (i + 1) & mask_;
    }
    uint64_t hole = i;
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
