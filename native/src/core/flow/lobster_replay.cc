#include "lobster_replay.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

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
    : data_(std::move(data)), cfg_(cfg), impact_(cfg.impact) {}

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
  taken_.clear();
  displaced_.clear();
  stats_ = LobsterReplayStats{};
  report_.clear();
  offset_ = 0;
  synthetic_ = 0;
  row = std::min(row, data_->rows);
  if (data_->rows > 0) seed(book, row == 0 ? 0 : row - 1, row == 0);
  next_ = row;
  start_ = row;
  touched_ = false;
  arenaOf_.assign(data_->slots, kNil);
  const auto& changes = data_->viewChanges;
  nextChange_ = static_cast<size_t>(std::lower_bound(changes.begin(), changes.end(), row,
                                                     [](const LobsterColumns::ViewChange& c, size_t r) { return c.row < r; }) -
                                    changes.begin());
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
      if (q > 0) book.addUnmapped(nextSynthetic(), s, p, q);
    }
  }
  // Message 0 emptied a level that row 0 therefore does not show: put it back.
  if (undoFirst && !undoneInRow && t0 >= 2 && t0 <= 4)
    book.addUnmapped(nextSynthetic(), s0, d.priceTicks[0], d.qtyLots[0]);
}

// flatten: the book calls of a message inline here (as in the bulk op loop).
__attribute__((flatten)) void LobsterReplay::run(Book& book, size_t end) {
  const LobsterColumns& d = *data_;
  end = std::min(end, d.rows);
  const LobsterColumns::ViewChange* changes = d.viewChanges.data();
  const size_t changeCount = d.viewChanges.size();
  size_t c = nextChange_;
  size_t changeRow = c < changeCount ? changes[c].row : d.rows;
  const bool shifting = impact_.active();  // impact changes only when the agent trades, never inside a run
  for (size_t i = next_; i < end; ++i) {
    if (shifting) followImpact(book, i);
    apply(book, i);
    if (i == changeRow) [[unlikely]] {
      for (; c < changeCount && changes[c].row == i; ++c) {
        // The file alone says the level coming into view is the one this replay kept: nothing to do.
        if (changes[c].keptAfter > start_ && !touched_) ++stats_.intoView[changes[c].side];
        else intoView(book, changes[c]);
      }
      changeRow = c < changeCount ? changes[c].row : d.rows;
    }
    if (cfg_.verify) {
      ++stats_.rowsChecked;
      if (!sameAsRow(book, i) && stats_.visibleMismatches++ == 0) {
        stats_.firstMismatchRow = static_cast<int64_t>(i);
        describeMismatch(book, i);
      }
    }
  }
  if (end > next_) stats_.messages += end - next_, next_ = end;
  nextChange_ = c;
}

// Replayed prices follow the impact model's offset at message i's time: the whole replayed book moves.
__attribute__((noinline)) void LobsterReplay::followImpact(Book& book, size_t i) {
  const Tick offset = impact_.offsetTicks(data_->tsNs[i] - data_->tsNs[0]);
  if (offset == offset_) return;
  const size_t tradesBefore = book.trades().size();
  shiftReplayed(book, offset - offset_, shiftScratch_);
  if (book.trades().size() != tradesBefore) {
    // Moved orders met the agent's: what they traded the file still shows at their file price.
    touched_ = true;
    for (const ShiftedOrder& m : shiftScratch_) {
      const Lots rested = m.to != kNil ? book.at(m.to).qty : 0;
      if (rested < m.order.qty) noteTaken(m.order.side, m.order.price - offset_, m.order.qty - rested);
    }
  }
  remapAfterShift();
  offset_ = offset;
}

// The impact shift moved every replayed order to a new arena index: follow them.
__attribute__((noinline, cold)) void LobsterReplay::remapAfterShift() {
  if (shiftScratch_.empty()) return;
  remap_.clear();
  for (const ShiftedOrder& m : shiftScratch_) {
    if (m.from >= remap_.size()) remap_.resize(m.from + 1, kNil);
    remap_[m.from] = m.to;
  }
  for (uint32_t& a : arenaOf_)
    if (a != kNil) a = a < remap_.size() ? remap_[a] : kNil;
}

