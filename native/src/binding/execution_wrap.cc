#include "execution_wrap.h"

#include <cmath>
#include <string>

#include "args.h"
#include "batch_wrap.h"

namespace tranche::binding {

Napi::Function ExecutionWrap::Init(Napi::Env env) {
  Napi::Array names = Napi::Array::New(env, kFeatureCount);
  for (int i = 0; i < kFeatureCount; ++i) names.Set(static_cast<uint32_t>(i), Napi::String::New(env, kFeatureNames[i]));
  Napi::Function cls = DefineClass(env, "NativeExecution",
                                   {
                                       InstanceMethod<&ExecutionWrap::Reset>("reset"),
                                       InstanceMethod<&ExecutionWrap::Step>("step"),
                                       InstanceMethod<&ExecutionWrap::CheckInvariants>("checkInvariants"),
                                       InstanceMethod<&ExecutionWrap::FlowEvents>("flowEvents"),
                                       StaticValue("featureNames", names),
                                       StaticValue("featureVersion", Napi::String::New(env, kFeatureVersion)),
                                   });
  return cls;
}

// new NativeExecution(marketConfig, task, io): both configs are flat and validated by native/task.ts.
ExecutionWrap::ExecutionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ExecutionWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[1].IsObject() || !info[2].IsObject())
    throw Napi::TypeError::New(env, "NativeExecution(marketConfig, task, io) needs three objects");
  const Napi::Object cfg = info[0].As<Napi::Object>();
  const Napi::Object task = info[1].As<Napi::Object>();
  const Napi::Object io = info[2].As<Napi::Object>();
  const uint32_t N = static_cast<uint32_t>(intArg(cfg.Get("markets"), "markets"));
  if (N == 0) throw Napi::RangeError::New(env, "markets must be at least 1");
  MarketSetup setup = marketSetupFrom(cfg, &flowRef_);

  ExecutionSpec spec;
  spec.side = intArg(task.Get("side"), "side") == 0 ? kBid : kAsk;
  spec.parentLots = intArg(task.Get("parentLots"), "parentLots");
  spec.horizonSteps = static_cast<uint32_t>(intArg(task.Get("horizonSteps"), "horizonSteps"));
  spec.stepNs = intArg(task.Get("stepNs"), "stepNs");
  spec.lotsMode = task.Get("lotsMode").IsBoolean() && task.Get("lotsMode").As<Napi::Boolean>().Value();
  spec.riskAversion = numberOr(task, "riskAversion", 0);
  spec.sigmaBpsPerSqrtS = numberOr(task, "sigmaBpsPerSqrtS", 0);
  spec.startMinNs = static_cast<TsNs>(numberOr(task, "startMinNs", 0));
  spec.startMaxNs = static_cast<TsNs>(numberOr(task, "startMaxNs", 0));
  if (task.Get("starts").IsTypedArray()) {
    const Napi::Float64Array starts = task.Get("starts").As<Napi::Float64Array>();
    for (size_t i = 0; i < starts.ElementLength(); ++i) spec.starts.push_back(static_cast<TsNs>(starts[i]));
  }

  const size_t F = static_cast<size_t>(N) * kFeatureCount;
  io_.actions = arrayArg<int32_t>(io.Get("actions"), "io.actions", 2 * static_cast<size_t>(N));
  io_.obs = arrayArg<float>(io.Get("observations"), "io.observations", F);
  io_.reward = arrayArg<double>(io.Get("rewards"), "io.rewards", N);
  io_.terminated = arrayArg<uint8_t>(io.Get("terminated"), "io.terminated", N);
  io_.resetMask = arrayArg<uint8_t>(io.Get("resetMask"), "io.resetMask", N);
  io_.incomplete = arrayArg<uint8_t>(io.Get("incomplete"), "io.incomplete", N);
  io_.episodeCostBps = arrayArg<double>(io.Get("episodeCostBps"), "io.episodeCostBps", N);
  io_.cash = arrayArg<double>(io.Get("cash"), "io.cash", N);
  io_.episodeIndex = arrayArg<int32_t>(io.Get("episodeIndex"), "io.episodeIndex", N);
  io_.side = arrayArg<uint8_t>(io.Get("side"), "io.side", N);
  io_.parentLots = arrayArg<double>(io.Get("parentLots"), "io.parentLots", N);
  io_.remainingLots = arrayArg<double>(io.Get("remainingLots"), "io.remainingLots", N);
  io_.filledLots = arrayArg<double>(io.Get("filledLots"), "io.filledLots", N);
  io_.elapsedSteps = arrayArg<int32_t>(io.Get("elapsedSteps"), "io.elapsedSteps", N);
  io_.horizonSteps = arrayArg<int32_t>(io.Get("horizonSteps"), "io.horizonSteps", N);
  io_.scheduleRemainingLots = arrayArg<double>(io.Get("scheduleRemainingLots"), "io.scheduleRemainingLots", N);
  io_.episodeStartNs = arrayArg<double>(io.Get("episodeStartNs"), "io.episodeStartNs", N);
  io_.arrivalMidTicks = arrayArg<double>(io.Get("arrivalMidTicks"), "io.arrivalMidTicks", N);
  io_.bestBidTicks = arrayArg<double>(io.Get("bestBidTicks"), "io.bestBidTicks", N);
  io_.bestAskTicks = arrayArg<double>(io.Get("bestAskTicks"), "io.bestAskTicks", N);
  io_.bidQtyLots = arrayArg<double>(io.Get("bidQtyLots"), "io.bidQtyLots", N);
  io_.askQtyLots = arrayArg<double>(io.Get("askQtyLots"), "io.askQtyLots", N);
  io_.stepFilledLots = arrayArg<double>(io.Get("stepFilledLots"), "io.stepFilledLots", N);
  io_.stepMarketVolumeLots = arrayArg<double>(io.Get("stepMarketVolumeLots"), "io.stepMarketVolumeLots", N);
  io_.episodeMarketVolumeLots = arrayArg<double>(io.Get("episodeMarketVolumeLots"), "io.episodeMarketVolumeLots", N);
  io_.restingLots = arrayArg<double>(io.Get("restingLots"), "io.restingLots", N);
  io_.restingPriceTicks = arrayArg<double>(io.Get("restingPriceTicks"), "io.restingPriceTicks", N);
  ioRef_ = Napi::Persistent(io);

  batch_ = std::make_unique<ExecutionBatch>(N, setup.config, setup.flows, spec);
}

