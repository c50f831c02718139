// Exact replay of a LOBSTER day (L3 messages + top-N orderbook rows) into a book shared with the agent.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../id_map.h"
#include "../models/impact.h"
#include "flow.h"
#include "replay_common.h"

namespace tranche {

// Borrowed columns of one LOBSTER import: row i of the book is the top-N book after message i.
// The owner keeps the arrays alive; every replay of the file reads the same copy.
struct LobsterColumns {
  size_t rows = 0;
  int levels = 0;
  const int64_t* tsNs = nullptr;
  const uint8_t* type = nullptr;
  const int64_t* orderId = nullptr;
  const uint8_t* side = nullptr;  // side of the resting order
  const int64_t* priceTicks = nullptr;
  const int64_t* qtyLots = nullptr;
  std::vector<const int64_t*> askPrice, askQty, bidPrice, bidQty;  // [level][row]

  // The messages after which prices beyond row i-1's N-th level come into view on a side, in row order,
  // with what the replay needs of rows i-1 and i: read from the file once, shared by every replay of it,
  // and walked in order beside the messages (one compact array instead of three sparse column reads).
  struct ViewChange {
    size_t row;
    Side side;
    bool full;   // more than row i's N-th level is new (a thin side): compare the side in full
    Tick from;   // row i-1's N-th price: view reached this far
    Tick last;   // row i's N-th price and size: view now reaches this far
    Lots qty;
    // A replay with no agent that started at a row before `keptAfter` kept the level at `last` as the
    // file shows it now (it left view after message keptAfter - 1), and nothing between `from` and
    // `last`: nothing to do. 0 where that is not so.
    size_t keptAfter;
  };
  std::vector<ViewChange> viewChanges;
  // Per row, the dense number ("slot") of the order its message names, or kNoSlot (a removal of an id the
  // file never added, or a message naming no order). An add opens a slot and the last message naming
  // that order closes it, so orders alive at the same time differ: a replay maps slot -> arena index in
  // an array of `slots` entries instead of hashing ids.
  static constexpr uint32_t kNoSlot = 0xFFFFFFFFu;
  std::vector<uint32_t> slot;
  uint32_t slots = 0;
  // Call once the columns are set: finds the last-level columns, numbers the orders, lists view changes.
  void index();
  void numberOrders();

  // Price and size of level k (0-based) of `side` in row r; size 0 for an empty (dummy) level.
  Lots levelQty(Side s, int k, size_t r) const { return (s == kBid ? bidQty : askQty)[k][r]; }
  Tick levelPrice(Side s, int k, size_t r) const { return (s == kBid ? bidPrice : askPrice)[k][r]; }
  // Number of non-empty levels of `side` in row r.
  int depth(Side s, size_t r) const {
    int k = 0;
    while (k < levels && levelQty(s, k, r) > 0) ++k;
    return k;
  }
};

// What a replay did, for the import check, the fidelity tests and the closing notes.
struct LobsterReplayStats {
  uint64_t messages = 0;
  uint64_t rowsChecked = 0;          // rows compared with the orderbook file (verify mode)
  uint64_t visibleMismatches = 0;    // rows where the replay's top N levels differed from the file's
  int64_t firstMismatchRow = -1;
  uint64_t intoView[2] = {0, 0};     // messages after which prices beyond row i-1's N-th level came into view
  uint64_t adoptions[2] = {0, 0};    // levels taken from the file beyond the visible range, by side
  uint64_t adoptionsInView[2] = {0, 0};  // adoptions at or better than row i-1's N-th level (must be 0)
  int64_t adoptedLots[2] = {0, 0};   // their net quantity, by side
  uint64_t unknownIdMessages = 0;    // removals naming an order the replay does not hold (resting before the
                                     // file, placed beyond view, or taken by the agent)
  uint64_t reconciled = 0;           // messages about liquidity the agent had taken, shrunk to what is left
  int64_t reconciledLots = 0;
  uint64_t agentFillsByReplay = 0;   // replayed executions that met an agent order first
  uint64_t hiddenExecutions = 0;     // type 5: trades against hidden liquidity, no visible change
};

struct LobsterReplayConfig {
  bool verify = false;   // compare the top N levels with every row of the file (slower; no agent expected)
  ImpactConfig impact;
};

// Replay rule (measured exact on GOOG 2012-06-21, see notes/lobster-replay.md):
// 1. Seed from the orderbook row before the start (row 0 with message 0 undone when starting at 0).
// 2. Types 1-4 add or remove `size` at (price, side); 5-7 change nothing visible.
// 3. After message i the book equals row i at every price at or better than row i-1's N-th level;
//    only beyond that may it take liquidity from the file ("adopt"): LOBSTER lists no message for
//    orders beyond the top N, so a level that comes into view can be new, larger or smaller.
// The replay keeps a level that drops out of view as it was (the note's first design): on the GOOG day
// 81 % of the rows that bring prices back into view find them unchanged, so keeping costs nothing where
// forgetting cost a cancel and a re-adoption. When prices come into view, levels that changed unseen are adopted both ways
// (new, larger, smaller or gone) and removals are exact in quantity at their level: what the named
// order cannot cover is taken from the level's other replayed liquidity, unknown ids first. Which rows
// bring prices into view is read from the file once (LobsterColumns::viewChanges); verify mode runs the same
// replay and compares its top N levels with every row.
// Liquidity whose id the file never introduced carries a synthetic id. The agent's orders take
// priority over replayed executions where price-time priority gives it to them; messages about
// liquidity the agent consumed are shrunk to what is left. Prices of replayed messages shift by the
// impact model's offset at their time.
class LobsterReplay final : public Flow {
 public:
  LobsterReplay(std::shared_ptr<const LobsterColumns> data, const LobsterReplayConfig& cfg);