// Row i shows side s deeper than row i-1 did: a visible level emptied, so row i is row i-1 without it
// plus a new N-th level, and the prices between the two N-th levels come into view. Usually the new
// level is one the replay kept when it left view, unchanged since: nothing to do. Otherwise the
// difference is adopted, and levels kept in between (gone since, unseen) are dropped. A thin side, or a
// row that is not that pattern, is compared with the file in full.
__attribute__((noinline)) void LobsterReplay::intoView(Book& book, const LobsterColumns::ViewChange& c) {
  ++stats_.intoView[c.side];
  if (c.full) {
    reconcileBeyond(book, c.row, c.side);
    return;
  }
  // One branch on the side, then code specialised to it: the side of successive changes is a coin flip.
  if (c.side == kBid) intoViewSide<kBid>(book, c);
  else intoViewSide<kAsk>(book, c);
}

template <Side S>
void LobsterReplay::intoViewSide(Book& book, const LobsterColumns::ViewChange& c) {
  const Tick last = c.last + offset_;
  Tick p = book.nextLevel(S, c.from + offset_);
  for (; p != kNoBid && p != kNoAsk && better(S, p, last); p = book.nextLevel(S, p))
    adoptDifference(book, S, p, 0, replayDepthAt(book, S, p), c.from + offset_);
  adoptDifference(book, S, last, c.qty, p == last ? replayDepthAt(book, S, last) : 0, c.from + offset_);
}

// Liquidity beyond view changed unseen: the file holds `want` at `price`, the replay `have`.
void LobsterReplay::adoptDifference(Book& book, Side s, Tick price, Lots want, Lots have, Tick viewBound) {
  // What the agent took there and the file still shows stays out of the replay; what the file no longer
  // shows left unseen, and is settled.
  if (Taken* t = taken_.empty() ? nullptr : findTaken(s, price - offset_)) {
    t->lots = std::min(t->lots, want);
    want -= t->lots;
    if (t->lots == 0) *t = taken_.back(), taken_.pop_back();
  }
  if (want == have) return;
  ++stats_.adoptions[s];
  if (!better(s, viewBound, price)) ++stats_.adoptionsInView[s];  // the rule forbids it: a bug if ever > 0
  stats_.adoptedLots[s] += want - have;
  if (want > have) {
    book.addUnmapped(nextSynthetic(), s, price, want - have);
  } else {
    // Unknown-id liquidity goes first, then known orders, the newest first.
    takeReplayed(book, s, price, have - want, 0);
  }
}

// Interval colouring of the file's orders: each add takes a free slot (or a new one) and the last message
// naming that order gives it back; an id added again opens a new interval.
void LobsterColumns::numberOrders() {
  slot.assign(rows, kNoSlot);
  std::vector<uint32_t> addRow(rows, kNoSlot);  // removal row -> the row that added the order it names
  std::vector<uint32_t> lastRow(rows, 0);       // add row -> the last row naming that order
  {
    std::unordered_map<int64_t, uint32_t> open;  // id -> its latest add
    open.reserve(4096);
    for (size_t i = 0; i < rows; ++i) {
      if (type[i] == 1) {
        lastRow[i] = static_cast<uint32_t>(i);
        if (orderId[i] != 0) open[orderId[i]] = static_cast<uint32_t>(i);  // id 0 marks a free arena slot
      } else if (type[i] >= 2 && type[i] <= 4 && orderId[i] != 0) {
        const auto it = open.find(orderId[i]);
        if (it == open.end()) continue;
        addRow[i] = it->second;
        lastRow[it->second] = static_cast<uint32_t>(i);
      }
    }
  }
  // Slots to give back after each row, as linked lists through the add rows.
  std::vector<uint32_t> releaseHead(rows, kNoSlot), releaseNext(rows, kNoSlot), free;
  slots = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (type[i] == 1) {
      uint32_t sl = slots;
      if (free.empty()) ++slots;
      else sl = free.back(), free.pop_back();
      slot[i] = sl;
      releaseNext[i] = releaseHead[lastRow[i]];
      releaseHead[lastRow[i]] = static_cast<uint32_t>(i);
    } else if (addRow[i] != kNoSlot) {
      slot[i] = slot[addRow[i]];
    }
    for (uint32_t a = releaseHead[i]; a != kNoSlot; a = releaseNext[a]) free.push_back(slot[a]);
  }
}