// reset(seeds: Float64Array[N]): env m starts episode 0 of seeds[m], or its next episode where seeds[m] is NaN.
Napi::Value ExecutionWrap::Reset(const Napi::CallbackInfo& info) {
  const uint32_t N = batch_->markets();
  const double* seeds = arrayArg<double>(info[0], "seeds", N);
  seedScratch_.assign(N, 0);
  reseedScratch_.assign(N, 0);
  for (uint32_t m = 0; m < N; ++m) {
    if (std::isnan(seeds[m])) continue;
    seedScratch_[m] = static_cast<uint64_t>(seeds[m]);
    reseedScratch_[m] = 1;
  }
  std::string error;
  if (!batch_->reset(io_, seedScratch_.data(), reseedScratch_.data(), &error)) throw Napi::RangeError::New(info.Env(), error);
  return info.Env().Undefined();
}

Napi::Value ExecutionWrap::Step(const Napi::CallbackInfo& info) {
  std::string error;
  if (!batch_->step(io_, &error)) throw Napi::RangeError::New(info.Env(), error);
  return info.Env().Undefined();
}

// flowEvents() -> background-flow events applied in all markets since construction.
Napi::Value ExecutionWrap::FlowEvents(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(batch_->flowEvents()));
}

// checkInvariants() -> null or "market i: why" for the first market whose book is inconsistent.
Napi::Value ExecutionWrap::CheckInvariants(const Napi::CallbackInfo& info) {
  for (uint32_t i = 0; i < batch_->markets(); ++i) {
    std::string why;
    if (!batch_->market(i).book().checkInvariants(&why)) return Napi::String::New(info.Env(), "market " + std::to_string(i) + ": " + why);
  }
  return info.Env().Null();
}

}  // namespace tranche::binding
