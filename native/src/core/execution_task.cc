// One decision per market per call: map the action to child orders, run the market for Δt, book the fills
// as implementation shortfall against the arrival mid, and write the observation the next decision sees.
#include "execution_task.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace tranche {

ExecutionBatch::ExecutionBatch(uint32_t markets, const MarketConfig& cfg, const Batch::FlowFactory& flows, const ExecutionSpec& spec)
    : spec_(spec), tasks_(markets), lastTop_(markets), stepFilled_(markets, 0), tickValue_(cfg.instrument.tickSize * cfg.instrument.lotSize) {
  markets_.reserve(markets);
  for (uint32_t m = 0; m < markets; ++m) {
    markets_.push_back(std::make_unique<Market>(cfg, flows(m)));
    markets_.back()->recordHistory(false);  // decisions observe through one scheduled snapshot each
    markets_.back()->setMarkout(spec.markoutNs);
  }
}

uint64_t ExecutionBatch::flowEvents() const {
  uint64_t total = flowEventsDone_;
  for (const auto& mk : markets_) total += mk->flowEvents();
  return total;
}

bool ExecutionBatch::reset(const ExecutionIO& io, const uint64_t* seeds, const uint8_t* reseed, std::string* error) {
  for (uint32_t m = 0; m < markets(); ++m) {
    if (reseed[m]) {
      tasks_[m].envSeed = seeds[m];
      tasks_[m].episode = 0;
    } else {
      ++tasks_[m].episode;
    }
    if (!startEpisode(m, error)) return false;
    write(io, m, 0.0, true);
    io.resetMask[m] = 0;  // reset() itself is not an autoreset step
  }
  return true;
}

bool ExecutionBatch::startEpisode(uint32_t m, std::string* error) {
  Task& t = tasks_[m];
  const uint32_t e = t.episode;
  const uint64_t envSeed = t.envSeed;
  t = Task{};
  t.episode = e;
  t.envSeed = envSeed;
  // Episode e of an env draws only from (its seed, e): any single episode can be run again alone, in a batch
  // of any size.
  t.seed = mixSeed(envSeed, e);
  TsNs start = spec_.startMinNs;
  Rng pick(t.seed ^ 0x5DEECE66Dull);
  if (!spec_.starts.empty()) {
    start = spec_.starts[pick.below(spec_.starts.size())];
  } else if (spec_.startMaxNs > spec_.startMinNs) {
    start = spec_.startMinNs + static_cast<TsNs>(pick.below(static_cast<uint64_t>(spec_.startMaxNs - spec_.startMinNs) + 1));
  }
  Market& mk = *markets_[m];
  flowEventsDone_ += mk.flowEvents();
  mk.setFeed(&t.feed);
  mk.reset(t.seed, start);
  const Book& book = mk.book();
  if (book.bestBid() == kNoBid || book.bestAsk() == kNoAsk) {
    std::ostringstream os;
    os << "market " << m << ", episode " << e << ": the book is not two-sided at the start (" << start
       << " ns), so there is no arrival mid to measure the shortfall against; choose a start where both sides rest";
    *error = os.str();
    return false;
  }
  t.feed.reset(book.bestBid(), book.depthAt(kBid, book.bestBid()), book.bestAsk(), book.depthAt(kAsk, book.bestAsk()));
  t.arrivalMid = 0.5 * (static_cast<double>(book.bestBid()) + static_cast<double>(book.bestAsk()));
  t.startNs = start;
  t.notional = static_cast<double>(spec_.parentLots) * t.arrivalMid * tickValue_;
  t.remaining = spec_.parentLots;
  t.episodeStartVolume = mk.marketBuyLots() + mk.marketSellLots();
  return true;
}

namespace {
// An agent order's age: the sequence number its id carries (lower = sent earlier).
uint64_t ageOf(const AgentSlot& s) { return s.id & 0xFFFFFFFFFFFFull; }
}  // namespace

Lots ExecutionBatch::restingLots(uint32_t m, Tick* price) const {
  // Every live child counts (one being cancelled may still fill); the price is the oldest open child's.
  Lots total = 0;
  uint64_t oldest = UINT64_MAX;
  for (int s = 0; s < kAgentSlots; ++s) {
    const AgentSlot& sl = markets_[m]->slot(s);
    // A replace on its way carries extra lots for the order it sends: spoken for even if the old order is gone.
    total += sl.reserved;
    if (!sl.live()) continue;
    total += sl.qty - sl.filled;
    if (price && !sl.closing && ageOf(sl) < oldest) oldest = ageOf(sl), *price = sl.price;
  }
  return total;
}

