#include "batch.h"

#include <cmath>
#include <sstream>

namespace tranche {

namespace {
bool isWholeNumber(double x) { return std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 9.007199254740992e15; }
}  // namespace

Batch::Batch(const BatchShape& shape, const MarketConfig& cfg, const FlowFactory& flows) : shape_(shape) {
  markets_.reserve(shape.markets);
  for (uint32_t i = 0; i < shape.markets; ++i) markets_.push_back(std::make_unique<Market>(cfg, flows(i)));
}

size_t Batch::bytesReserved() const {
  size_t b = 0;
  for (const auto& m : markets_) b += m->bytesReserved();
  return b;
}

void Batch::reset(uint64_t seed, TsNs startNs) {
  for (uint32_t i = 0; i < shape_.markets; ++i) markets_[i]->reset(mixSeed(seed, i), startNs);
}

void Batch::reset(uint64_t seed, const TsNs* startsNs) {
  for (uint32_t i = 0; i < shape_.markets; ++i) markets_[i]->reset(mixSeed(seed, i), startsNs[i]);
}

bool Batch::validate(const BatchIO& io, std::string* error) const {
  const size_t n = static_cast<size_t>(shape_.markets) * shape_.commandsPerMarket;
  for (size_t k = 0; k < n; ++k) {
    const uint8_t kind = io.cmdKind[k];
    if (kind == 0) continue;
    const char* bad = nullptr;
    if (kind > 3) bad = "cmdKind must be 0 (none), 1 (limit), 2 (market) or 3 (cancel)";
    else if (io.cmdSlot[k] >= kAgentSlots) bad = "cmdSlot must be below 8";
    else if (kind != 3 && io.cmdSide[k] > 1) bad = "cmdSide must be 0 (buy) or 1 (sell)";
    else if (kind != 3 && !(isWholeNumber(io.cmdQtyLots[k]) && io.cmdQtyLots[k] > 0))
      bad = "cmdQtyLots must be a positive whole number of lots";
    else if (kind == 1 && !isWholeNumber(io.cmdPriceTicks[k]))
      bad = "cmdPriceTicks must be a whole number of ticks (the price is off the tick grid)";
    else if (kind == 1 && io.cmdTif[k] > 2) bad = "cmdTif must be 0 (GTC), 1 (IOC) or 2 (post-only)";
    if (bad) {
      std::ostringstream os;
      os << bad << ": market " << k / shape_.commandsPerMarket << ", command " << k % shape_.commandsPerMarket
         << " has kind " << int(kind) << ", side " << int(io.cmdSide[k]) << ", price " << io.cmdPriceTicks[k]
         << ", qty " << io.cmdQtyLots[k];
      *error = os.str();
      return false;
    }
  }
  return true;
}

bool Batch::step(const BatchIO& io, TsNs dtNs, std::string* error) {
  if (!validate(io, error)) return false;
  const uint32_t C = shape_.commandsPerMarket;
  for (uint32_t m = 0; m < shape_.markets; ++m) {
    Market& mk = *markets_[m];
    mk.drainFills();
    for (uint32_t c = 0; c < C; ++c) {
      const size_t k = static_cast<size_t>(m) * C + c;
      AgentCommand cmd;
      cmd.kind = static_cast<AgentCommandKind>(io.cmdKind[k]);
      cmd.side = static_cast<Side>(io.cmdSide[k]);
      cmd.tif = static_cast<Tif>(io.cmdTif[k]);
      cmd.slot = io.cmdSlot[k];
      cmd.price = static_cast<Tick>(io.cmdPriceTicks[k]);
      cmd.qty = static_cast<Lots>(io.cmdQtyLots[k]);
      io.cmdStatus[k] = static_cast<int32_t>(mk.submit(cmd));
    }
    mk.advanceTo(mk.now() + dtNs);
    writeOutputs(io, m);
  }
  return true;
}

void Batch::writeOutputs(const BatchIO& io, uint32_t m) {
  Market& mk = *markets_[m];
  const TopOfBook top = mk.observe();
  io.bestBid[m] = top.bid == kNoBid ? NAN : static_cast<double>(top.bid);
  io.bestAsk[m] = top.ask == kNoAsk ? NAN : static_cast<double>(top.ask);
  io.bidQty[m] = static_cast<double>(top.bidQty);
  io.askQty[m] = static_cast<double>(top.askQty);
  io.positionLots[m] = static_cast<double>(mk.positionLots());
  io.cash[m] = mk.cash();
  io.feesPaid[m] = mk.feesPaid();
  for (int s = 0; s < kAgentSlots; ++s) {
    const size_t k = static_cast<size_t>(m) * kAgentSlots + s;
    const AgentSlot& sl = mk.slot(s);
    io.slotState[k] = static_cast<int8_t>(sl.state);
    io.slotPriceTicks[k] = static_cast<double>(sl.price);
    io.slotFilledLots[k] = static_cast<double>(sl.filled);
    io.slotRemainingLots[k] = sl.state == SlotState::kResting || sl.state == SlotState::kInFlight
                                  ? static_cast<double>(sl.qty - sl.filled) : 0.0;
    io.slotQueueAheadLots[k] = static_cast<double>(mk.queueAhead(s));
    io.slotReject[k] = static_cast<int32_t>(sl.reject);
  }
  const auto& fills = mk.fills();
  const uint32_t F = shape_.fillsPerMarket;
  io.fillCount[m] = static_cast<int32_t>(fills.size());
  for (size_t f = 0; f < fills.size() && f < F; ++f) {
    const size_t k = static_cast<size_t>(m) * F + f;
    io.fillPriceTicks[k] = static_cast<double>(fills[f].price);
    io.fillQtyLots[k] = static_cast<double>(fills[f].qty);
    io.fillFee[k] = fills[f].fee;
    io.fillSlot[k] = fills[f].slot;
    io.fillMaker[k] = fills[f].maker ? 1 : 0;
    io.fillSide[k] = fills[f].side;
    io.fillTsNs[k] = static_cast<double>(fills[f].tsNs);
  }
}

}  // namespace tranche
