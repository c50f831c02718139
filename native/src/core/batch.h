// N independent markets stepped in one call, reading and writing caller-owned arrays (market-major).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "market.h"

namespace tranche {

// Caller-owned typed arrays the batch reads commands from and writes outputs into, declared once: the struct,
// the binding's checks (batch_wrap.cc) and the table native/batch.ts compares its own with at load follow from
// this list. X(name, element type, elements per market): C commands, S = kAgentSlots slots, F fills, or One.
// Prices and quantities travel as doubles holding integers.
#define TRANCHE_BATCH_IO(X)                                                                        \
  X(cmdKind, uint8_t, C)                                                                           \
  X(cmdSide, uint8_t, C)                                                                           \
  X(cmdTif, uint8_t, C)                                                                            \
  X(cmdSlot, uint8_t, C)                                                                           \
  X(cmdPriceTicks, double, C)                                                                      \
  X(cmdQtyLots, double, C)                                                                         \
  X(cmdStatus, int32_t, C)          /* output: the Status of each command at submission */        \
  X(bestBid, double, One)           /* NaN when the side is empty */                               \
  X(bestAsk, double, One)                                                                          \
  X(bidQty, double, One)                                                                           \
  X(askQty, double, One)                                                                           \
  X(positionLots, double, One)                                                                     \
  X(cash, double, One)                                                                             \
  X(feesPaid, double, One)                                                                         \
  X(fillCount, int32_t, One)        /* fills this step; more than F means only the first F written */ \
  X(slotState, int8_t, S)                                                                          \
  X(slotPriceTicks, double, S)                                                                     \
  X(slotFilledLots, double, S)                                                                     \
  X(slotRemainingLots, double, S)                                                                  \
  X(slotQueueAheadLots, double, S)  /* -1 unless resting */                                        \
  X(slotReject, int32_t, S)                                                                        \
  X(fillPriceTicks, double, F)                                                                     \
  X(fillQtyLots, double, F)                                                                        \
  X(fillFee, double, F)                                                                            \
  X(fillSlot, uint8_t, F)                                                                          \
  X(fillMaker, uint8_t, F)                                                                         \
  X(fillSide, uint8_t, F)           /* the agent's side in the fill: 0 bought, 1 sold */           \
  X(fillTsNs, double, F)            /* when it filled, ns on the market's clock */

struct BatchIO {
#define TRANCHE_IO_FIELD(name, type, perMarket) type* name;
  TRANCHE_BATCH_IO(TRANCHE_IO_FIELD)
#undef TRANCHE_IO_FIELD
};

struct BatchShape {
  uint32_t markets = 1;
  uint32_t commandsPerMarket = 4;
  uint32_t fillsPerMarket = 16;
};

class Batch {
 public:
  using FlowFactory = std::function<std::unique_ptr<Flow>(uint32_t market)>;
  Batch(const BatchShape& shape, const MarketConfig& cfg, const FlowFactory& flows);

  // Market i restarts with seed mixed from (seed, i), so markets are independent yet reproducible.
  void reset(uint64_t seed, TsNs startNs);
  // As reset, with market i starting at startsNs[i] (episodes at different points of one replayed day).
  void reset(uint64_t seed, const TsNs* startsNs);
  // Applies the commands, advances every market by dtNs, writes the outputs. On a malformed command
  // nothing is applied and false is returned with the reason in `error`.
  bool step(const BatchIO& io, TsNs dtNs, std::string* error);

  const BatchShape& shape() const { return shape_; }
  Market& market(uint32_t i) { return *markets_[i]; }
  size_t bytesReserved() const;

 private:
  bool validate(const BatchIO& io, std::string* error) const;
  void writeOutputs(const BatchIO& io, uint32_t m);

  BatchShape shape_;
  std::vector<std::unique_ptr<Market>> markets_;
};

}  // namespace tranche
