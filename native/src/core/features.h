// The named, versioned observation of an execution agent: the simulator and the live loop both call this,
// with what each knows at a decision (one market-data-delayed top of book, the step's public trades, the
// agent's own order), so what an agent was trained on is what it is served.
#pragma once

#include <cstdint>

#include "types.h"

namespace tranche {

constexpr int kFeatureCount = 16;
constexpr const char* kFeatureVersion = "tranche-exec-features/1";
// Names in vector order; units and scaling are documented in native/task.ts (FEATURES).
extern const char* const kFeatureNames[kFeatureCount];

// What one decision sees. Prices in ticks, sizes in lots; bid/ask kNoBid/kNoAsk for an empty side.
struct FeatureInputs {
  Side side = kBid;             // the parent order's side
  double parentLots = 0;
  double remainingLots = 0;
  uint32_t elapsedSteps = 0;
  uint32_t horizonSteps = 1;
  double arrivalMidTicks = 0;
  Tick bid = kNoBid, ask = kNoAsk;  // the delayed snapshot
  Lots bidQty = 0, askQty = 0, bidDepth5 = 0, askDepth5 = 0;
  Lots stepBuyLots = 0, stepSellLots = 0;  // other participants' trades since the last decision, by aggressor
  double orderFlowImbalance = 0;           // Σ of the OFI increments of every top update since the last decision
  double restingLots = 0;                  // the agent's resting child orders
  Tick restingPrice = 0;
  double queueAheadLots = 0;
  double levelLots = 0;                    // size at the resting order's price
};

// The market-data events between two decisions, as a feed delivers them, one call each: public trades between
// other participants and the top of book after each update. The simulator's market calls it per event; the
// live loop's book mirror will call it per exchange message. `observe()` closes the window a decision sees.
class FeatureFeed {
 public:
  void reset(Tick bid, Lots bidQty, Tick ask, Lots askQty);
  void onTrade(Side aggressor, Lots qty) { (aggressor == kBid ? buy_ : sell_) += qty; }
  // Cont, Kukanov & Stoikov (2014), eq. 2: the order-flow imbalance increment of one top-of-book update.
  void onTop(Tick bid, Lots bidQty, Tick ask, Lots askQty);
  // Takes what arrived since the last observe() into the observed window and starts a new one.
  void observe();
  Lots observedBuyLots() const { return observedBuy_; }
  Lots observedSellLots() const { return observedSell_; }
  double observedOrderFlowImbalance() const { return observedOfi_; }

 private:
  Tick bid_ = kNoBid, ask_ = kNoAsk;
  Lots bidQty_ = 0, askQty_ = 0;
  Lots buy_ = 0, sell_ = 0;
  double ofi_ = 0;
  Lots observedBuy_ = 0, observedSell_ = 0;
  double observedOfi_ = 0;
};

// What features remember between decisions of one episode (the last mid, a volatility average).
struct FeatureState {
  bool havePrev = false;
  double prevMid = 0;
  double varBps2 = 0;  // EWMA of squared mid changes between decisions, bps²
  void reset() { *this = FeatureState{}; }
};

// Writes the kFeatureCount features of one decision into `out` and advances `state`.
void computeFeatures(const FeatureInputs& in, FeatureState& state, float* out);

}  // namespace tranche
