#include "batch_wrap.h"

#include <string>
#include <utility>

#include "../core/flow/poisson_flow.h"
#include "args.h"
#include "replay_wrap.h"

namespace tranche::binding {

namespace {
LatencyConfig latencyFrom(const Napi::Object& cfg, const char* key) {
  LatencyConfig lc;
  const Napi::Value v = cfg.Get(key);
  if (!v.IsObject()) return lc;
  const Napi::Object o = v.As<Napi::Object>();
  lc.kind = static_cast<LatencyConfig::Kind>(static_cast<int>(numberOr(o, "kind", 0)));
  lc.fixedNs = static_cast<TsNs>(numberOr(o, "fixedNs", 0));
  lc.maxNs = static_cast<TsNs>(numberOr(o, "maxNs", 0));
  lc.sigma = numberOr(o, "sigma", 0);
  return lc;
}
}  // namespace

BookConfig bookConfigFrom(const Napi::Object& cfg) {
  BookConfig book;
  if (!cfg.Get("book").IsObject()) return book;
  const Napi::Object b = cfg.Get("book").As<Napi::Object>();
  book.initialLevels = static_cast<uint32_t>(numberOr(b, "initialLevels", book.initialLevels));
  book.maxLevels = static_cast<uint32_t>(numberOr(b, "maxLevels", book.maxLevels));
  book.orderCapacity = static_cast<uint32_t>(numberOr(b, "orderCapacity", book.orderCapacity));
  return book;
}

PoissonFlowConfig poissonFrom(const Napi::Object& cfg) {
  PoissonFlowConfig f;
  const Napi::Value v = cfg.Get("flow");
  if (!v.IsObject()) return f;
  const Napi::Object o = v.As<Napi::Object>();
  f.limitRatePerSec = numberOr(o, "limitRatePerSec", f.limitRatePerSec);
  f.marketRatePerSec = numberOr(o, "marketRatePerSec", f.marketRatePerSec);
  f.cancelRatePerSec = numberOr(o, "cancelRatePerSec", f.cancelRatePerSec);
  f.distanceP = numberOr(o, "distanceP", f.distanceP);
  f.sizeP = numberOr(o, "sizeP", f.sizeP);
  f.marketSizeP = numberOr(o, "marketSizeP", f.marketSizeP);
  f.marketLots = static_cast<Lots>(numberOr(o, "marketLots", 0));
  if (o.Get("sizeAtomsLots").IsTypedArray()) {
    const Napi::Float64Array atoms = o.Get("sizeAtomsLots").As<Napi::Float64Array>();
    for (size_t i = 0; i < atoms.ElementLength(); ++i) f.sizeAtomsLots.push_back(static_cast<Lots>(atoms[i]));
    f.sizeAtomsPerRow = static_cast<int>(numberOr(o, "sizeAtomsPerRow", 0));
    f.sizeBucketTicks = static_cast<int>(numberOr(o, "sizeBucketTicks", 1));
  }
  f.referencePrice = static_cast<Tick>(numberOr(o, "referencePriceTicks", static_cast<double>(f.referencePrice)));
  f.seedDepth = static_cast<int>(numberOr(o, "seedDepth", f.seedDepth));
  for (auto [key, table] : {std::pair{"distanceRatesPerSec", &f.distanceRatesPerSec}, std::pair{"cancelRatesPerSec", &f.cancelRatesPerSec},
                            std::pair{"joinRatesPerSec", &f.joinRatesPerSec}}) {
    const Napi::Value v = o.Get(key);
    if (!v.IsTypedArray()) continue;
    const Napi::Float64Array rates = v.As<Napi::Float64Array>();
    for (size_t i = 0; i < rates.ElementLength(); ++i) table->push_back(rates[i]);
  }
  f.patientShare = numberOr(o, "patientShare", f.patientShare);
  f.patientFromTicks = static_cast<int>(numberOr(o, "patientFromTicks", f.patientFromTicks));
  f.patientCancelPerSec = numberOr(o, "patientCancelPerSec", f.patientCancelPerSec);
  f.hawkesBranching = numberOr(o, "hawkesBranching", f.hawkesBranching);
  f.hawkesDecayPerSec = numberOr(o, "hawkesDecayPerSec", f.hawkesDecayPerSec);
  f.anchored = o.Get("anchored").IsBoolean() && o.Get("anchored").As<Napi::Boolean>().Value();
  if (o.Get("propagator").IsObject()) {
    const Napi::Object g = o.Get("propagator").As<Napi::Object>();
    PropagatorConfig& pc = f.propagator;
    pc.impactTicks = numberOr(g, "impactTicks", pc.impactTicks);
    pc.tau0Sec = numberOr(g, "tau0Sec", pc.tau0Sec);
    pc.beta = numberOr(g, "beta", pc.beta);
    pc.memorySec = numberOr(g, "memorySec", pc.memorySec);
    pc.unitLots = numberOr(g, "unitLots", pc.unitLots);
    pc.newsPerSec = numberOr(g, "newsPerSec", pc.newsPerSec);
    pc.newsTicks = numberOr(g, "newsTicks", pc.newsTicks);
    pc.newsUpProbability = numberOr(g, "newsUpProbability", pc.newsUpProbability);
  }
  return f;
}

namespace {
ImpactConfig impactFrom(const Napi::Object& flow) {
  ImpactConfig ic;
  const Napi::Value v = flow.Get("impact");
  if (!v.IsObject()) return ic;
  const Napi::Object o = v.As<Napi::Object>();
  ic.kind = static_cast<ImpactConfig::Kind>(static_cast<int>(numberOr(o, "kind", 0)));
  ic.permanentTicks = numberOr(o, "permanentTicks", 0);
  ic.transientTicks = numberOr(o, "transientTicks", 0);
  ic.decayNs = numberOr(o, "decayNs", 1e9);
  ic.delta = numberOr(o, "delta", 0.5);
  return ic;
}
}  // namespace

// Reads the flat market config native/batch.ts builds (book, instrument, fees, latencies, flow); a replay's
// data is borrowed by every market and kept alive through `flowRef`.
MarketSetup marketSetupFrom(const Napi::Object& cfg, Napi::ObjectReference* flowRef) {
  Napi::Env env = cfg.Env();
  MarketConfig mc;
  mc.book = bookConfigFrom(cfg);
  mc.instrument.tickSize = numberOr(cfg, "tickSize", mc.instrument.tickSize);
  mc.instrument.lotSize = numberOr(cfg, "lotSize", mc.instrument.lotSize);
  mc.fees.makerBps = numberOr(cfg, "makerBps", 0);
  mc.fees.takerBps = numberOr(cfg, "takerBps", 0);
  mc.entryLatency = latencyFrom(cfg, "orderEntryLatency");
  mc.marketDataLatency = latencyFrom(cfg, "marketDataLatency");
  const PoissonFlowConfig flow = poissonFrom(cfg);
  // Replays share one borrowed copy of their file across every market of the batch.
  const Napi::Object flowCfg = cfg.Get("flow").IsObject() ? cfg.Get("flow").As<Napi::Object>() : Napi::Object::New(env);
  const std::string kind = flowCfg.Get("kind").IsString() ? flowCfg.Get("kind").As<Napi::String>().Utf8Value() : "poisson";
  Batch::FlowFactory factory = [flow](uint32_t) { return std::make_unique<PoissonFlow>(flow); };
  if (kind == "lobster" || kind == "l2") {
    const Napi::Value data = flowCfg.Get("data");
    if (!data.IsObject()) throw Napi::TypeError::New(env, "flow.data must be the replay data handle");
    *flowRef = Napi::Persistent(data.As<Napi::Object>());
    if (kind == "lobster") {
      if (!data.As<Napi::Object>().InstanceOf(replayClasses(env).lobster.Value()))
        throw Napi::TypeError::New(env, "flow.data must be a NativeLobsterData");
      LobsterReplayConfig rc;
      rc.impact = impactFrom(flowCfg);
      auto cols = LobsterDataWrap::Unwrap(data.As<Napi::Object>())->columns();
      factory = [cols, rc](uint32_t) { return std::make_unique<LobsterReplay>(cols, rc); };
    } else {
      if (!data.As<Napi::Object>().InstanceOf(replayClasses(env).l2.Value()))
        throw Napi::TypeError::New(env, "flow.data must be a NativeL2Data");
      L2ReplayConfig rc;
      rc.impact = impactFrom(flowCfg);
      rc.applyTrades = !flowCfg.Get("applyTrades").IsBoolean() || flowCfg.Get("applyTrades").As<Napi::Boolean>().Value();
      if (flowCfg.Get("queue").IsObject()) {
        const Napi::Object q = flowCfg.Get("queue").As<Napi::Object>();
        rc.queue.kind = static_cast<QueueConfig::Kind>(static_cast<int>(numberOr(q, "kind", 1)));
        rc.queue.power = numberOr(q, "power", 2.0);
      }
      auto cols = L2DataWrap::Unwrap(data.As<Napi::Object>())->columns();
      factory = [cols, rc](uint32_t) { return std::make_unique<L2Replay>(cols, rc); };
    }
  }

  return MarketSetup{mc, factory};
}

Napi::Function BatchWrap::Init(Napi::Env env) {
  // The IO table as [name, element type, per-market dimension] rows, for native/batch.ts to compare with.
  Napi::Array fields = Napi::Array::New(env);
  uint32_t row = 0;
#define TRANCHE_IO_ROW(field, type, perMarket) fields.Set(row++, ioTableRow<type>(env, #field, #perMarket));
  TRANCHE_BATCH_IO(TRANCHE_IO_ROW)
#undef TRANCHE_IO_ROW
  return DefineClass(env, "NativeBatch",
                     {
                         StaticValue("ioFields", fields),
                         InstanceMethod<&BatchWrap::Reset>("reset"),
                         InstanceMethod<&BatchWrap::Step>("step"),
                         InstanceMethod<&BatchWrap::Now>("now"),
                         InstanceMethod<&BatchWrap::BytesReserved>("bytesReserved"),
                         InstanceMethod<&BatchWrap::CheckInvariants>("checkInvariants"),
                         InstanceMethod<&BatchWrap::FlowStats>("flowStats"),
                         InstanceMethod<&BatchWrap::Depth>("depth"),
                         InstanceMethod<&BatchWrap::FlowEvents>("flowEvents"),
                     });
}

// new NativeBatch(config, io): config is flat and already validated by native/index.ts.
BatchWrap::BatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BatchWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[1].IsObject()) throw Napi::TypeError::New(env, "NativeBatch(config, io) needs two objects");
  const Napi::Object cfg = info[0].As<Napi::Object>();
  const Napi::Object io = info[1].As<Napi::Object>();
  BatchShape shape;
  shape.markets = static_cast<uint32_t>(intArg(cfg.Get("markets"), "markets"));
  shape.commandsPerMarket = static_cast<uint32_t>(intArg(cfg.Get("commandsPerMarket"), "commandsPerMarket"));
  shape.fillsPerMarket = static_cast<uint32_t>(intArg(cfg.Get("fillsPerMarket"), "fillsPerMarket"));
  if (shape.markets == 0) throw Napi::RangeError::New(env, "markets must be at least 1");

  MarketSetup setup = marketSetupFrom(cfg, &flowRef_);

  const size_t N = shape.markets, C = shape.commandsPerMarket, S = kAgentSlots, F = shape.fillsPerMarket, One = 1;
