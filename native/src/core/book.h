// L3 limit order book with price-time priority; knows nothing of flow, agents or files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "id_map.h"
#include "types.h"

namespace tranche {

struct BookConfig {
  uint32_t initialLevels = 1024;   // width of the tick window at start (a power of two)
  uint32_t maxLevels = 1u << 20;   // widest the window may grow (memory bound); a price the resting book
                                   // and it cannot share within this many ticks is refused
  uint32_t orderCapacity = 1024;   // arena slots reserved up front
};

// Outcome of a limit or market order.
struct OrderResult {
  Lots filled = 0;     // taken from the book
  Lots resting = 0;    // left resting (GTC / post-only)
  Lots cancelled = 0;  // IOC remainder or market remainder with no liquidity left
};

// A resting order in the arena. FIFO links are arena indices; `seq` is the time priority.
// 40 bytes: `seq` is 32 bits and compared with wrap-around, enough while resting orders at one price
// were placed fewer than 2^31 orders apart.
struct RestingOrder {
  OrderId id;
  Tick price;
  Lots qty;
  uint32_t seq;
  uint32_t prev;
  uint32_t next;  // next in the level's FIFO, or next free slot while the slot is free
  Side side;
  bool tracked;
  bool mapped;  // reachable by id; false: its owner addresses it by arena index (see addUnmapped)
};
static_assert(sizeof(RestingOrder) == 40, "RestingOrder should stay 40 bytes");
// True when sequence number a was issued after b (wrap-around safe).
inline bool later(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

// Running totals that make quantity conservation checkable: added = resting + traded + cancelled.
struct BookTotals {
  Lots added = 0;      // quantity that came to rest in the book
  Lots traded = 0;     // resting quantity executed against takers
  Lots cancelled = 0;  // resting quantity cancelled or reduced
};

class Book {
 public:
  explicit Book(const BookConfig& cfg = BookConfig{});

  // Limit order: matches against the opposite side up to `price`, then rests (GTC), cancels the rest (IOC)
  // or, for post-only, is rejected whole if it would match. `track` keeps its queue place current.
  Status limit(OrderId id, Side side, Tick price, Lots qty, Tif tif, OrderResult* out, bool track = false);
  // Market order: takes up to `qty` from the opposite side at any price; the remainder is cancelled.
  Status market(OrderId takerId, Side side, Lots qty, OrderResult* out);
  // Removes a resting order; `cancelledQty` receives what was left of it.
  Status cancel(OrderId id, Lots* cancelledQty = nullptr);
  // Partial cancel keeping time priority; reducing by its whole size (or more) removes the order.
  Status reduce(OrderId id, Lots by, Lots* remaining = nullptr);
  // Cancels up to `qty` of a resting order (all of it removes the order, keeping time priority
  // otherwise); returns what it removed, 0 for an unknown id. One id lookup.
  Lots remove(OrderId id, Lots qty, Lots* remaining = nullptr);

  // Orders outside the id map, for a flow that maps its own ids to arena indices (the LOBSTER replay
  // numbers its file's orders densely once per file): no hashing on the hot path. The id is kept in
  // the order and its trades; find/cancel by id do not see it. An arena index stays valid while the
  // order rests: `at(idx).id` is 0 once its slot is free, so an owner checks the id before using one.
  // Rests like insertResting but matches first if it crosses (the agent's orders); returns the arena
  // index of what rests, or kNil when nothing does (all matched, or the price is out of range).
  // `matched` (optional) receives what it traded before resting.
  uint32_t addUnmapped(OrderId id, Side side, Tick price, Lots qty, Lots* matched = nullptr);
  // Cancels or executes up to `qty` of the order at arena index `idx` (mapped or not); returns the lots.
  Lots removeAt(uint32_t idx, Lots qty);
  Lots executeAt(uint32_t idx, Lots qty, OrderId takerId);
  // The order at an arena index this book handed out (unchecked; a free slot has id 0).
  const RestingOrder& at(uint32_t idx) const { return orders_[idx]; }
  uint32_t indexOf(const RestingOrder& o) const { return static_cast<uint32_t>(&o - orders_.data()); }
  // Rests an order without matching: for seeding a book from a snapshot that is known not to cross.
  Status insertResting(OrderId id, Side side, Tick price, Lots qty, bool track = false);
  // Executes a specific resting order against an incoming order of `takerId` (a replayed execution):
  // fills up to `qty` at the maker's price, records the trade, returns what was filled (0 if unknown).
  Lots execute(OrderId makerId, Lots qty, OrderId takerId);
  // Empties the book, keeping every buffer it has grown so a reset episode does not allocate.
  void clear();

  Tick bestBid() const { return bestKey_[kBid] == kEmptyKey ? kNoBid : bestKey_[kBid]; }
  Tick bestAsk() const { return bestKey_[kAsk] == kEmptyKey ? kNoAsk : -bestKey_[kAsk]; }
  Lots depthAt(Side side, Tick price) const;
  // Top `n` levels from the touch outward; returns how many were written.
  int topLevels(Side side, int n, Tick* prices, Lots* qtys) const;
  // Next non-empty price strictly behind `price` (further from the touch) or kNoBid/kNoAsk.
  Tick nextLevel(Side side, Tick price) const;
  // Quantity ahead of a resting order at its price. Tracked orders keep it current: each removal at a
  // price costs O(tracked orders), meant for the handful an agent has. Others walk their FIFO.
  bool queueAhead(OrderId id, Lots* ahead) const;
  const RestingOrder* find(OrderId id) const {
    const uint32_t i = ids_.find(id);
    return i == kNil ? nullptr : &orders_[i];
  }
  uint32_t orderCount() const { return ids_.size() + unmapped_; }
  // FIFO walk of one level for flows that manage their own liquidity (replays): front to back.
  const RestingOrder* frontAt(Side side, Tick price) const {
    if (!inWindow(price)) return nullptr;
    const uint32_t i = level(side, price).head;
    return i == kNil ? nullptr : &orders_[i];
  }
  const RestingOrder* backAt(Side side, Tick price) const {
    if (!inWindow(price)) return nullptr;
    const uint32_t i = level(side, price).tail;
    return i == kNil ? nullptr : &orders_[i];
  }
  const RestingOrder* behind(const RestingOrder& o) const { return o.next == kNil ? nullptr : &orders_[o.next]; }
  const RestingOrder* ahead(const RestingOrder& o) const { return o.prev == kNil ? nullptr : &orders_[o.prev]; }
  // Tracked orders (the agent's), for flows that must give them priority or leave them out of depth.
  template <typename F>
  void forEachTracked(F&& f) const {
    for (const Tracked& t : tracked_) f(orders_[t.index]);
  }
  bool hasTracked() const { return !tracked_.empty(); }
  size_t bytesReserved() const;

  // Trades since the last clear, in execution order. The vector keeps its capacity across clears.
  const std::vector<Trade>& trades() const { return trades_; }
  void clearTrades() { trades_.clear(); }
  const BookTotals& totals() const { return totals_; }
  Lots restingQty() const;

  // Full consistency check against a brute-force scan; returns false and says why on the first breach.
  bool checkInvariants(std::string* why) const;

 private:
  // One price: its FIFO (arena indices) and total quantity. 16 bytes, so a 4096-tick window is 64 KiB.
  struct Level {
    uint32_t head = kNil;
    uint32_t tail = kNil;
    Lots qty = 0;
  };
  // An order whose queue place is kept current. Few per book (agent orders), so a dense vector.
  struct Tracked {
    uint32_t index;
    Lots queueAhead;
  };

  bool inWindow(Tick p) const { return static_cast<uint64_t>(p) - static_cast<uint64_t>(base_) < cap_; }
  Level& level(Side s, Tick p) { return levels_[s][static_cast<size_t>(p - base_)]; }
  const Level& level(Side s, Tick p) const { return levels_[s][static_cast<size_t>(p - base_)]; }

  bool growWindow(Tick p);
  void rebuildWindow(Tick newBase, uint32_t newCap);
  Tick scanDown(Side s, Tick fromInclusive) const; // highest non-empty <= from, or kNoBid
  Tick scanUp(Side s, Tick fromInclusive) const;   // lowest non-empty >= from, or kNoAsk
  void setBit(Side s, Tick p) {
    const uint64_t o = static_cast<uint64_t>(p - base_);
    bits_[s][o >> 6] |= (1ull << (o & 63));
  }
  void clearBit(Side s, Tick p) {
    const uint64_t o = static_cast<uint64_t>(p - base_);
    bits_[s][o >> 6] &= ~(1ull << (o & 63));
  }

  uint32_t allocOrder();
  void rest(uint32_t idx, OrderId id, Side side, Tick price, Lots qty, bool track, bool mapped = true);
  void took(uint32_t idx, Lots qty, int64_t idSlot);  // `qty` left order idx (counted by the caller)
  Lots cancelPart(uint32_t idx, Lots qty, int64_t idSlot);
  Lots executePart(uint32_t idx, Lots qty, OrderId takerId, int64_t idSlot);
  void unlink(uint32_t idx);
  void onRemoved(const RestingOrder& from, Lots qty);
  Lots take(Side takerSide, OrderId takerId, Tick limitPrice, Lots qty);
  void repairBestAfterEmpty(Side s, Tick emptied);
  const Tracked* trackedEntry(uint32_t idx) const;

  std::vector<Level> levels_[2];
  std::vector<uint64_t> bits_[2];
  Tick base_ = 0;
  uint32_t cap_ = 0;         // 0 until the first order places the window
  uint32_t initialCap_;
  uint32_t maxLevels_;

  std::vector<RestingOrder> orders_;
  uint32_t freeHead_ = kNil;
  std::vector<Tracked> tracked_;
  IdMap ids_;
  uint32_t unmapped_ = 0;  // resting orders outside the id map
  uint32_t nextSeq_ = 1;

  // Best prices as "keys" (bid: price, ask: -price) so both sides compare the same way without a branch
  // on the side: a better price is a larger key, and side s crosses the opposite best when
  // key(s, price) + bestKey_[opposite] >= 0.
  static constexpr Tick kEmptyKey = std::numeric_limits<Tick>::min() / 4;
  static Tick key(Side s, Tick price) { return (price ^ -static_cast<Tick>(s)) + static_cast<Tick>(s); }
  Tick bestKey_[2] = {kEmptyKey, kEmptyKey};
  std::vector<Trade> trades_;
  BookTotals totals_;
};

} // namespace tranche
