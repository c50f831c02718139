#include "replay_wrap.h"

#include <chrono>
#include <string>

#include "args.h"

namespace tranche::binding {

ReplayClasses& replayClasses(Napi::Env env) {
  ReplayClasses* classes = env.GetInstanceData<ReplayClasses>();
  if (classes == nullptr) {
    classes = new ReplayClasses();  // owned by the env: deleted when its thread's addon instance goes
    env.SetInstanceData(classes);
  }
  return *classes;
}

namespace {
size_t lengthOf(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a typed array");
  return v.As<Napi::TypedArray>().ElementLength();
}
void set(Napi::Object& o, const char* k, double v) { o.Set(k, Napi::Number::New(o.Env(), v)); }
}  // namespace

Napi::Object lobsterStatsObject(Napi::Env env, const LobsterReplayStats& s) {
  Napi::Object o = Napi::Object::New(env);
  set(o, "messages", static_cast<double>(s.messages));
  set(o, "rowsChecked", static_cast<double>(s.rowsChecked));
  set(o, "visibleMismatches", static_cast<double>(s.visibleMismatches));
  set(o, "firstMismatchRow", static_cast<double>(s.firstMismatchRow));
  set(o, "adoptionsBid", static_cast<double>(s.adoptions[kBid]));
  set(o, "adoptionsAsk", static_cast<double>(s.adoptions[kAsk]));
  set(o, "adoptionsInViewBid", static_cast<double>(s.adoptionsInView[kBid]));
  set(o, "adoptionsInViewAsk", static_cast<double>(s.adoptionsInView[kAsk]));
  set(o, "adoptedLotsBid", static_cast<double>(s.adoptedLots[kBid]));
  set(o, "adoptedLotsAsk", static_cast<double>(s.adoptedLots[kAsk]));
  set(o, "unknownIdMessages", static_cast<double>(s.unknownIdMessages));
  set(o, "reconciled", static_cast<double>(s.reconciled));
  set(o, "reconciledLots", static_cast<double>(s.reconciledLots));
  set(o, "agentFillsByReplay", static_cast<double>(s.agentFillsByReplay));
  set(o, "hiddenExecutions", static_cast<double>(s.hiddenExecutions));
  set(o, "intoViewBid", static_cast<double>(s.intoView[kBid]));
  set(o, "intoViewAsk", static_cast<double>(s.intoView[kAsk]));
  return o;
}

Napi::Object l2StatsObject(Napi::Env env, const L2ReplayStats& s) {
  Napi::Object o = Napi::Object::New(env);
  set(o, "depthEvents", static_cast<double>(s.depthEvents));
  set(o, "tradeEvents", static_cast<double>(s.tradeEvents));
  set(o, "snapshots", static_cast<double>(s.snapshots));
  set(o, "outOfRange", static_cast<double>(s.outOfRange));
  set(o, "crossRepairs", static_cast<double>(s.crossRepairs));
  set(o, "queueAdvanceLots", static_cast<double>(s.queueAdvanceLots));
  set(o, "cancelsAheadLots", static_cast<double>(s.cancelsAheadLots));
  set(o, "cancelsBehindLots", static_cast<double>(s.cancelsBehindLots));
  set(o, "agentFillsByTrades", static_cast<double>(s.agentFillsByTrades));
  return o;
}

// ---- LOBSTER ------------------------------------------------------------------------------------

Napi::Function LobsterDataWrap::Init(Napi::Env env) {
  Napi::Function f = DefineClass(env, "NativeLobsterData",
                                 {InstanceMethod<&LobsterDataWrap::Verify>("verify"),
                                  InstanceMethod<&LobsterDataWrap::Replay>("replay")});
  replayClasses(env).lobster = Napi::Persistent(f);
  return f;
}

// new NativeLobsterData({tsNs, type, orderId, side, priceTicks, qtyLots, levels,
//                        askPriceTicks[], askQtyLots[], bidPriceTicks[], bidQtyLots[]})
LobsterDataWrap::LobsterDataWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LobsterDataWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "NativeLobsterData needs the message and book columns");
  const Napi::Object o = info[0].As<Napi::Object>();
  auto c = std::make_shared<LobsterColumns>();
  c->rows = lengthOf(o.Get("tsNs"), "tsNs");
  c->levels = static_cast<int>(intArg(o.Get("levels"), "levels"));
  if (c->rows == 0) throw Napi::RangeError::New(env, "the LOBSTER data has no rows");
  if (c->rows >= LobsterColumns::kNoSlot)
    throw Napi::RangeError::New(env, "the LOBSTER data has " + std::to_string(c->rows) + " rows; the replay takes at most 4,294,967,294: split the day");
  if (c->levels < 1) throw Napi::RangeError::New(env, "levels must be at least 1");
  c->tsNs = arrayArg<int64_t>(o.Get("tsNs"), "tsNs", c->rows);
  c->type = arrayArg<uint8_t>(o.Get("type"), "type", c->rows);
  c->orderId = arrayArg<int64_t>(o.Get("orderId"), "orderId", c->rows);
  c->side = arrayArg<uint8_t>(o.Get("side"), "side", c->rows);
  c->priceTicks = arrayArg<int64_t>(o.Get("priceTicks"), "priceTicks", c->rows);
  c->qtyLots = arrayArg<int64_t>(o.Get("qtyLots"), "qtyLots", c->rows);
  const char* names[4] = {"askPriceTicks", "askQtyLots", "bidPriceTicks", "bidQtyLots"};
  std::vector<const int64_t*>* cols[4] = {&c->askPrice, &c->askQty, &c->bidPrice, &c->bidQty};
  for (int f = 0; f < 4; ++f) {
    const Napi::Value v = o.Get(names[f]);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != static_cast<uint32_t>(c->levels))
      throw Napi::TypeError::New(env, std::string(names[f]) + " must be an array of " + std::to_string(c->levels) + " BigInt64Arrays");
    const Napi::Array a = v.As<Napi::Array>();
    for (uint32_t k = 0; k < a.Length(); ++k)
      cols[f]->push_back(arrayArg<int64_t>(a.Get(k), names[f], c->rows));
  }
  c->index();
  cols_ = c;
  keep_ = Napi::Persistent(o);
}

