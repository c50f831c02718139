// Price-time matching over a tick-indexed window of levels, a pooled order arena and an id hash map.
#include "book.h"

#include <algorithm>
#include <sstream>

// Debug builds re-verify the whole book after every mutation (O(window), for tests only).
#ifdef TRANCHE_DEBUG_INVARIANTS
#include <cstdio>
#include <cstdlib>
// Every mutation while the window is small; every 256th once it has grown (a full check scans it all).
#define TRANCHE_DEBUG_CHECK()                                            \
  do {                                                                   \
    static thread_local uint64_t calls_ = 0;                             \
    std::string why_;                                                    \
    if ((cap_ <= 8192 || (++calls_ & 255) == 0) && !checkInvariants(&why_)) { \
      std::fprintf(stderr, "book invariant broken: %s\n", why_.c_str()); \
      std::abort();                                                      \
    }                                                                    \
  } while (0)
#else
#define TRANCHE_DEBUG_CHECK() \
  do {                        \
  } while (0)
#endif

namespace tranche {

const char* statusName(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kUnknownOrder: return "unknown order id";
    case Status::kDuplicateId: return "duplicate order id";
    case Status::kPostOnlyWouldCross: return "post-only order would take liquidity";
    case Status::kInvalidQty: return "quantity must be a positive integer number of lots";
    case Status::kInvalidPrice: return "price must be an integer number of ticks";
    case Status::kInvalidId: return "order id must be a positive integer";
    case Status::kPriceOutOfRange: return "price is too far from the book for the level window";
    case Status::kSlotBusy: return "agent order slot already holds a live order";
    case Status::kTooLateToCancel: return "cancel arrived after the order had filled or gone";
  }
  return "unknown status";
}

Book::Book(const BookConfig& cfg) : maxLevels_(std::max<uint32_t>(cfg.maxLevels, 64)), ids_(cfg.orderCapacity) {
  uint64_t cap = 64;
  while (cap < cfg.initialLevels && cap < maxLevels_) cap <<= 1;
  initialCap_ = static_cast<uint32_t>(std::min<uint64_t>(cap, maxLevels_));
  orders_.reserve(cfg.orderCapacity);
  trades_.reserve(256);
  tracked_.reserve(16);
}

size_t Book::bytesReserved() const {
  return (levels_[0].capacity() + levels_[1].capacity()) * sizeof(Level) +
         (bits_[0].capacity() + bits_[1].capacity()) * sizeof(uint64_t) +
         orders_.capacity() * sizeof(RestingOrder) + ids_.bytes() + trades_.capacity() * sizeof(Trade) +
         tracked_.capacity() * sizeof(Tracked);
}

void Book::clear() {
  for (int s = 0; s < 2; ++s) {
    for (size_t w = 0; w < bits_[s].size(); ++w) {
      for (uint64_t m = bits_[s][w]; m != 0; m &= m - 1) levels_[s][(w << 6) + static_cast<size_t>(__builtin_ctzll(m))] = Level{};
      bits_[s][w] = 0;
    }
  }
  orders_.clear();
  freeHead_ = kNil;
  tracked_.clear();
  ids_.clear();
  unmapped_ = 0;
  nextSeq_ = 1;
  bestKey_[kBid] = bestKey_[kAsk] = kEmptyKey;
  trades_.clear();
  totals_ = BookTotals{};
  cap_ = 0;  // the next order re-places the window, reusing the arrays
}

// ---- level window -------------------------------------------------------------------------------

