// Tests of the C++ core without Node: matching against a brute-force reference book, the id map,
// window re-centring, markets and batches, and that steady-state events never allocate.
// Built plain by test/native/core-cpp.test.ts and under ASan/UBSan by native/test/sanitize.sh.
#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "../src/core/batch.h"
#include "../src/core/book.h"
#include "../src/core/execution_task.h"
#include "../src/core/flow/l2_replay.h"
#include "../src/core/flow/lobster_replay.h"
#include "../src/core/flow/poisson_flow.h"
#include "../src/core/models/propagator.h"
#include "../src/core/op_stream.h"
#include "../src/core/rng.h"

// ---- allocation counting (plain builds only: sanitizers own the allocator there) -----------------
#if !defined(TRANCHE_DEBUG_INVARIANTS) && !defined(__SANITIZE_ADDRESS__)
#define TRANCHE_COUNT_ALLOCATIONS 1
static std::atomic<long> gAllocations{0};
void* operator new(size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif

using namespace tranche;

static int gFailures = 0;
static int gChecks = 0;
#define CHECK(cond)                                                              \
  do {                                                                           \
    ++gChecks;                                                                   \
    if (!(cond)) {                                                               \
      ++gFailures;                                                               \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
    }                                                                            \
  } while (0)
#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    ++gChecks;                                                                                     \
    const auto va_ = (a);                                                                          \
    const auto vb_ = (b);                                                                          \
    if (!(va_ == vb_)) {                                                                           \
      ++gFailures;                                                                                 \
      std::fprintf(stderr, "FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b,    \
                   static_cast<long long>(va_), static_cast<long long>(vb_));                      \
    }                                                                                              \
  } while (0)

static void checkBook(const Book& b) {
  std::string why;
  const bool ok = b.checkInvariants(&why);
  if (!ok) std::fprintf(stderr, "invariant: %s\n", why.c_str());
  CHECK(ok);
}

// ---- a brute-force reference: every order in one vector, scanned for every question -------------
struct RefBook {
  struct O {
    OrderId id;
    Side side;
    Tick price;
    Lots qty;
    uint64_t seq;
  };
  std::vector<O> orders;
  uint64_t seq = 0;
  std::vector<Trade> trades;

  int bestIndex(Side s) const {
    int best = -1;
    for (size_t i = 0; i < orders.size(); ++i) {
      const O& o = orders[i];
      if (o.side != s) continue;
      if (best < 0) { best = static_cast<int>(i); continue; }
      const O& b = orders[best];
      const bool better = s == kBid ? (o.price > b.price || (o.price == b.price && o.seq < b.seq))
                                    : (o.price < b.price || (o.price == b.price && o.seq < b.seq));
      if (better) best = static_cast<int>(i);
    }
    return best;
  }
  Lots take(Side taker, OrderId takerId, Tick limit, bool market, Lots qty) {
    Lots filled = 0;
    while (qty > 0) {
      const int i = bestIndex(opposite(taker));
      if (i < 0) break;
      O& o = orders[i];
      if (!market && (taker == kBid ? o.price > limit : o.price < limit)) break;
      const Lots f = std::min(o.qty, qty);
      trades.push_back(Trade{o.id, takerId, o.price, f, taker});
      o.qty -= f;
      qty -= f;
      filled += f;
      if (o.qty == 0) orders.erase(orders.begin() + i);
    }
    return filled;
  }
  int find(OrderId id) const {
    for (size_t i = 0; i < orders.size(); ++i)
      if (orders[i].id == id) return static_cast<int>(i);
    return -1;
  }
  Status limit(OrderId id, Side s, Tick p, Lots q, Tif tif) {
    if (find(id) >= 0) return Status::kDuplicateId;
    const int opp = bestIndex(opposite(s));
    const bool crosses = opp >= 0 && (s == kBid ? p >= orders[opp].price : p <= orders[opp].price);
    if (tif == Tif::kPostOnly && crosses) return Status::kPostOnlyWouldCross;
    const Lots left = q - (crosses ? take(s, id, p, false, q) : 0);
    if (left > 0 && tif != Tif::kIoc) orders.push_back(O{id, s, p, left, ++seq});
    return Status::kOk;
  }
  Status cancel(OrderId id) {
    const int i = find(id);
    if (i < 0) return Status::kUnknownOrder;
    orders.erase(orders.begin() + i);
    return Status::kOk;
  }
  Status reduce(OrderId id, Lots by) {
    const int i = find(id);
    if (i < 0) return Status::kUnknownOrder;
    orders[i].qty -= std::min(by, orders[i].qty);
    if (orders[i].qty == 0) orders.erase(orders.begin() + i);
    return Status::kOk;
  }
  Lots depth(Side s, Tick p) const {
    Lots d = 0;
    for (const O& o : orders)
      if (o.side == s && o.price == p) d += o.qty;
    return d;
  }
  Lots ahead(OrderId id) const {
    const O& me = orders[find(id)];
    Lots a = 0;
    for (const O& o : orders)
      if (o.side == me.side && o.price == me.price && o.seq < me.seq) a += o.qty;
    return a;
  }
};

// ---- tests --------------------------------------------------------------------------------------

static void testMatchingBasics() {
  Book b;
  OrderResult r;
  CHECK(b.limit(1, kAsk, 101, 5, Tif::kGtc, &r) == Status::kOk);
  CHECK(b.limit(2, kAsk, 101, 3, Tif::kGtc, &r) == Status::kOk);
  CHECK(b.limit(3, kAsk, 103, 4, Tif::kGtc, &r) == Status::kOk);
  CHECK(b.limit(4, kBid, 103, 10, Tif::kIoc, &r) == Status::kOk);
  CHECK_EQ(r.filled, 10);
  CHECK_EQ(b.trades().size(), 3u);
  CHECK_EQ(b.trades()[0].maker, 1u);
  CHECK_EQ(b.trades()[1].maker, 2u);
  CHECK_EQ(b.trades()[2].price, 103);
  CHECK_EQ(b.trades()[2].qty, 2);
  b.clearTrades();
  CHECK_EQ(b.bestAsk(), 103);
  CHECK(b.limit(5, kBid, 104, 1, Tif::kPostOnly, &r) == Status::kPostOnlyWouldCross);
  CHECK(b.limit(6, kBid, 102, 1, Tif::kPostOnly, &r) == Status::kOk);
  CHECK(b.cancel(999) == Status::kUnknownOrder);
  CHECK(b.limit(6, kBid, 100, 1, Tif::kGtc, &r) == Status::kDuplicateId);
  CHECK(b.market(0, kAsk, 5, &r) == Status::kOk);
  CHECK_EQ(r.filled, 1);
  CHECK_EQ(r.cancelled, 4);
  CHECK_EQ(b.bestBid(), kNoBid);
  checkBook(b);
}

static void testAgainstReference(uint64_t seed, int ops, int band, bool checkEvery) {
  Book b(BookConfig{64, 1u << 20, 16});
  RefBook ref;
  Rng rng(seed);
  OrderId nextId = 1;
  Tick centre = 10000;
  for (int k = 0; k < ops; ++k) {
    const uint64_t u = rng.below(100);
    const Side s = static_cast<Side>(rng.next() & 1);
    if (rng.below(500) == 0) centre += static_cast<Tick>(rng.below(20000)) - 10000;  // the price walks far
    const Tick p = centre + static_cast<Tick>(rng.below(static_cast<uint64_t>(band))) - band / 2;
    const Lots q = 1 + static_cast<Lots>(rng.below(9));
    Status got, want;
    if (u < 55) {
      const Tif tif = static_cast<Tif>(rng.below(3));
      const OrderId id = rng.below(20) == 0 && nextId > 1 ? 1 + rng.below(nextId - 1) : nextId++;
      got = b.limit(id, s, p, q, tif, nullptr, rng.below(4) == 0);
      want = ref.limit(id, s, p, q, tif);
    } else if (u < 62) {
      got = b.market(0, s, q, nullptr);
      ref.take(s, 0, 0, true, q);
      want = Status::kOk;
    } else if (u < 92) {
      const OrderId id = 1 + rng.below(nextId);
      got = b.cancel(id);
      want = ref.cancel(id);
    } else {
      const OrderId id = 1 + rng.below(nextId);
      got = b.reduce(id, q);
      want = ref.reduce(id, q);
    }
    CHECK(got == want);
    CHECK_EQ(b.trades().size(), ref.trades.size());
    for (size_t i = 0; i < std::min(b.trades().size(), ref.trades.size()); ++i) {
      const Trade &x = b.trades()[i], &y = ref.trades[i];
      CHECK(x.maker == y.maker && x.taker == y.taker && x.price == y.price && x.qty == y.qty && x.aggressor == y.aggressor);
    }
    b.clearTrades();
    ref.trades.clear();
    if (checkEvery || k % 97 == 0) {
      checkBook(b);
      const int bi = ref.bestIndex(kBid), ai = ref.bestIndex(kAsk);
      CHECK_EQ(b.bestBid(), bi < 0 ? kNoBid : ref.orders[bi].price);
      CHECK_EQ(b.bestAsk(), ai < 0 ? kNoAsk : ref.orders[ai].price);
      CHECK_EQ(b.orderCount(), ref.orders.size());
      for (const RefBook::O& o : ref.orders) {
        Lots ahead = -1;
        CHECK(b.queueAhead(o.id, &ahead));
        CHECK_EQ(ahead, ref.ahead(o.id));
        CHECK_EQ(b.depthAt(o.side, o.price), ref.depth(o.side, o.price));
      }
    }
    if (gFailures > 0) {
      std::fprintf(stderr, "  (seed %llu, op %d)\n", static_cast<unsigned long long>(seed), k);
      return;
    }
  }
}

static void testIdMap() {
  IdMap m(4);
  std::unordered_map<OrderId, uint32_t> ref;
  Rng rng(7);
  for (int k = 0; k < 200000; ++k) {
    const OrderId id = 1 + rng.below(5000);
    if (rng.below(2) == 0) {
      if (!ref.count(id)) {
        m.insert(id, static_cast<uint32_t>(k));
        ref[id] = static_cast<uint32_t>(k);
      }
    } else {
      m.erase(id);
      ref.erase(id);
    }
    if (k % 1000 == 0) {
      for (OrderId q = 1; q <= 5000; ++q) {
        const auto it = ref.find(q);
        CHECK_EQ(m.find(q), it == ref.end() ? kNil : it->second);
      }
      CHECK_EQ(m.size(), ref.size());
    }
  }
}

// Orders outside the id map (the LOBSTER replay's): addressed by arena index, invisible to id lookups,
// matched like any other, and counted by every total.
static void testUnmappedOrders() {
  Book b;
  OrderResult r;
  const uint32_t a = b.addUnmapped(10, kAsk, 101, 5);
  CHECK(a != kNil);
  CHECK(b.at(a).id == 10 && !b.at(a).mapped);
  CHECK(b.find(10) == nullptr);
  CHECK(b.cancel(10) == Status::kUnknownOrder);
  CHECK(b.limit(10, kAsk, 102, 1, Tif::kGtc, &r) == Status::kOk);  // an id map entry of its own
  CHECK(b.orderCount() == 2);
  checkBook(b);
  CHECK(b.removeAt(a, 2) == 2);
  CHECK(b.depthAt(kAsk, 101) == 3);
  CHECK(b.executeAt(a, 1, 77) == 1);
  CHECK(b.trades().size() == 1 && b.trades()[0].maker == 10 && b.trades()[0].taker == 77);
  // A crossing unmapped order matches first and rests the rest; a mapped taker sweeps it.
  Lots matched = 0;
  const uint32_t bid = b.addUnmapped(11, kBid, 101, 3, &matched);  // takes the 2 left at 101, rests 1
  CHECK(bid != kNil && b.at(bid).qty == 1 && matched == 2);
  checkBook(b);
  CHECK(b.depthAt(kAsk, 101) == 0);
  CHECK(b.bestBid() == 101 && b.depthAt(kBid, 101) == 1);
  CHECK(b.at(a).id != 10);  // its slot was freed (and reused by the bid): id 10 no longer answers there
  CHECK(b.market(12, kAsk, 1, &r) == Status::kOk && r.filled == 1);
  CHECK(b.orderCount() == 1);  // the mapped ask at 102
  checkBook(b);
  CHECK(b.addUnmapped(13, kBid, 1ll << 61, 1) == kNil);  // refused: out of range
}

static void testWindowLimits() {
  Book b(BookConfig{64, 4096, 16});
  OrderResult r;
  CHECK(b.limit(1, kBid, 1000, 1, Tif::kGtc, &r) == Status::kOk);
  CHECK(b.limit(2, kAsk, 1000 + 4000, 1, Tif::kGtc, &r) == Status::kOk);  // grows the window
  CHECK(b.limit(3, kAsk, 1000 + 10000, 1, Tif::kGtc, &r) == Status::kPriceOutOfRange);
  CHECK_EQ(b.orderCount(), 2u);
  CHECK(b.cancel(1) == Status::kOk);
  CHECK(b.cancel(2) == Status::kOk);
  CHECK(b.limit(4, kAsk, 1000000, 1, Tif::kGtc, &r) == Status::kOk);  // empty book: just re-centres
  checkBook(b);
}

static void testBatch() {
  BatchShape shape{16, 2, 8};
  MarketConfig mc;
  mc.entryLatency = LatencyConfig{LatencyConfig::kLogNormal, 200000, 5000000, 0.5};
  mc.marketDataLatency = LatencyConfig{LatencyConfig::kUniform, 0, 1000000, 0};
  PoissonFlowConfig fc;
  Batch batch(shape, mc, [&](uint32_t) { return std::make_unique<PoissonFlow>(fc); });
  batch.reset(99, TsNs{0});
  const size_t NC = 32, NS = 16 * kAgentSlots, NF = 16 * 8;
  std::vector<uint8_t> kind(NC), side(NC), tif(NC), slot(NC);
  std::vector<double> price(NC), qty(NC);
  std::vector<int32_t> status(NC), fillCount(16), slotReject(NS);
  std::vector<double> n1(16 * 7), s1(NS * 5), f1(NF * 4);
  std::vector<int8_t> slotState(NS);
  std::vector<uint8_t> fslot(NF), fmaker(NF), fside(NF);
  BatchIO io{kind.data(), side.data(), tif.data(), slot.data(), price.data(), qty.data(), status.data(),
             &n1[0], &n1[16], &n1[32], &n1[48], &n1[64], &n1[80], &n1[96], fillCount.data(),
             slotState.data(), &s1[0], &s1[NS], &s1[2 * NS], &s1[3 * NS], slotReject.data(),
             &f1[0], &f1[NF], &f1[2 * NF], fslot.data(), fmaker.data(), fside.data(), &f1[3 * NF]};
  Rng rng(5);
  std::string err;
  for (int step = 0; step < 2000; ++step) {
    for (size_t k = 0; k < NC; ++k) {
      const uint64_t u = rng.below(10);
      kind[k] = u < 6 ? 0 : static_cast<uint8_t>(1 + rng.below(3));
      side[k] = static_cast<uint8_t>(rng.below(2));
      tif[k] = static_cast<uint8_t>(rng.below(3));
      slot[k] = static_cast<uint8_t>(rng.below(kAgentSlots));
      const double mid = std::isnan(n1[k / 2]) ? 10000 : n1[k / 2];
      price[k] = (step == 0 ? 10000 : mid) + static_cast<double>(rng.below(7)) - 3;
      qty[k] = static_cast<double>(1 + rng.below(4));
    }
    CHECK(batch.step(io, 10000000, &err));
  }
  for (uint32_t m = 0; m < shape.markets; ++m) checkBook(batch.market(m).book());
  qty[3] = -1;
  kind[3] = 1;
  CHECK(!batch.step(io, 1000, &err));
  CHECK(err.find("cmdQtyLots") != std::string::npos);
}

// Replays a stream twice the size of the warm-up through the same band: the second half must not allocate.
static void testNoSteadyStateAllocation() {
#ifdef TRANCHE_COUNT_ALLOCATIONS
  Book b(BookConfig{4096, 1u << 20, 4096});
  Rng rng(11);
  OrderId nextId = 1;
  std::vector<OrderId> live;
  live.reserve(1 << 16);
  long before = 0;
  for (int k = 0; k < 400000; ++k) {
    if (k == 200000) before = gAllocations.load();
    const uint64_t u = rng.below(100);
    const Side s = static_cast<Side>(rng.next() & 1);
    // Adds outweigh removals below 1500 live ids and trail them above: the book's size is stationary.
    const uint64_t addP = live.size() < 1500 ? 60 : 40;
    if (u < addP || live.empty()) {
      const Tick p = s == kBid ? 10000 - static_cast<Tick>(rng.below(50)) : 10001 + static_cast<Tick>(rng.below(50));
      b.limit(nextId, s, p, 1 + static_cast<Lots>(rng.below(5)), Tif::kGtc, nullptr, (nextId & 15) == 0);
      live.push_back(nextId++);
    } else if (u < addP + 8) {
      b.market(0, s, 1 + static_cast<Lots>(rng.below(5)), nullptr);
    } else {
      const size_t i = rng.below(live.size());
      b.cancel(live[i]);
      live[i] = live.back();
      live.pop_back();
    }
    b.clearTrades();
  }
  CHECK_EQ(gAllocations.load() - before, 0);

  // A whole market: flow events and agent commands through latency, fills and observations.
  MarketConfig mc;
  mc.entryLatency = LatencyConfig{LatencyConfig::kConstant, 100000, 0, 0};
  Market market(mc, std::make_unique<PoissonFlow>(PoissonFlowConfig{}));
  market.reset(3, 0);
  for (int step = 0; step < 40000; ++step) {
    if (step == 20000) before = gAllocations.load();
    AgentCommand c;
    c.kind = step % 3 == 0 ? AgentCommandKind::kCancel : AgentCommandKind::kLimit;
    c.slot = static_cast<uint8_t>(step % kAgentSlots);
    c.side = static_cast<Side>(step & 1);
    c.price = c.side == kBid ? market.book().bestBid() : market.book().bestAsk();
    if (c.price == kNoBid || c.price == kNoAsk) c.price = 10000;
    c.qty = 1;
    market.submit(c);
    market.advanceTo(market.now() + 10000000);
    market.observe();
    market.drainFills();
  }
  CHECK_EQ(gAllocations.load() - before, 0);
  std::printf("steady-state allocations: 0 over 200000 book events and 20000 market steps\n");
#endif
}

static void testOpStreamRejectsMalformed() {
  Book b;
  const uint8_t kind[3] = {0, 0, 3};
  const uint8_t side[3] = {0, 1, 0};
  const double id[3] = {1, 2, 3};
  const double price[3] = {100, 101.5, 100};
  const double qty[3] = {1, 1, 1};
  const OpStats st = applyOps(b, OpStream{kind, side, id, price, qty, 3}, nullptr);
  CHECK_EQ(st.badIndex, 1);
  CHECK(std::string(st.badField) == "priceTicks");
  CHECK_EQ(st.applied, 1u);
}

// A LOBSTER-style day made up on the spot: a true book receives random adds, deletes, partial cancels and
// executions; the "file" lists only messages that touch its top N levels (and the top N after each),
// after a warm-up whose orders the file never introduces. The replay must match every row.
static void testLobsterReplayOnSyntheticDay(uint64_t seed, int levels) {
  Book truth(BookConfig{256, 1u << 20, 256});
  Rng rng(seed);
  std::vector<OrderId> live;
  OrderId nextId = 1000;
  std::vector<int64_t> ts, oid, price, qty;
  std::vector<uint8_t> type, side;
  std::vector<std::vector<int64_t>> ap(levels), aq(levels), bp(levels), bq(levels);
  auto topN = [&](Side s, std::vector<std::vector<int64_t>>& p, std::vector<std::vector<int64_t>>& q) {
    Tick t = s == kBid ? truth.bestBid() : truth.bestAsk();
    for (int k = 0; k < levels; ++k) {
      const bool has = t != kNoBid && t != kNoAsk;
      p[k].push_back(has ? t : (s == kBid ? -9999999999 : 9999999999));
      q[k].push_back(has ? truth.depthAt(s, t) : 0);
      if (has) t = truth.nextLevel(s, t);
    }
  };
  auto visible = [&](Side s, Tick p) {
    Tick t = s == kBid ? truth.bestBid() : truth.bestAsk();
    for (int k = 0; k < levels && t != kNoBid && t != kNoAsk; ++k, t = truth.nextLevel(s, t))
      if (t == p) return true;
    return false;
  };
  auto nthPrice = [&](Side s) {
    Tick t = s == kBid ? truth.bestBid() : truth.bestAsk();
    int k = 1;
    for (; k < levels && t != kNoBid && t != kNoAsk; ++k) t = truth.nextLevel(s, t);
    return k == levels ? t : (s == kBid ? kNoBid : kNoAsk);
  };
  for (int step = 0; step < 20000; ++step) {
    const bool record = step >= 2000;  // the file starts after a warm-up
    const uint64_t u = rng.below(100);
    const Side s = static_cast<Side>(rng.next() & 1);
    uint8_t t = 0;
    Side msgSide = s;  // side of the resting order the message is about
    OrderId id = 0;
    Tick p = 0;
    Lots q = 0;
    bool touches = false;
    if (u < 50 || live.empty()) {
      // Around 1000 ± 20, never crossing: bids below 1000, asks from 1001.
      p = s == kBid ? 1000 - static_cast<Tick>(rng.below(20)) : 1001 + static_cast<Tick>(rng.below(20));
      q = 1 + static_cast<Lots>(rng.below(5));
      id = nextId++;
      const Tick nth = nthPrice(s);
      touches = nth == kNoBid || nth == kNoAsk || (s == kBid ? p >= nth : p <= nth);
      truth.insertResting(id, s, p, q);
      live.push_back(id);
      t = 1;
    } else {
      const size_t k = rng.below(live.size());
      id = live[k];
      const RestingOrder* o = truth.find(id);
      if (!o) {
        live[k] = live.back();
        live.pop_back();
        continue;
      }
      p = o->price;
      const Side os = o->side;
      msgSide = os;
      touches = visible(os, p);
      if (u < 85) {
        q = o->qty;
        t = 3;
        truth.cancel(id);
      } else if (u < 92 && o->qty > 1) {
        q = 1;
        t = 2;
        truth.reduce(id, 1);
      } else {
        // Executions hit the front of the best level, as in price-time priority.
        const Tick best = os == kBid ? truth.bestBid() : truth.bestAsk();
        const RestingOrder* front = truth.frontAt(os, best);
        id = front->id;
        p = best;
        q = 1 + static_cast<Lots>(rng.below(static_cast<uint64_t>(front->qty)));
        t = 4;
        touches = true;
        truth.execute(id, q, 1);
        truth.clearTrades();
      }
      if (!truth.find(id)) {
        for (size_t j = 0; j < live.size(); ++j)
          if (live[j] == id) {
            live[j] = live.back();
            live.pop_back();
            break;
          }
      }
    }
    if (!record || !touches) continue;
    ts.push_back(static_cast<int64_t>(step) * 1000);
    type.push_back(t);
    oid.push_back(static_cast<int64_t>(id));
    side.push_back(msgSide);
    price.push_back(p);
    qty.push_back(q);
    topN(kAsk, ap, aq);
    topN(kBid, bp, bq);
  }
  auto cols = std::make_shared<LobsterColumns>();
  cols->rows = ts.size();
  cols->levels = levels;
  cols->tsNs = ts.data();
  cols->type = type.data();
  cols->orderId = oid.data();
  cols->side = side.data();
  cols->priceTicks = price.data();
  cols->qtyLots = qty.data();
  for (int k = 0; k < levels; ++k) {
    cols->askPrice.push_back(ap[k].data());
    cols->askQty.push_back(aq[k].data());
    cols->bidPrice.push_back(bp[k].data());
    cols->bidQty.push_back(bq[k].data());
  }
  cols->index();
  std::string report;
  const LobsterReplayStats v = verifyLobster(cols, &report);
  if (v.visibleMismatches != 0) std::fprintf(stderr, "synthetic day (seed %llu, %d levels): %s\n", static_cast<unsigned long long>(seed), levels, report.c_str());
  CHECK_EQ(v.rowsChecked, cols->rows);
  CHECK_EQ(v.visibleMismatches, 0u);
  CHECK_EQ(v.adoptionsInView[kBid] + v.adoptionsInView[kAsk], 0u);
  CHECK(v.unknownIdMessages > 0);
  CHECK(v.adoptions[kBid] > 0 && v.adoptions[kAsk] > 0);
  const LobsterReplayStats mid = verifyLobster(cols, &report, cols->rows / 2);
  CHECK_EQ(mid.visibleMismatches, 0u);
}

// A hand-written LOBSTER file with two levels a side, for the replay's corner cases.
struct TinyLobster {
  std::vector<int64_t> ts, oid, price, qty;
  std::vector<uint8_t> type, side;
  std::vector<std::vector<int64_t>> ap{2}, aq{2}, bp{2}, bq{2};
  using Levels = std::vector<std::pair<int64_t, int64_t>>;
  void row(uint8_t t, int64_t id, Side s, int64_t p, int64_t q, const Levels& asks, const Levels& bids) {
    ts.push_back(static_cast<int64_t>(ts.size()) * 1000);
    type.push_back(t), oid.push_back(id), side.push_back(s), price.push_back(p), qty.push_back(q);
    for (size_t k = 0; k < 2; ++k) {
      ap[k].push_back(k < asks.size() ? asks[k].first : 9999999999), aq[k].push_back(k < asks.size() ? asks[k].second : 0);
      bp[k].push_back(k < bids.size() ? bids[k].first : -9999999999), bq[k].push_back(k < bids.size() ? bids[k].second : 0);
    }
  }
  std::shared_ptr<LobsterColumns> columns() {
    auto c = std::make_shared<LobsterColumns>();
    c->rows = ts.size(), c->levels = 2;
    c->tsNs = ts.data(), c->type = type.data(), c->orderId = oid.data(), c->side = side.data();
    c->priceTicks = price.data(), c->qtyLots = qty.data();
    for (int k = 0; k < 2; ++k) {
      c->askPrice.push_back(ap[k].data()), c->askQty.push_back(aq[k].data());
      c->bidPrice.push_back(bp[k].data()), c->bidQty.push_back(bq[k].data());
    }
    c->index();
    return c;
  }
};

static void testLobsterReplayCorners() {
  constexpr OrderId kAgent = 1ull << 63;
  OrderResult r;
  {
    // A message at a price beyond view changes what the replay kept there: when the level comes back at
    // its old size, the file alone no longer decides it.
    TinyLobster f;
    f.row(1, 1, kBid, 100, 5, {{105, 5}}, {{100, 5}});
    f.row(1, 2, kBid, 101, 3, {{105, 5}}, {{101, 3}, {100, 5}});
    f.row(1, 3, kBid, 102, 3, {{105, 5}}, {{102, 3}, {101, 3}});  // 100 leaves view holding 5
    f.row(1, 4, kBid, 100, 2, {{105, 5}}, {{102, 3}, {101, 3}});  // beyond view: 100 holds 7
    f.row(3, 3, kBid, 102, 3, {{105, 5}}, {{101, 3}, {100, 5}});  // back at 5 (2 left unseen)
    std::string report;
    CHECK_EQ(verifyLobster(f.columns(), &report).visibleMismatches, 0u);
  }
  {
    // A replayed add that trades with the agent's resting bid rests smaller than the file says; its later
    // delete must not take the difference from the other orders at that price.
    TinyLobster f;
    f.row(1, 1, kAsk, 105, 5, {{105, 5}}, {{100, 10}});
    f.row(1, 2, kAsk, 103, 5, {{103, 5}, {105, 5}}, {{100, 10}});
    f.row(1, 3, kAsk, 103, 4, {{103, 9}, {105, 5}}, {{100, 10}});
    f.row(3, 2, kAsk, 103, 5, {{103, 4}, {105, 5}}, {{100, 10}});
    LobsterReplay replay(f.columns(), LobsterReplayConfig{});
    Book b;
    replay.resetAtRow(b, 0);
    replay.step(b);
    CHECK(b.limit(kAgent | 1, kBid, 103, 3, Tif::kGtc, &r, true) == Status::kOk);
    for (int i = 1; i < 4; ++i) replay.step(b);
    CHECK_EQ(b.depthAt(kAsk, 103), 4);
    CHECK_EQ(replay.agentTakenLots(), 0);
    CHECK(replay.stats().reconciledLots == 3);
    checkBook(b);
  }
  {
    // A replayed execution the agent's better bid absorbs leaves the named order larger than the file;
    // the file's delete of that order ends all of it.
    TinyLobster f;
    f.row(1, 1, kBid, 100, 10, {{105, 5}}, {{100, 10}});
    f.row(4, 1, kBid, 100, 4, {{105, 5}}, {{100, 6}});
    f.row(3, 1, kBid, 100, 6, {{105, 5}}, {});
    LobsterReplay replay(f.columns(), LobsterReplayConfig{});
    Book b;
    replay.resetAtRow(b, 0);
    replay.step(b);
    CHECK(b.limit(kAgent | 2, kBid, 101, 4, Tif::kGtc, &r, true) == Status::kOk);
    replay.step(b);
    CHECK_EQ(b.depthAt(kBid, 101), 0);   // the agent was filled first
    CHECK_EQ(b.depthAt(kBid, 100), 10);  // the named order kept what the agent absorbed
    replay.step(b);
    CHECK_EQ(b.depthAt(kBid, 100), 0);
    checkBook(b);
  }
}


// GCC 12 inlines this function's frees into the counting operator delete above and then takes malloc/free
// for a mismatched pair (a false positive: both sides are the replaced, malloc-based operators).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
// The execution task over a Poisson flow, random actions in both action modes: every episode ends by its
// horizon, never overfills, and its return equals minus the shortfall the market's own cash account gives.
static void testExecutionTask(bool lotsMode, bool slowOrders) {
  MarketConfig mc;
  mc.fees.takerBps = 2.0;
  mc.fees.makerBps = -0.5;
  // Slow orders take about a decision to arrive: children fill while cancels and replaces travel.
  mc.entryLatency = slowOrders ? LatencyConfig{LatencyConfig::kLogNormal, 150'000'000, 600'000'000, 1.5} : LatencyConfig{LatencyConfig::kConstant, 250'000, 0, 0};
  const uint32_t N = 6;
  ExecutionSpec spec;
  spec.parentLots = 90;
  spec.horizonSteps = 9;
  spec.stepNs = 400'000'000;
  spec.lotsMode = lotsMode;
  spec.side = lotsMode ? kAsk : kBid;
  ExecutionBatch batch(N, mc, [](uint32_t) { return std::make_unique<PoissonFlow>(PoissonFlowConfig{}); }, spec);
  // One buffer per element type, carved into the task's arrays.
  std::vector<int32_t> ints(5 * N, 0);
  std::vector<double> reals(27 * N, 0.0);
  std::vector<uint8_t> bytes(4 * N, 0);
  std::vector<float> obs(N * kFeatureCount);
  int32_t* actions = ints.data();
  int32_t *elapsed = actions + 2 * N, *horizon = elapsed + N, *episode = horizon + N;
  double* d = reals.data();
  double *reward = d, *cost = d + N, *cash = d + 2 * N, *parent = d + 3 * N, *remaining = d + 4 * N, *filled = d + 5 * N,
         *schedule = d + 6 * N, *start = d + 7 * N, *mid = d + 8 * N, *bid = d + 9 * N, *ask = d + 10 * N, *bq = d + 11 * N,
         *aq = d + 12 * N, *stepFilled = d + 13 * N, *stepVol = d + 14 * N, *epVol = d + 15 * N, *resting = d + 16 * N,
         *restingPx = d + 17 * N, *account = d + 18 * N;
  uint8_t *terminated = bytes.data(), *resetMask = terminated + N, *incomplete = resetMask + N, *sideCode = incomplete + N;
  ExecutionIO io{actions, obs.data(), reward, terminated, resetMask, incomplete, cost, cash, episode, sideCode, parent, remaining,
                 filled, elapsed, horizon, schedule, start, mid, bid, ask, bq, aq, stepFilled, stepVol, epVol, resting, restingPx,
                 account, account + N, account + 2 * N, account + 3 * N, account + 4 * N, account + 5 * N, account + 6 * N};
  std::vector<uint64_t> seeds(N);
  std::vector<uint8_t> reseed(N, 1);
  for (uint32_t m = 0; m < N; ++m) seeds[m] = 100 + m;
  std::string error;
  CHECK(batch.reset(io, seeds.data(), reseed.data(), &error));
  Rng rng(lotsMode ? 7 : 8);
  std::vector<double> ret(N, 0.0);
  int ended = 0;
  for (int t = 0; t < 60; ++t) {
    for (uint32_t m = 0; m < N; ++m) {
      actions[2 * m] = lotsMode ? static_cast<int32_t>(rng.below(40)) : static_cast<int32_t>(rng.below(kSizeChoices));
      actions[2 * m + 1] = static_cast<int32_t>(rng.below(kPlacementChoices));
    }
    CHECK(batch.step(io, &error));
    for (uint32_t m = 0; m < N; ++m) {
      CHECK(filled[m] <= spec.parentLots && filled[m] + remaining[m] == spec.parentLots);
      for (int f = 0; f < kFeatureCount; ++f) CHECK(std::isfinite(obs[m * kFeatureCount + f]));
      if (resetMask[m]) {
        CHECK(reward[m] == 0.0 && terminated[m] == 0 && elapsed[m] == 0);
        ret[m] = 0.0;
        continue;
      }
      ret[m] += reward[m];
      if (!terminated[m]) continue;
      ++ended;
      CHECK(elapsed[m] <= static_cast<int32_t>(spec.horizonSteps));
      if (incomplete[m]) continue;
      CHECK(remaining[m] == 0);
      const double notional = spec.parentLots * mid[m] * mc.instrument.tickSize * mc.instrument.lotSize;
      // A buy pays -cash for the parent; a sell receives cash: the shortfall is what that leaves against the arrival mid.
      const double isBps = (spec.side == kBid ? -cash[m] / notional - 1.0 : 1.0 - cash[m] / notional) * 1e4;
      CHECK(std::fabs(-ret[m] - isBps) < 1e-9);
      CHECK(std::fabs(cost[m] - isBps) < 1e-9);
    }
  }
  CHECK(ended >= static_cast<int>(N) * 5);
  // A malformed action applies nothing and says which env.
  actions[0] = lotsMode ? -1 : kSizeChoices;
  CHECK(!batch.step(io, &error) && error.find("env 0") != std::string::npos);
}
#pragma GCC diagnostic pop

// The feature feed sums Cont–Kukanov–Stoikov OFI increments over every top update and counts others' trades,
// per window between observations.
static void testFeatureFeed() {
  FeatureFeed feed;
  feed.reset(100, 5, 102, 7);
  feed.onTop(100, 8, 102, 7);   // bid size up at the same price: +3
  feed.onTop(101, 2, 102, 7);   // bid price up: +2
  feed.onTop(101, 2, 102, 4);   // ask size down at the same price: -4 + 7 = +3
  feed.onTop(101, 2, 103, 9);   // ask price up: +4 (the old ask size)
  feed.onTrade(kBid, 6);
  feed.onTrade(kAsk, 1);
  feed.observe();
  CHECK(feed.observedOrderFlowImbalance() == 3 + 2 + 3 + 4);
  CHECK(feed.observedBuyLots() == 6 && feed.observedSellLots() == 1);
  feed.onTop(100, 1, 103, 9);   // bid price down: -2
  feed.observe();
  CHECK(feed.observedOrderFlowImbalance() == -2 && feed.observedBuyLots() == 0);
}


// CST distances: with every limit rate at three ticks, each limit order lands three ticks from the opposite quote.
// Hawkes market orders: the stationary rate 2μ/(1 − n), and counts over-dispersed as a clustered stream's are.
static void testCalibratedPoissonLaws() {
  BookConfig bc;
  {
    PoissonFlowConfig fc;
    fc.distanceRatesPerSec = {0.0, 0.0, 5.0};
    fc.marketRatePerSec = 0.0;
    fc.cancelRatePerSec = 0.0;
    PoissonFlow flow(fc);
    Book book(bc);
    flow.reset(book, 0, 7);
    int placed = 0;
    for (int e = 0; e < 2000; ++e) {
      const Tick bid = book.bestBid(), ask = book.bestAsk();
      const Lots bidAt = book.depthAt(kBid, ask - 3), askAt = book.depthAt(kAsk, bid + 3);
      flow.step(book);
      placed += (book.depthAt(kBid, ask - 3) > bidAt || book.depthAt(kAsk, bid + 3) > askAt) ? 1 : 0;
    }
    CHECK(placed == 2000);
  }
  {
    PoissonFlowConfig fc;
    fc.limitRatePerSec = 20.0;
    fc.marketRatePerSec = 0.25;  // background 0.5 per second, both sides
    fc.cancelRatePerSec = 0.05;
    fc.hawkesBranching = 0.5;
    fc.hawkesDecayPerSec = 1.0;
    PoissonFlow flow(fc);
    Book book(bc);
    flow.reset(book, 0, 11);
    const double horizon = 20000.0;
    constexpr int kWindows = 200;  // of 100 s
    int counts[kWindows] = {};
    int markets = 0;
    while (flow.nextTime() < static_cast<TsNs>(horizon * 1e9)) {
      const TsNs t = flow.nextTime();
      book.clearTrades();
      flow.step(book);
      if (!book.trades().empty()) {
        ++markets;
        ++counts[static_cast<int>(static_cast<double>(t) * 1e-9 / 100.0)];
      }
    }
    const double rate = markets / horizon;  // 2μ / (1 − n) = 1 per second
    CHECK(rate > 0.9 && rate < 1.1);
    double mean = 0, var = 0;
    for (int c : counts) mean += c;
    mean /= kWindows;
    for (int c : counts) var += (c - mean) * (c - mean);
    var /= kWindows - 1;
    // Over windows long against 1/β the index of dispersion tends to 1 / (1 − n)² = 4; a Poisson stream's is 1.
    CHECK(var / mean > 2.5 && var / mean < 6.0);
  }
}

static void testPropagatorDecay() {
  // The kernel's decay without a libm call agrees with std::exp to 2 ulp over the range it meets.
  double worst = 0.0;
  for (double x = 0.0; x <= 700.0; x = x * 1.01 + 1e-9) {
    const double want = std::exp(-x), got = Propagator::expNeg(x);
    worst = std::max(worst, std::fabs(got - want) / want);
  }
  CHECK(worst < 4.5e-16);
  CHECK(Propagator::expNeg(0.0) == 1.0);
}

static void testLimitSizeLawAndThinning() {
  BookConfig bc;
  // Sizes by distance: distances 5-6 draw from {7, 9}, distances beyond from {100}. Orders arrive 5-8 ticks from the
  // opposite quote, so the spread stays at least 5 and the table's cancel rate of 2/s at distances 1-4 never
  // applies: it must not slow the flow (the thinning bound starts at the spread).
  PoissonFlowConfig fc;
  fc.distanceRatesPerSec = {0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0};
  fc.cancelRatesPerSec = {2.0, 2.0, 2.0, 2.0, 0.1};
  fc.marketRatePerSec = 0.0;
  fc.seedDepth = 0;
  fc.sizeAtomsLots = {7, 9, 100, 100};
  fc.sizeAtomsPerRow = 2;
  fc.sizeBucketTicks = 6;
  fc.referencePrice = 1000;
  PoissonFlow flow(fc);
  Book book(bc);
  flow.reset(book, 0, 3);
  std::vector<FlowMessage> adds;
  flow.record(&adds);
  int nullEvents = 0, events = 0;
  while (flow.nextTime() < static_cast<TsNs>(20000e9)) {
    const size_t before = adds.size();
    const uint32_t resting = book.orderCount();
    flow.step(book);
    ++events;
    nullEvents += adds.size() == before && book.orderCount() == resting ? 1 : 0;
  }
  std::map<Lots, int> sizes;
  int n = 0;
  for (const FlowMessage& m : adds)
    if (m.type == 1) ++sizes[m.qty], ++n;
  // Half the limit rate is at distances 5-6 (7 or 9 lots), half beyond (100 lots).
  CHECK(sizes.size() == 3);
  CHECK(std::fabs(sizes[7] / static_cast<double>(n) - 0.25) < 0.02);
  CHECK(std::fabs(sizes[9] / static_cast<double>(n) - 0.25) < 0.02);
  CHECK(std::fabs(sizes[100] / static_cast<double>(n) - 0.5) < 0.02);
  // Every resting order cancels at 0.1/s: with the bound at the spread no draw is null (one of 2/s would make 95%
  // of the cancel draws null events).
  CHECK(nullEvents == 0);
}

int main() {
  testMatchingBasics();
  testOpStreamRejectsMalformed();
  testIdMap();
  testWindowLimits();
  testUnmappedOrders();
  testLobsterReplayCorners();
  for (uint64_t seed = 1; seed <= 30; ++seed) testAgainstReference(seed, 3000, 24, seed <= 3);
  testAgainstReference(1234, 30000, 60, false);
  testBatch();
  testFeatureFeed();
  testCalibratedPoissonLaws();
  testPropagatorDecay();
  testLimitSizeLawAndThinning();
  for (bool slow : {false, true}) {
    testExecutionTask(false, slow);
    testExecutionTask(true, slow);
  }
  for (uint64_t seed = 1; seed <= 4; ++seed) testLobsterReplayOnSyntheticDay(seed, seed % 2 == 0 ? 3 : 5);
  testNoSteadyStateAllocation();
  std::printf("%d checks, %d failures\n", gChecks, gFailures);
  return gFailures == 0 ? 0 : 1;
}
