// N independent markets stepped in one call, reading and writing caller-owned arrays (market-major).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "market.h"

namespace tranche {

// Pointers into caller-owned typed arrays. C = commands per market per step, S = kAgentSlots,
// F = fills reported per market per step. Prices and quantities travel as doubles holding integers.
struct BatchIO {
  // inputs [N*C]
  const uint8_t* cmdKind;
  const uint8_t* cmdSide;
  const uint8_t* cmdTif;
  const uint8_t* cmdSlot;
  const double* cmdPriceTicks;
  const double* cmdQtyLots;
  // outputs [N*C]
  int32_t* cmdStatus;
  // outputs [N]
  double* bestBid;   // NaN when the side is empty
  double* bestAsk;
  double* bidQty;
  double* askQty;
  double* positionLots;
  double* cash;
  double* feesPaid;
  int32_t* fillCount;  // fills this step; more than F means only the first F were written
  // outputs [N*S]
  int8_t* slotState;
  double* slotPriceTicks;
  double* slotFilledLots;
  double* slotRemainingLots;
  double* slotQueueAheadLots;  // -1 unless resting
  int32_t* slotReject;
  // outputs [N*F]
  double* fillPriceTicks;
  double* fillQtyLots;
  double* fillFee;
  uint8_t* fillSlot;
  uint8_t* fillMaker;
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
