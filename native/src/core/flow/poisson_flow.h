// Zero-intelligence Poisson flow (Smith, Farmer, Gillemot & Krishnamurthy 2003; Cont, Stoikov & Talreja
// 2010): independent limit, market and cancel streams, limit prices at a random distance from the
// opposite quote. Limit distances follow a geometric law or, as CST calibrate them, a table of rates by
// distance; market orders arrive as a Poisson stream or, clustered, as an exponential Hawkes process.
#pragma once

#include <vector>

#include "../models/propagator.h"
#include "flow.h"

namespace tranche {

struct PoissonFlowConfig {
  double limitRatePerSec = 50.0;   // limit orders per second, each side
  double marketRatePerSec = 5.0;   // market orders per second, each side
  double cancelRatePerSec = 0.1;   // cancels per resting order per second
  // CST: cancels per resting order per second by its distance k + 1 ticks from the opposite quote (the last entry
  // for every distance beyond the table, and where the opposite side is empty). When given, it replaces
  // cancelRatePerSec: resting orders are drawn at the table's highest rate and kept with the ratio (thinning).
  std::vector<double> cancelRatesPerSec;
  double distanceP = 0.15;         // limit price = opposite quote ∓ (1 + Geometric(p)) ticks
  double sizeP = 0.3;              // order size = 1 + Geometric(p) lots
  double marketSizeP = 0.0;        // market orders' own size law (0: sizeP)
  Lots marketLots = 0;             // when > 0, every market order is exactly this many lots
  // Limit sizes by distance, the day's empirical law: a limit at distance d draws one of the `sizeAtomsPerRow`
  // equally likely sizes of row min((d − 1) / sizeBucketTicks, rows − 1) of sizeAtomsLots (the quantiles of the
  // day's sizes at that distance). Empty: 1 + Geometric(sizeP) lots at every distance.
  std::vector<Lots> sizeAtomsLots;
  int sizeAtomsPerRow = 0;
  int sizeBucketTicks = 1;
  Tick referencePrice = 10000;     // where an empty side quotes from
  int seedDepth = 20;              // levels per side seeded at reset, one order each
  // CST: limit orders per second per side at distance k + 1 ticks from the opposite quote. When given, it
  // replaces limitRatePerSec and distanceP.
  std::vector<double> distanceRatesPerSec;
  // Limit orders per second per side that join the l-th visible level of their side (l = 1, 2, …): traders who
  // queue at a price already quoted. Where the side has fewer levels, the order is placed by the distance law.
  std::vector<double> joinRatesPerSec;
  // Patient orders: a limit placed at least patientFromTicks from where it is priced is, with probability
  // patientShare, patient: it cancels at patientCancelPerSec whatever its distance, on a stream of its own (no
  // thinning), where the others cancel at their distance's rate. Order lifetimes are a mixture: most orders are
  // gone in seconds, a few stay for the day, and a book's far levels are made of those.
  double patientShare = 0.0;
  int patientFromTicks = 1;
  double patientCancelPerSec = 0.0;
  // Market orders (both sides together, each side with probability ½) as a Hawkes process with intensity
  // 2·marketRatePerSec + n Σ β e^{−β(t − t_i)}; n = 0 keeps the plain Poisson stream.
  double hawkesBranching = 0.0;
  double hawkesDecayPerSec = 1.0;
  // Anchored: limit prices at a distance from a reference price (models/propagator.h) instead of from the opposite
  // quote: a bid at ⌈r⌉ − d, an ask at ⌊r⌋ + d (d = 1 + the distance law's draw), never through the opposite quote.
  // Market orders then run on their own random stream, so a paired control run meets the same ones.
  bool anchored = false;
  PropagatorConfig propagator;
};

// A visible message of the flow, as a LOBSTER file would list it (studies record them; the flow never needs to).
struct FlowMessage {
  TsNs tsNs;
  uint8_t type;  // 1 add, 3 delete, 4 execution (on the resting order's side)
  Side side;
  Tick price;
  Lots qty;
  OrderId id;
};

class PoissonFlow final : public Flow {
 public:
  explicit PoissonFlow(const PoissonFlowConfig& cfg);
  FlowKind kind() const override { return FlowKind::kPoisson; }
  TsNs nextTime() const override { return next_; }
  void step(Book& book) override;
  void reset(Book& book, TsNs startNs, uint64_t seed) override;
  // The agent's market volume moves the reference like anyone's.
  void onAgentTook(Side side, Lots qty, TsNs tNs) override { propagator_.onMarket(side, qty, tNs); }
  // An agent order changed the book: its spread may have narrowed, which raises the cancel rates' bound.
  void onAgentOrder(const Book& book, TsNs tNs) override;