int ExecutionBatch::freeSlot(uint32_t m) const {
  for (int s = 0; s < kAgentSlots; ++s)
    if (markets_[m]->slotFree(s)) return s;
  return -1;
}

void ExecutionBatch::decide(uint32_t m, int32_t size, int32_t placement) {
  Task& t = tasks_[m];
  Market& mk = *markets_[m];
  const uint32_t stepsLeft = spec_.horizonSteps - t.elapsed;
  Lots qty = 0;
  if (spec_.lotsMode) {
    qty = size;
  } else if (size > 0) {
    // The adaptive TWAP slice: what is left spread over the decisions left.
    const double slice = static_cast<double>(t.remaining) / stepsLeft;
    qty = std::max<Lots>(1, std::llround(kSizeMultipliers[size] * slice));
  }
  if (qty <= 0) return;  // wait: resting children stay as they are
  qty = std::min<Lots>(qty, t.remaining);
  const Side side = spec_.side;
  const bool buy = side == kBid;
  // Lots no live child holds: what a new order may take without any chance of overfilling the parent.
  const Lots free = std::max<Lots>(0, t.remaining - restingLots(m, nullptr));

  Tick price = 0;
  if (placement != 0) {
    const TopOfBook& top = lastTop_[m];
    Tick near = buy ? top.bid : top.ask;
    const Tick far = buy ? top.ask : top.bid;
    const bool haveFar = far != kNoBid && far != kNoAsk;
    if (near == kNoBid || near == kNoAsk) {
      if (!haveFar) return;  // an empty book: nothing to price a limit against
      near = buy ? far - 1 : far + 1;
    }
    price = near;
    // One tick inside only while the spread has room (a locked or crossed snapshot keeps the touch).
    if (placement == 2 && haveFar && (buy ? far - near : near - far) > 1) price = buy ? near + 1 : near - 1;
    if (placement == 3) price = buy ? near - 1 : near + 1;
  }

  // Open children (live, no cancel on its way), oldest first.
  int open[kAgentSlots];
  int n = 0;
  for (int s = 0; s < kAgentSlots; ++s)
    if (mk.slot(s).live() && !mk.slot(s).closing) open[n++] = s;
  for (int i = 1; i < n; ++i)  // at most eight: an insertion sort by age
    for (int j = i; j > 0 && ageOf(mk.slot(open[j])) < ageOf(mk.slot(open[j - 1])); --j) std::swap(open[j], open[j - 1]);
  auto leftOf = [&](int s) { return mk.slot(s).qty - mk.slot(s).filled; };
  AgentCommand cmd;
  cmd.side = side;
  cmd.tif = Tif::kGtc;
  auto send = [&](AgentCommandKind kind, int slot) {
    cmd.kind = kind;
    cmd.slot = static_cast<uint8_t>(slot);
    mk.submit(cmd);
  };

  if (placement == 0) {
    // The oldest child becomes the market order, carrying its lots and what else the order may take; the
    // rest are cancelled (their lots come back next decision).
    if (n > 0) {
      cmd.toMarket = true;
      cmd.qty = qty;
      cmd.reserve = std::min(free, std::max<Lots>(0, qty - leftOf(open[0])));
      send(AgentCommandKind::kReplace, open[0]);
      for (int k = 1; k < n; ++k) send(AgentCommandKind::kCancel, open[k]);
      return;
    }
    const int slot = freeSlot(m);
    if (free <= 0 || slot < 0) return;
    cmd.qty = std::min(qty, free);
    send(AgentCommandKind::kMarket, slot);
    return;
  }

  // Children at this price (in flight or resting) keep their place and are resized; the others are
  // replaced: the oldest moves to the new price with its lots, the rest are cancelled.
  int at[kAgentSlots], other[kAgentSlots];
  int na = 0, no = 0;
  Lots atLots = 0;
  for (int k = 0; k < n; ++k) {
    if (mk.slot(open[k]).price == price) at[na++] = open[k], atLots += leftOf(open[k]);
    else other[no++] = open[k];
  }
  int k0 = 0;
  if (na == 0 && no > 0) {
    cmd.price = price;
    cmd.qty = qty;
    cmd.reserve = std::min(free, std::max<Lots>(0, qty - leftOf(other[0])));
    send(AgentCommandKind::kReplace, other[0]);
    k0 = 1;
  }
  for (int k = k0; k < no; ++k) send(AgentCommandKind::kCancel, other[k]);
  if (na == 0) {
    if (no > 0) return;
    const int slot = freeSlot(m);
    if (free <= 0 || slot < 0) return;
    cmd.price = price;
    cmd.qty = std::min(qty, free);
    send(AgentCommandKind::kLimit, slot);
    return;
  }
  if (qty > atLots) {
    const Lots extra = std::min(qty - atLots, free);
    if (extra <= 0) return;
    cmd.price = price;
    const int slot = freeSlot(m);
    if (slot >= 0) {
      // A new order behind the ones at this price: theirs keep their places.
      cmd.qty = extra;
      send(AgentCommandKind::kLimit, slot);
    } else {
      // Every slot holds a child: the youngest at this price grows instead (only it loses its place).
      const int youngest = at[na - 1];
      cmd.qty = leftOf(youngest) + extra;
      cmd.reserve = extra;
      send(AgentCommandKind::kReplace, youngest);
    }
  } else if (qty < atLots) {
    // Take the excess off the youngest children first: the oldest keep the best queue places.
    Lots excess = atLots - qty;
    for (int k = na; k-- > 0 && excess > 0;) {
      cmd.qty = std::min(excess, leftOf(at[k]));
      excess -= cmd.qty;
      send(AgentCommandKind::kReduce, at[k]);
    }
  }
}

