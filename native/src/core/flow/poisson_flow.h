// Zero-intelligence Poisson flow (Smith, Farmer, Gillemot & Krishnamurthy 2003; Cont, Stoikov & Talreja
// 2010): independent limit, market and cancel streams, limit prices at a random distance from the
// opposite quote. Limit distances follow a geometric law or, as CST calibrate them, a table of rates by
// distance; market orders arrive as a Poisson stream or, clustered, as an exponential Hawkes process.
#pragma once

#include <vector>

#include "flow.h"

namespace tranche {

struct PoissonFlowConfig {
  double limitRatePerSec = 50.0;   // limit orders per second, each side
  double marketRatePerSec = 5.0;   // market orders per second, each side
  double cancelRatePerSec = 0.1;   // cancels per resting order per second
  double distanceP = 0.15;         // limit price = opposite quote ∓ (1 + Geometric(p)) ticks
  double sizeP = 0.3;              // order size = 1 + Geometric(p) lots
  Tick referencePrice = 10000;     // where an empty side quotes from
  int seedDepth = 20;              // levels per side seeded at reset, one order each
  // CST: limit orders per second per side at distance k + 1 ticks from the opposite quote. When given, it
  // replaces limitRatePerSec and distanceP.
  std::vector<double> distanceRatesPerSec;
  // Market orders (both sides together, each side with probability ½) as a Hawkes process with intensity
  // 2·marketRatePerSec + n Σ β e^{−β(t − t_i)}; n = 0 keeps the plain Poisson stream.
  double hawkesBranching = 0.0;
  double hawkesDecayPerSec = 1.0;
};

class PoissonFlow final : public Flow {
 public:
  explicit PoissonFlow(const PoissonFlowConfig& cfg);
  FlowKind kind() const override { return FlowKind::kPoisson; }
  TsNs nextTime() const override { return next_; }
  void step(Book& book) override;
  void reset(Book& book, TsNs startNs, uint64_t seed) override;

 private:
  void schedule();
  void scheduleMarket();
  Tick drawDistance();
  Tick quoteFrom(const Book& book, Side side) const;
  bool clustered() const { return cfg_.hawkesBranching > 0.0; }

  PoissonFlowConfig cfg_;
  // log(1 − p) of the distance and size laws, once (each draw needs it).
  double logDistance_ = 0.0;
  double logSize_ = 0.0;
  Rng rng_;
  TsNs next_ = 0;
  OrderId nextId_ = 1;
  std::vector<double> distanceCdf_;  // cumulative distance rates, for the table law
  double limitRate_ = 0.0;           // limit orders per second, both sides
  // The clustered market stream has its own clock: the other streams' rate changes with the book, this one
  // with its own history only.
  TsNs lastNs_ = 0;          // the time the other streams were last drawn from
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
};

} // namespace tranche
