// A stream of book operations in columns, applied in one pass: the bulk path for benchmarks and tests.
#pragma once

#include <cstddef>

#include "book.h"

namespace tranche {

enum class OpKind : uint8_t {
  kLimitGtc = 0,
  kLimitIoc = 1,
  kLimitPostOnly = 2,
  kMarket = 3,
  kCancel = 4,
  kReduce = 5,  // qty = amount to remove
};

// Columns of equal length n. Ids, prices and quantities come either as int64 (Arrow's own columns,
// BigInt64Array in JS) or as doubles holding integers below 2^51 (checked, at some cost).
template <typename V>
struct OpColumns {
  const uint8_t* kind;
  const uint8_t* side;
  const V* id;
  const V* priceTicks;
  const V* qtyLots;
  size_t n;
};
using OpStream = OpColumns<double>;
using OpStream64 = OpColumns<int64_t>;

// Optional outputs: every trade (up to capacity; `count` may exceed it) and every op's Status.
struct OpOutputs {
  double* tradeMaker = nullptr;
  double* tradeTaker = nullptr;
  double* tradePrice = nullptr;
  double* tradeQty = nullptr;
  uint8_t* tradeAggressor = nullptr;
  size_t tradeCapacity = 0;
  size_t tradeCount = 0;
  int32_t* status = nullptr;  // [n]
};

struct OpStats {
  size_t applied = 0;       // ops processed
  size_t trades = 0;
  size_t refused = 0;       // ops the book refused (unknown id, post-only cross, ...)
  Lots tradedQty = 0;
  long long badIndex = -1;  // first malformed op (NaN, fraction, out of range): nothing after it ran
  const char* badField = nullptr;
};

OpStats applyOps(Book& book, const OpStream& ops, OpOutputs* out);
OpStats applyOps(Book& book, const OpStream64& ops, OpOutputs* out);

}  // namespace tranche
