#include "op_stream.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace tranche {

namespace {
constexpr size_t kBlock = 1024;
constexpr double kMaxWhole = 2251799813685248.0;  // 2^51
constexpr double kRound = 6755399441055744.0;     // 1.5 * 2^52: adding it rounds |x| < 2^51 to an integer

// True for a double holding an integer below 2^51 in magnitude; NaN fails the range test. Branch-free
// floating point only, so the block check below vectorises.
inline bool whole(double x) { return std::fabs(x) < kMaxWhole && (x + kRound) - kRound == x; }

inline bool whole(int64_t x) { return x > -(int64_t{1} << 60) && x < (int64_t{1} << 60); }

// The per-op test for integer columns: one branch, no calls.
template <typename V>
__attribute__((always_inline)) inline bool wellFormed64(const OpColumns<V>& ops, size_t i) {
  const unsigned kind = ops.kind[i];
  const int64_t id = static_cast<int64_t>(ops.id[i]), price = static_cast<int64_t>(ops.priceTicks[i]),
                qty = static_cast<int64_t>(ops.qtyLots[i]);
  const unsigned isLimit = kind <= 2;
  const unsigned bad = (kind > 5) | ((kind <= 3) & (ops.side[i] > 1)) | (id < static_cast<int64_t>(isLimit)) |
                       ((kind != 4) & (qty <= 0)) | (isLimit & ((price <= -(int64_t{1} << 60)) | (price >= (int64_t{1} << 60))));
  return bad == 0;
}

// 0 when op i is well formed, else which field is not.
template <typename V>
int malformed(const OpColumns<V>& ops, size_t i) {
  const uint8_t kind = ops.kind[i];
  const bool isLimit = kind <= 2, isCancel = kind == 4, needsSide = kind <= 3;
  const V id = ops.id[i], price = ops.priceTicks[i], qty = ops.qtyLots[i];
  if (kind > 5) return 1;
  if (needsSide && ops.side[i] > 1) return 2;
  if (!whole(id) || id < 0 || (isLimit && id == 0)) return 3;
  if (isLimit && !whole(price)) return 4;
  if (!isCancel && !(whole(qty) && qty > 0)) return 5;
  return 0;
}

// Same test without branches, for a whole block at once: one pass per column so each loop vectorises.
inline bool blockWellFormed(const OpStream& ops, size_t from, size_t to) {
  const uint8_t* kind = ops.kind + from;
  const uint8_t* side = ops.side + from;
  const double* id = ops.id + from;
  const double* price = ops.priceTicks + from;
  const double* qty = ops.qtyLots + from;
  const size_t n = to - from;
  unsigned bad = 0;
  for (size_t i = 0; i < n; ++i) bad |= (kind[i] > 5) | ((kind[i] <= 3) & (side[i] > 1));
  for (size_t i = 0; i < n; ++i) {
    const double x = id[i];
    bad |= !((std::fabs(x) < kMaxWhole) & ((x + kRound) - kRound == x) & (x >= 0.0));
  }
  for (size_t i = 0; i < n; ++i) {
    // Prices matter for limits only, quantities for all but cancels; others may hold anything finite.
    const double p = kind[i] <= 2 ? price[i] : 0.0;
    const double q = kind[i] == 4 ? 1.0 : qty[i];
    bad |= !((std::fabs(p) < kMaxWhole) & ((p + kRound) - kRound == p));
    bad |= !((std::fabs(q) < kMaxWhole) & ((q + kRound) - kRound == q) & (q > 0.0));
    bad |= (kind[i] <= 2) & (id[i] == 0.0);
  }
  return bad == 0;
}

const char* const kFieldNames[] = {nullptr, "kind", "side", "id", "priceTicks", "qtyLots"};

template <typename V>
// flatten: inline the whole book path into the loop, specialised per order type (measured +8 % over leaving
// it to the inliner, whose budget the rest of the addon changes).
__attribute__((flatten)) OpStats applyAll(Book& book, const OpColumns<V>& ops, OpOutputs* out) {
  // Integer columns are checked op by op (a few predictable compares); double columns a block at a
  // time before it runs, since their integrality test is dearer.
  constexpr bool kInline = std::is_same_v<V, int64_t>;
  OpStats st;
  for (size_t from = 0; from < ops.n; from += kBlock) {
    size_t to = std::min(ops.n, from + kBlock);
    bool wellFormed = true;
    if constexpr (!kInline) wellFormed = blockWellFormed(ops, from, to);
    if (!wellFormed) {
      for (size_t i = from; i < to; ++i) {
        if (malformed(ops, i)) {
          to = i;
          break;
        }
      }
    }
    for (size_t i = from; i < to; ++i) {
      if (kInline && __builtin_expect(!wellFormed64(ops, i), 0)) {
        to = i;
        break;
      }
      const OrderId id = static_cast<OrderId>(ops.id[i]);
      const Side side = static_cast<Side>(ops.side[i]);
      const Lots qty = static_cast<Lots>(ops.qtyLots[i]);
      Status s;
      switch (static_cast<OpKind>(ops.kind[i])) {
        case OpKind::kLimitGtc: s = book.limit(id, side, static_cast<Tick>(ops.priceTicks[i]), qty, Tif::kGtc, nullptr); break;
        case OpKind::kLimitIoc: s = book.limit(id, side, static_cast<Tick>(ops.priceTicks[i]), qty, Tif::kIoc, nullptr); break;
        case OpKind::kLimitPostOnly:
          s = book.limit(id, side, static_cast<Tick>(ops.priceTicks[i]), qty, Tif::kPostOnly, nullptr);
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
    }
    st.applied += to - from;
    if (to < std::min(ops.n, from + kBlock)) {
      const int f = malformed(ops, to);
      st.badIndex = static_cast<long long>(to);
      st.badField = kFieldNames[f];
      break;
    }
  }
  return st;
}

}  // namespace

OpStats applyOps(Book& book, const OpStream& ops, OpOutputs* out) { return applyAll(book, ops, out); }
OpStats applyOps(Book& book, const OpStream64& ops, OpOutputs* out) { return applyAll(book, ops, out); }

}  // namespace tranche
