#include "poisson_flow.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tranche {

PoissonFlow::PoissonFlow(const PoissonFlowConfig& cfg)
    : cfg_(cfg),
      logDistance_(cfg.distanceP >= 1.0 ? 0.0 : std::log1p(-cfg.distanceP)),
      logSize_(cfg.sizeP >= 1.0 ? 0.0 : std::log1p(-cfg.sizeP)) {
  live_.reserve(1024);
}

void PoissonFlow::reset(Book& book, TsNs startNs, uint64_t seed) {
  rng_.reseed(seed);
  live_.clear();
  next_ = startNs;
  // A symmetric ladder around the reference price so the first events meet a two-sided book.
  for (int d = 1; d <= cfg_.seedDepth; ++d) {
    for (int s = 0; s < 2; ++s) {
      const Side side = static_cast<Side>(s);
      const Tick price = side == kBid ? cfg_.referencePrice - d : cfg_.referencePrice + d;
      const OrderId id = nextId_++;
      const uint32_t idx = book.addUnmapped(id, side, price, 1 + rng_.geometricLog(logSize_));
      if (idx != kNil) live_.push_back(Placed{idx, id});
    }
  }
  schedule();
}

// Quote a new limit order prices against: the opposite best, else own best, else the reference.
Tick PoissonFlow::quoteFrom(const Book& book, Side side) const {
  const Tick opp = side == kBid ? book.bestAsk() : book.bestBid();
  if (opp != kNoAsk && opp != kNoBid) return opp;
  const Tick own = side == kBid ? book.bestBid() : book.bestAsk();
  if (own != kNoAsk && own != kNoBid) return side == kBid ? own + 1 : own - 1;
  return cfg_.referencePrice;
}

void PoissonFlow::schedule() {
  const double total = 2.0 * (cfg_.limitRatePerSec + cfg_.marketRatePerSec) +
                       cfg_.cancelRatePerSec * static_cast<double>(live_.size());
  if (!(total > 0.0)) {
    next_ = std::numeric_limits<TsNs>::max();  // nothing left to happen
    return;
  }
  // Clamp before converting: an absurdly small rate must not overflow the clock.
  const double gapNs = std::min(std::ceil(rng_.exponential(total) * 1e9), 1e18);
  next_ = gapNs >= static_cast<double>(std::numeric_limits<TsNs>::max() - next_) ? std::numeric_limits<TsNs>::max()
                                                                                   : next_ + static_cast<TsNs>(gapNs);
}

void PoissonFlow::step(Book& book) {
  const double limit = 2.0 * cfg_.limitRatePerSec, market = 2.0 * cfg_.marketRatePerSec;
  const double cancel = cfg_.cancelRatePerSec * static_cast<double>(live_.size());
  const double u = rng_.uniform() * (limit + market + cancel);
  const Side side = static_cast<Side>(rng_.next() & 1);
  if (u < limit) {
    const Tick d = 1 + rng_.geometricLog(logDistance_);
    const Tick quote = quoteFrom(book, side);
    const Tick price = side == kBid ? quote - d : quote + d;
    const OrderId id = nextId_++;
    // Priced off the opposite quote it never crosses; resting unmapped, it is cancelled by arena index.
    const uint32_t idx = book.addUnmapped(id, side, price, 1 + rng_.geometricLog(logSize_));
    if (idx != kNil) live_.push_back(Placed{idx, id});
  } else if (u < limit + market) {
    book.market(0, side, 1 + rng_.geometricLog(logSize_), nullptr);
  } else {
    // Uniform choice among resting orders; ids already filled by market orders are discarded as drawn.
    while (!live_.empty()) {
      const size_t i = rng_.below(live_.size());
      const Placed o = live_[i];
      live_[i] = live_.back();
      live_.pop_back();
      if (book.at(o.idx).id == o.id) {
        book.removeAt(o.idx, book.at(o.idx).qty);
        break;
      }
    }
  }
  schedule();
}

} // namespace tranche