// Makes `p` addressable. The window re-centres (and widens if the resting book is too wide) only when
// the price walks out of it, so steady-state events never allocate.
bool Book::growWindow(Tick p) {
  const Tick bestBid = this->bestBid(), bestAsk = this->bestAsk();
  if (cap_ == 0 || (bestBid == kNoBid && bestAsk == kNoAsk)) {
    // Empty book: every level and bit is clear, so placing the window is enough.
    const uint32_t cap = std::max<uint32_t>(initialCap_, static_cast<uint32_t>(levels_[0].size()));
    if (levels_[0].size() != cap) rebuildWindow(p - static_cast<Tick>(cap / 2), cap);
    cap_ = cap;
    base_ = p - static_cast<Tick>(cap / 2);
    return true;
  }
  const Tick lowestBid = bestBid == kNoBid ? kNoAsk : scanUp(kBid, base_);
  const Tick highestAsk = bestAsk == kNoAsk ? kNoBid : scanDown(kAsk, base_ + cap_ - 1);
  Tick lo = p, hi = p;
  if (bestBid != kNoBid) lo = std::min(lo, lowestBid), hi = std::max(hi, bestBid);
  if (bestAsk != kNoAsk) lo = std::min(lo, bestAsk), hi = std::max(hi, highestAsk);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span > maxLevels_) return false;
  uint64_t newCap = cap_;
  // Leave room on both sides so a walking price does not trigger a rebuild on every new level.
  while (newCap < span * 2 && newCap < maxLevels_) newCap <<= 1;
  newCap = std::min<uint64_t>(newCap, maxLevels_);
  const Tick newBase = lo - static_cast<Tick>((newCap - span) / 2);
  rebuildWindow(newBase, static_cast<uint32_t>(newCap));
  return true;
}

void Book::rebuildWindow(Tick newBase, uint32_t newCap) {
  for (int s = 0; s < 2; ++s) {
    std::vector<Level> levels(newCap);
    std::vector<uint64_t> bits((newCap + 63) / 64, 0);
    for (size_t w = 0; w < bits_[s].size() && cap_ > 0; ++w) {
      for (uint64_t m = bits_[s][w]; m != 0; m &= m - 1) {
        const Tick p = base_ + static_cast<Tick>((w << 6) + static_cast<size_t>(__builtin_ctzll(m)));
        const uint64_t o = static_cast<uint64_t>(p - newBase);
        levels[o] = levels_[s][static_cast<size_t>(p - base_)];
        bits[o >> 6] |= 1ull << (o & 63);
      }
    }
    levels_[s].swap(levels);
    bits_[s].swap(bits);
  }
  base_ = newBase;
  cap_ = newCap;
}

Tick Book::scanDown(Side s, Tick from) const {
  if (cap_ == 0 || from < base_) return kNoBid;
  const Tick top = base_ + static_cast<Tick>(cap_) - 1;
  if (from > top) from = top;
  const uint64_t o = static_cast<uint64_t>(from - base_);
  int64_t w = static_cast<int64_t>(o >> 6);
  uint64_t m = bits_[s][static_cast<size_t>(w)] & ((2ull << (o & 63)) - 1);
  while (true) {
    if (m != 0) return base_ + (w << 6) + 63 - __builtin_clzll(m);
    if (--w < 0) return kNoBid;
    m = bits_[s][static_cast<size_t>(w)];
  }
}

Tick Book::scanUp(Side s, Tick from) const {
  if (cap_ == 0) return kNoAsk;
  if (from < base_) from = base_;
  if (from >= base_ + static_cast<Tick>(cap_)) return kNoAsk;
  const uint64_t o = static_cast<uint64_t>(from - base_);
  size_t w = o >> 6;
  uint64_t m = bits_[s][w] & (~0ull << (o & 63));
  const size_t words = (cap_ + 63) / 64;
  while (true) {
    if (m != 0) return base_ + static_cast<Tick>((w << 6) + static_cast<size_t>(__builtin_ctzll(m)));
    if (++w == words) return kNoAsk;
    m = bits_[s][w];
  }
}

void Book::repairBestAfterEmpty(Side s, Tick emptied) {
  if (key(s, emptied) != bestKey_[s]) return;
  if (s == kBid) {
    const Tick p = scanDown(kBid, emptied - 1);
    bestKey_[kBid] = p == kNoBid ? kEmptyKey : p;
  } else {
    const Tick p = scanUp(kAsk, emptied + 1);
    bestKey_[kAsk] = p == kNoAsk ? kEmptyKey : -p;
  }
}

// ---- arena and FIFO -----------------------------------------------------------------------------