// Rows i-1 and i of the file decide which prices come into view at message i (see the replay rule):
// the changes are the same for every replay of the file, with or without an agent, so they are read once here.
void LobsterColumns::index() {
  const int64_t* lastPrice[2] = {bidPrice[levels - 1], askPrice[levels - 1]};
  const int64_t* lastQty[2] = {bidQty[levels - 1], askQty[levels - 1]};
  numberOrders();
  viewChanges.clear();
  // What a replay from row 0 with no agent holds beyond view, by side: price -> size and the row after
  // which it left view. A replay started later holds a subset (the levels that left view since).
  struct Kept {
    Lots qty;
    size_t leftRow;
  };
  std::map<Tick, Kept> kept[2];
  for (size_t i = 1; i < rows; ++i) {
    // A message at a price beyond view (LOBSTER lists none on GOOG, other files might) changes what the
    // replay keeps there: that level is no longer known from the file alone.
    if (type[i] >= 1 && type[i] <= 4) kept[side[i] == kBid ? kBid : kAsk].erase(priceTicks[i]);
    for (int si = 0; si < 2; ++si) {
      const Side s = static_cast<Side>(si);
      std::map<Tick, Kept>& k = kept[s];
      const bool fullBefore = lastQty[s][i - 1] > 0, fullNow = lastQty[s][i] > 0;
      const Tick before = lastPrice[s][i - 1], now = lastPrice[s][i];
      if (fullBefore && (!fullNow || better(s, before, now))) {
        // Prices beyond row i-1's N-th level come into view (a thin side: all of them).
        // Only the N-th level of row i is new unless the side thinned or its (N-1)-th level is new too.
        const bool full = !fullNow || (levels > 1 && better(s, before, levelPrice(s, levels - 2, i)));
        ViewChange c{i, s, full, before, now, lastQty[s][i], 0};
        // The prices now in view: (before, now] on this side, everything beyond `before` if it thinned.
        auto lo = s == kBid ? (fullNow ? k.lower_bound(now) : k.begin()) : k.upper_bound(before);
        auto hi = s == kBid ? k.lower_bound(before) : (fullNow ? k.upper_bound(now) : k.end());
        if (!full) {
          const auto at = k.find(now);
          const size_t keptBetween = static_cast<size_t>(std::distance(lo, hi)) - (at != k.end() ? 1 : 0);
          if (at != k.end() && keptBetween == 0 && at->second.qty == c.qty) c.keptAfter = at->second.leftRow + 1;
        }
        k.erase(lo, hi);
        viewChanges.push_back(c);
      } else if (fullNow) {
        // Levels of row i-1 beyond row i's N-th level leave view as the file shows them.
        for (int lv = 0; lv < levels && levelQty(s, lv, i - 1) > 0; ++lv) {
          const Tick p = levelPrice(s, lv, i - 1);
          if (better(s, now, p)) k[p] = Kept{levelQty(s, lv, i - 1), i};
        }
      }
    }
  }
}

void LobsterReplay::apply(Book& book, size_t i) {
  const LobsterColumns& d = *data_;
  switch (d.type[i]) {
    case 1: {
      Lots matched = 0;
      const uint32_t a = book.addUnmapped(static_cast<OrderId>(d.orderId[i]), static_cast<Side>(d.side[i]),
                                          d.priceTicks[i] + offset_, d.qtyLots[i], &matched);
      arenaOf_[d.slot[i]] = a;  // every add opens a slot
      if (matched > 0 || a == kNil) [[unlikely]] addMetAgentOrRefused(i, matched, a);
      break;
    }
    case 2:
    case 3: removeKnownOrUnknown(book, i, false); break;
    case 4: removeKnownOrUnknown(book, i, true); break;
    case 5: ++stats_.hiddenExecutions; break;
    default: break;  // 6 cross trade, 7 halt: nothing visible changes
  }
}

