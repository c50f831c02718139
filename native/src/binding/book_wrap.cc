#include "book_wrap.h"

#include <string>

#include "../core/op_stream.h"
#include "args.h"

namespace tranche::binding {

namespace {
BookConfig bookConfigFrom(const Napi::Value& v) {
  BookConfig cfg;
  if (v.IsObject()) {
    const Napi::Object o = v.As<Napi::Object>();
    cfg.initialLevels = static_cast<uint32_t>(numberOr(o, "initialLevels", cfg.initialLevels));
    cfg.maxLevels = static_cast<uint32_t>(numberOr(o, "maxLevels", cfg.maxLevels));
    cfg.orderCapacity = static_cast<uint32_t>(numberOr(o, "orderCapacity", cfg.orderCapacity));
  }
  return cfg;
}
Napi::Value tickOrNull(Napi::Env env, Tick p) {
  if (p == kNoBid || p == kNoAsk) return env.Null();
  return Napi::Number::New(env, static_cast<double>(p));
}
// Order results travel as [status, filled, resting, cancelled].
Napi::Value resultArray(Napi::Env env, Status s, const OrderResult& r) {
  Napi::Array a = Napi::Array::New(env, 4);
  a.Set(0u, Napi::Number::New(env, static_cast<int>(s)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(r.filled)));
  a.Set(2u, Napi::Number::New(env, static_cast<double>(r.resting)));
  a.Set(3u, Napi::Number::New(env, static_cast<double>(r.cancelled)));
  return a;
}
Side sideArg(const Napi::Value& v) {
  const int64_t s = intArg(v, "side");
  if (s != 0 && s != 1) throw Napi::RangeError::New(v.Env(), "side must be 0 (bid/buy) or 1 (ask/sell)");
  return static_cast<Side>(s);
}
}  // namespace

Napi::Function BookWrap::Init(Napi::Env env) {
  return DefineClass(env, "NativeBook",
                     {
                         InstanceMethod<&BookWrap::Limit>("limit"),
                         InstanceMethod<&BookWrap::Market>("market"),
                         InstanceMethod<&BookWrap::Cancel>("cancel"),
                         InstanceMethod<&BookWrap::Reduce>("reduce"),
                         InstanceMethod<&BookWrap::InsertResting>("insertResting"),
                         InstanceMethod<&BookWrap::Clear>("clear"),
                         InstanceMethod<&BookWrap::TakeTrades>("takeTrades"),
                         InstanceMethod<&BookWrap::BestBid>("bestBid"),
                         InstanceMethod<&BookWrap::BestAsk>("bestAsk"),
                         InstanceMethod<&BookWrap::DepthAt>("depthAt"),
                         InstanceMethod<&BookWrap::TopLevels>("topLevels"),
                         InstanceMethod<&BookWrap::QueueAhead>("queueAhead"),
                         InstanceMethod<&BookWrap::OrderInfo>("order"),
                         InstanceMethod<&BookWrap::Totals>("totals"),
                         InstanceMethod<&BookWrap::CheckInvariants>("checkInvariants"),
                         InstanceMethod<&BookWrap::ApplyOps>("applyOps"),
                         InstanceMethod<&BookWrap::BytesReserved>("bytesReserved"),
                     });
}

BookWrap::BookWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<BookWrap>(info), book_(bookConfigFrom(info[0])) {}

// limit(id, side, priceTicks, qtyLots, tif, track) -> [status, filled, resting, cancelled]
Napi::Value BookWrap::Limit(const Napi::CallbackInfo& info) {
  const int64_t tif = intArg(info[4], "tif");
  if (tif < 0 || tif > 2) throw Napi::RangeError::New(info.Env(), "tif must be 0 (GTC), 1 (IOC) or 2 (post-only)");
  OrderResult r;
  const Status s = book_.limit(static_cast<OrderId>(intArg(info[0], "id")), sideArg(info[1]), intArg(info[2], "priceTicks"),
                               intArg(info[3], "qtyLots"), static_cast<Tif>(tif), &r, info[5].ToBoolean());
  return resultArray(info.Env(), s, r);
}

Napi::Value BookWrap::Market(const Napi::CallbackInfo& info) {
  OrderResult r;
  const Status s = book_.market(static_cast<OrderId>(intArg(info[0], "id")), sideArg(info[1]), intArg(info[2], "qtyLots"), &r);
  return resultArray(info.Env(), s, r);
}

// cancel(id) -> [status, cancelledQty]
Napi::Value BookWrap::Cancel(const Napi::CallbackInfo& info) {
  Lots q = 0;
  const Status s = book_.cancel(static_cast<OrderId>(intArg(info[0], "id")), &q);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<int>(s)));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(q)));
  return a;
}