inline uint32_t Book::allocOrder() {
  if (freeHead_ != kNil) {
    const uint32_t idx = freeHead_;
    freeHead_ = orders_[idx].next;
    return idx;
  }
  orders_.push_back(RestingOrder{});
  return static_cast<uint32_t>(orders_.size() - 1);
}

// Fills in arena slot `idx` (its id already mapped) and appends it to the tail of its level.
inline void Book::rest(uint32_t idx, OrderId id, Side side, Tick price, Lots qty, bool track, bool mapped) {
  RestingOrder& o = orders_[idx];
  o.mapped = mapped;
  unmapped_ += !mapped;
  o.id = id;
  o.price = price;
  o.qty = qty;
  o.side = side;
  Level& lv = level(side, price);
  o.seq = nextSeq_++;
  o.prev = lv.tail;
  o.next = kNil;
  o.tracked = track;
  if (lv.tail != kNil) orders_[lv.tail].next = idx; else lv.head = idx;
  lv.tail = idx;
  if (track) tracked_.push_back(Tracked{idx, lv.qty});
  lv.qty += o.qty;
  setBit(o.side, o.price);
  bestKey_[o.side] = std::max(bestKey_[o.side], key(o.side, o.price));
  totals_.added += o.qty;
}

// Takes an order (already out of the id map) out of its level and returns its slot to the arena.
inline void Book::unlink(uint32_t idx) {
  RestingOrder& o = orders_[idx];
  Level& lv = level(o.side, o.price);
  if (o.prev != kNil) orders_[o.prev].next = o.next; else lv.head = o.next;
  if (o.next != kNil) orders_[o.next].prev = o.prev; else lv.tail = o.prev;
  if (o.tracked) {
    for (size_t i = 0; i < tracked_.size(); ++i) {
      if (tracked_[i].index == idx) {
        tracked_[i] = tracked_.back();
        tracked_.pop_back();
        break;
      }
    }
  }
  unmapped_ -= !o.mapped;
  o.next = freeHead_;
  o.id = 0;  // a free slot answers no id
  freeHead_ = idx;
  if (lv.head == kNil) {
    clearBit(o.side, o.price);
    repairBestAfterEmpty(o.side, o.price);
  }
}

// Quantity left a level from order `from`: tracked orders behind it at that price move up.
void Book::onRemoved(const RestingOrder& from, Lots qty) {
  for (Tracked& t : tracked_) {
    const RestingOrder& o = orders_[t.index];
    if (o.price == from.price && o.side == from.side && later(o.seq, from.seq)) t.queueAhead -= qty;
  }
}

const Book::Tracked* Book::trackedEntry(uint32_t idx) const {
  for (const Tracked& t : tracked_)
    if (t.index == idx) return &t;
  return nullptr;
}

// Matches an incoming order against the opposite side, best price first and FIFO within a price.
Lots Book::take(Side takerSide, OrderId takerId, Tick limitPrice, Lots qty) {
  const Side makerSide = opposite(takerSide);
  // A market order's limit key beats every price; against an empty side the sum stays negative.
  const bool market = limitPrice == kNoAsk || limitPrice == kNoBid;
  const Tick limitKey = market ? std::numeric_limits<Tick>::max() / 4 : key(takerSide, limitPrice);
  Lots filled = 0;
  while (qty > 0) {
    if (limitKey + bestKey_[makerSide] < 0) break;
    const Tick p = makerSide == kAsk ? -bestKey_[kAsk] : bestKey_[kBid];
    Level& lv = level(makerSide, p);
    while (qty > 0 && lv.head != kNil) {
      const uint32_t idx = lv.head;
      RestingOrder& o = orders_[idx];
      const Lots f = o.qty < qty ? o.qty : qty;
      trades_.push_back(Trade{o.id, takerId, p, f, takerSide});
      o.qty -= f;
      qty -= f;
      filled += f;
      lv.qty -= f;
      totals_.traded += f;
      if (!tracked_.empty()) onRemoved(o, f);
      if (o.qty == 0) {
        if (o.mapped) ids_.erase(o.id);
        unlink(idx);
      }
    }
  }
  return filled;
}

