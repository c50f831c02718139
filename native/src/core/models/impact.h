// Agent impact on a replayed market: how far later replayed prices shift after the agent takes liquidity.
#pragma once

#include <cmath>

#include "../types.h"

namespace tranche {

// Chosen by `kind` in config. The shift after the agent takes q lots (sign + for buys) is
//   permanent += sign · η · f(q)          transient += sign · κ · f(q), decaying as exp(−Δt / τ)
// with f(q) = q (linear), √q (square root) or q^δ (power). Permanent-plus-exponentially-decaying impact
// is Almgren & Chriss (2000) for the permanent part and Obizhaeva & Wang (2013) for the transient part;
// the concave f is the square-root law (Tóth et al., PRX 2011) and its power-law generalisation.
struct ImpactConfig {
  enum Kind : uint8_t { kNone = 0, kLinear = 1, kSquareRoot = 2, kPower = 3 } kind = kNone;
  double permanentTicks = 0.0;  // η: ticks per unit of f(q)
  double transientTicks = 0.0;  // κ: ticks per unit of f(q), decaying
  double decayNs = 1e9;         // τ of the transient part
  double delta = 0.5;           // δ for kPower
};

class ImpactModel {
 public:
  explicit ImpactModel(const ImpactConfig& cfg = ImpactConfig{}) : cfg_(cfg) {}

  void reset() {
    permanent_ = transient_ = 0.0;
    lastNs_ = 0;
  }
  bool active() const { return cfg_.kind != ImpactConfig::kNone; }

  // The agent took `qty` lots on `side` (kBid = it bought) at time `tNs`.
  void onAgentTake(Side side, Lots qty, TsNs tNs) {
    if (!active() || qty <= 0) return;
    decayTo(tNs);
    const double f = shape(static_cast<double>(qty)) * (side == kBid ? 1.0 : -1.0);
    permanent_ += cfg_.permanentTicks * f;
    transient_ += cfg_.transientTicks * f;
  }

  // Whole-tick price shift in force at `tNs`.
  Tick offsetTicks(TsNs tNs) {
    if (!active()) return 0;
    decayTo(tNs);
    return static_cast<Tick>(std::llround(permanent_ + transient_));
  }

 private:
  double shape(double q) const {
    switch (cfg_.kind) {
      case ImpactConfig::kLinear: return q;
      case ImpactConfig::kSquareRoot: return std::sqrt(q);
      case ImpactConfig::kPower: return std::pow(q, cfg_.delta);
      case ImpactConfig::kNone: break;
    }
    return 0.0;
  }
  void decayTo(TsNs tNs) {
    if (tNs > lastNs_ && transient_ != 0.0) transient_ *= std::exp(-static_cast<double>(tNs - lastNs_) / cfg_.decayNs);
    if (tNs > lastNs_) lastNs_ = tNs;
  }

  ImpactConfig cfg_;
  double permanent_ = 0.0;
  double transient_ = 0.0;
  TsNs lastNs_ = 0;
};

}  // namespace tranche
