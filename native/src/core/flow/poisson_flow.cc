#include "poisson_flow.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tranche {

PoissonFlow::PoissonFlow(const PoissonFlowConfig& cfg)
    : cfg_(cfg),
      logDistance_(cfg.distanceP >= 1.0 ? 0.0 : std::log1p(-cfg.distanceP)),
      logSize_(cfg.sizeP >= 1.0 ? 0.0 : std::log1p(-cfg.sizeP)),
      logMarketSize_(cfg.marketSizeP <= 0.0 ? logSize_ : cfg.marketSizeP >= 1.0 ? 0.0 : std::log1p(-cfg.marketSizeP)),
      propagator_(cfg.propagator) {
  live_.reserve(1024);
  double total = 0.0;
  for (double r : cfg_.distanceRatesPerSec) distanceCdf_.push_back(total += r);
  limitRate_ = 2.0 * (distanceCdf_.empty() ? cfg_.limitRatePerSec : total);
  cancelMax_ = cfg_.cancelRatePerSec;
  if (!cfg_.cancelRatesPerSec.empty()) {
    cancelMax_ = *std::max_element(cfg_.cancelRatesPerSec.begin(), cfg_.cancelRatesPerSec.end());
    for (double r : cfg_.cancelRatesPerSec) cancelKeep_.push_back(cancelMax_ > 0.0 ? r / cancelMax_ : 0.0);
  }
}

Tick PoissonFlow::drawDistance() {
  if (distanceCdf_.empty()) return 1 + rng_.geometricLog(logDistance_);
  const double u = rng_.uniform() * distanceCdf_.back();
  return 1 + static_cast<Tick>(std::upper_bound(distanceCdf_.begin(), distanceCdf_.end(), u) - distanceCdf_.begin());
}

void PoissonFlow::reset(Book& book, TsNs startNs, uint64_t seed) {
  rng_.reseed(seed);
  if (cfg_.anchored) {
    marketRng_.reseed(mixSeed(seed, 1));
    propagator_.reset(static_cast<double>(cfg_.referencePrice), startNs, mixSeed(seed, 2));
  }
  live_.clear();
  nextId_ = 1;  // the book was cleared: the same seed gives the same ids
  next_ = startNs;
  lastNs_ = lastMarketNs_ = startNs;
  excitation_ = 0.0;
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
  if (clustered()) scheduleMarket();
  schedule();
}

namespace {
TsNs after(TsNs t, double seconds) {
  // Clamp before converting: an absurdly small rate must not overflow the clock.
  const double gapNs = std::min(std::ceil(seconds * 1e9), 1e18);
  return gapNs >= static_cast<double>(std::numeric_limits<TsNs>::max() - t) ? std::numeric_limits<TsNs>::max() : t + static_cast<TsNs>(gapNs);
}
}  // namespace