// verify() -> stats + {report}: the whole day from row 0, every row compared with the orderbook file.
Napi::Value LobsterDataWrap::Verify(const Napi::CallbackInfo& info) {
  std::string report;
  const size_t from = info.Length() > 0 && info[0].IsNumber() ? static_cast<size_t>(intArg(info[0], "fromRow")) : 0;
  const LobsterReplayStats s = verifyLobster(cols_, &report, from);
  Napi::Object o = lobsterStatsObject(info.Env(), s);
  o.Set("report", Napi::String::New(info.Env(), report));
  return o;
}

// replay(fromRow = 0) -> stats + {seconds}: the replay's fast path, no agent, timed natively.
Napi::Value LobsterDataWrap::Replay(const Napi::CallbackInfo& info) {
  const size_t from = info.Length() > 0 && info[0].IsNumber() ? static_cast<size_t>(intArg(info[0], "fromRow")) : 0;
  LobsterReplay replay(cols_, LobsterReplayConfig{});
  BookConfig bc;
  bc.orderCapacity = 1024;  // the visible levels and those kept beyond view: under a thousand orders
  Book book(bc);
  replay.resetAtRow(book, from);
  const auto t0 = std::chrono::steady_clock::now();
  // Chunks of rows, the trades of each collected (here: dropped) before the next, as a market would.
  while (replay.nextRow() < cols_->rows) {
    replay.run(book, replay.nextRow() + 1024);
    book.clearTrades();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Napi::Object o = lobsterStatsObject(info.Env(), replay.stats());
  o.Set("seconds", Napi::Number::New(info.Env(), seconds));
  std::string why;
  o.Set("invariants", book.checkInvariants(&why) ? info.Env().Null() : Napi::Value(Napi::String::New(info.Env(), why)));
  return o;
}

// ---- L2 -----------------------------------------------------------------------------------------

Napi::Function L2DataWrap::Init(Napi::Env env) {
  Napi::Function f = DefineClass(env, "NativeL2Data",
                                 {InstanceMethod<&L2DataWrap::CheckBbo>("checkBbo"),
                                  InstanceMethod<&L2DataWrap::Replay>("replay")});
  replayClasses(env).l2 = Napi::Persistent(f);
  return f;
}

// new NativeL2Data({depth: {tsNs, side, priceTicks, qtyLots, isSnapshot, lastUpdateId},
//                   trades?: {tsNs, priceTicks, qtyLots, aggressorSide}})
L2DataWrap::L2DataWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<L2DataWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[0].As<Napi::Object>().Get("depth").IsObject())
    throw Napi::TypeError::New(env, "NativeL2Data needs {depth, trades?} columns");
  const Napi::Object o = info[0].As<Napi::Object>();
  const Napi::Object d = o.Get("depth").As<Napi::Object>();
  auto c = std::make_shared<L2Columns>();
  c->depthRows = lengthOf(d.Get("tsNs"), "depth.tsNs");
  if (c->depthRows == 0) throw Napi::RangeError::New(env, "the depth table has no rows");
  c->depthTsNs = arrayArg<int64_t>(d.Get("tsNs"), "depth.tsNs", c->depthRows);
  c->depthSide = arrayArg<uint8_t>(d.Get("side"), "depth.side", c->depthRows);
  c->depthPriceTicks = arrayArg<int64_t>(d.Get("priceTicks"), "depth.priceTicks", c->depthRows);
  c->depthQtyLots = arrayArg<int64_t>(d.Get("qtyLots"), "depth.qtyLots", c->depthRows);
  c->isSnapshot = arrayArg<uint8_t>(d.Get("isSnapshot"), "depth.isSnapshot", c->depthRows);
  c->lastUpdateId = arrayArg<int64_t>(d.Get("lastUpdateId"), "depth.lastUpdateId", c->depthRows);
  if (o.Get("trades").IsObject()) {
    const Napi::Object t = o.Get("trades").As<Napi::Object>();
    c->tradeRows = lengthOf(t.Get("tsNs"), "trades.tsNs");
    c->tradeTsNs = arrayArg<int64_t>(t.Get("tsNs"), "trades.tsNs", c->tradeRows);
    c->tradePriceTicks = arrayArg<int64_t>(t.Get("priceTicks"), "trades.priceTicks", c->tradeRows);
    c->tradeQtyLots = arrayArg<int64_t>(t.Get("qtyLots"), "trades.qtyLots", c->tradeRows);
    c->tradeAggressor = arrayArg<uint8_t>(t.Get("aggressorSide"), "trades.aggressorSide", c->tradeRows);
  }
  cols_ = c;
  keep_ = Napi::Persistent(o);
}

