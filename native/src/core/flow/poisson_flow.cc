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
  double joins = 0.0;
  for (double r : cfg_.joinRatesPerSec) joinCdf_.push_back(joins += r);
  limitPerSide_ = joins + (distanceCdf_.empty() ? cfg_.limitRatePerSec : total);
  limitRate_ = 2.0 * limitPerSide_;
  cancelMax_ = cfg_.cancelRatePerSec;
  cancelRates_ = cfg_.cancelRatesPerSec;
  cancelSuffixMax_.assign(cancelRates_.size(), 0.0);
  for (size_t k = cancelRates_.size(); k-- > 0;)
    cancelSuffixMax_[k] = std::max(cancelRates_[k], k + 1 < cancelRates_.size() ? cancelSuffixMax_[k + 1] : 0.0);
  if (cfg_.sizeAtomsPerRow > 0) sizeRows_ = cfg_.sizeAtomsLots.size() / static_cast<size_t>(cfg_.sizeAtomsPerRow);
}

Tick PoissonFlow::levelPrice(const Book& book, Side side, size_t level) {
  Tick p = side == kBid ? book.bestBid() : book.bestAsk();
  for (size_t l = 1; l < level && p != kNoBid && p != kNoAsk; ++l) p = book.nextLevel(side, p);
  return p;
}

Lots PoissonFlow::drawLimitSize(Tick distance) {
  if (sizeRows_ == 0) return 1 + rng_.geometricLog(logSize_);
  const size_t row = std::min(static_cast<size_t>(std::max<Tick>(distance - 1, 0) / cfg_.sizeBucketTicks), sizeRows_ - 1);
  return cfg_.sizeAtomsLots[row * static_cast<size_t>(cfg_.sizeAtomsPerRow) + rng_.below(static_cast<uint64_t>(cfg_.sizeAtomsPerRow))];
}

// Thinning (Lewis & Shedler 1979) needs a rate no resting order exceeds until the next event. A resting bid is at
// least the spread below the best ask (an ask above the best bid), so the table's maximum over distances from the
// spread on bounds every order, and is far below the table's overall maximum, which sits inside the spread.
double PoissonFlow::cancelBound(const Book& book) const {
  if (cancelRates_.empty()) return cancelMax_;
  const Tick bid = book.bestBid(), ask = book.bestAsk();
  const size_t last = cancelRates_.size() - 1;
  if (bid == kNoBid || ask == kNoAsk) return cancelRates_[last];  // every order then cancels at the last entry's rate
  return cancelSuffixMax_[static_cast<size_t>(std::clamp<Tick>(ask - bid - 1, 0, static_cast<Tick>(last)))];
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
  patient_.clear();
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
      const uint32_t idx = book.addUnmapped(id, side, price, drawLimitSize(d));
      if (idx != kNil) live_.push_back(Placed{idx, id});
    }
  }
  if (clustered()) scheduleMarket();
  schedule(book, startNs);
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

// Draws the next event from `fromNs` with the rates the book now gives (every stream is memoryless, so a redraw
// at any instant is exact).
void PoissonFlow::schedule(const Book& book, TsNs fromNs) {
  cancelDraw_ = cancelBound(book);
  if (clustered()) {
    // Limits and cancels; the clustered market orders keep their own clock.
    const double rate = limitRate_ + cancelDraw_ * static_cast<double>(live_.size()) + cfg_.patientCancelPerSec * static_cast<double>(patient_.size());
    nextOther_ = rate > 0.0 ? after(fromNs, rng_.exponential(rate)) : std::numeric_limits<TsNs>::max();
    next_ = std::min(nextOther_, nextMarket_);
    return;
  }
  const double total = limitRate_ + 2.0 * cfg_.marketRatePerSec + cancelDraw_ * static_cast<double>(live_.size()) +
                       cfg_.patientCancelPerSec * static_cast<double>(patient_.size());
  next_ = total > 0.0 ? after(fromNs, rng_.exponential(total)) : std::numeric_limits<TsNs>::max();  // else nothing left to happen
}

void PoissonFlow::onAgentOrder(const Book& book, TsNs tNs) {
  // A narrower spread can lift an order's cancel rate above the pending draw's bound: redraw from now.
  if (cancelBound(book) > cancelDraw_) schedule(book, std::max(tNs, lastNs_));
}