// The next market order of the Hawkes stream, exactly (Dassios & Zhao 2013, exponential kernel): the first of a
// background arrival and the next event the decaying excitation would trigger, from the last market order.
void PoissonFlow::scheduleMarket() {
  Rng& rng = marketRng();
  const double mu = 2.0 * cfg_.marketRatePerSec, beta = cfg_.hawkesDecayPerSec;
  const double background = mu > 0.0 ? rng.exponential(mu) : std::numeric_limits<double>::infinity();
  double excited = std::numeric_limits<double>::infinity();
  if (excitation_ > 0.0) {
    const double d = 1.0 + beta * std::log1p(-rng.uniform()) / excitation_;
    if (d > 0.0) excited = -std::log(d) / beta;
  }
  const double gap = std::min(background, excited);
  nextMarket_ = std::isfinite(gap) ? after(lastMarketNs_, gap) : std::numeric_limits<TsNs>::max();
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
  if (clustered()) {
    // Limits and cancels: memoryless, redrawn from now with the rate the book now gives.
    const double rate = limitRate_ + cancelMax_ * static_cast<double>(live_.size());
    nextOther_ = rate > 0.0 ? after(lastNs_, rng_.exponential(rate)) : std::numeric_limits<TsNs>::max();
    next_ = std::min(nextOther_, nextMarket_);
    return;
  }
  const double total = limitRate_ + 2.0 * cfg_.marketRatePerSec +
                       cancelMax_ * static_cast<double>(live_.size());
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
  const double limit = limitRate_, market = clustered() ? 0.0 : 2.0 * cfg_.marketRatePerSec;
  const double cancel = cancelMax_ * static_cast<double>(live_.size());
  if (clustered() && next_ == nextMarket_) {
    // A market order of the Hawkes stream: it excites the ones after it.
    Rng& rng = marketRng();
    const Side side = static_cast<Side>(rng.next() & 1);
    OrderResult r{};
    book.market(0, side, 1 + rng.geometricLog(logMarketSize_), &r);
    if (cfg_.anchored) propagator_.onMarket(side, r.filled, next_);
    excitation_ = excitation_ * std::exp(-cfg_.hawkesDecayPerSec * static_cast<double>(next_ - lastMarketNs_) * 1e-9) +
                  cfg_.hawkesBranching * cfg_.hawkesDecayPerSec;
    lastMarketNs_ = lastNs_ = next_;
    scheduleMarket();
    schedule();
    return;
  }
  lastNs_ = next_;
  const double u = rng_.uniform() * (limit + market + cancel);
  const Side side = static_cast<Side>(rng_.next() & 1);
  if (u < limit) {
    const Tick d = drawDistance();
    Tick price;
    if (cfg_.anchored) {
      // Anchored to the reference, never through the opposite quote.
      const double r = propagator_.at(next_);
      if (side == kBid) {
        price = static_cast<Tick>(std::ceil(r)) - d;
        if (book.bestAsk() != kNoAsk) price = std::min(price, book.bestAsk() - 1);
      } else {
        price = static_cast<Tick>(std::floor(r)) + d;
        if (book.bestBid() != kNoBid) price = std::max(price, book.bestBid() + 1);
      }
    } else {
      const Tick quote = quoteFrom(book, side);
      price = side == kBid ? quote - d : quote + d;
    }
    const OrderId id = nextId_++;
    // Priced off the opposite quote it never crosses; resting unmapped, it is cancelled by arena index.
    const Lots qty = 1 + rng_.geometricLog(logSize_);
    const uint32_t idx = book.addUnmapped(id, side, price, qty);
    if (idx != kNil) {
      live_.push_back(Placed{idx, id});
      if (record_) record_->push_back(FlowMessage{next_, 1, side, price, qty, id});
    }
  } else if (u < limit + market) {
    book.market(0, side, 1 + rng_.geometricLog(logMarketSize_), nullptr);
  } else {
    // Uniform choice among resting orders; ids already filled by market orders are discarded as drawn.
    while (!live_.empty()) {
      const size_t i = rng_.below(live_.size());
      const Placed o = live_[i];
      live_[i] = live_.back();
      live_.pop_back();
      const RestingOrder& r = book.at(o.idx);
      if (r.id == o.id) {
        if (!cancelKeep_.empty()) {
          // Thinning: the order drawn cancels with its distance's rate over the highest; otherwise nothing happens.
          const Tick opp = r.side == kBid ? book.bestAsk() : book.bestBid();
          const size_t k = opp == kNoAsk || opp == kNoBid ? cancelKeep_.size() - 1
                           : static_cast<size_t>(std::clamp<Tick>((r.side == kBid ? opp - r.price : r.price - opp) - 1, 0,
                                                                  static_cast<Tick>(cancelKeep_.size()) - 1));
          if (rng_.uniform() >= cancelKeep_[k]) {
            live_.push_back(o);
            std::swap(live_[i], live_.back());
            break;
          }
        }
        if (record_) record_->push_back(FlowMessage{next_, 3, r.side, r.price, r.qty, r.id});
        book.removeAt(o.idx, r.qty);
        break;
      }
    }
  }
  schedule();
}

} // namespace tranche