double ExecutionBatch::bookFills(uint32_t m) {
  Task& t = tasks_[m];
  Market& mk = *markets_[m];
  const double sgn = spec_.side == kBid ? 1.0 : -1.0;
  double cost = 0.0;
  for (const AgentFill& f : mk.fills()) {
    // Shortfall of each fill against the arrival mid, in quote currency, plus its fee.
    cost += sgn * (static_cast<double>(f.price) - t.arrivalMid) * static_cast<double>(f.qty) * tickValue_ + f.fee;
    t.filled += f.qty;
    t.fees += f.fee;
    if (f.maker) t.makerLots += f.qty;
    t.fillNotionalTicks += static_cast<double>(f.price) * static_cast<double>(f.qty);
    if (f.midTicks > 0) {
      t.effectiveSpread += static_cast<double>(f.qty) * 2.0 * sgn * (static_cast<double>(f.price) - f.midTicks) / f.midTicks;
      t.effectiveLots += f.qty;
    }
    stepFilled_[m] += f.qty;
  }
  t.remaining = spec_.parentLots - t.filled;
  mk.drainFills();
  const double bps = cost / t.notional * 1e4;
  t.costBps += bps;
  return bps;
}

double ExecutionBatch::finish(uint32_t m) {
  Task& t = tasks_[m];
  Market& mk = *markets_[m];
  AgentCommand cancel;
  cancel.kind = AgentCommandKind::kCancel;
  for (int s = 0; s < kAgentSlots; ++s)
    if (mk.slot(s).live()) cancel.slot = static_cast<uint8_t>(s), mk.submit(cancel);
  // The cancels land first (a child may still fill on the way), then the rest crosses the book, walking it.
  mk.flushCommands();
  // Children may fill while their cancels travel: that cost is the episode's too.
  double cost = bookFills(m);
  if (t.remaining > 0) {
    AgentCommand mo;
    mo.kind = AgentCommandKind::kMarket;
    mo.side = spec_.side;
    mo.slot = static_cast<uint8_t>(std::max(freeSlot(m), 0));
    mo.qty = t.remaining;
    mk.submit(mo);
    mk.flushCommands();
    cost += bookFills(m);
  }
  return cost;
}

