#include "flow_sim.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tranche {

void FlowSim::reset(uint64_t seed, TsNs startNs) {
  book_.clear();
  flow_.reset(book_, startNs, seed);
  book_.clearTrades();
  now_ = startNs;
  events_ = 0;
  if (rec_) rec_->messages.clear(), rec_->bidPrice.clear(), rec_->askPrice.clear(), rec_->bidQty.clear(), rec_->askQty.clear();
}

double FlowSim::mid() const {
  const Tick bb = book_.bestBid(), ba = book_.bestAsk();
  if (bb == kNoBid || ba == kNoAsk) return std::numeric_limits<double>::quiet_NaN();
  return 0.5 * (static_cast<double>(bb) + static_cast<double>(ba));
}

void FlowSim::record(FlowRecording* out) {
  rec_ = out;
  flow_.record(out ? &out->messages : nullptr);
  if (out) out->messages.clear(), out->bidPrice.clear(), out->askPrice.clear(), out->bidQty.clear(), out->askQty.clear();
}

// Executions of the event just applied (the book's trades) as messages on the resting side, then the book's top
// after the event for every message it produced.
void FlowSim::snapshot(size_t from) {
  for (const Trade& t : book_.trades())
    rec_->messages.push_back(FlowMessage{now_, 4, opposite(t.aggressor), t.price, t.qty, t.maker});
  const int L = rec_->levels;
  px_.resize(static_cast<size_t>(L));
  qx_.resize(static_cast<size_t>(L));
  for (size_t m = from; m < rec_->messages.size(); ++m) {
    for (int s = 0; s < 2; ++s) {
      const Side side = static_cast<Side>(s);
      const int n = book_.topLevels(side, L, px_.data(), qx_.data());
      for (int l = n; l < L; ++l) px_[static_cast<size_t>(l)] = side == kBid ? kNoBid : kNoAsk, qx_[static_cast<size_t>(l)] = 0;
      std::vector<Tick>& p = side == kBid ? rec_->bidPrice : rec_->askPrice;
      std::vector<Lots>& q = side == kBid ? rec_->bidQty : rec_->askQty;
      p.insert(p.end(), px_.begin(), px_.end());
      q.insert(q.end(), qx_.begin(), qx_.end());
    }
  }
}

void FlowSim::advanceTo(TsNs tNs) {
  while (flow_.nextTime() <= tNs) {
    now_ = flow_.nextTime();
    const size_t from = rec_ ? rec_->messages.size() : 0;
    flow_.step(book_);
    ++events_;
    if (rec_) snapshot(from);
    book_.clearTrades();
  }
  now_ = std::max(now_, tNs);
}

Lots FlowSim::market(Side side, Lots qty) {
  OrderResult r{};
  const size_t from = rec_ ? rec_->messages.size() : 0;
  book_.market(0, side, qty, &r);
  if (rec_) snapshot(from);  // its executions are messages like anyone's
  book_.clearTrades();
  flow_.onAgentTook(side, r.filled, now_);
  flow_.onAgentOrder(book_, now_);
  return r.filled;
}

ImpactRunResult FlowSim::impactRun(uint64_t seed, const ImpactRunSpec& spec, bool withMetaorder) {
  reset(seed, 0);
  ImpactRunResult out;
  advanceTo(spec.warmupNs);
  out.startMid = mid();
  size_t c = 0;
  out.mid.assign(spec.checkpointsNs.size(), std::numeric_limits<double>::quiet_NaN());
  auto checkpointsUpTo = [&](TsNs t) {
    for (; c < spec.checkpointsNs.size() && spec.checkpointsNs[c] <= t; ++c) {
      advanceTo(spec.warmupNs + spec.checkpointsNs[c]);
      out.mid[c] = mid();
    }
  };
  if (withMetaorder) {
    for (int i = 0; i < spec.units; ++i) {
      const TsNs at = spec.intervalNs / 2 + static_cast<TsNs>(i) * spec.intervalNs;
      checkpointsUpTo(at - 1);
      advanceTo(spec.warmupNs + at);
      if (market(spec.side, spec.unitLots) < spec.unitLots) ++out.unexecuted;
    }
  }
  checkpointsUpTo(std::numeric_limits<TsNs>::max());
  return out;
}

}  // namespace tranche