// reduce(id, by) -> [status, remainingQty]
Napi::Value BookWrap::Reduce(const Napi::CallbackInfo& info) {
  Lots left = 0;
  const Status s = book_.reduce(static_cast<OrderId>(intArg(info[0], "id")), intArg(info[1], "qtyLots"), &left);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<int>(s)));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(left)));
  return a;
}

Napi::Value BookWrap::InsertResting(const Napi::CallbackInfo& info) {
  const Status s = book_.insertResting(static_cast<OrderId>(intArg(info[0], "id")), sideArg(info[1]),
                                       intArg(info[2], "priceTicks"), intArg(info[3], "qtyLots"), info[4].ToBoolean());
  return Napi::Number::New(info.Env(), static_cast<int>(s));
}

Napi::Value BookWrap::Clear(const Napi::CallbackInfo& info) {
  book_.clear();
  return info.Env().Undefined();
}

// takeTrades() -> flat [maker, taker, price, qty, aggressor, ...]; clears the book's trade list.
Napi::Value BookWrap::TakeTrades(const Napi::CallbackInfo& info) {
  const auto& trades = book_.trades();
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), trades.size() * 5);
  for (size_t i = 0; i < trades.size(); ++i) {
    out[i * 5 + 0] = static_cast<double>(trades[i].maker);
    out[i * 5 + 1] = static_cast<double>(trades[i].taker);
    out[i * 5 + 2] = static_cast<double>(trades[i].price);
    out[i * 5 + 3] = static_cast<double>(trades[i].qty);
    out[i * 5 + 4] = trades[i].aggressor;
  }
  book_.clearTrades();
  return out;
}

Napi::Value BookWrap::BestBid(const Napi::CallbackInfo& info) { return tickOrNull(info.Env(), book_.bestBid()); }
Napi::Value BookWrap::BestAsk(const Napi::CallbackInfo& info) { return tickOrNull(info.Env(), book_.bestAsk()); }

Napi::Value BookWrap::DepthAt(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(book_.depthAt(sideArg(info[0]), intArg(info[1], "priceTicks"))));
}

// topLevels(side, n, prices: Float64Array, qtys: Float64Array) -> levels written
Napi::Value BookWrap::TopLevels(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info[1], "levels");
  double* prices = arrayArg<double>(info[2], "prices", static_cast<size_t>(n));
  double* qtys = arrayArg<double>(info[3], "qtys", static_cast<size_t>(n));
  const Side side = sideArg(info[0]);
  int k = 0;
  for (Tick p = side == kBid ? book_.bestBid() : book_.bestAsk(); k < n && p != kNoBid && p != kNoAsk;
       p = book_.nextLevel(side, p), ++k) {
    prices[k] = static_cast<double>(p);
    qtys[k] = static_cast<double>(book_.depthAt(side, p));
  }
  return Napi::Number::New(info.Env(), k);
}

Napi::Value BookWrap::QueueAhead(const Napi::CallbackInfo& info) {
  Lots ahead = 0;
  if (!book_.queueAhead(static_cast<OrderId>(intArg(info[0], "id")), &ahead)) return info.Env().Null();
  return Napi::Number::New(info.Env(), static_cast<double>(ahead));
}

// order(id) -> [side, priceTicks, qtyLots] or null
Napi::Value BookWrap::OrderInfo(const Napi::CallbackInfo& info) {
  const RestingOrder* o = book_.find(static_cast<OrderId>(intArg(info[0], "id")));
  if (!o) return info.Env().Null();
  Napi::Array a = Napi::Array::New(info.Env(), 3);
  a.Set(0u, Napi::Number::New(info.Env(), o->side));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(o->price)));
  a.Set(2u, Napi::Number::New(info.Env(), static_cast<double>(o->qty)));
  return a;
}

