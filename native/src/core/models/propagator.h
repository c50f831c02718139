// A reference price that responds to signed market-order flow through a power-law propagator (Bouchaud, Gefen,
// Potters & Wyart, Quant. Finance 2004; Gatheral, Quant. Finance 2010) plus news: r(t) = r0 + news(t) +
// Σ_i ε_i G(t − t_i) q_i / unit, G(t) = G0 (1 + t/τ0)^−β cut off beyond the memory time. Limit orders anchored to r
// make the visible book follow it, so a metaorder's impact is the kernel's: at a fixed rate over T, ∝ T^(1−β),
// concave in its size, and decaying after it ends (at 2T to 2^(1−β) − 1 of the peak). The kernel is a sum of
// exponentials on log-spaced timescales (the Laplace transform of the power law, discretised), so each order
// and each evaluation costs O(terms). News is a compound Poisson walk of ±J ticks on its own random stream, so a
// paired control run sees the same news.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "../rng.h"
#include "../types.h"

namespace tranche {

struct PropagatorConfig {
  double impactTicks = 0.0;     // G0: shift of the reference right after one unit of market volume (0: off)
  double tau0Sec = 1.0;         // τ0 of G(t) = G0 (1 + t/τ0)^−β
  double beta = 0.5;            // β
  double memorySec = 86'400.0;  // the kernel's longest timescale: beyond it, impact is forgotten
  double unitLots = 1.0;        // lots in one unit of market volume
  double newsPerSec = 0.0;      // news jumps of ±newsTicks per second (variance rate newsPerSec · newsTicks², ticks²/s)
  double newsTicks = 1.0;
  double newsUpProbability = 0.5;  // above ½: news drifts up (a trend of newsPerSec · newsTicks · (2p − 1) ticks/s)
  bool enabled() const { return impactTicks > 0.0 || newsPerSec > 0.0; }
};

class Propagator {
 public:
  static constexpr int kMaxTerms = 16;

  explicit Propagator(const PropagatorConfig& cfg) : cfg_(cfg) {
    // t^−β-like kernel as Σ w_j e^{−t/τ_j}: (1 + t/τ0)^−β = τ0^β/Γ(β) ∫ x^{β−1} e^{−x(τ0 + t)} dx, on a log grid of x.
    const double lo = std::log(cfg.tau0Sec * 0.25), hi = std::log(std::max(cfg.memorySec, cfg.tau0Sec));
    terms_ = kMaxTerms;
    const double step = (hi - lo) / (terms_ - 1);
    double sum = 0.0;
    for (int j = 0; j < terms_; ++j) {
      tau_[j] = std::exp(lo + step * j);
      const double x = 1.0 / tau_[j];
      w_[j] = std::pow(cfg.tau0Sec * x, cfg.beta) * std::exp(-x * cfg.tau0Sec) * step / std::tgamma(cfg.beta);
      sum += w_[j];
    }
    for (int j = 0; j < terms_; ++j) w_[j] /= sum;  // G(0) = G0 exactly
    for (int j = 0; j < terms_; ++j) rate_[j] = 1.0 / tau_[j];
  }

  // e^{−x} for 0 ≤ x ≤ 700, within 2 ulp, without a call: the decay of every term at every limit order is the
  // flow's hottest arithmetic, and std::exp neither inlines nor vectorises. Cody–Waite reduction x = k ln2 − r, e^r
  // by its Taylor series to r¹³ (|r| ≤ ln2/2: truncation below 2e-16), 2^−k built in the exponent bits.
  static double expNeg(double x) {
    const double y = -x;
    const double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
    const double kd = y * 1.4426950408889634 + shifter;
    const double k = kd - shifter;
    const double r = (y - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
    const double p =
        1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 +
        r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))))));
    uint64_t bits;
    std::memcpy(&bits, &kd, sizeof bits);
    const uint64_t scaleBits = (bits + 1023) << 52;  // the low bits of kd hold k (two's complement): 2^k
    double scale;
    std::memcpy(&scale, &scaleBits, sizeof scale);
    return p * scale;
  }
  const PropagatorConfig& config() const { return cfg_; }

  void reset(double reference, TsNs startNs, uint64_t newsSeed) {
    base_ = reference;
    news_ = 0.0;
    std::fill(state_, state_ + kMaxTerms, 0.0);
    lastNs_ = startNs;
    newsRng_.reseed(newsSeed);
    nextNewsNs_ = startNs;
    drawNews();
  }
  // The reference at tNs (not before the last time asked).
  double at(TsNs tNs) {
    advance(tNs);
    double r = base_ + news_;
    for (int j = 0; j < terms_; ++j) r += state_[j];
    return r;
  }
  // Market volume of `lots` lots on aggressor side `side` (kBid: a buy) at tNs.
  void onMarket(Side side, Lots lots, TsNs tNs) {
    if (!(cfg_.impactTicks > 0.0) || lots <= 0) return;
    advance(tNs);
    const double g = cfg_.impactTicks * (static_cast<double>(lots) / cfg_.unitLots) * (side == kBid ? 1.0 : -1.0);
    for (int j = 0; j < terms_; ++j) state_[j] += g * w_[j];
  }

 private:
  void advance(TsNs tNs) {
    if (tNs <= lastNs_) return;
    while (nextNewsNs_ <= tNs) {
      news_ += newsRng_.uniform() < cfg_.newsUpProbability ? cfg_.newsTicks : -cfg_.newsTicks;
      drawNews();
    }
    const double dt = static_cast<double>(tNs - lastNs_) * 1e-9;
    if (dt * rate_[0] <= 700.0) {
      decay(state_, rate_, dt);
    } else {
      for (int j = 0; j < terms_; ++j) state_[j] *= std::exp(-dt * rate_[j]);  // a long quiet stretch
    }
    lastNs_ = tNs;
  }
  // Every term's exponent is in expNeg's range: all kMaxTerms lanes, branch-free, so the loop vectorises; cloned for
  // AVX-512 and AVX2 (picked at load time). No FMA in any clone, so every machine gets the same bits.
  __attribute__((target_clones("avx512f", "avx2", "default"))) static void decay(double* state, const double* rate, double dt) {
    for (int j = 0; j < kMaxTerms; ++j) state[j] *= expNeg(dt * rate[j]);
  }
  void drawNews() {
    if (!(cfg_.newsPerSec > 0.0)) {
      nextNewsNs_ = std::numeric_limits<TsNs>::max();
      return;
    }
    const double gapNs = std::min(std::ceil(newsRng_.exponential(cfg_.newsPerSec) * 1e9), 1e15);
    nextNewsNs_ += static_cast<TsNs>(gapNs);
  }

  PropagatorConfig cfg_;
  int terms_ = kMaxTerms;
  double tau_[kMaxTerms] = {};
  double w_[kMaxTerms] = {};
  double rate_[kMaxTerms] = {};  // 1 / τ_j
  double state_[kMaxTerms] = {};
  double base_ = 0.0, news_ = 0.0;
  TsNs lastNs_ = 0, nextNewsNs_ = 0;
  Rng newsRng_;
};

}  // namespace tranche
