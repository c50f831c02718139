// The execution task over N markets: per market a parent order, the action → child-order mapping, the
// observation, the reward (implementation shortfall) and next-step autoreset. Knows nothing of where the
// market's flow comes from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "batch.h"
#include "features.h"

namespace tranche {

struct ExecutionSpec {
  Side side = kBid;
  Lots parentLots = 100;
  uint32_t horizonSteps = 60;
  TsNs stepNs = 1'000'000'000;
  // false: action[0] indexes kSizeMultipliers × the adaptive TWAP slice; true: action[0] is the child in lots.
  bool lotsMode = false;
  // Optional Almgren–Chriss risk term per step, in bps: λ σ² x² Δt with x the fraction of the parent left,
  // σ in bps per √s, Δt in s, λ in 1/bps.
  double riskAversion = 0.0;
  double sigmaBpsPerSqrtS = 0.0;
  // Reward only: lots the horizon's cross could not fill (the book ran out) cost this many bps of their share of
  // the parent notional, so a learner cannot save by leaving what no book would take (0: off; the IS is unchanged).
  double incompletePenaltyBps = 0.0;
  // Episode starts: drawn from the episode's seed, out of a list (when not empty) or uniformly in
  // [startMinNs, startMaxNs].
  std::vector<TsNs> starts;
  TsNs startMinNs = 0;
  TsNs startMaxNs = 0;
  // Realised spread: each fill is marked against the mid this long after it; at an episode's end the market
  // runs on until every fill is marked (0: no markouts, the realised spread is NaN).
  TsNs markoutNs = 0;
};

constexpr int kSizeChoices = 5;
constexpr double kSizeMultipliers[kSizeChoices] = {0.0, 0.5, 1.0, 2.0, 4.0};
constexpr int kPlacementChoices = 4;  // market, at the touch, one tick inside, one tick behind

// The arrays an execution batch reads and writes, declared once: the struct below, the binding's checks of
// the caller's arrays (execution_wrap.cc) and the table native/task.ts compares its own with at load all
// follow from this list. X(name, element type, elements per env), env-major.
#define TRANCHE_EXECUTION_IO(X)                                                                          \
  X(actions, int32_t, 2)                  /* (size, placement) per env */                                \
  X(observations, float, kFeatureCount)   /* the next decision's feature vector */                      \
  X(rewards, double, 1)                                                                                   \
  X(terminated, uint8_t, 1)                                                                               \
  X(resetMask, uint8_t, 1)                /* 1 where this step reset the env (action ignored, reward 0) */ \
  X(incomplete, uint8_t, 1)               /* the horizon left lots the book could not absorb */          \
  X(episodeCostBps, double, 1)            /* shortfall so far, bps of the arrival notional, fees in */   \
  X(cash, double, 1)                      /* the market's own account: −buys, +sells, −fees */            \
  X(episodeIndex, int32_t, 1)                                                                             \
  X(side, uint8_t, 1)                     /* the task state policies read (agents/task-state.ts) */      \
  X(parentLots, double, 1)                                                                                \
  X(remainingLots, double, 1)                                                                             \
  X(filledLots, double, 1)                                                                                \
  X(elapsedSteps, int32_t, 1)                                                                             \
  X(horizonSteps, int32_t, 1)                                                                             \
  X(scheduleRemainingLots, double, 1)                                                                     \
  X(episodeStartNs, double, 1)                                                                            \
  X(arrivalMidTicks, double, 1)                                                                           \
  X(bestBidTicks, double, 1)                                                                              \
  X(bestAskTicks, double, 1)                                                                              \
  X(bidQtyLots, double, 1)                                                                                \
  X(askQtyLots, double, 1)                                                                                \
  X(stepFilledLots, double, 1)                                                                            \
  X(stepMarketVolumeLots, double, 1)                                                                      \
  X(episodeMarketVolumeLots, double, 1)                                                                   \
  X(restingLots, double, 1)                                                                               \
  X(restingPriceTicks, double, 1)                                                                       \
  X(episodeFeesBps, double, 1)            /* the episode's account: fees, bps of the arrival notional */ \
  X(episodeMakerLots, double, 1)          /* lots filled resting in the book */                          \
  X(episodePlacedLots, double, 1)         /* lots of child orders placed in the book */                  \
  X(episodeFillPriceTicks, double, 1)     /* volume-weighted fill price (NaN before the first fill) */   \
  X(episodeEffectiveSpreadBps, double, 1) /* Σ q·2s(p − mid at fill)/mid ÷ Σ q, bps */                   \
  X(episodeRealisedSpreadBps, double, 1)  /* the same against the mid markoutNs later (marked fills) */   \
  X(episodeMarketVwapTicks, double, 1)    /* VWAP of others' trades since the start (NaN: none) */

struct ExecutionIO {
#define TRANCHE_IO_FIELD(name, type, perEnv) type* name;
  TRANCHE_EXECUTION_IO(TRANCHE_IO_FIELD)
#undef TRANCHE_IO_FIELD
};

class ExecutionBatch {
 public:
  ExecutionBatch(uint32_t markets, const MarketConfig& cfg, const Batch::FlowFactory& flows, const ExecutionSpec& spec);

