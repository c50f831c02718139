#include "l2_replay.h"

#include <algorithm>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "replay_common.h"

namespace tranche {

namespace {
constexpr TsNs kNever = std::numeric_limits<TsNs>::max();
constexpr OrderId kReplayTaker = kSyntheticIdBit;
// The agent's orders are the book's tracked ones: the flow needs no knowledge of how agent ids are made.
bool isAgent(const RestingOrder& o) { return o.tracked; }
}  // namespace

L2Replay::L2Replay(std::shared_ptr<const L2Columns> data, const L2ReplayConfig& cfg)
    : data_(std::move(data)), cfg_(cfg), queue_(cfg.queue), impact_(cfg.impact) {
  t0_ = data_->depthRows > 0 ? data_->depthTsNs[0] : 0;
}

OrderId L2Replay::nextSynthetic() { return kSyntheticIdBit | ++synthetic_; }

TsNs L2Replay::depthTime() const { return std::max(depthClock_, data_->depthTsNs[d_]); }

TsNs L2Replay::nextTime() const {
  const TsNs depth = d_ < data_->depthRows ? depthTime() - t0_ : kNever;
  const TsNs trade = cfg_.applyTrades && t_ < data_->tradeRows ? data_->tradeTsNs[t_] - t0_ : kNever;
  return std::min(depth, trade);
}

void L2Replay::step(Book& book) {
  const TsNs depth = d_ < data_->depthRows ? depthTime() - t0_ : kNever;
  const TsNs trade = cfg_.applyTrades && t_ < data_->tradeRows ? data_->tradeTsNs[t_] - t0_ : kNever;
  if (impact_.active()) {
    const Tick offset = impact_.offsetTicks(std::min(depth, trade));
    shiftReplayed(book, offset - offset_, shiftScratch_);
    offset_ = offset;
  }
  if (depth <= trade) {
    depthClock_ = depthTime();
    applyDepth(book, d_++);
  } else {
    applyTrade(book, t_++);
  }
}

// Starts from the last snapshot at or before `startNs` and fast-forwards its diffs up to it.
void L2Replay::reset(Book& book, TsNs startNs, uint64_t) {
  book.clear();
  impact_.reset();
  stats_ = L2ReplayStats{};
  tapeLots_[0] = tapeLots_[1] = 0;
  tapeNotional_ = 0.0;
  offset_ = 0;
  synthetic_ = 0;
  depthClock_ = 0;
  const L2Columns& c = *data_;
  size_t start = 0;
  TsNs clock = 0;
  for (size_t r = 0; r < c.depthRows; ++r) {
    clock = std::max(clock, c.depthTsNs[r]);
    if (clock - t0_ > startNs) break;
    if (c.isSnapshot[r] && (r == 0 || !c.isSnapshot[r - 1])) start = r;
  }
  d_ = start;
  depthClock_ = 0;
  while (d_ < c.depthRows && depthTime() - t0_ < startNs) {
    depthClock_ = depthTime();
    applyDepth(book, d_++);
  }
  book.clearTrades();
  t_ = static_cast<size_t>(std::lower_bound(c.tradeTsNs, c.tradeTsNs + c.tradeRows, t0_ + startNs) - c.tradeTsNs);
}

void L2Replay::clearReplayed(Book& book) {
  for (int si = 0; si < 2; ++si) {
    const Side s = static_cast<Side>(si);
    Tick p = s == kBid ? book.bestBid() : book.bestAsk();
    while (p != kNoBid && p != kNoAsk) {
      const Tick next = book.nextLevel(s, p);
      for (const RestingOrder* o = book.frontAt(s, p); o;) {
        const RestingOrder* after = book.behind(*o);
        if (!isAgent(*o)) book.cancel(o->id);
        o = after;
      }
      p = next;
    }
  }
}

// Takes `qty` of replayed liquidity out of a level: split around the agent's first order there by the
// queue model, or from the back when the agent has none there.
void L2Replay::removeFromLevel(Book& book, Side s, Tick p, Lots qty) {
  const RestingOrder* agent = nullptr;
  Lots front = 0;
  for (const RestingOrder* o = book.frontAt(s, p); o; o = book.behind(*o)) {
    if (isAgent(*o)) {
      agent = o;
      break;
    }
    front += o->qty;
  }
  Lots ahead = 0;
  if (agent) {
    const Lots back = replayDepthAt(book, s, p) - front;
    ahead = queue_.cancelledAhead(front, back, qty);
    stats_.cancelsAheadLots += ahead;
    stats_.cancelsBehindLots += qty - ahead;
    trimTowardFront(book, book.ahead(*agent), ahead);  // ahead of the agent: nearest to it first
  }
  trimTowardFront(book, book.backAt(s, p), qty - ahead);
}

void L2Replay::applyDepth(Book& book, size_t r) {
  const L2Columns& c = *data_;
  ++stats_.depthEvents;
  if (c.isSnapshot[r] && (r == 0 || !c.isSnapshot[r - 1])) {
    ++stats_.snapshots;
    clearReplayed(book);  // a snapshot replaces the whole book
  }
  const Side s = static_cast<Side>(c.depthSide[r]);
  const Tick p = c.depthPriceTicks[r] + offset_;
  const Lots target = c.depthQtyLots[r];
  const Lots have = replayDepthAt(book, s, p);
  if (target < have) {
    removeFromLevel(book, s, p, have - target);
    return;
  }
  Lots add = target - have;
  if (add == 0) return;
  // The real book never crosses: opposite levels at or through p are stale, or the agent's, which a real
  // order at p would have executed against.
  const Side opp = opposite(s);
  while (add > 0) {
    const Tick op = opp == kAsk ? book.bestAsk() : book.bestBid();
    if (op == kNoAsk || op == kNoBid || (s == kBid ? op > p : op < p)) break;
    for (const RestingOrder* o = book.frontAt(opp, op); o;) {
      const RestingOrder* after = book.behind(*o);
      if (isAgent(*o)) {
        if (add > 0) {
          add -= book.execute(o->id, add, kReplayTaker);
          ++stats_.agentFillsByTrades;
        } else {
          // The agent's order outranks the new level: it stays, and the new level waits behind it.
          break;
        }
      } else {
        book.cancel(o->id);
        ++stats_.crossRepairs;
      }
      o = after;
    }
    if ((opp == kAsk ? book.bestAsk() : book.bestBid()) == op) break;  // only the agent is left there
  }
  if (add > 0 && book.insertResting(nextSynthetic(), s, p, add) == Status::kPriceOutOfRange) ++stats_.outOfRange;
}

void L2Replay::applyTrade(Book& book, size_t r) {
  ++stats_.tradeEvents;
  const L2Columns& c = *data_;
  // The tape's volume, whoever traded it; the market takes the agent's own fills out again.
  tapeLots_[c.tradeAggressor[r] == 0 ? 0 : 1] += c.tradeQtyLots[r];
  tapeNotional_ += static_cast<double>(c.tradePriceTicks[r] + offset_) * static_cast<double>(c.tradeQtyLots[r]);
  if (!book.hasTracked()) return;  // the depth rows already carry the trade's effect on the book
  const Side resting = opposite(static_cast<Side>(c.tradeAggressor[r]));
  const Tick p = c.tradePriceTicks[r] + offset_;
  Lots q = c.tradeQtyLots[r];
  // Agent orders at better prices were hit first.
  const Lots better = fillAgentsAhead(book, resting, p, q, AtPrice::kNone, 0, kReplayTaker);
  if (better > 0) ++stats_.agentFillsByTrades;
  q -= better;
  // At the trade's price the queue is consumed from the front: first what is ahead of the agent.
  for (const RestingOrder* o = book.frontAt(resting, p); o && q > 0;) {
    const RestingOrder* after = book.behind(*o);
    if (isAgent(*o)) {
      q -= book.execute(o->id, q, kReplayTaker);
      ++stats_.agentFillsByTrades;
    } else {
      const Lots cut = std::min(q, o->qty);
      book.reduce(o->id, cut);
      stats_.queueAdvanceLots += cut;
      q -= cut;
    }
    o = after;
  }
}

void L2Replay::onAgentTrade(const Book&, const Trade&) {}

L2Replay::BboCheck L2Replay::checkBbo(std::shared_ptr<const L2Columns> data, size_t bboRows, const int64_t* updateId,
                                      const int64_t* bidPrice, const int64_t* bidQty, const int64_t* askPrice,
                                      const int64_t* askQty, const BookConfig& bookCfg) {
  std::vector<std::pair<int64_t, size_t>> byId(bboRows);
  for (size_t i = 0; i < bboRows; ++i) byId[i] = {updateId[i], i};
  std::sort(byId.begin(), byId.end());
  L2ReplayConfig cfg;
  cfg.applyTrades = false;
  L2Replay replay(data, cfg);
  Book book(bookCfg);
  replay.reset(book, 0, 0);
  BboCheck out;
  const L2Columns& c = *data;
  while (replay.d_ < c.depthRows) {
    const size_t r = replay.d_;
    replay.depthClock_ = replay.depthTime();
    replay.applyDepth(book, replay.d_++);
    // Compare once the whole event (rows sharing an update id) is in.
    if (c.isSnapshot[r] || (r + 1 < c.depthRows && c.lastUpdateId[r + 1] == c.lastUpdateId[r])) continue;
    auto it = std::lower_bound(byId.begin(), byId.end(), std::make_pair(c.lastUpdateId[r], size_t{0}));
    for (; it != byId.end() && it->first == c.lastUpdateId[r]; ++it) {
      const size_t b = it->second;
      ++out.compared;
      const Tick bb = book.bestBid(), ba = book.bestAsk();
      const bool ok = bb == bidPrice[b] && ba == askPrice[b] && book.depthAt(kBid, bb) == bidQty[b] &&
                      book.depthAt(kAsk, ba) == askQty[b];
      if (ok) {
        ++out.matched;
      } else if (out.firstMismatchRow < 0) {
        out.firstMismatchRow = static_cast<int64_t>(r);
        std::ostringstream os;
        os << "depth row " << r << " (update id " << c.lastUpdateId[r] << "): book " << bb << "x" << book.depthAt(kBid, bb)
           << " / " << ba << "x" << book.depthAt(kAsk, ba) << ", bookTicker " << bidPrice[b] << "x" << bidQty[b] << " / "
           << askPrice[b] << "x" << askQty[b];
        out.firstMismatch = os.str();
      }
    }
  }
  return out;
}

}  // namespace tranche