bool ExecutionBatch::step(const ExecutionIO& io, std::string* error) {
  const uint32_t N = markets();
  for (uint32_t m = 0; m < N; ++m) {
    if (tasks_[m].ended) continue;
    const int32_t a = io.actions[2 * m], p = io.actions[2 * m + 1];
    const bool sizeOk = spec_.lotsMode ? a >= 0 : (a >= 0 && a < kSizeChoices);
    if (!sizeOk || p < 0 || p >= kPlacementChoices) {
      std::ostringstream os;
      os << "env " << m << ": action (" << a << ", " << p << ") is outside the action space: size must be "
         << (spec_.lotsMode ? "a whole number of lots >= 0" : "in [0, 5)") << " and placement in [0, 4)";
      *error = os.str();
      return false;
    }
  }
  for (uint32_t m = 0; m < N; ++m) {
    Task& t = tasks_[m];
    if (t.ended) {
      ++t.episode;
      if (!startEpisode(m, error)) return false;
      write(io, m, 0.0, true);
      continue;
    }
    Market& mk = *markets_[m];
    stepFilled_[m] = 0;
    decide(m, io.actions[2 * m], io.actions[2 * m + 1]);
    // The next decision sees the book a market-data delay before the step ends: one snapshot, taken on the way.
    const TsNs end = mk.now() + spec_.stepNs;
    mk.scheduleObservation(end, mk.sampleMarketDataDelay());
    mk.advanceTo(end);
    double cost = bookFills(m);
    ++t.elapsed;
    if (t.remaining > 0 && t.elapsed >= spec_.horizonSteps) {
      cost += finish(m);
      t.incomplete = t.remaining > 0;
      if (t.incomplete) cost += spec_.incompletePenaltyBps * static_cast<double>(t.remaining) / static_cast<double>(spec_.parentLots);
    }
    double risk = 0.0;
    if (spec_.riskAversion > 0) {
      const double x = static_cast<double>(t.remaining) / spec_.parentLots;
      risk = spec_.riskAversion * spec_.sigmaBpsPerSqrtS * spec_.sigmaBpsPerSqrtS * x * x * (spec_.stepNs * 1e-9);
    }
    t.ended = t.remaining <= 0 || t.elapsed >= spec_.horizonSteps;
    if (t.ended) {
      // Children a completed parent leaves behind cannot fill (nothing is left), but must not rest either.
      AgentCommand cancel;
      cancel.kind = AgentCommandKind::kCancel;
      for (int s = 0; s < kAgentSlots; ++s)
        if (mk.slot(s).live()) cancel.slot = static_cast<uint8_t>(s), mk.submit(cancel);
      // The last decision's observation is taken first; then the market runs on until every fill is marked out.
      if (mk.markoutsPending()) {
        mk.scheduledObservation();
        mk.advanceTo(mk.now() + spec_.markoutNs);
      }
    }
    write(io, m, -cost - risk, false);
  }
  return true;
}