  // Env m starts episode 0 of seed seeds[m] (the vector env passes seed + m), or, where `reseed[m]` is 0,
  // its next episode of the seed it has; writes the first observation and state.
  bool reset(const ExecutionIO& io, const uint64_t* seeds, const uint8_t* reseed, std::string* error);
  // One decision in every market. An env whose episode ended at the previous step is reset instead (next-step
  // autoreset). A malformed action applies nothing and returns false with the reason.
  bool step(const ExecutionIO& io, std::string* error);

  uint32_t markets() const { return static_cast<uint32_t>(markets_.size()); }
  // The book's best `levels` levels on the side the parent order takes (asks for a buy) as it stands now,
  // (price ticks, lots) pairs into out[m · levels · 2 …]; missing levels are (NaN, 0).
  void takeSideDepth(uint32_t levels, double* out) const;
  Market& market(uint32_t m) { return *markets_[m]; }
  const ExecutionSpec& spec() const { return spec_; }
  // Background-flow events applied in all markets since construction (across episodes).
  uint64_t flowEvents() const;

 private:
  struct Task {
    uint64_t envSeed = 0;
    uint64_t seed = 0;  // this episode's: mixed from (envSeed, episode)
    uint32_t episode = 0;
    bool ended = false;
    Lots remaining = 0;
    Lots filled = 0;
    uint32_t elapsed = 0;
    double arrivalMid = 0;
    TsNs startNs = 0;
    double notional = 0;    // parent × arrival mid, quote currency: the denominator of the shortfall
    double costBps = 0;
    Lots episodeStartVolume = 0;
    bool incomplete = false;
    Lots makerLots = 0;
    double fees = 0;              // quote currency
    double fillNotionalTicks = 0; // Σ price × lots
    double effectiveSpread = 0;   // Σ q · 2s(p − mid at fill) ÷ mid
    Lots effectiveLots = 0;       // lots of fills with a mid
    FeatureState features;
    FeatureFeed feed;  // the events between decisions, delivered by the market
  };

  bool startEpisode(uint32_t m, std::string* error);
  void decide(uint32_t m, int32_t size, int32_t placement);
  double bookFills(uint32_t m);  // books this market's fills into its task; returns their cost, bps
  double finish(uint32_t m);     // the horizon: cancel the children, cross what is left, walking the book; its cost, bps
  void write(const ExecutionIO& io, uint32_t m, double reward, bool reset);
  Lots restingLots(uint32_t m, Tick* price) const;
  int freeSlot(uint32_t m) const;

  ExecutionSpec spec_;
  std::vector<std::unique_ptr<Market>> markets_;
  std::vector<Task> tasks_;
  std::vector<TopOfBook> lastTop_;  // the snapshot the last observation was built from: limits price off it
  std::vector<Lots> stepFilled_;
  double tickValue_;                // quote currency per tick per lot
  uint64_t flowEventsDone_ = 0;     // events of episodes already over
};

}  // namespace tranche
