// Replay of L2 data (Binance depth snapshots + diffs, and trades) into a book shared with the agent.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../models/impact.h"
#include "../models/queue.h"
#include "flow.h"
#include "replay_common.h"

namespace tranche {

// Borrowed columns of one Binance import: depth events in the order they apply, and trades.
struct L2Columns {
  size_t depthRows = 0;
  const int64_t* depthTsNs = nullptr;
  const uint8_t* depthSide = nullptr;
  const int64_t* depthPriceTicks = nullptr;
  const int64_t* depthQtyLots = nullptr;  // new absolute quantity at the level
  const uint8_t* isSnapshot = nullptr;
  const int64_t* lastUpdateId = nullptr;
  size_t tradeRows = 0;
  const int64_t* tradeTsNs = nullptr;
  const int64_t* tradePriceTicks = nullptr;
  const int64_t* tradeQtyLots = nullptr;
  const uint8_t* tradeAggressor = nullptr;  // 0 buy-initiated, 1 sell-initiated
};

struct L2ReplayStats {
  uint64_t depthEvents = 0;
  uint64_t tradeEvents = 0;
  uint64_t snapshots = 0;
  uint64_t outOfRange = 0;        // levels further from the book than its window may span: dropped
  uint64_t crossRepairs = 0;      // stale opposite levels removed because a new level crossed them
  int64_t queueAdvanceLots = 0;   // trades that moved the agent up its queue
  int64_t cancelsAheadLots = 0;   // cancels the queue model placed ahead of the agent
  int64_t cancelsBehindLots = 0;
  uint64_t agentFillsByTrades = 0;
};

struct L2ReplayConfig {
  QueueConfig queue;
  ImpactConfig impact;
  bool applyTrades = true;  // trades drive the agent's queue; without an agent they change nothing
};

// Depth rows set the quantity at a level; the difference from the book (the agent's orders left out)
// joins the back of the level or leaves it, split between ahead of and behind the agent by the
// probabilistic queue model. Trades (merged in receive-time order) only matter near the agent: they
// fill its orders at better prices and consume the queue ahead of it at theirs. Time is ns since the
// first depth row's receive time.
class L2Replay final : public Flow {
 public:
  L2Replay(std::shared_ptr<const L2Columns> data, const L2ReplayConfig& cfg);

  FlowKind kind() const override { return FlowKind::kL2Replay; }
  TsNs nextTime() const override;
  void step(Book& book) override;
  void reset(Book& book, TsNs startNs, uint64_t seed) override;
  void onAgentTrade(const Book& book, const Trade& trade) override;
  void onAgentTook(Side side, Lots qty, TsNs tNs) override { impact_.onAgentTake(side, qty, tNs); }

  // Applies every depth row (no trades, no agent) and compares the touch with bookTicker records
  // wherever their update id equals the last update id of the depth event just applied.
  struct BboCheck {
    uint64_t compared = 0;
    uint64_t matched = 0;
    int64_t firstMismatchRow = -1;
    std::string firstMismatch;
  };
  static BboCheck checkBbo(std::shared_ptr<const L2Columns> data, size_t bboRows, const int64_t* updateId,
                           const int64_t* bidPrice, const int64_t* bidQty, const int64_t* askPrice,
                           const int64_t* askQty, const BookConfig& book);

  size_t nextDepthRow() const { return d_; }
  const L2ReplayStats& stats() const { return stats_; }
  Lots tapeLots(Side aggressor) const override { return tapeLots_[aggressor]; }
  double tapeNotionalTicks() const override { return tapeNotional_; }

 private:
  TsNs depthTime() const;
  void applyDepth(Book& book, size_t r);
  void applyTrade(Book& book, size_t r);
  void clearReplayed(Book& book);
  void removeFromLevel(Book& book, Side s, Tick p, Lots qty);
  OrderId nextSynthetic();

  std::shared_ptr<const L2Columns> data_;
  L2ReplayConfig cfg_;
  ProbabilisticQueue queue_;
  ImpactModel impact_;
  size_t d_ = 0;          // next depth row
  size_t t_ = 0;          // next trade row
  TsNs depthClock_ = 0;   // receive times step back after a snapshot: replay keeps them monotone
  TsNs t0_ = 0;
  Tick offset_ = 0;
  std::vector<ShiftedOrder> shiftScratch_;
  uint64_t synthetic_ = 0;
  L2ReplayStats stats_;
  Lots tapeLots_[2] = {0, 0};  // replayed trade volume by aggressor side since the reset
  double tapeNotional_ = 0.0;  // and its notional, ticks × lots (file prices: the tape is what was printed)
};

}  // namespace tranche
