// Each feature is signed so that positive means "against the parent order" (prices rising for a buy) and
// scaled to order one, so a network sees comparable inputs across instruments.
#include "features.h"

#include <algorithm>
#include <cmath>

namespace tranche {

const char* const kFeatureNames[kFeatureCount] = {
    "time_left",          "inventory_left",   "schedule_deviation", "spread",
    "mid_move",           "microprice_offset", "imbalance_l1",      "imbalance_l5",
    "depth",              "order_flow_imbalance", "volatility",     "signed_trade_volume",
    "resting_price_offset", "queue_ahead",    "queue_fraction",     "resting_share",
};

namespace {
double clamp(double x, double lo, double hi) { return std::isfinite(x) ? std::min(hi, std::max(lo, x)) : 0.0; }
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

void computeFeatures(const FeatureInputs& in, FeatureState& st, float* out) {
  const double sgn = in.side == kBid ? 1.0 : -1.0;
  const bool twoSided = in.bid != kNoBid && in.ask != kNoAsk;
  const double bid = static_cast<double>(in.bid), ask = static_cast<double>(in.ask);
  const double mid = twoSided ? 0.5 * (bid + ask) : st.havePrev ? st.prevMid : in.arrivalMidTicks;
  const double spread = twoSided ? ask - bid : 0.0;
  const double H = std::max<uint32_t>(in.horizonSteps, 1);
  const double left = (H - in.elapsedSteps) / H;

  out[0] = static_cast<float>(left);
  out[1] = static_cast<float>(ratio(in.remainingLots, in.parentLots));
  out[2] = static_cast<float>(ratio(in.remainingLots - in.parentLots * left, in.parentLots));
  out[3] = static_cast<float>(std::log1p(spread) / 4.0);
  // Mid move since arrival in bps, tenths: 10 bps against the order reads 1.
  out[4] = static_cast<float>(clamp(sgn * ratio(mid - in.arrivalMidTicks, in.arrivalMidTicks) * 1e4 / 10.0, -10, 10));
  // Microprice (Stoikov 2018's weighted mid at level 1) relative to the half spread.
  const double l1 = static_cast<double>(in.bidQty + in.askQty);
  const double micro = twoSided && l1 > 0 ? (bid * in.askQty + ask * in.bidQty) / l1 : mid;
  out[5] = static_cast<float>(clamp(sgn * ratio(micro - mid, 0.5 * spread), -1, 1));
  out[6] = static_cast<float>(sgn * ratio(static_cast<double>(in.bidQty) - in.askQty, l1));
  const double l5 = static_cast<double>(in.bidDepth5 + in.askDepth5);
  out[7] = static_cast<float>(sgn * ratio(static_cast<double>(in.bidDepth5) - in.askDepth5, l5));
  out[8] = static_cast<float>(std::log1p(ratio(l5, in.parentLots)) / 4.0);
  // Order-flow imbalance summed over every top update since the last decision (the feed's), per lot of
  // level-1 depth.
  const double ofi = ratio(in.orderFlowImbalance, 0.5 * l1 + 1.0);
  out[9] = static_cast<float>(clamp(sgn * ofi / 5.0, -1, 1));
  if (st.havePrev && st.prevMid > 0 && mid > 0) {
    const double r = (mid - st.prevMid) / st.prevMid * 1e4;
    st.varBps2 = 0.9 * st.varBps2 + 0.1 * r * r;
  }
  out[10] = static_cast<float>(std::sqrt(st.varBps2) / 10.0);
  out[11] = static_cast<float>(sgn * ratio(static_cast<double>(in.stepBuyLots) - in.stepSellLots, static_cast<double>(in.stepBuyLots + in.stepSellLots)));
  const bool resting = in.restingLots > 0;
  const Tick touch = in.side == kBid ? in.bid : in.ask;
  const bool haveTouch = touch != kNoBid && touch != kNoAsk;
  // Ticks behind the near touch (0 at it, negative inside the spread), fifths.
  out[12] = static_cast<float>(resting && haveTouch ? clamp(sgn * static_cast<double>(touch - in.restingPrice) / 5.0, -2, 2) : 0.0);
  out[13] = static_cast<float>(resting ? std::log1p(std::max(0.0, in.queueAheadLots)) / 8.0 : 0.0);
  out[14] = static_cast<float>(resting ? clamp(ratio(in.queueAheadLots, in.levelLots), 0, 1) : 0.0);
  out[15] = static_cast<float>(resting ? clamp(ratio(in.restingLots, in.remainingLots), 0, 1) : 0.0);

  st.havePrev = true;
  st.prevMid = mid;
}

void FeatureFeed::reset(Tick bid, Lots bidQty, Tick ask, Lots askQty) {
  *this = FeatureFeed{};
  bid_ = bid, ask_ = ask, bidQty_ = bidQty, askQty_ = askQty;
}

void FeatureFeed::onTop(Tick bid, Lots bidQty, Tick ask, Lots askQty) {
  if (bid == bid_ && ask == ask_ && bidQty == bidQty_ && askQty == askQty_) return;
  if (bid != kNoBid && ask != kNoAsk && bid_ != kNoBid && ask_ != kNoAsk) {
    ofi_ += (bid >= bid_ ? static_cast<double>(bidQty) : 0.0) - (bid <= bid_ ? static_cast<double>(bidQty_) : 0.0) -
            (ask <= ask_ ? static_cast<double>(askQty) : 0.0) + (ask >= ask_ ? static_cast<double>(askQty_) : 0.0);
  }
  bid_ = bid, ask_ = ask, bidQty_ = bidQty, askQty_ = askQty;
}

void FeatureFeed::observe() {
  observedBuy_ = buy_, observedSell_ = sell_, observedOfi_ = ofi_;
  buy_ = sell_ = 0;
  ofi_ = 0;
}

}  // namespace tranche