#define TRANCHE_IO_BIND(name, type, perMarket) io_.name = arrayArg<type>(io.Get(#name), "io." #name, perMarket * N);
  TRANCHE_BATCH_IO(TRANCHE_IO_BIND)
#undef TRANCHE_IO_BIND
  ioRef_ = Napi::Persistent(io);

  batch_ = std::make_unique<Batch>(shape, setup.config, setup.flows);
}

// reset(seed, startNs) or reset(seed, startsNs: Float64Array) with one start per market.
Napi::Value BatchWrap::Reset(const Napi::CallbackInfo& info) {
  const uint64_t seed = static_cast<uint64_t>(intArg(info[0], "seed"));
  if (info[1].IsTypedArray()) {
    const double* starts = arrayArg<double>(info[1], "startsNs", batch_->shape().markets);
    startsScratch_.resize(batch_->shape().markets);
    for (uint32_t i = 0; i < batch_->shape().markets; ++i) startsScratch_[i] = static_cast<TsNs>(starts[i]);
    batch_->reset(seed, startsScratch_.data());
  } else {
    batch_->reset(seed, intArg(info[1], "startNs"));
  }
  return info.Env().Undefined();
}

// flowStats(market) -> the replay's counters for that market (null for generative flow).
Napi::Value BatchWrap::FlowStats(const Napi::CallbackInfo& info) {
  const int64_t m = intArg(info[0], "market");
  if (m < 0 || m >= static_cast<int64_t>(batch_->shape().markets)) throw Napi::RangeError::New(info.Env(), "market index out of range");
  Flow* f = batch_->market(static_cast<uint32_t>(m)).flow();
  if (f && f->kind() == FlowKind::kLobsterReplay) {
    auto* r = static_cast<LobsterReplay*>(f);
    Napi::Object o = lobsterStatsObject(info.Env(), r->stats());
    o.Set("offsetTicks", Napi::Number::New(info.Env(), static_cast<double>(r->offsetTicks())));
    o.Set("nextRow", Napi::Number::New(info.Env(), static_cast<double>(r->nextRow())));
    o.Set("agentTakenLots", Napi::Number::New(info.Env(), static_cast<double>(r->agentTakenLots())));
    return o;
  }
  if (f && f->kind() == FlowKind::kL2Replay) return l2StatsObject(info.Env(), static_cast<L2Replay*>(f)->stats());
  return info.Env().Null();
}