// ---- orders -------------------------------------------------------------------------------------

// Within ±2^60 ticks, so price keys can be added without overflow.
static bool validPrice(Tick p) { return p > -(Tick{1} << 60) && p < (Tick{1} << 60); }

Status Book::limit(OrderId id, Side side, Tick price, Lots qty, Tif tif, OrderResult* out, bool track) {
  if (id == 0) return Status::kInvalidId;
  if (qty <= 0) return Status::kInvalidQty;
  if (!validPrice(price)) return Status::kInvalidPrice;
  const bool crosses = key(side, price) + bestKey_[opposite(side)] >= 0;
  if (tif == Tif::kPostOnly && crosses) {
    if (ids_.find(id) != kNil) return Status::kDuplicateId;
    return Status::kPostOnlyWouldCross;
  }
  const bool rests = tif != Tif::kIoc;
  // Make room and claim the id before matching, so a refused order leaves the book untouched.
  if (rests && !inWindow(price) && !growWindow(price)) {
    if (ids_.find(id) != kNil) return Status::kDuplicateId;
    return Status::kPriceOutOfRange;
  }
  uint32_t idx = kNil;
  if (rests) {
    idx = allocOrder();
    if (!ids_.insertNew(id, idx)) {
      orders_[idx].next = freeHead_;
      freeHead_ = idx;
      return Status::kDuplicateId;
    }
  } else if (ids_.find(id) != kNil) {
    return Status::kDuplicateId;
  }
  const Lots filled = crosses ? take(side, id, price, qty) : 0;
  const Lots left = qty - filled;
  OrderResult r;
  r.filled = filled;
  if (left > 0 && rests) {
    rest(idx, id, side, price, left, track);
    r.resting = left;
  } else {
    if (rests) {
      ids_.erase(id);
      orders_[idx].next = freeHead_;
      freeHead_ = idx;
    }
    r.cancelled = left;
  }
  if (out) *out = r;
  TRANCHE_DEBUG_CHECK();
  return Status::kOk;
}

Status Book::market(OrderId takerId, Side side, Lots qty, OrderResult* out) {
  if (qty <= 0) return Status::kInvalidQty;
  const Lots filled = take(side, takerId, side == kBid ? kNoAsk : kNoBid, qty);
  if (out) *out = OrderResult{filled, 0, qty - filled};
  TRANCHE_DEBUG_CHECK();
  return Status::kOk;
}

Status Book::insertResting(OrderId id, Side side, Tick price, Lots qty, bool track) {
  if (id == 0) return Status::kInvalidId;
  if (qty <= 0) return Status::kInvalidQty;
  if (!validPrice(price)) return Status::kInvalidPrice;
  if (ids_.find(id) != kNil) return Status::kDuplicateId;
  const bool crosses = key(side, price) + bestKey_[opposite(side)] >= 0;
  if (crosses) return Status::kPostOnlyWouldCross;
  if (!inWindow(price) && !growWindow(price)) return Status::kPriceOutOfRange;
  const uint32_t idx = allocOrder();
  ids_.insert(id, idx);
  rest(idx, id, side, price, qty, track);
  TRANCHE_DEBUG_CHECK();
  return Status::kOk;
}

// `qty` left the order at idx (already counted as traded or cancelled): its level shrinks, and it
// goes when nothing is left. `idSlot`: its id map slot when the caller has it (-1: look it up).
inline void Book::took(uint32_t idx, Lots qty, int64_t idSlot) {
  RestingOrder& o = orders_[idx];
  o.qty -= qty;
  level(o.side, o.price).qty -= qty;
  if (!tracked_.empty()) onRemoved(o, qty);
  if (o.qty == 0) {
    if (idSlot >= 0) ids_.eraseAt(idSlot);
    else if (o.mapped) ids_.erase(o.id);
    unlink(idx);
  }
  TRANCHE_DEBUG_CHECK();
}

inline Lots Book::cancelPart(uint32_t idx, Lots qty, int64_t idSlot) {
  const Lots d = qty < orders_[idx].qty ? qty : orders_[idx].qty;
  totals_.cancelled += d;
  took(idx, d, idSlot);
  return d;
}