void PoissonFlow::step(Book& book) {
  const double limit = limitRate_, market = clustered() ? 0.0 : 2.0 * cfg_.marketRatePerSec;
  const double cancel = cancelDraw_ * static_cast<double>(live_.size());
  const double patient = cfg_.patientCancelPerSec * static_cast<double>(patient_.size());
  lastNs_ = next_;
  if (clustered() && next_ == nextMarket_) {
    // A market order of the Hawkes stream: it excites the ones after it.
    Rng& rng = marketRng();
    const Side side = static_cast<Side>(rng.next() & 1);
    OrderResult r{};
    book.market(0, side, drawMarketSize(rng), &r);
    if (cfg_.anchored) propagator_.onMarket(side, r.filled, next_);
    excitation_ = excitation_ * std::exp(-cfg_.hawkesDecayPerSec * static_cast<double>(next_ - lastMarketNs_) * 1e-9) +
                  cfg_.hawkesBranching * cfg_.hawkesDecayPerSec;
    lastMarketNs_ = next_;
    scheduleMarket();
    schedule(book, lastNs_);
    return;
  }
  const double u = rng_.uniform() * (limit + market + cancel + patient);
  const Side side = static_cast<Side>(rng_.next() & 1);
  if (u < limit) {
    // A join of a quoted level, or a price by the distance law.
    Tick joined = kNoBid;
    if (!joinCdf_.empty()) {
      const double v = rng_.uniform() * limitPerSide_;
      if (v < joinCdf_.back()) joined = levelPrice(book, side, 1 + static_cast<size_t>(std::upper_bound(joinCdf_.begin(), joinCdf_.end(), v) - joinCdf_.begin()));
      if (joined == kNoAsk) joined = kNoBid;
    }
    Tick d = joined == kNoBid ? drawDistance() : 0;
    Tick price;
    if (joined != kNoBid) {
      price = joined;
      // Its size follows its distance from the mid, as the day's sizes were measured (the side it joins is quoted; an
      // empty opposite side measures from the touch).
      const Tick bid = book.bestBid(), ask = book.bestAsk();
      const double mid = bid != kNoBid && ask != kNoAsk ? 0.5 * static_cast<double>(bid + ask) : static_cast<double>(price);
      d = std::max<Tick>(1, side == kBid ? static_cast<Tick>(std::ceil(mid)) - price : price - static_cast<Tick>(std::floor(mid)));
    } else if (cfg_.anchored) {
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
    const Lots qty = drawLimitSize(d);
    const uint32_t idx = book.addUnmapped(id, side, price, qty);
    if (idx != kNil) {
      const bool isPatient = cfg_.patientShare > 0.0 && d >= cfg_.patientFromTicks && rng_.uniform() < cfg_.patientShare;
      (isPatient ? patient_ : live_).push_back(Placed{idx, id});
      if (record_) record_->push_back(FlowMessage{next_, 1, side, price, qty, id});
    }
  } else if (u < limit + market) {
    book.market(0, side, drawMarketSize(rng_), nullptr);
  } else if (u >= limit + market + cancel) {
    cancelFrom(book, patient_, false);
  } else {
    cancelFrom(book, live_, !cancelRates_.empty());
  }
  schedule(book, lastNs_);
}

void PoissonFlow::cancelFrom(Book& book, std::vector<Placed>& pool, bool thinned) {
  // Uniform choice among resting orders; ids already filled by market orders are discarded as drawn.
  while (!pool.empty()) {
    const size_t i = rng_.below(pool.size());
    const Placed o = pool[i];
    pool[i] = pool.back();
    pool.pop_back();
    const RestingOrder& r = book.at(o.idx);
    if (r.id != o.id) continue;
    if (thinned) {
      // Thinning: the order drawn cancels with its distance's rate over the bound; otherwise nothing happens.
      const Tick opp = r.side == kBid ? book.bestAsk() : book.bestBid();
      const size_t last = cancelRates_.size() - 1;
      const size_t k = opp == kNoAsk || opp == kNoBid ? last
                       : static_cast<size_t>(std::clamp<Tick>((r.side == kBid ? opp - r.price : r.price - opp) - 1, 0, static_cast<Tick>(last)));
      if (rng_.uniform() * cancelDraw_ >= cancelRates_[k]) {
        pool.push_back(o);
        std::swap(pool[i], pool.back());
        return;
      }
    }
    if (record_) record_->push_back(FlowMessage{next_, 3, r.side, r.price, r.qty, r.id});
    book.removeAt(o.idx, r.qty);
    return;
  }
}

} // namespace tranche
