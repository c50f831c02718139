// Fee models: what the venue charges (or rebates, when negative) on each fill.
#pragma once

#include "../types.h"

namespace tranche {

// Contract size: a fill of q lots at p ticks is worth p·tickSize · q·lotSize in quote currency.
struct Instrument {
  double tickSize = 0.01;
  double lotSize = 1.0;
  double notional(Tick price, Lots qty) const {
    return static_cast<double>(price) * tickSize * static_cast<double>(qty) * lotSize;
  }
};

// Maker/taker schedule in basis points of notional; a negative maker rate is a rebate.
struct FeeSchedule {
  double makerBps = 0.0;
  double takerBps = 0.0;
  double fee(double notional, bool maker) const { return notional * (maker ? makerBps : takerBps) * 1e-4; }
};

} // namespace tranche