void ExecutionBatch::write(const ExecutionIO& io, uint32_t m, double reward, bool reset) {
  Task& t = tasks_[m];
  Market& mk = *markets_[m];
  // One delayed snapshot per decision: every feature of this step reads the same one. At an episode's start
  // the book is as the reset left it (there is no earlier state to see).
  const TopOfBook top = reset ? mk.snapshot() : mk.scheduledObservation();
  lastTop_[m] = top;
  // Others' volume as of the snapshot, like everything else this decision sees.
  const Lots buy = top.marketBuyLots, sell = top.marketSellLots;
  if (reset) stepFilled_[m] = 0;
  // The price of the oldest open child; none open (every child being cancelled) reads as no resting price.
  Tick restingPrice = kNoBid;
  const Lots resting = restingLots(m, &restingPrice);
  const bool priced = restingPrice != kNoBid;
  double queueAhead = 0, levelLots = 0;
  // The queue place of the oldest open child (the one that fills first): the agent's own order state, which
  // the queue model keeps (exact on L3 data, modelled on L2), as a live venue's order updates would.
  int oldest = -1;
  for (int s = 0; s < kAgentSlots; ++s) {
    const AgentSlot& sl = mk.slot(s);
    if (sl.state == SlotState::kResting && !sl.closing && (oldest < 0 || ageOf(sl) < ageOf(mk.slot(oldest)))) oldest = s;
  }
  if (oldest >= 0) {
    queueAhead = static_cast<double>(std::max<Lots>(0, mk.queueAhead(oldest)));
    levelLots = static_cast<double>(mk.book().depthAt(mk.slot(oldest).side, mk.slot(oldest).price));
  }
  if (reset) t.features.reset();
  FeatureInputs in;
  in.side = spec_.side;
  in.parentLots = static_cast<double>(spec_.parentLots);
  in.remainingLots = static_cast<double>(t.remaining);
  in.elapsedSteps = t.elapsed;
  in.horizonSteps = spec_.horizonSteps;
  in.arrivalMidTicks = t.arrivalMid;
  in.bid = top.bid, in.ask = top.ask, in.bidQty = top.bidQty, in.askQty = top.askQty;
  in.bidDepth5 = top.bidDepth5, in.askDepth5 = top.askDepth5;
  // Trades and top updates since the last decision, as the feed delivered them up to the snapshot.
  in.stepBuyLots = reset ? 0 : t.feed.observedBuyLots();
  in.stepSellLots = reset ? 0 : t.feed.observedSellLots();
  in.orderFlowImbalance = reset ? 0 : t.feed.observedOrderFlowImbalance();
  in.restingLots = priced ? static_cast<double>(resting) : 0.0;
  in.restingPrice = priced ? restingPrice : 0;
  in.queueAheadLots = queueAhead;
  in.levelLots = levelLots;
  computeFeatures(in, t.features, io.observations + static_cast<size_t>(m) * kFeatureCount);

  io.rewards[m] = reward;
  io.terminated[m] = !reset && t.ended ? 1 : 0;
  io.resetMask[m] = reset ? 1 : 0;
  io.incomplete[m] = t.incomplete ? 1 : 0;
  io.episodeCostBps[m] = t.costBps;
  io.cash[m] = mk.cash();
  io.episodeIndex[m] = static_cast<int32_t>(t.episode);
  io.side[m] = spec_.side;
  io.parentLots[m] = static_cast<double>(spec_.parentLots);
  io.remainingLots[m] = static_cast<double>(t.remaining);
  io.filledLots[m] = static_cast<double>(t.filled);
  io.elapsedSteps[m] = static_cast<int32_t>(t.elapsed);
  io.horizonSteps[m] = static_cast<int32_t>(spec_.horizonSteps);
  io.scheduleRemainingLots[m] = static_cast<double>(spec_.parentLots) * (spec_.horizonSteps - t.elapsed) / spec_.horizonSteps;
  io.arrivalMidTicks[m] = t.arrivalMid;
  io.episodeStartNs[m] = static_cast<double>(t.startNs);
  io.bestBidTicks[m] = top.bid == kNoBid ? NAN : static_cast<double>(top.bid);
  io.bestAskTicks[m] = top.ask == kNoAsk ? NAN : static_cast<double>(top.ask);
  io.bidQtyLots[m] = static_cast<double>(top.bidQty);
  io.askQtyLots[m] = static_cast<double>(top.askQty);
  io.stepFilledLots[m] = static_cast<double>(stepFilled_[m]);
  io.stepMarketVolumeLots[m] = static_cast<double>(in.stepBuyLots + in.stepSellLots);
  io.episodeMarketVolumeLots[m] = static_cast<double>(buy + sell - t.episodeStartVolume);
  io.restingLots[m] = static_cast<double>(resting);
  io.restingPriceTicks[m] = priced ? static_cast<double>(restingPrice) : NAN;
  // The episode's account, for evaluation (the market is reset with the episode, so its counters are the episode's).
  io.episodeFeesBps[m] = t.fees / t.notional * 1e4;
  io.episodeMakerLots[m] = static_cast<double>(t.makerLots);
  io.episodePlacedLots[m] = static_cast<double>(mk.placedLots());
  io.episodeFillPriceTicks[m] = t.filled > 0 ? t.fillNotionalTicks / static_cast<double>(t.filled) : NAN;
  io.episodeEffectiveSpreadBps[m] = t.effectiveLots > 0 ? t.effectiveSpread / static_cast<double>(t.effectiveLots) * 1e4 : NAN;
  const Markouts& marked = mk.markouts();
  io.episodeRealisedSpreadBps[m] = marked.lots > 0 ? marked.weightedSpread / static_cast<double>(marked.lots) * 1e4 : NAN;
  const Lots others = mk.marketBuyLots() + mk.marketSellLots();
  io.episodeMarketVwapTicks[m] = others > 0 ? mk.marketNotionalTicks() / static_cast<double>(others) : NAN;
}

void ExecutionBatch::takeSideDepth(uint32_t levels, double* out) const {
  const Side take = opposite(spec_.side);
  const Tick none = take == kBid ? kNoBid : kNoAsk;
  for (uint32_t m = 0; m < markets(); ++m) {
    const Book& book = markets_[m]->book();
    double* row = out + static_cast<size_t>(m) * levels * 2;
    Tick p = take == kBid ? book.bestBid() : book.bestAsk();
    for (uint32_t k = 0; k < levels; ++k) {
      if (p == none) {
        row[2 * k] = NAN, row[2 * k + 1] = 0;
        continue;
      }
      row[2 * k] = static_cast<double>(p);
      row[2 * k + 1] = static_cast<double>(book.depthAt(take, p));
      p = book.nextLevel(take, p);
    }
  }
}

}  // namespace tranche