// checkBbo({updateId, bidPriceTicks, bidQtyLots, askPriceTicks, askQtyLots}, maxLevels?) -> {compared, matched, ...}
Napi::Value L2DataWrap::CheckBbo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "checkBbo needs the bookTicker columns");
  const Napi::Object b = info[0].As<Napi::Object>();
  const size_t n = lengthOf(b.Get("updateId"), "bbo.updateId");
  BookConfig bc;
  bc.maxLevels = info.Length() > 1 && info[1].IsNumber() ? static_cast<uint32_t>(intArg(info[1], "maxLevels")) : (1u << 20);
  bc.orderCapacity = 4096;
  const L2Replay::BboCheck r = L2Replay::checkBbo(
      cols_, n, arrayArg<int64_t>(b.Get("updateId"), "bbo.updateId", n), arrayArg<int64_t>(b.Get("bidPriceTicks"), "bbo.bidPriceTicks", n),
      arrayArg<int64_t>(b.Get("bidQtyLots"), "bbo.bidQtyLots", n), arrayArg<int64_t>(b.Get("askPriceTicks"), "bbo.askPriceTicks", n),
      arrayArg<int64_t>(b.Get("askQtyLots"), "bbo.askQtyLots", n), bc);
  Napi::Object o = Napi::Object::New(env);
  set(o, "compared", static_cast<double>(r.compared));
  set(o, "matched", static_cast<double>(r.matched));
  set(o, "firstMismatchRow", static_cast<double>(r.firstMismatchRow));
  o.Set("firstMismatch", Napi::String::New(env, r.firstMismatch));
  return o;
}

// replay() -> stats + {seconds}: every depth row and trade, no agent.
Napi::Value L2DataWrap::Replay(const Napi::CallbackInfo& info) {
  L2Replay replay(cols_, L2ReplayConfig{});
  BookConfig bc;
  bc.orderCapacity = 4096;
  Book book(bc);
  replay.reset(book, 0, 0);
  const auto t0 = std::chrono::steady_clock::now();
  while (replay.nextTime() != std::numeric_limits<TsNs>::max()) {
    replay.step(book);
    book.clearTrades();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Napi::Object o = l2StatsObject(info.Env(), replay.stats());
  o.Set("seconds", Napi::Number::New(info.Env(), seconds));
  return o;
}

}  // namespace tranche::binding