  // Appends every add and cancel the flow makes to `out` (nullptr: none); executions are the book's trades.
  void record(std::vector<FlowMessage>* out) { record_ = out; }

 private:
  void schedule(const Book& book, TsNs fromNs);
  void scheduleMarket();
  Tick drawDistance();
  Lots drawLimitSize(Tick distance);
  // The price of the `level`-th level (1-based) of `side`, or kNoBid / kNoAsk where the side has fewer.
  static Tick levelPrice(const Book& book, Side side, size_t level);
  Lots drawMarketSize(Rng& rng) { return cfg_.marketLots > 0 ? cfg_.marketLots : 1 + rng.geometricLog(logMarketSize_); }
  // The highest cancel rate any resting order can have now: orders rest at least a spread from the opposite quote.
  double cancelBound(const Book& book) const;
  Tick quoteFrom(const Book& book, Side side) const;
  // Market orders on a clock of their own: a Hawkes stream, or any stream of an anchored flow.
  bool clustered() const { return cfg_.hawkesBranching > 0.0 || cfg_.anchored; }
  Rng& marketRng() { return cfg_.anchored ? marketRng_ : rng_; }

  PoissonFlowConfig cfg_;
  // log(1 − p) of the distance and size laws, once (each draw needs it).
  double logDistance_ = 0.0;
  double logSize_ = 0.0;
  double logMarketSize_ = 0.0;
  Rng rng_;
  Rng marketRng_;
  Propagator propagator_;
  std::vector<FlowMessage>* record_ = nullptr;
  TsNs next_ = 0;
  OrderId nextId_ = 1;
  std::vector<double> distanceCdf_;  // cumulative distance rates, for the table law
  std::vector<double> joinCdf_;      // cumulative join rates by level
  double limitPerSide_ = 0.0;        // limit orders per second per side: joins, then the distance law
  double cancelMax_ = 0.0;           // the cancel rate resting orders are drawn at (without a table)
  std::vector<double> cancelRates_;  // by distance from the opposite quote (the table, if given)
  std::vector<double> cancelSuffixMax_;  // max of cancelRates_ over distances ≥ k + 1: the thinning bound
  double cancelDraw_ = 0.0;          // the bound the pending draw was made with
  size_t sizeRows_ = 0;
  double limitRate_ = 0.0;           // limit orders per second, both sides
  // The clustered market stream has its own clock: the other streams' rate changes with the book, this one
  // with its own history only.
  TsNs lastNs_ = 0;          // the time of the last event
  TsNs nextOther_ = 0;
  TsNs nextMarket_ = 0;
  double excitation_ = 0.0;  // Hawkes intensity above the background at lastMarketNs_
  TsNs lastMarketNs_ = 0;
  // Orders this flow placed, by arena index and id (no id lookups: the book keeps them unmapped); an entry
  // whose slot now holds another id was filled, and is dropped when drawn.
  struct Placed {
    uint32_t idx;
    OrderId id;
  };
  std::vector<Placed> live_;
  std::vector<Placed> patient_;  // the patient ones (cfg_.patientShare)
  // Draws a resting order of `pool` uniformly and cancels it (`thinned`: with its distance's rate over the bound);
  // entries already filled are dropped as drawn.
  void cancelFrom(Book& book, std::vector<Placed>& pool, bool thinned);
};

} // namespace tranche
