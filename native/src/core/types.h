// Plain value types shared by the core: integer ticks and lots, nanosecond clocks, order sides.
#pragma once

#include <cstdint>
#include <limits>

namespace tranche {

using Tick = int64_t;     // price in integer ticks
using Lots = int64_t;     // quantity in integer lots
using OrderId = uint64_t; // 0 is never a valid order id
using TsNs = int64_t;     // nanoseconds

enum Side : uint8_t { kBid = 0, kAsk = 1 };
inline Side opposite(Side s) { return static_cast<Side>(s ^ 1); }

enum class Tif : uint8_t {
  kGtc = 0,      // rests until cancelled
  kIoc = 1,      // immediate-or-cancel: the unfilled remainder is cancelled
  kPostOnly = 2, // rejected whole if any part would take liquidity
};

constexpr Tick kNoBid = std::numeric_limits<Tick>::min();
constexpr Tick kNoAsk = std::numeric_limits<Tick>::max();
constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();

// One execution: a resting (maker) order met an incoming (taker) order at the maker's price.
struct Trade {
  OrderId maker;
  OrderId taker;
  Tick price;
  Lots qty;
  Side aggressor; // side of the taker
};

// Result codes crossing every layer; the binding turns them into Errors whose message names the cause.
enum class Status : int32_t {
  kOk = 0,
  kUnknownOrder = 1,        // cancel/reduce of an id that is not resting
  kDuplicateId = 2,         // a new order reused the id of a resting order
  kPostOnlyWouldCross = 3,  // post-only order rejected: it would have taken liquidity
  kInvalidQty = 4,          // quantity not a positive integer
  kInvalidPrice = 5,        // price beyond ±2^60 ticks
  kInvalidId = 6,           // order id 0
  kPriceOutOfRange = 7,     // the price is further from the book than the level window may span
  kSlotBusy = 8,            // an agent order slot already holds a live order
  kTooLateToCancel = 9,     // the agent's cancel arrived after its order had filled or gone
};

const char* statusName(Status s);

} // namespace tranche