  // Time is ns since the file's first message.
  FlowKind kind() const override { return FlowKind::kLobsterReplay; }
  TsNs nextTime() const override;
  void step(Book& book) override { run(book, next_ + 1); }
  // Replays rows [nextRow(), end): step() in a loop, for callers with nothing to do between messages
  // (verification, benchmarks, fast-forwarding). Trades pile up in the book until the caller clears them.
  void run(Book& book, size_t end);
  void reset(Book& book, TsNs startNs, uint64_t seed) override;
  void onAgentTrade(const Book& book, const Trade& trade) override;
  void onAgentTook(Side side, Lots qty, TsNs tNs) override { impact_.onAgentTake(side, qty, tNs); }

  // Starts at a row rather than a time (the book of row `row - 1`, or row 0 with message 0 undone).
  void resetAtRow(Book& book, size_t row);
  size_t nextRow() const { return next_; }
  const LobsterReplayStats& stats() const { return stats_; }
  Tick offsetTicks() const { return offset_; }
  // Lots the agent took that the file still shows (the replayed book holds that much less than the file).
  Lots agentTakenLots() const {
    Lots n = 0;
    for (const Taken& t : taken_) n += t.lots;
    return n;
  }
  // First row's compare report (verify mode): both books around the first mismatch.
  const std::string& mismatchReport() const { return report_; }

 private:
  void seed(Book& book, size_t row, bool undoFirst);
  void apply(Book& book, size_t i);
  void intoView(Book& book, const LobsterColumns::ViewChange& c);
  template <Side S>
  void intoViewSide(Book& book, const LobsterColumns::ViewChange& c);
  // `viewBound`: row i-1's N-th price; adopting at or better than it is counted (adoptionsInView).
  void adoptDifference(Book& book, Side s, Tick price, Lots want, Lots have, Tick viewBound);
  // Read-only: whether the top N levels of both sides equal row i (verify mode).
  bool sameAsRow(const Book& book, size_t i) const;
  void removeKnownOrUnknown(Book& book, size_t i, bool execution);
  Lots agentFirst(Book& book, size_t i, Lots q);
  void addMetAgentOrRefused(size_t i, Lots matched, uint32_t rested);
  void dropDisplaced(Book& book, size_t i, uint32_t a);
  void coverShortfall(Book& book, size_t i, bool execution, Lots named, Lots q);
  void reconcileBeyond(Book& book, size_t i, Side s);
  void describeMismatch(const Book& book, size_t i);
  OrderId nextSynthetic() { return kSyntheticBit | ++synthetic_; }

  static constexpr OrderId kSyntheticBit = 1ull << 62;
  std::shared_ptr<const LobsterColumns> data_;
  LobsterReplayConfig cfg_;
  ImpactModel impact_;
  size_t next_ = 0;
  size_t nextChange_ = 0;  // index into data_->viewChanges of the first change at or after next_
  std::vector<uint32_t> arenaOf_;  // slot -> arena index of its order in the book (kNil: none yet or gone)
  size_t start_ = 0;     // the row this episode started at
  // The agent changed replayed liquidity (took it, was hit first, or met a replayed order): levels
  // beyond view may then differ from what the file alone implies, so every view change is checked.
  bool touched_ = false;
  // The arena index of the order message i names, if the book still holds it.
  uint32_t held(const Book& book, size_t i) const {
    const uint32_t sl = data_->slot[i];
    if (sl == LobsterColumns::kNoSlot) return kNil;
    const uint32_t a = arenaOf_[sl];
    return a != kNil && book.at(a).id == static_cast<OrderId>(data_->orderId[i]) ? a : kNil;
  }
  void followImpact(Book& book, size_t i);
  void remapAfterShift();
  std::vector<uint32_t> remap_;  // scratch: arena index before a shift -> after
  uint64_t synthetic_ = 0;
  Tick offset_ = 0;
  std::vector<ShiftedOrder> shiftScratch_;
  // Lots the agent took from replayed liquidity that the file still shows, by side and file price: the
  // replayed level is the file's less these until the file reports that liquidity gone (or it changes
  // out of view). Empty without an agent; a few entries after a sweep.
  struct Taken {
    Side side;
    Tick price;
    Lots lots;
  };
  std::vector<Taken> taken_;
  Taken* findTaken(Side s, Tick filePrice);
  Lots settleTaken(Side s, Tick filePrice, Lots upTo);
  void noteTaken(Side s, Tick filePrice, Lots qty);
  // Replayed orders that kept lots a replayed execution gave the agent instead (slot and id).
  struct Displaced {
    uint32_t slot;
    OrderId id;
  };
  std::vector<Displaced> displaced_;
  LobsterReplayStats stats_;
  std::string report_;
};

// Replays a file from `fromRow` (seeded from the row before it) with no agent and checks every row.
LobsterReplayStats verifyLobster(std::shared_ptr<const LobsterColumns> data, std::string* firstMismatch, size_t fromRow = 0);

}  // namespace tranche