// The hot path of a removal (types 2-4): the named order covers it. Everything else is out of line so
// the replay loop stays small.
// Replayed add i traded `matched` lots with the agent's resting orders (the file shows them resting: the
// agent took them), or was refused (a price the book's window cannot reach).
__attribute__((noinline)) void LobsterReplay::addMetAgentOrRefused(size_t i, Lots matched, uint32_t rested) {
  const LobsterColumns& d = *data_;
  touched_ = true;
  if (matched > 0) {
    noteTaken(static_cast<Side>(d.side[i]), d.priceTicks[i], matched);
  } else if (rested == kNil) {
    ++stats_.reconciled;
    stats_.reconciledLots += d.qtyLots[i];
  }
}

void LobsterReplay::removeKnownOrUnknown(Book& book, size_t i, bool execution) {
  Lots q = data_->qtyLots[i];
  Lots named = 0;  // what the order the message names held of it
  if (!execution) {
    // The common case: a cancel of an order the replay holds, in full (its slot, no hashing).
    const uint32_t a = held(book, i);
    named = a != kNil ? book.removeAt(a, q) : 0;
    if (!displaced_.empty() && a != kNil) [[unlikely]] dropDisplaced(book, i, a);
  } else {
    if (book.hasTracked()) [[unlikely]] {
      q -= agentFirst(book, i, q);
      if (q == 0) return;
    }
    const uint32_t a = held(book, i);
    named = a != kNil ? book.executeAt(a, q, kReplayTaker) : 0;
  }
  if (named != q) [[unlikely]] coverShortfall(book, i, execution, named, q - named);
}

// The taker behind replayed execution i would have met the agent's orders first where they had
// priority (a better price, or the same price ahead of the executed order): fills them, returns the lots.
__attribute__((noinline)) Lots LobsterReplay::agentFirst(Book& book, size_t i, Lots q) {
  const LobsterColumns& d = *data_;
  const Side s = static_cast<Side>(d.side[i]);
  const Tick p = d.priceTicks[i] + offset_;
  const uint32_t h = held(book, i);
  uint32_t refSeq = 0;
  AtPrice atPrice = AtPrice::kAll;
  if (h != kNil) {
    refSeq = book.at(h).seq, atPrice = AtPrice::kAheadOf;
  } else {
    for (const RestingOrder* f = book.frontAt(s, p); f; f = book.behind(*f))
      if (isSyntheticId(f->id)) {
        refSeq = f->seq, atPrice = AtPrice::kAheadOf;
        break;
      }
  }
  const Lots absorbed = fillAgentsAhead(book, s, p, q, atPrice, refSeq, kReplayTaker);
  if (absorbed > 0) {
    touched_ = true;
    ++stats_.agentFillsByReplay;
    // The named order keeps what the agent absorbed (its owner was not filled): more than the file says.
    if (h != kNil) displaced_.push_back(Displaced{d.slot[i], book.at(h).id});
  }
  return absorbed;
}

// A delete (type 3) of an order that kept lots the agent absorbed ends all of it: its owner cancelled.
__attribute__((noinline)) void LobsterReplay::dropDisplaced(Book& book, size_t i, uint32_t a) {
  const LobsterColumns& d = *data_;
  if (d.type[i] != 3) return;
  const OrderId id = static_cast<OrderId>(d.orderId[i]);
  for (size_t k = 0; k < displaced_.size(); ++k) {
    if (displaced_[k].slot != d.slot[i] || displaced_[k].id != id) continue;
    if (book.at(a).id == id) book.removeAt(a, book.at(a).qty);
    displaced_[k] = displaced_.back(), displaced_.pop_back();
    return;
  }
}

// The named order held `named` of removal i and `q` more is to remove. Liquidity the agent took is gone
// for good: the file reports it now, and the replay has nothing to remove. The rest is liquidity the
// replay holds under other ids (an id the file never introduced, or a level that changed out of view and
// was adopted): taken from the level, so the level's size stays exact.
__attribute__((noinline)) void LobsterReplay::coverShortfall(Book& book, size_t i, bool execution, Lots named, Lots q) {
  const LobsterColumns& d = *data_;
  const Side s = static_cast<Side>(d.side[i]);
  const Tick p = d.priceTicks[i] + offset_;
  if (named == 0) ++stats_.unknownIdMessages;
  const Lots agentTook = taken_.empty() ? 0 : settleTaken(s, d.priceTicks[i], q);
  q -= agentTook;
  const Lots elsewhere = q > 0 ? takeReplayed(book, s, p, q, execution ? kReplayTaker : 0) : 0;
  if (agentTook + q - elsewhere > 0) {
    ++stats_.reconciled;
    stats_.reconciledLots += agentTook + q - elsewhere;
  }
}

