#include "op_stream.h"

namespace tranche {

namespace {
// True for a double holding an integer in ±2^53; NaN and infinities fail the range test first.
inline bool whole(double x) {
  return x >= -9007199254740992.0 && x <= 9007199254740992.0 && static_cast<double>(static_cast<int64_t>(x)) == x;
}
}  // namespace

OpStats applyOps(Book& book, const OpStream& ops, OpOutputs* out) {
  OpStats st;
  for (size_t i = 0; i < ops.n; ++i) {
    const uint8_t kind = ops.kind[i];
    const double idD = ops.id[i], priceD = ops.priceTicks[i], qtyD = ops.qtyLots[i];
    const char* bad = nullptr;
    if (kind > 5) bad = "kind";
    else if (ops.side[i] > 1 && kind != 4 && kind != 5) bad = "side";
    else if (!whole(idD) || idD < 0 || (kind <= 2 && idD == 0)) bad = "id";
    else if (kind <= 2 && !whole(priceD)) bad = "priceTicks";
    else if (kind != 4 && !(whole(qtyD) && qtyD > 0)) bad = "qtyLots";
    if (bad) {
      st.badIndex = static_cast<long long>(i);
      st.badField = bad;
      return st;
    }
    const OrderId id = static_cast<OrderId>(idD);
    const Side side = static_cast<Side>(ops.side[i]);
    const Lots qty = static_cast<Lots>(qtyD);
    Status s;
    switch (static_cast<OpKind>(kind)) {
      case OpKind::kLimitGtc: s = book.limit(id, side, static_cast<Tick>(priceD), qty, Tif::kGtc, nullptr); break;
      case OpKind::kLimitIoc: s = book.limit(id, side, static_cast<Tick>(priceD), qty, Tif::kIoc, nullptr); break;
      case OpKind::kLimitPostOnly:
        s = book.limit(id, side, static_cast<Tick>(priceD), qty, Tif::kPostOnly, nullptr);
        break;
      case OpKind::kMarket: s = book.market(id, side, qty, nullptr); break;
      case OpKind::kCancel: s = book.cancel(id); break;
      default: s = book.reduce(id, qty); break;
    }
    if (s != Status::kOk) ++st.refused;
    if (out && out->status) out->status[i] = static_cast<int32_t>(s);
    const auto& trades = book.trades();
    if (!trades.empty()) {
      for (const Trade& t : trades) {
        st.tradedQty += t.qty;
        if (out && out->tradeCount < out->tradeCapacity) {
          const size_t k = out->tradeCount;
          out->tradeMaker[k] = static_cast<double>(t.maker);
          out->tradeTaker[k] = static_cast<double>(t.taker);
          out->tradePrice[k] = static_cast<double>(t.price);
          out->tradeQty[k] = static_cast<double>(t.qty);
          out->tradeAggressor[k] = t.aggressor;
        }
        if (out) ++out->tradeCount;
      }
      st.trades += trades.size();
      book.clearTrades();
    }
    ++st.applied;
  }
  return st;
}

}  // namespace tranche
