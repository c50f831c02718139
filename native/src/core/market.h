// One instrument: a book, its background flow, and the agent's orders passing through latency and fees.
#pragma once

#include <memory>
#include <vector>

#include "book.h"
#include "features.h"
#include "flow/flow.h"
#include "models/fees.h"
#include "models/latency.h"

namespace tranche {

constexpr int kAgentSlots = 8;  // resting agent orders addressable at once, per market

enum class AgentCommandKind : uint8_t { kNone = 0, kLimit = 1, kMarket = 2, kCancel = 3, kReduce = 4, kReplace = 5 };

// An instruction from the agent; it reaches the book after the order-entry latency.
struct AgentCommand {
  AgentCommandKind kind = AgentCommandKind::kNone;
  Side side = kBid;
  Tif tif = Tif::kGtc;
  uint8_t slot = 0;   // which of the agent's order slots it places into or cancels
  Tick price = 0;     // limit only
  Lots qty = 0;       // limit and market; reduce: lots to take off the resting order (its queue place kept)
  // Replace: when it reaches the book, the slot's order is cancelled and, in the same instant, a new one sent
  // in its place (a market order if `toMarket`, else a limit at `price`) of min(qty, what the old order had
  // left + reserve): the lots move from one order to the other with no moment where both could fill.
  bool toMarket = false;
  Lots reserve = 0;
};

enum class SlotState : int8_t {
  kEmpty = 0,      // never used
  kInFlight = 1,   // sent, not yet at the book
  kResting = 2,    // live in the book
  kFilled = 3,     // fully executed
  kCancelled = 4,  // cancelled by the agent, or IOC/market remainder cancelled
  kRejected = 5,   // refused at the book (see `reject`)
};

struct AgentSlot {
  OrderId id = 0;
  SlotState state = SlotState::kEmpty;
  Side side = kBid;
  Tick price = 0;
  Lots qty = 0;        // quantity sent, less what reduces took off
  Lots filled = 0;
  Status reject = Status::kOk;
  bool closing = false;  // a cancel or replace is on its way: the order may still fill until it lands
  Lots reserved = 0;     // lots a replace on its way adds to what the order had left (see AgentCommand::reserve)
  bool live() const { return state == SlotState::kInFlight || state == SlotState::kResting; }
};

struct AgentFill {
  TsNs tsNs;
  Tick price;
  Lots qty;
  double fee;
  uint8_t slot;
  Side side;
  bool maker;
  double midTicks;  // the book's mid just before the event that filled it (NaN when a side was empty)
};

// Realised spread of the agent's fills: each fill is marked against the mid `markoutNs` after it. Sums over
// the fills marked so far since the market's reset, quote-free: Σ qty · 2 · s · (price − mid then) ÷ mid at
// the fill, with s = +1 for a buy, −1 for a sell (multiply by 1e4 ÷ lots for bps).
struct Markouts {
  double weightedSpread = 0;
  Lots lots = 0;
};

// The book's top as the agent sees it (possibly delayed by market-data latency).
struct TopOfBook {
  TsNs tsNs = 0;
  Tick bid = kNoBid;
  Tick ask = kNoAsk;
  Lots bidQty = 0;
  Lots askQty = 0;
  Lots bidDepth5 = 0;  // lots on the best five bid levels
  Lots askDepth5 = 0;
  Lots marketBuyLots = 0;   // others' traded volume so far (Market::marketBuyLots) at that instant (snapshot only)
  Lots marketSellLots = 0;
};

struct MarketConfig {
  BookConfig book;
  Instrument instrument;
  FeeSchedule fees;
  LatencyConfig entryLatency;
  LatencyConfig marketDataLatency;
};

class Market {
 public:
  Market(const MarketConfig& cfg, std::unique_ptr<Flow> flow);

  void reset(uint64_t seed, TsNs startNs);
  // Queues a command; it acts on the book after the sampled entry latency. Malformed commands are
  // refused here (the caller validated types; this checks the slot and the book-independent fields).
  Status submit(const AgentCommand& cmd);
  // Runs background flow and arriving agent commands in time order up to and including `tNs`.
  void advanceTo(TsNs tNs);
  // Advances until every command sent so far has reached the book (the flow runs meanwhile).
  void flushCommands();

  TsNs now() const { return now_; }
  const Book& book() const { return book_; }
  Book& mutableBook() { return book_; }
  Flow* flow() { return flow_.get(); }
  const AgentSlot& slot(int i) const { return slots_[i]; }
  // A slot takes a new order only when nothing of its last one is live or still on its way to the book.
  bool slotFree(int i) const { return !slots_[i].live() && pendingFor_[i] == 0; }
  Lots queueAhead(int slot) const;
  // Top of book delayed by a market-data latency draw.
  TopOfBook observe();
  // Deliver every event's public trades and top of book to `feed` (the execution task's features), closing
  // its window at each scheduled observation. nullptr: no feed.
  void setFeed(FeatureFeed* feed) { feed_ = feed; }
  // Keep the per-event history of tops that observe() reads (on by default; the execution task observes
  // through scheduleObservation and turns it off).
  void recordHistory(bool on) { recordHistory_ = on; }
  // One observation per decision, taken as the book stood `delayNs` before `endNs` (the end of the next
  // advance), with the best five levels and the volume counters: the execution task schedules it before it
  // advances, so the walk over five levels happens once per decision, not once per event. A delay longer
  // than the advance is capped at it (the book as the advance began).
  void scheduleObservation(TsNs endNs, TsNs delayNs);
  TsNs sampleMarketDataDelay() { return mdLatency_->sample(latencyRng_); }
  // The scheduled observation once the advance passed its instant (or the book now, if none was due).
  TopOfBook scheduledObservation();
  // The book's top as it stands now; with `fiveLevels`, also the best five levels' sizes and the volume counters.
  TopOfBook snapshot(bool fiveLevels = true) const;

