// Queue position models for L2 data, where the orders ahead of the agent are not known one by one.
#pragma once

#include <algorithm>
#include <cmath>

#include "../types.h"

namespace tranche {

// Probabilistic queue model (hftbacktest's ProbQueueModel, after Rigtorp's queue position estimate):
// - a trade at the agent's price removes quantity from the FRONT of the queue, ahead of the agent first;
// - a decrease of the level not explained by trades is a cancel: a share prob = f(back) / (f(front) + f(back))
//   of it is taken from BEHIND the agent, the rest from ahead (and from ahead too when the back runs dry);
// - an increase joins the back of the queue.
// f chooses how strongly cancels favour the longer side: linear f(x) = x, power f(x) = x^n, or
// logarithmic f(x) = ln(1 + x). On L3 data no model is needed: the book holds every order.
struct QueueConfig {
  enum Kind : uint8_t { kLinear = 0, kPower = 1, kLog = 2 } kind = kPower;
  double power = 2.0;
};

class ProbabilisticQueue {
 public:
  explicit ProbabilisticQueue(const QueueConfig& cfg = QueueConfig{}) : cfg_(cfg) {}

  // How much of a cancel of `qty` lots comes from ahead of the agent, given `front` lots ahead and
  // `back` lots behind it.
  Lots cancelledAhead(Lots front, Lots back, Lots qty) const {
    if (qty <= 0 || front <= 0) return 0;
    if (back <= 0) return std::min(front, qty);
    const double ff = f(static_cast<double>(front)), fb = f(static_cast<double>(back));
    const double probBack = fb / (ff + fb);
    const double q = static_cast<double>(qty);
    const double fromAhead = (1.0 - probBack) * q + std::max(0.0, probBack * q - static_cast<double>(back));
    return std::clamp<Lots>(static_cast<Lots>(std::llround(fromAhead)), std::max<Lots>(0, qty - back), std::min(front, qty));
  }

 private:
  double f(double x) const {
    switch (cfg_.kind) {
      case QueueConfig::kLinear: return x;
      case QueueConfig::kPower: return std::pow(x, cfg_.power);
      case QueueConfig::kLog: return std::log1p(x);
    }
    return x;
  }
  QueueConfig cfg_;
};

}  // namespace tranche