LobsterReplay::Taken* LobsterReplay::findTaken(Side s, Tick filePrice) {
  for (Taken& t : taken_)
    if (t.side == s && t.price == filePrice) return &t;
  return nullptr;
}

// The file reports the removal of up to `upTo` lots at a level the agent took from: those lots are settled.
Lots LobsterReplay::settleTaken(Side s, Tick filePrice, Lots upTo) {
  Taken* t = findTaken(s, filePrice);
  if (!t) return 0;
  const Lots used = std::min(t->lots, upTo);
  t->lots -= used;
  if (t->lots == 0) *t = taken_.back(), taken_.pop_back();
  return used;
}

// View change at row i on side s that is not the common pattern (row i thinned, or more than its N-th level
// is new): compares the replay with row i beyond row i-1's N-th level (to row i's N-th level, or to the end
// of a side row i shows thin) and adopts every difference.
__attribute__((noinline, cold)) void LobsterReplay::reconcileBeyond(Book& book, size_t i, Side s) {
  const LobsterColumns& d = *data_;
  const int n = d.levels;
  const Tick viewBound = d.levelPrice(s, n - 1, i - 1) + offset_;  // row i-1 was full: a view change
  const int rowLevels = d.depth(s, i);
  const Tick rowBound = rowLevels < n ? worst(s) : d.levelPrice(s, n - 1, i) + offset_;
  Tick rp = book.nextLevel(s, viewBound);
  int k = 0;
  while (k < rowLevels && atOrBetter(s, d.levelPrice(s, k, i) + offset_, viewBound)) ++k;
  while (true) {
    const bool haveR = rp != kNoBid && rp != kNoAsk && atOrBetter(s, rp, rowBound);
    const bool haveF = k < rowLevels;
    if (!haveR && !haveF) break;
    const Tick fp = haveF ? d.levelPrice(s, k, i) + offset_ : 0;
    const Tick price = !haveF ? rp : !haveR ? fp : (better(s, rp, fp) ? rp : fp);
    const Lots F = haveF && fp == price ? d.levelQty(s, k, i) : 0;
    const Lots R = haveR && rp == price ? replayDepthAt(book, s, price) : 0;
    rp = haveR && rp == price ? book.nextLevel(s, price) : rp;
    if (haveF && fp == price) ++k;
    adoptDifference(book, s, price, F, R, viewBound);
  }
}

__attribute__((noinline)) bool LobsterReplay::sameAsRow(const Book& book, size_t i) const {
  const LobsterColumns& d = *data_;
  for (int si = 0; si < 2; ++si) {
    const Side s = static_cast<Side>(si);
    const int n = d.depth(s, i);
    Tick p = s == kBid ? book.bestBid() : book.bestAsk();
    for (int k = 0; k < n; ++k, p = book.nextLevel(s, p))
      if (p == kNoBid || p == kNoAsk || p - offset_ != d.levelPrice(s, k, i) || replayDepthAt(book, s, p) != d.levelQty(s, k, i))
        return false;
    // A row with fewer than N levels speaks for the whole side.
    if (n < d.levels && p != kNoBid && p != kNoAsk) return false;
  }
  return true;
}

__attribute__((noinline, cold)) void LobsterReplay::describeMismatch(const Book& book, size_t i) {
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

// The agent took `trade.qty` of replayed liquidity: the file goes on showing it until it reports it gone.
void LobsterReplay::onAgentTrade(const Book&, const Trade& trade) {
  if (isAgent(trade.maker)) return;
  touched_ = true;
  noteTaken(opposite(trade.aggressor), trade.price - offset_, trade.qty);
}

void LobsterReplay::noteTaken(Side s, Tick filePrice, Lots qty) {
  if (Taken* t = findTaken(s, filePrice)) t->lots += qty;
  else taken_.push_back(Taken{s, filePrice, qty});
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
    replay.run(book, replay.nextRow() + 1024);
    book.clearTrades();
  }
  if (firstMismatch) *firstMismatch = replay.mismatchReport();
  return replay.stats();
}

}  // namespace tranche