  // Fills since the last drain, and their running totals.
  const std::vector<AgentFill>& fills() const { return fills_; }
  void drainFills() { fills_.clear(); }
  Lots positionLots() const { return position_; }
  // Background-flow events applied since the last reset.
  uint64_t flowEvents() const { return flowEvents_; }
  // Lots traded since the last reset by other participants, by aggressor: trades in the book with the agent on
  // neither side, plus a replay's tape less the agent's resting lots it took (see Flow::tapeLots).
  Lots marketBuyLots() const { return marketLots(kBid); }
  Lots marketSellLots() const { return marketLots(kAsk); }
  double cash() const { return cash_; }
  double feesPaid() const { return fees_; }
  // Others' traded notional since the last reset, ticks × lots (the VWAP of the market without the agent is
  // this ÷ marketBuyLots() + marketSellLots()).
  double marketNotionalTicks() const;
  // Lots of the agent's orders placed in the book since the last reset (a replace's new order included).
  Lots placedLots() const { return placedLots_; }
  // Marks every fill against the mid this long after it (0: no markouts). Takes effect from the next fill.
  void setMarkout(TsNs ns) { markoutNs_ = ns; }
  TsNs markoutNs() const { return markoutNs_; }
  // Fills whose markout instant has not passed yet.
  bool markoutsPending() const { return markoutHead_ < markoutQueue_.size(); }
  const Markouts& markouts() const { return markouts_; }
  size_t bytesReserved() const;

 private:
  struct Pending {
    TsNs arrivalNs;
    AgentCommand cmd;
  };
  // An agent command reaching the exchange: handled, then the flow is told the book changed.
  void arrive(const AgentCommand& cmd);
  void handle(const AgentCommand& cmd);
  void place(AgentSlot& s, const AgentCommand& cmd);
  void collectTrades();
  void recordTop();
  void onAgentFill(OrderId id, Side side, Tick price, Lots qty, bool maker);

  MarketConfig cfg_;
  Book book_;
  std::unique_ptr<Flow> flow_;
  std::unique_ptr<LatencyModel> entryLatency_;
  std::unique_ptr<LatencyModel> mdLatency_;
  Rng latencyRng_;

  TsNs now_ = 0;
  TsNs lastArrivalNs_ = 0;
  std::vector<Pending> pending_;  // FIFO ring: commands reach the book in the order they were sent
  size_t pendingHead_ = 0;
  size_t pendingCount_ = 0;
  AgentSlot slots_[kAgentSlots];
  uint16_t pendingFor_[kAgentSlots] = {};  // commands on their way to the book, per slot
  uint64_t agentSeq_ = 0;

  std::vector<TopOfBook> history_;  // ring of recent tops for market-data latency
  size_t historyHead_ = 0;
  size_t historyCount_ = 0;

  std::vector<AgentFill> fills_;
  Lots position_ = 0;
  uint64_t flowEvents_ = 0;
  bool recordHistory_ = true;
  FeatureFeed* feed_ = nullptr;
  void feedEvent(Lots buyBefore, Lots sellBefore);
  bool observationDue_ = false;
  TsNs observeAtNs_ = 0;
  TopOfBook observed_;
  Lots marketLots(Side aggressor) const;
  Lots otherLots_[2] = {0, 0};       // book trades between others, by aggressor
  Lots tookFromAgent_[2] = {0, 0};   // the agent's resting lots taken by others, by aggressor
  double cash_ = 0.0;
  double fees_ = 0.0;
  double otherNotional_ = 0.0;        // book trades between others, ticks × lots
  double tookFromAgentNotional_ = 0.0;
  Lots placedLots_ = 0;
  double midBefore_ = 0.0;            // the mid before the event being applied
  struct PendingMarkout {
    TsNs dueNs;
    Tick price;
    Lots qty;
    Side side;
    double midAtFill;
  };
  TsNs markoutNs_ = 0;
  std::vector<PendingMarkout> markoutQueue_;  // in fill order, so in due order; consumed from markoutHead_
  size_t markoutHead_ = 0;
  Markouts markouts_;
  void resolveMarkouts(TsNs before, TsNs upTo);
};

// Agent order ids carry a tag bit and their slot, so a trade tells whose order it hit.
constexpr OrderId kAgentIdBit = 1ull << 63;
inline bool isAgentId(OrderId id) { return (id & kAgentIdBit) != 0; }
inline int agentSlotOf(OrderId id) { return static_cast<int>((id >> 48) & 0xFF); }

} // namespace tranche