// depth(market, side, levels) -> Float64Array [price, qty, price, qty, ...] of the live (undelayed) book.
Napi::Value BatchWrap::Depth(const Napi::CallbackInfo& info) {
  const int64_t m = intArg(info[0], "market");
  if (m < 0 || m >= static_cast<int64_t>(batch_->shape().markets)) throw Napi::RangeError::New(info.Env(), "market index out of range");
  const int64_t s = intArg(info[1], "side");
  const int64_t n = intArg(info[2], "levels");
  const Book& book = batch_->market(static_cast<uint32_t>(m)).book();
  const Side side = s == 0 ? kBid : kAsk;
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), static_cast<size_t>(2 * std::max<int64_t>(n, 0)));
  int k = 0;
  for (Tick p = side == kBid ? book.bestBid() : book.bestAsk(); k < n && p != kNoBid && p != kNoAsk; p = book.nextLevel(side, p), ++k) {
    out[2 * k] = static_cast<double>(p);
    out[2 * k + 1] = static_cast<double>(book.depthAt(side, p));
  }
  return out.Get("subarray").As<Napi::Function>().Call(out, {Napi::Number::New(info.Env(), 0), Napi::Number::New(info.Env(), 2 * k)});
}

Napi::Value BatchWrap::Step(const Napi::CallbackInfo& info) {
  const int64_t dt = intArg(info[0], "dtNs");
  if (dt < 0) throw Napi::RangeError::New(info.Env(), "dtNs must not be negative");
  std::string error;
  if (!batch_->step(io_, dt, &error)) throw Napi::RangeError::New(info.Env(), error);
  return info.Env().Undefined();
}

// flowEvents() -> background-flow events applied in all markets since their reset.
Napi::Value BatchWrap::FlowEvents(const Napi::CallbackInfo& info) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < batch_->shape().markets; ++i) total += batch_->market(i).flowEvents();
  return Napi::Number::New(info.Env(), static_cast<double>(total));
}

Napi::Value BatchWrap::Now(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(batch_->market(0).now()));
}

Napi::Value BatchWrap::BytesReserved(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(batch_->bytesReserved()));
}

// checkInvariants() -> null or "market i: why" for the first market whose book is inconsistent.
Napi::Value BatchWrap::CheckInvariants(const Napi::CallbackInfo& info) {
  for (uint32_t i = 0; i < batch_->shape().markets; ++i) {
    std::string why;
    if (!batch_->market(i).book().checkInvariants(&why))
      return Napi::String::New(info.Env(), "market " + std::to_string(i) + ": " + why);
  }
  return info.Env().Null();
}

}  // namespace tranche::binding