// totals() -> [added, traded, cancelled, resting, orders]
Napi::Value BookWrap::Totals(const Napi::CallbackInfo& info) {
  const BookTotals& t = book_.totals();
  Napi::Array a = Napi::Array::New(info.Env(), 5);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(t.added)));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(t.traded)));
  a.Set(2u, Napi::Number::New(info.Env(), static_cast<double>(t.cancelled)));
  a.Set(3u, Napi::Number::New(info.Env(), static_cast<double>(book_.restingQty())));
  a.Set(4u, Napi::Number::New(info.Env(), book_.orderCount()));
  return a;
}

Napi::Value BookWrap::CheckInvariants(const Napi::CallbackInfo& info) {
  std::string why;
  if (book_.checkInvariants(&why)) return info.Env().Null();
  return Napi::String::New(info.Env(), why);
}

// applyOps(kind, side, id, priceTicks, qtyLots, outputs?) -> [applied, trades, refused, tradedQty, badIndex, badField]
// outputs: {status?: Int32Array, tradeMaker, tradeTaker, tradePrice, tradeQty: Float64Array, tradeAggressor: Uint8Array}
Napi::Value BookWrap::ApplyOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "kind must be a Uint8Array");
  const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
  // Integer columns (BigInt64Array, as Arrow stores them) skip the integrality check doubles need.
  const bool int64 = info[2].IsTypedArray() && info[2].As<Napi::TypedArray>().TypedArrayType() == napi_bigint64_array;
  const uint8_t* kind = arrayArg<uint8_t>(info[0], "kind", n);
  const uint8_t* side = arrayArg<uint8_t>(info[1], "side", n);
  OpOutputs out;
  OpOutputs* outPtr = nullptr;
  if (info.Length() > 5 && info[5].IsObject()) {
    const Napi::Object o = info[5].As<Napi::Object>();
    outPtr = &out;
    if (o.Has("status")) out.status = arrayArg<int32_t>(o.Get("status"), "outputs.status", n);
    if (o.Has("tradeMaker")) {
      const size_t cap = o.Get("tradeMaker").As<Napi::TypedArray>().ElementLength();
      out.tradeMaker = arrayArg<double>(o.Get("tradeMaker"), "outputs.tradeMaker", cap);
      out.tradeTaker = arrayArg<double>(o.Get("tradeTaker"), "outputs.tradeTaker", cap);
      out.tradePrice = arrayArg<double>(o.Get("tradePrice"), "outputs.tradePrice", cap);
      out.tradeQty = arrayArg<double>(o.Get("tradeQty"), "outputs.tradeQty", cap);
      out.tradeAggressor = arrayArg<uint8_t>(o.Get("tradeAggressor"), "outputs.tradeAggressor", cap);
      out.tradeCapacity = cap;
    }
  }
  const OpStats st =
      int64 ? applyOps(book_, OpStream64{kind, side, arrayArg<int64_t>(info[2], "id", n), arrayArg<int64_t>(info[3], "priceTicks", n),
                                         arrayArg<int64_t>(info[4], "qtyLots", n), n},
                       outPtr)
            : applyOps(book_, OpStream{kind, side, arrayArg<double>(info[2], "id", n), arrayArg<double>(info[3], "priceTicks", n),
                                       arrayArg<double>(info[4], "qtyLots", n), n},
                       outPtr);
  Napi::Array a = Napi::Array::New(env, 7);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(st.applied)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(st.trades)));
  a.Set(2u, Napi::Number::New(env, static_cast<double>(st.refused)));
  a.Set(3u, Napi::Number::New(env, static_cast<double>(st.tradedQty)));
  a.Set(4u, Napi::Number::New(env, static_cast<double>(st.badIndex)));
  a.Set(5u, st.badField ? Napi::Value(Napi::String::New(env, st.badField)) : env.Null());
  a.Set(6u, Napi::Number::New(env, static_cast<double>(out.tradeCount)));
  return a;
}

Napi::Value BookWrap::BytesReserved(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(book_.bytesReserved()));
}

}  // namespace tranche::binding
