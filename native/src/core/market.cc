// Event loop of one market: background flow and delayed agent commands, merged in time order.
#include "market.h"

#include <algorithm>
#include <cmath>

namespace tranche {

namespace {
constexpr size_t kHistory = 1024;
constexpr TsNs kNever = std::numeric_limits<TsNs>::max();
}  // namespace

Market::Market(const MarketConfig& cfg, std::unique_ptr<Flow> flow)
    : cfg_(cfg),
      book_(cfg.book),
      flow_(std::move(flow)),
      entryLatency_(makeLatency(cfg.entryLatency)),
      mdLatency_(makeLatency(cfg.marketDataLatency)),
      pending_(64),
      history_(kHistory) {
  fills_.reserve(64);
  markoutQueue_.reserve(256);
}

size_t Market::bytesReserved() const {
  return sizeof(*this) + book_.bytesReserved() + pending_.capacity() * sizeof(Pending) +
         history_.capacity() * sizeof(TopOfBook) + fills_.capacity() * sizeof(AgentFill);
}

void Market::reset(uint64_t seed, TsNs startNs) {
  book_.clear();
  // Separate streams for flow and latency: changing the agent's latency must not change the market.
  latencyRng_.reseed(seed ^ 0xA5A5A5A55A5A5A5Aull);
  now_ = startNs;
  lastArrivalNs_ = startNs;
  pendingHead_ = pendingCount_ = 0;
  observationDue_ = false;
  for (uint16_t& p : pendingFor_) p = 0;
  for (AgentSlot& s : slots_) s = AgentSlot{};
  agentSeq_ = 0;
  historyHead_ = historyCount_ = 0;
  fills_.clear();
  position_ = 0;
  flowEvents_ = 0;
  otherLots_[0] = otherLots_[1] = tookFromAgent_[0] = tookFromAgent_[1] = 0;
  cash_ = fees_ = 0.0;
  otherNotional_ = tookFromAgentNotional_ = 0.0;
  placedLots_ = 0;
  markoutQueue_.clear();
  markoutHead_ = 0;
  markouts_ = Markouts{};
  if (flow_) flow_->reset(book_, startNs, seed);
  book_.clearTrades();
  recordTop();
}

Status Market::submit(const AgentCommand& cmd) {
  if (cmd.kind == AgentCommandKind::kNone) return Status::kOk;
  AgentSlot& s = slots_[cmd.slot];
  if ((cmd.kind == AgentCommandKind::kReduce || cmd.kind == AgentCommandKind::kReplace) && cmd.qty <= 0) return Status::kInvalidQty;
  if (cmd.kind == AgentCommandKind::kCancel || cmd.kind == AgentCommandKind::kReplace) s.closing = s.live();
  if (cmd.kind == AgentCommandKind::kReplace) s.reserved += cmd.reserve;
  if (cmd.kind == AgentCommandKind::kLimit || cmd.kind == AgentCommandKind::kMarket) {
    if (cmd.qty <= 0) return Status::kInvalidQty;
    if (!slotFree(cmd.slot)) return Status::kSlotBusy;
    s = AgentSlot{};
    s.id = kAgentIdBit | (static_cast<OrderId>(cmd.slot) << 48) | (++agentSeq_ & 0xFFFFFFFFFFFFull);
    s.state = SlotState::kInFlight;
    s.side = cmd.side;
    s.price = cmd.price;
    s.qty = cmd.qty;
  }
  if (pendingCount_ == pending_.size()) {
    // Rare: more commands in flight than the ring holds. Unroll it into a larger one.
    std::vector<Pending> grown(pending_.size() * 2);
    for (size_t i = 0; i < pendingCount_; ++i) grown[i] = pending_[(pendingHead_ + i) % pending_.size()];
    pending_.swap(grown);
    pendingHead_ = 0;
  }
  // A gateway delivers in order: a later message never overtakes an earlier one.
  const TsNs arrival = std::max(now_ + entryLatency_->sample(latencyRng_), lastArrivalNs_);
  lastArrivalNs_ = arrival;
  pending_[(pendingHead_ + pendingCount_) % pending_.size()] = Pending{arrival, cmd};
  ++pendingCount_;
  ++pendingFor_[cmd.slot];
  return Status::kOk;
}

void Market::advanceTo(TsNs tNs) {
  while (true) {
    const TsNs flowT = flow_ ? flow_->nextTime() : kNever;
    const TsNs agentT = pendingCount_ > 0 ? pending_[pendingHead_].arrivalNs : kNever;
    // Ties go to the agent's command: it was sent before the flow event was generated.
    const TsNs t = std::min(flowT, agentT);
    // The book as it stood at the scheduled instant is the book before the first event after it.
    if (observationDue_ && t > observeAtNs_) {
      observationDue_ = false;
      observed_ = snapshot();
      observed_.tsNs = observeAtNs_;
      if (feed_) feed_->observe();
    }
    if (markoutHead_ < markoutQueue_.size()) resolveMarkouts(t, tNs);
    if (t > tNs) break;
    now_ = t;
    {
      const Tick bid = book_.bestBid(), ask = book_.bestAsk();
      midBefore_ = bid != kNoBid && ask != kNoAsk ? 0.5 * (static_cast<double>(bid) + static_cast<double>(ask)) : NAN;
    }
    const Lots buyBefore = feed_ ? marketLots(kBid) : 0, sellBefore = feed_ ? marketLots(kAsk) : 0;
    if (agentT <= flowT) {
      const AgentCommand cmd = pending_[pendingHead_].cmd;
      pendingHead_ = (pendingHead_ + 1) % pending_.size();
      --pendingCount_;
      arrive(cmd);
    } else {
      flow_->step(book_);
      ++flowEvents_;
    }
    collectTrades();
    if (feed_) feedEvent(buyBefore, sellBefore);
    if (recordHistory_) recordTop();
  }
  now_ = tNs;
}

// The book as it stands before the event at `before` is the book at every instant since the last event: a
// markout due then (and not after `upTo`, where the caller may still act) reads its mid now.
void Market::resolveMarkouts(TsNs before, TsNs upTo) {
  const Tick bid = book_.bestBid(), ask = book_.bestAsk();
  const bool twoSided = bid != kNoBid && ask != kNoAsk;
  const double mid = 0.5 * (static_cast<double>(bid) + static_cast<double>(ask));
  while (markoutHead_ < markoutQueue_.size()) {
    const PendingMarkout& p = markoutQueue_[markoutHead_];
    if (p.dueNs >= before || p.dueNs > upTo) break;
    ++markoutHead_;
    // A one-sided book has no mid: that fill goes unmarked rather than marked against a made-up price.
    if (!twoSided || !(p.midAtFill > 0)) continue;
    const double s = p.side == kBid ? 1.0 : -1.0;
    markouts_.weightedSpread += static_cast<double>(p.qty) * 2.0 * s * (static_cast<double>(p.price) - mid) / p.midAtFill;
    markouts_.lots += p.qty;
  }
  if (markoutHead_ == markoutQueue_.size()) markoutQueue_.clear(), markoutHead_ = 0;
}

double Market::marketNotionalTicks() const {
  const double tape = flow_ ? flow_->tapeNotionalTicks() : 0.0;
  return otherNotional_ + std::max(0.0, tape - (tape > 0 ? tookFromAgentNotional_ : 0.0));
}

Lots Market::marketLots(Side aggressor) const {
  const Lots tape = flow_ ? flow_->tapeLots(aggressor) : 0;
  return otherLots_[aggressor] + std::max<Lots>(0, tape - (tape > 0 ? tookFromAgent_[aggressor] : 0));
}

void Market::flushCommands() {
  if (pendingCount_ == 0) return;
  advanceTo(lastArrivalNs_);
}

void Market::arrive(const AgentCommand& cmd) {
  handle(cmd);
  if (flow_) flow_->onAgentOrder(book_, now_);
}

void Market::handle(const AgentCommand& cmd) {
  AgentSlot& s = slots_[cmd.slot];
  --pendingFor_[cmd.slot];
  if (cmd.kind == AgentCommandKind::kCancel) {
    if (s.state != SlotState::kResting) return;  // filled or gone before the cancel arrived
    book_.cancel(s.id);
    s.state = SlotState::kCancelled;
    return;
  }
  if (cmd.kind == AgentCommandKind::kReplace) {
    s.reserved -= cmd.reserve;  // from here the reserve is in the new order, or released
    Lots left = 0;
    if (s.state == SlotState::kResting) {
      book_.cancel(s.id, &left);
      s.state = SlotState::kCancelled;
    }
    const Lots qty = std::min(cmd.qty, left + cmd.reserve);
    if (qty <= 0) return;  // the old order filled or went before the replace arrived: nothing to move
    s = AgentSlot{};
    s.id = kAgentIdBit | (static_cast<OrderId>(cmd.slot) << 48) | (++agentSeq_ & 0xFFFFFFFFFFFFull);
    s.side = cmd.side;
    s.price = cmd.price;
    s.qty = qty;
    AgentCommand next = cmd;
    next.kind = cmd.toMarket ? AgentCommandKind::kMarket : AgentCommandKind::kLimit;
    next.qty = qty;
    place(s, next);
    return;
  }
  if (cmd.kind == AgentCommandKind::kReduce) {
    if (s.state != SlotState::kResting) return;
    Lots left = 0;
    book_.reduce(s.id, cmd.qty, &left);
    // The order keeps its place with less size; reduced to nothing it is gone.
    s.qty -= std::min(cmd.qty, s.qty - s.filled);
    if (left <= 0) s.state = SlotState::kCancelled;
    return;
  }
  place(s, cmd);
}

void Market::place(AgentSlot& s, const AgentCommand& cmd) {
  OrderResult r;
  const Status st = cmd.kind == AgentCommandKind::kLimit
                        ? book_.limit(s.id, cmd.side, cmd.price, cmd.qty, cmd.tif, &r, /*track=*/true)
                        : book_.market(s.id, cmd.side, cmd.qty, &r);
  if (st != Status::kOk) {
    s.state = SlotState::kRejected;
    s.reject = st;
    return;
  }
  placedLots_ += cmd.qty;
  // Fills are booked by collectTrades(); here only the order's fate.
  s.state = r.resting > 0 ? SlotState::kResting : (r.cancelled > 0 ? SlotState::kCancelled : SlotState::kFilled);
}

void Market::collectTrades() {
  Lots took = 0;
  Side tookSide = kBid;
  for (const Trade& t : book_.trades()) {
    if (!isAgentId(t.taker)) {
      (isAgentId(t.maker) ? tookFromAgent_ : otherLots_)[t.aggressor] += t.qty;
      (isAgentId(t.maker) ? tookFromAgentNotional_ : otherNotional_) += static_cast<double>(t.price) * static_cast<double>(t.qty);
    }
    if (isAgentId(t.maker)) onAgentFill(t.maker, opposite(t.aggressor), t.price, t.qty, true);
    if (isAgentId(t.taker)) {
      onAgentFill(t.taker, t.aggressor, t.price, t.qty, false);
      if (flow_) flow_->onAgentTrade(book_, t);
      took += t.qty;
      tookSide = t.aggressor;
    }
  }
  // Impact follows the order's whole size, not its fills one by one (a concave law is not additive).
  if (took > 0 && flow_) flow_->onAgentTook(tookSide, took, now_);
  book_.clearTrades();
}

void Market::onAgentFill(OrderId id, Side side, Tick price, Lots qty, bool maker) {
  const int slot = agentSlotOf(id);
  AgentSlot& s = slots_[slot];
  s.filled += qty;
  if (maker && s.filled == s.qty) s.state = SlotState::kFilled;
  const double notional = cfg_.instrument.notional(price, qty);
  const double fee = cfg_.fees.fee(notional, maker);
  position_ += side == kBid ? qty : -qty;
  cash_ += (side == kBid ? -notional : notional) - fee;
  fees_ += fee;
  fills_.push_back(AgentFill{now_, price, qty, fee, static_cast<uint8_t>(slot), side, maker, midBefore_});
  if (markoutNs_ > 0) markoutQueue_.push_back(PendingMarkout{now_ + markoutNs_, price, qty, side, midBefore_});
}

void Market::recordTop() {
  const TopOfBook top = snapshot(/*fiveLevels=*/false);
  const size_t last = (historyHead_ + historyCount_ + kHistory - 1) % kHistory;
  if (historyCount_ > 0 && history_[last].tsNs == now_) {
    history_[last] = top;  // same instant: keep only the state after the last event
    return;
  }
  if (historyCount_ < kHistory) {
    history_[(historyHead_ + historyCount_) % kHistory] = top;
    ++historyCount_;
  } else {
    history_[historyHead_] = top;
    historyHead_ = (historyHead_ + 1) % kHistory;
  }
}

TopOfBook Market::snapshot(bool fiveLevels) const {
  TopOfBook top;
  top.tsNs = now_;
  top.bid = book_.bestBid();
  top.ask = book_.bestAsk();
  top.bidQty = top.bid == kNoBid ? 0 : book_.depthAt(kBid, top.bid);
  top.askQty = top.ask == kNoAsk ? 0 : book_.depthAt(kAsk, top.ask);
  top.bidDepth5 = top.bidQty;
  top.askDepth5 = top.askQty;
  // The per-event history ring keeps the top only; a decision's observation adds depth and volume.
  if (!fiveLevels) return top;
  top.marketBuyLots = marketLots(kBid);
  top.marketSellLots = marketLots(kAsk);
  Tick p = top.bid;
  for (int k = 1; k < 5 && p != kNoBid && (p = book_.nextLevel(kBid, p)) != kNoBid; ++k) top.bidDepth5 += book_.depthAt(kBid, p);
  p = top.ask;
  for (int k = 1; k < 5 && p != kNoAsk && (p = book_.nextLevel(kAsk, p)) != kNoAsk; ++k) top.askDepth5 += book_.depthAt(kAsk, p);
  return top;
}

void Market::scheduleObservation(TsNs endNs, TsNs delayNs) {
  observeAtNs_ = std::max(now_, endNs - delayNs);
  observationDue_ = true;
}

TopOfBook Market::scheduledObservation() {
  if (observationDue_) {
    observationDue_ = false;
    observed_ = snapshot();
    if (feed_) feed_->observe();
  }
  return observed_;
}

void Market::feedEvent(Lots buyBefore, Lots sellBefore) {
  // Others' trades of this event (a replay's tape included), then the top it left.
  const Lots buy = marketLots(kBid) - buyBefore, sell = marketLots(kAsk) - sellBefore;
  if (buy > 0) feed_->onTrade(kBid, buy);
  if (sell > 0) feed_->onTrade(kAsk, sell);
  const Tick bid = book_.bestBid(), ask = book_.bestAsk();
  feed_->onTop(bid, bid == kNoBid ? 0 : book_.depthAt(kBid, bid), ask, ask == kNoAsk ? 0 : book_.depthAt(kAsk, ask));
}

TopOfBook Market::observe() {
  const TsNs seenAt = now_ - mdLatency_->sample(latencyRng_);
  // Newest snapshot not younger than the delayed instant; the oldest kept one if the delay outruns the ring.
  for (size_t k = historyCount_; k-- > 0;) {
    const TopOfBook& top = history_[(historyHead_ + k) % kHistory];
    if (top.tsNs <= seenAt) return top;
  }
  return history_[historyHead_];
}

Lots Market::queueAhead(int slot) const {
  Lots ahead = -1;
  if (slots_[slot].state == SlotState::kResting) book_.queueAhead(slots_[slot].id, &ahead);
  return ahead;
}

}  // namespace tranche
