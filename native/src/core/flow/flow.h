// Background order flow: a source of timed events applied to a book. Knows nothing of agents.
#pragma once

#include "../book.h"
#include "../rng.h"

namespace tranche {

enum class FlowKind : uint8_t { kPoisson, kLobsterReplay, kL2Replay };

class Flow {
 public:
  virtual ~Flow() = default;
  virtual FlowKind kind() const = 0;
  // Time of the next event, or a value past any horizon when the flow is exhausted.
  virtual TsNs nextTime() const = 0;
  // Applies the next event to the book and schedules the one after it.
  virtual void step(Book& book) = 0;
  // Restarts the flow at `startNs` with a fresh random stream.
  virtual void reset(Book& book, TsNs startNs, uint64_t seed) = 0;
  // The agent's order took liquidity in `trade` (the book is as the trade left it): replays reconcile
  // later messages about that liquidity.
  virtual void onAgentTrade(const Book& book, const Trade& trade) { (void)book, (void)trade; }
  // One agent order took `qty` lots on `side` at `tNs` in total: replays move prices by their impact model.
  virtual void onAgentTook(Side side, Lots qty, TsNs tNs) { (void)side, (void)qty, (void)tNs; }
  // An agent order arrived at `tNs` and changed the book: flows whose event rates depend on it redraw.
  virtual void onAgentOrder(const Book& book, TsNs tNs) { (void)book, (void)tNs; }
  // Volume printed by the flow's own tape since its reset, by aggressor side, for trades the book does not
  // match itself (an L2 replay moves its book by depth rows; its trades only advance queues). 0 for flows
  // whose trades happen in the book.
  virtual Lots tapeLots(Side aggressor) const { (void)aggressor; return 0; }
  // The same tape's notional, ticks × lots.
  virtual double tapeNotionalTicks() const { return 0.0; }
};

} // namespace tranche
