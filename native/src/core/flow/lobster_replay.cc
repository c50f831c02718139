#include "lobster_replay.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "replay_common.h"

namespace tranche {

namespace {
constexpr TsNs kNever = std::numeric_limits<TsNs>::max();
// Taker id of replayed executions: synthetic, never resting.
constexpr OrderId kReplayTaker = kSyntheticIdBit;

bool better(Side s, Tick a, Tick b) { return s == kBid ? a > b : a < b; }
bool atOrBetter(Side s, Tick a, Tick b) { return a == b || better(s, a, b); }
Tick worst(Side s) { return s == kBid ? kNoBid : kNoAsk; }
bool isAgent(OrderId id) { return (id >> 63) != 0; }
}  // namespace

LobsterReplay::LobsterReplay(std::shared_ptr<const LobsterColumns> data, const LobsterReplayConfig& cfg)
    : data_(std::move(data)), cfg_(cfg), impact_(cfg.impact), consumed_(64) {}

TsNs LobsterReplay::nextTime() const {
  return next_ < data_->rows ? data_->tsNs[next_] - data_->tsNs[0] : kNever;
}

void LobsterReplay::reset(Book& book, TsNs startNs, uint64_t) {
  const int64_t t0 = data_->tsNs[0];
  const int64_t* first = data_->tsNs;
  const int64_t* row = std::lower_bound(first, first + data_->rows, t0 + startNs);
  resetAtRow(book, static_cast<size_t>(row - first));
}

void LobsterReplay::resetAtRow(Book& book, size_t row) {
  book.clear();
  impact_.reset();
  consumed_.clear();
  stats_ = LobsterReplayStats{};
  report_.clear();
  offset_ = 0;
  synthetic_ = 0;
  row = std::min(row, data_->rows);
  if (data_->rows > 0) seed(book, row == 0 ? 0 : row - 1, row == 0);
  next_ = row;
}

// LOBSTER omits orders resting at the start: the orderbook row is the only record of them, so each
// level enters as one order of unknown id.
void LobsterReplay::seed(Book& book, size_t r, bool undoFirst) {
  const LobsterColumns& d = *data_;
  const uint8_t t0 = d.type[0];
  const Side s0 = static_cast<Side>(d.side[0]);
  bool undoneInRow = false;
  for (int si = 0; si < 2; ++si) {
    const Side s = static_cast<Side>(si);
    for (int k = 0; k < d.levels; ++k) {
      Lots q = d.levelQty(s, k, r);
      const Tick p = d.levelPrice(s, k, r);
      if (q <= 0) continue;
      if (undoFirst && s == s0 && p == d.priceTicks[0]) {
        // Row 0 is the book after message 0: take its effect out so applying it lands on row 0.
        if (t0 == 1) q -= d.qtyLots[0];
        else if (t0 >= 2 && t0 <= 4) q += d.qtyLots[0];
        undoneInRow = true;
      }
      if (q > 0) book.insertResting(nextSynthetic(), s, p, q);
    }
  }
  // Message 0 emptied a level that row 0 therefore does not show: put it back.
  if (undoFirst && !undoneInRow && t0 >= 2 && t0 <= 4)
    book.insertResting(nextSynthetic(), s0, d.priceTicks[0], d.qtyLots[0]);
}

// flatten: the book calls of a message inline here (as in the bulk op loop).
__attribute__((flatten)) void LobsterReplay::step(Book& book) {
  const size_t i = next_++;
  if (impact_.active()) {
    const Tick offset = impact_.offsetTicks(data_->tsNs[i] - data_->tsNs[0]);
    shiftReplayed(book, offset - offset_, shiftScratch_);
    offset_ = offset;
  }
  apply(book, i);
  ++stats_.messages;
  const LobsterColumns& d = *data_;
  const uint8_t t = d.type[i];
  if (t == 1) forgetPushedOut(book, i);
  if (cfg_.verify) {
    ++stats_.rowsChecked;
    const uint64_t before = stats_.visibleMismatches;
    reconcileSide(book, i, kBid, true);
    reconcileSide(book, i, kAsk, true);
    if (stats_.visibleMismatches != before && stats_.firstMismatchRow < 0) {
      stats_.firstMismatchRow = static_cast<int64_t>(i);
      describeMismatch(book, i);
    }
    return;
  }
  if (t < 2 || t > 4) return;
  // Fast path: a level comes into view only when a visible one empties (or a side is thin).
  const Side s = static_cast<Side>(d.side[i]);
  const Tick p = d.priceTicks[i] + offset_;
  const size_t prev = i > 0 ? i - 1 : 0;
  const bool thin = d.lastQty[s][i] <= 0 || d.lastQty[s][prev] <= 0;
  if (thin) {
    reconcileSide(book, i, s, true);
  } else if (replayDepthAt(book, s, p) == 0 && atOrBetter(s, p, d.lastPrice[s][prev] + offset_)) {
    // Exactly one visible level emptied, so row i is row i-1 without it plus a new N-th level; the
    // replay holds nothing beyond view (forgotten), so that level is the only one to adopt.
    const Tick last = d.lastPrice[s][i] + offset_;
    const Lots want = d.lastQty[s][i], have = replayDepthAt(book, s, last);
    if (want > have) {
      book.insertResting(nextSynthetic(), s, last, want - have);
      ++stats_.adoptions[s];
      stats_.adoptedLots[s] += want - have;
    } else if (want < have) {
      reconcileSide(book, i, s, false);  // not the pattern above: fall back to the general comparison
    }
  }
}

// A new visible level pushes row i-1's N-th level out of view. LOBSTER will say nothing more about it
// until it returns, when the orderbook row shows what it then holds: forget it now and adopt it then, so
// no stale order lingers under an id the file has silently retired.
void LobsterReplay::forgetPushedOut(Book& book, size_t i) {
  const LobsterColumns& d = *data_;
  const size_t prev = i > 0 ? i - 1 : 0;
  const Side s = static_cast<Side>(d.side[i]);
  if (i == 0 || d.lastQty[s][prev] <= 0) return;  // the side was not full: nothing leaves view
  const Tick p = d.priceTicks[i] + offset_;
  if (replayDepthAt(book, s, p) != d.qtyLots[i]) return;  // joined an existing level
  const Tick last = d.lastPrice[s][prev] + offset_;
  if (!better(s, p, last)) return;
  for (const RestingOrder* o = book.frontAt(s, last); o;) {
    const RestingOrder* after = book.behind(*o);
    if (!isAgent(o->id)) book.cancel(o->id);
    o = after;
  }
  ++stats_.forgotten;
}

void LobsterReplay::apply(Book& book, size_t i) {
  const LobsterColumns& d = *data_;
  switch (d.type[i]) {
    case 1: {
      const Status st = book.limit(static_cast<OrderId>(d.orderId[i]), static_cast<Side>(d.side[i]),
                                   d.priceTicks[i] + offset_, d.qtyLots[i], Tif::kGtc, nullptr);
      if (st != Status::kOk) {
        ++stats_.reconciled;
        stats_.reconciledLots += d.qtyLots[i];
      }
      break;
    }
    case 2:
    case 3: removeKnownOrUnknown(book, i, false); break;
    case 4: removeKnownOrUnknown(book, i, true); break;
    case 5: ++stats_.hiddenExecutions; break;
    default: break;  // 6 cross trade, 7 halt: nothing visible changes
  }
}

void LobsterReplay::removeKnownOrUnknown(Book& book, size_t i, bool execution) {
  const LobsterColumns& d = *data_;
  const OrderId id = static_cast<OrderId>(d.orderId[i]);
  const Side s = static_cast<Side>(d.side[i]);
  const Tick p = d.priceTicks[i] + offset_;
  Lots q = d.qtyLots[i];
  if (d.type[i] == 3) {
    // The common case, one lookup: delete a known order.
    Lots had = 0;
    if (book.cancel(id, &had) == Status::kOk) {
      if (had < q) {
        ++stats_.reconciled;
        stats_.reconciledLots += q - had;
      }
      return;
    }
  }
  const RestingOrder* o = book.find(id);
  if (execution && book.hasTracked()) {
    // The taker behind this execution would have met the agent's orders first where they had priority.
    uint32_t refSeq = 0;
    AtPrice atPrice = AtPrice::kAll;
    if (o) {
      refSeq = o->seq, atPrice = AtPrice::kAheadOf;
    } else {
      for (const RestingOrder* f = book.frontAt(s, p); f; f = book.behind(*f))
        if (isSyntheticId(f->id)) {
          refSeq = f->seq, atPrice = AtPrice::kAheadOf;
          break;
        }
    }
    const Lots absorbed = fillAgentsAhead(book, s, p, q, atPrice, refSeq, kReplayTaker);
    if (absorbed > 0) {
      ++stats_.agentFillsByReplay;
      q -= absorbed;
      if (q == 0) return;
    }
    o = book.find(id);
  }
  if (o) {
    const Lots have = o->qty;
    if (execution) book.execute(id, q, kReplayTaker);
    else if (d.type[i] == 3) book.cancel(id);
    else book.reduce(id, q);
    if (have < q) {
      ++stats_.reconciled;
      stats_.reconciledLots += q - have;
    }
  } else if (consumed_.find(id) != kNil) {
    ++stats_.reconciled;  // the agent took this order entirely before the file removed it
    stats_.reconciledLots += q;
  } else {
    ++stats_.unknownIdMessages;
    const Lots got = takeSynthetic(book, s, p, q, execution ? kReplayTaker : 0);
    if (got < q) {
      ++stats_.reconciled;
      stats_.reconciledLots += q - got;
    }
  }
}

void LobsterReplay::reconcileSide(Book& book, size_t i, Side s, bool fromTouch) {
  const LobsterColumns& d = *data_;
  const int n = d.levels;
  const size_t prev = i > 0 ? i - 1 : 0;
  // Visible: at or better than row i-1's N-th level (all of a side that had fewer than N levels).
  const bool allVisible = d.levelQty(s, n - 1, prev) <= 0;
  const Tick visibleBound = allVisible ? worst(s) : d.levelPrice(s, n - 1, prev) + offset_;
  const int rowLevels = d.depth(s, i);
  // Row i speaks for prices down to its N-th level, or for the whole side if it has fewer.
  const Tick rowBound = rowLevels < n ? worst(s) : d.levelPrice(s, n - 1, i) + offset_;
  if (!fromTouch && allVisible) return;

  Tick rp = fromTouch ? (s == kBid ? book.bestBid() : book.bestAsk()) : book.nextLevel(s, visibleBound);
  int k = 0;
  if (!fromTouch)
    while (k < rowLevels && atOrBetter(s, d.levelPrice(s, k, i) + offset_, visibleBound)) ++k;
  bool mismatch = false;
  while (true) {
    const bool haveR = rp != kNoBid && rp != kNoAsk && atOrBetter(s, rp, rowBound);
    const bool haveF = k < rowLevels;
    if (!haveR && !haveF) break;
    const Tick fp = haveF ? d.levelPrice(s, k, i) + offset_ : 0;
    const Tick price = !haveF ? rp : !haveR ? fp : (better(s, rp, fp) ? rp : fp);
    const Lots F = haveF && fp == price ? d.levelQty(s, k, i) : 0;
    const Lots R = haveR && rp == price ? replayDepthAt(book, s, price) : 0;
    const Tick nextR = haveR && rp == price ? book.nextLevel(s, price) : rp;
    if (F != R) {
      if (allVisible || atOrBetter(s, price, visibleBound)) {
        mismatch = true;
      } else {
        ++stats_.adoptions[s];
        stats_.adoptedLots[s] += F - R;
        if (F > R) {
          book.insertResting(nextSynthetic(), s, price, F - R);
        } else {
          const Lots left = R - F - takeSynthetic(book, s, price, R - F, 0);
          // Known orders beyond view changed unseen: trim the newest first.
          trimTowardFront(book, book.backAt(s, price), left);
        }
      }
    }
    rp = nextR;
    if (haveF && fp == price) ++k;
  }
  if (mismatch) ++stats_.visibleMismatches;
}

void LobsterReplay::describeMismatch(const Book& book, size_t i) {
  const LobsterColumns& d = *data_;
  std::ostringstream os;
  os << "row " << i << " (message type " << int(d.type[i]) << ", id " << d.orderId[i] << ", side "
     << (d.side[i] == 0 ? "bid" : "ask") << ", price " << d.priceTicks[i] << ", size " << d.qtyLots[i] << ")\n";
  for (int si = 0; si < 2; ++si) {
    const Side s = static_cast<Side>(si);
    os << (s == kBid ? "  bids" : "  asks") << " file:  ";
    for (int k = 0; k < d.depth(s, i); ++k) os << d.levelPrice(s, k, i) << "x" << d.levelQty(s, k, i) << " ";
    os << "\n" << (s == kBid ? "  bids" : "  asks") << " replay:";
    Tick p = s == kBid ? book.bestBid() : book.bestAsk();
    for (int k = 0; k < d.levels && p != kNoBid && p != kNoAsk; ++k, p = book.nextLevel(s, p))
      os << " " << p - offset_ << "x" << replayDepthAt(book, s, p);
    os << "\n";
  }
  report_ = os.str();
}

void LobsterReplay::onAgentTrade(const Book& book, const Trade& trade) {
  if (!isSyntheticId(trade.maker) && !isAgent(trade.maker) && book.find(trade.maker) == nullptr)
    consumed_.insertNew(trade.maker, 0);
}

LobsterReplayStats verifyLobster(std::shared_ptr<const LobsterColumns> data, std::string* firstMismatch, size_t fromRow) {
  LobsterReplayConfig cfg;
  cfg.verify = true;
  LobsterReplay replay(data, cfg);
  BookConfig bc;
  bc.orderCapacity = 4096;
  Book book(bc);
  replay.resetAtRow(book, fromRow);
  while (replay.nextRow() < data->rows) {
    replay.step(book);
    book.clearTrades();
  }
  if (firstMismatch) *firstMismatch = replay.mismatchReport();
  return replay.stats();
}

}  // namespace tranche
