// What both replays (L3 and L2) need to share a book with the agent: depth without the agent's orders,
// the agent's priority over replayed executions, and liquidity of unknown id.
#pragma once

#include <algorithm>
#include <vector>

#include "../book.h"

namespace tranche {

// Replayed liquidity whose exchange id is unknown (LOBSTER orders resting before the file starts or
// placed beyond its levels; every L2 order) carries this tag and a counter.
constexpr OrderId kSyntheticIdBit = 1ull << 62;
inline bool isSyntheticId(OrderId id) { return (id & kSyntheticIdBit) != 0 && (id >> 63) == 0; }

// Quantity at a level that is not the agent's (tracked orders are the agent's).
inline Lots replayDepthAt(const Book& book, Side side, Tick price) {
  Lots d = book.depthAt(side, price);
  if (book.hasTracked())
    book.forEachTracked([&](const RestingOrder& o) {
      if (o.side == side && o.price == price) d -= o.qty;
    });
  return d;
}

// Which of the agent's orders at the execution price itself a replayed execution meets first.
enum class AtPrice { kNone, kAheadOf, kAll };

// A replayed execution of `qty` at `price` against resting side `side` would have met the agent's
// orders first where they had priority: at a better price always, and at that price itself as `atPrice`
// says (kAheadOf: those placed before the order with sequence `refSeq`, which the file says executed).
// Fills them against `takerId` and returns what they absorbed.
inline Lots fillAgentsAhead(Book& book, Side side, Tick price, Lots qty, AtPrice atPrice, uint32_t refSeq, OrderId takerId) {
  if (!book.hasTracked() || qty <= 0) return 0;
  Lots absorbed = 0;
  while (qty > 0) {
    // Highest-priority eligible agent order; a handful at most, so a scan per fill.
    const RestingOrder* best = nullptr;
    book.forEachTracked([&](const RestingOrder& o) {
      if (o.side != side) return;
      const bool better = side == kBid ? o.price > price : o.price < price;
      const bool atPriceFirst = o.price == price && (atPrice == AtPrice::kAll || (atPrice == AtPrice::kAheadOf && later(refSeq, o.seq)));
      if (!better && !atPriceFirst) return;
      if (!best || (side == kBid ? o.price > best->price : o.price < best->price) ||
          (o.price == best->price && later(best->seq, o.seq)))
        best = &o;
    });
    if (!best) break;
    const Lots f = book.execute(best->id, qty, takerId);
    absorbed += f;
    qty -= f;
  }
  return absorbed;
}

// Cancels up to `qty` of replayed (non-agent) liquidity walking from `from` toward the front of its
// level, the agent's orders skipped; returns what is left undone.
inline Lots trimTowardFront(Book& book, const RestingOrder* from, Lots qty) {
  for (const RestingOrder* o = from; o && qty > 0;) {
    const RestingOrder* up = book.ahead(*o);
    if ((o->id >> 63) == 0) {
      const Lots cut = std::min(qty, o->qty);
      book.reduce(o->id, cut);
      qty -= cut;
    }
    o = up;
  }
  return qty;
}

// Removes up to `qty` of replayed liquidity at a level whose owner the data cannot name (a removal of an
// id the replay never saw, or more than the named order holds after the level changed out of view):
// unknown-id (synthetic) orders first, front first (those resting before the data began), then other
// replayed orders from the back; the agent's are never touched. Cancels, or with `takerId` != 0
// executes. Returns what it removed.
inline Lots takeReplayed(Book& book, Side side, Tick price, Lots qty, OrderId takerId) {
  Lots done = 0;
  auto take = [&](const RestingOrder& o) {
    const uint32_t idx = book.indexOf(o);
    done += takerId != 0 ? book.executeAt(idx, qty - done, takerId) : book.removeAt(idx, qty - done);
  };
  for (const RestingOrder* o = book.frontAt(side, price); o && done < qty;) {
    const RestingOrder* next = book.behind(*o);
    if (isSyntheticId(o->id)) take(*o);
    o = next;
  }
  for (const RestingOrder* o = book.backAt(side, price); o && done < qty;) {
    const RestingOrder* up = book.ahead(*o);
    if ((o->id >> 63) == 0) take(*o);
    o = up;
  }
  return done;
}

}  // namespace tranche

namespace tranche {

// A replayed order moved by shiftReplayed: as it was, its arena index before, and after (kNil if it
// traded away entirely against the agent's orders on the way).
struct ShiftedOrder {
  RestingOrder order;
  uint32_t from;
  uint32_t to;
};

// Moves every replayed (non-agent) order `delta` ticks, keeping ids and queue order, so file prices plus
// the current impact offset keep addressing the liquidity they placed. The agent's orders stay: the
// market moved, not them; replayed orders that now reach them trade with them. `moved` keeps its
// capacity between calls and says afterwards where each order went (owners of unmapped orders remap).
inline void shiftReplayed(Book& book, Tick delta, std::vector<ShiftedOrder>& moved) {
  moved.clear();
  if (delta == 0) return;
  for (int si = 0; si < 2; ++si) {
    const Side s = static_cast<Side>(si);
    for (Tick p = s == kBid ? book.bestBid() : book.bestAsk(); p != kNoBid && p != kNoAsk; p = book.nextLevel(s, p))
      for (const RestingOrder* o = book.frontAt(s, p); o; o = book.behind(*o))
        if ((o->id >> 63) == 0) moved.push_back(ShiftedOrder{*o, book.indexOf(*o), kNil});
  }
  for (const ShiftedOrder& m : moved) book.removeAt(m.from, m.order.qty);
  // The side moving away from the other goes back first, so the replayed book never crosses itself.
  const Side first = delta > 0 ? kAsk : kBid;
  for (int pass = 0; pass < 2; ++pass) {
    const Side s = pass == 0 ? first : opposite(first);
    for (ShiftedOrder& m : moved) {
      const RestingOrder& o = m.order;
      if (o.side != s) continue;
      if (o.mapped) {
        book.limit(o.id, s, o.price + delta, o.qty, Tif::kGtc, nullptr);
        const RestingOrder* now = book.find(o.id);
        m.to = now ? book.indexOf(*now) : kNil;
      } else {
        m.to = book.addUnmapped(o.id, s, o.price + delta, o.qty);
      }
    }
  }
}

}  // namespace tranche
