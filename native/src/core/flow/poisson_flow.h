// Zero-intelligence Poisson flow (Smith, Farmer, Gillemot & Krishnamurthy 2003; Cont, Stoikov & Talreja
// 2010): independent limit, market and cancel streams, limit prices at a random distance from the
// opposite quote. Uncalibrated here; the calibrated generative market replaces its rates.
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
  Tick quoteFrom(const Book& book, Side side) const;

  PoissonFlowConfig cfg_;
  // log(1 − p) of the distance and size laws, once (each draw needs it).
  double logDistance_ = 0.0;
  double logSize_ = 0.0;
  Rng rng_;
  TsNs next_ = 0;
  OrderId nextId_ = 1;
  // Orders this flow placed, by arena index and id (no id lookups: the book keeps them unmapped); an entry
  // whose slot now holds another id was filled, and is dropped when drawn.
  struct Placed {
    uint32_t idx;
    OrderId id;
  };
  std::vector<Placed> live_;
};

} // namespace tranche