inline Lots Book::executePart(uint32_t idx, Lots qty, OrderId takerId, int64_t idSlot) {
  const RestingOrder& o = orders_[idx];
  const Lots f = qty < o.qty ? qty : o.qty;
  trades_.push_back(Trade{o.id, takerId, o.price, f, opposite(o.side)});
  totals_.traded += f;
  took(idx, f, idSlot);
  return f;
}

uint32_t Book::addUnmapped(OrderId id, Side side, Tick price, Lots qty, Lots* matched) {
  if (qty <= 0 || !validPrice(price)) return kNil;
  if (!inWindow(price) && !growWindow(price)) return kNil;
  const bool crosses = key(side, price) + bestKey_[opposite(side)] >= 0;
  if (crosses) [[unlikely]] {
    const Lots f = take(side, id, price, qty);
    if (matched) *matched = f;
    qty -= f;
    if (qty == 0) return kNil;
  }
  const uint32_t idx = allocOrder();
  rest(idx, id, side, price, qty, false, false);
  TRANCHE_DEBUG_CHECK();
  return idx;
}

Lots Book::removeAt(uint32_t idx, Lots qty) { return cancelPart(idx, qty, -1); }

Lots Book::executeAt(uint32_t idx, Lots qty, OrderId takerId) { return executePart(idx, qty, takerId, -1); }

Lots Book::execute(OrderId makerId, Lots qty, OrderId takerId) {
  const int64_t slot = ids_.findSlot(makerId);
  if (slot < 0 || qty <= 0) return 0;
  return executePart(ids_.valueAt(slot), qty, takerId, slot);
}

Status Book::cancel(OrderId id, Lots* cancelledQty) {
  const int64_t slot = ids_.findSlot(id);
  if (slot < 0) return Status::kUnknownOrder;
  const uint32_t idx = ids_.valueAt(slot);
  ids_.eraseAt(slot);
  RestingOrder& o = orders_[idx];
  const Lots q = o.qty;
  level(o.side, o.price).qty -= q;
  totals_.cancelled += q;
  if (!tracked_.empty()) onRemoved(o, q);
  unlink(idx);
  if (cancelledQty) *cancelledQty = q;
  TRANCHE_DEBUG_CHECK();
  return Status::kOk;
}

Status Book::reduce(OrderId id, Lots by, Lots* remaining) {
  if (by <= 0) return Status::kInvalidQty;
  return remove(id, by, remaining) > 0 ? Status::kOk : Status::kUnknownOrder;
}

Lots Book::remove(OrderId id, Lots qty, Lots* remaining) {
  const int64_t slot = ids_.findSlot(id);
  if (slot < 0 || qty <= 0) return 0;
  const uint32_t idx = ids_.valueAt(slot);
  const Lots had = orders_[idx].qty;
  const Lots d = cancelPart(idx, qty, slot);
  if (remaining) *remaining = had - d;
  return d;
}

// ---- queries ------------------------------------------------------------------------------------

Lots Book::depthAt(Side side, Tick price) const {
  if (!inWindow(price)) return 0;
  return level(side, price).qty;
}

Tick Book::nextLevel(Side side, Tick price) const {
  return side == kBid ? scanDown(kBid, price - 1) : scanUp(kAsk, price + 1);
}

int Book::topLevels(Side side, int n, Tick* prices, Lots* qtys) const {
  int k = 0;
  Tick p = side == kBid ? bestBid() : bestAsk();
  while (k < n && p != kNoBid && p != kNoAsk) {
    prices[k] = p;
    qtys[k] = level(side, p).qty;
    ++k;
    p = nextLevel(side, p);
  }
  return k;
}

bool Book::queueAhead(OrderId id, Lots* ahead) const {
  const uint32_t idx = ids_.find(id);
  if (idx == kNil) return false;
  const RestingOrder& o = orders_[idx];
  if (o.tracked) {
    *ahead = trackedEntry(idx)->queueAhead;
    return true;
  }
  Lots sum = 0;
  for (uint32_t i = level(o.side, o.price).head; i != idx; i = orders_[i].next) sum += orders_[i].qty;
  *ahead = sum;
  return true;
}

