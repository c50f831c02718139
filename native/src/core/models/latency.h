// Latency models: how long an agent's order takes to reach the book, or market data to reach the agent.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>

#include "../rng.h"
#include "../types.h"

namespace tranche {

// Chosen by `kind` in config; parameters in nanoseconds.
struct LatencyConfig {
  enum Kind : uint8_t { kConstant = 0, kUniform = 1, kLogNormal = 2 } kind = kConstant;
  TsNs fixedNs = 0;     // constant: the delay; uniform: the low end; lognormal: the median
  TsNs maxNs = 0;       // uniform: the high end; lognormal: a cap (0 = none)
  double sigma = 0.0;   // lognormal: standard deviation of log delay
};

class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  virtual TsNs sample(Rng& rng) = 0;
};

// Every message takes the same time.
class ConstantLatency final : public LatencyModel {
 public:
  explicit ConstantLatency(TsNs ns) : ns_(ns) {}
  TsNs sample(Rng&) override { return ns_; }

 private:
  TsNs ns_;
};

// Delay drawn uniformly from [lo, hi].
class UniformLatency final : public LatencyModel {
 public:
  UniformLatency(TsNs lo, TsNs hi) : lo_(lo), span_(static_cast<uint64_t>(hi - lo) + 1) {}
  TsNs sample(Rng& rng) override { return lo_ + static_cast<TsNs>(rng.below(span_)); }

 private:
  TsNs lo_;
  uint64_t span_;
};

// Heavy right tail seen in real order-entry round trips: log delay ~ N(log median, sigma²), capped.
class LogNormalLatency final : public LatencyModel {
 public:
  LogNormalLatency(TsNs median, double sigma, TsNs cap)
      : logMedian_(std::log(static_cast<double>(std::max<TsNs>(median, 1)))), sigma_(sigma), cap_(cap) {}
  TsNs sample(Rng& rng) override {
    // Cap in floating point: converting a huge draw to int64 first would overflow.
    double d = std::exp(logMedian_ + sigma_ * rng.normal());
    if (cap_ > 0) d = std::min(d, static_cast<double>(cap_));
    return static_cast<TsNs>(std::min(d, 1e18));
  }

 private:
  double logMedian_, sigma_;
  TsNs cap_;
};

inline std::unique_ptr<LatencyModel> makeLatency(const LatencyConfig& c) {
  switch (c.kind) {
    case LatencyConfig::kUniform: return std::make_unique<UniformLatency>(c.fixedNs, c.maxNs);
    case LatencyConfig::kLogNormal: return std::make_unique<LogNormalLatency>(c.fixedNs, c.sigma, c.maxNs);
    case LatencyConfig::kConstant: break;
  }
  return std::make_unique<ConstantLatency>(c.fixedNs);
}

} // namespace tranche