Lots Book::restingQty() const {
  Lots sum = 0;
  for (int s = 0; s < 2; ++s)
    for (size_t w = 0; w < bits_[s].size(); ++w)
      for (uint64_t m = bits_[s][w]; m != 0; m &= m - 1)
        sum += levels_[s][(w << 6) + static_cast<size_t>(__builtin_ctzll(m))].qty;
  return sum;
}

bool Book::checkInvariants(std::string* why) const {
  std::ostringstream err;
  uint32_t seen = 0;
  Lots resting = 0;
  Tick bruteBid = kNoBid, bruteAsk = kNoAsk;
  for (int si = 0; si < 2 && cap_ > 0; ++si) {
    const Side s = static_cast<Side>(si);
    for (uint32_t off = 0; off < cap_ && err.tellp() == 0; ++off) {
      const Tick p = base_ + off;
      const Level& lv = levels_[s][off];
      const bool bit = (bits_[s][off >> 6] >> (off & 63)) & 1;
      if (bit != (lv.head != kNil)) err << "side " << si << " tick " << p << ": bitset disagrees with FIFO";
      Lots sum = 0;
      uint32_t count = 0, prev = kNil;
      for (uint32_t i = lv.head; i != kNil && err.tellp() == 0; i = orders_[i].next) {
        const RestingOrder& o = orders_[i];
        if (o.price != p || o.side != s || o.prev != prev || o.qty <= 0)
          err << "order " << o.id << " at tick " << p << " has inconsistent links or fields";
        else if (o.mapped && ids_.find(o.id) != i)
          err << "order " << o.id << " is not in the id map at its arena slot";
        else if (!o.mapped && ids_.find(o.id) == i)
          err << "order " << o.id << " is unmapped but in the id map";
        else if (o.tracked != (trackedEntry(i) != nullptr))
          err << "order " << o.id << " tracked flag disagrees with the tracked list";
        if (o.tracked && err.tellp() == 0) {
          Lots ahead = 0;
          for (uint32_t j = lv.head; j != i; j = orders_[j].next) ahead += orders_[j].qty;
          if (ahead != trackedEntry(i)->queueAhead)
            err << "order " << o.id << " queueAhead " << trackedEntry(i)->queueAhead << " but the FIFO says " << ahead;
        }
        if (prev != kNil && !later(o.seq, orders_[prev].seq) && err.tellp() == 0)
          err << "order " << o.id << " breaks time priority at tick " << p;
        sum += o.qty;
        ++count;
        prev = i;
      }
      if (err.tellp() != 0) break;
      if (lv.tail != prev) err << "tick " << p << ": tail link is wrong";
      else if (sum != lv.qty) err << "side " << si << " tick " << p << ": level says " << lv.qty << ", orders sum to " << sum;
      seen += count;
      resting += sum;
      if (count > 0) {
        if (s == kBid) bruteBid = std::max(bruteBid, p);
        else if (bruteAsk == kNoAsk) bruteAsk = p;
      }
    }
  }
  if (err.tellp() == 0) {
    if (bruteBid != bestBid() || bruteAsk != bestAsk())
      err << "best bid/ask " << bestBid() << "/" << bestAsk() << " but a scan finds " << bruteBid << "/" << bruteAsk;
    else if (bestBid() != kNoBid && bestAsk() != kNoAsk && bestBid() >= bestAsk())
      err << "book is crossed: bid " << bestBid() << " >= ask " << bestAsk();
    else if (seen != ids_.size() + unmapped_)
      err << seen << " orders in levels but " << ids_.size() << " in the id map and " << unmapped_ << " unmapped";
    else if (totals_.added != resting + totals_.traded + totals_.cancelled)
      err << "quantity not conserved: added " << totals_.added << " != resting " << resting << " + traded "
          << totals_.traded << " + cancelled " << totals_.cancelled;
  }
  if (err.tellp() == 0) return true;
  if (why) *why = err.str();
  return false;
}

} // namespace tranche
