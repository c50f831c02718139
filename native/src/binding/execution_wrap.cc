#include "execution_wrap.h"

#include <cmath>
#include <string>

#include "args.h"
#include "batch_wrap.h"

namespace tranche::binding {

Napi::Function ExecutionWrap::Init(Napi::Env env) {
  // The IO table as [name, element type, elements per env] rows, for native/task.ts to compare with its own.
  Napi::Array fields = Napi::Array::New(env);
  uint32_t row = 0;
#define TRANCHE_IO_ROW(field, type, perEnv) fields.Set(row++, ioTableRow<type>(env, #field, #perEnv));
  TRANCHE_EXECUTION_IO(TRANCHE_IO_ROW)
#undef TRANCHE_IO_ROW
  Napi::Array names = Napi::Array::New(env, kFeatureCount);
  for (int i = 0; i < kFeatureCount; ++i) names.Set(static_cast<uint32_t>(i), Napi::String::New(env, kFeatureNames[i]));
  Napi::Function cls = DefineClass(env, "NativeExecution",
                                   {
                                       InstanceMethod<&ExecutionWrap::Reset>("reset"),
                                       InstanceMethod<&ExecutionWrap::Step>("step"),
                                       InstanceMethod<&ExecutionWrap::CheckInvariants>("checkInvariants"),
                                       InstanceMethod<&ExecutionWrap::FlowEvents>("flowEvents"),
                                       InstanceMethod<&ExecutionWrap::TakeSideDepth>("takeSideDepth"),
                                       StaticValue("featureNames", names),
                                       StaticValue("featureVersion", Napi::String::New(env, kFeatureVersion)),
                                       StaticValue("ioFields", fields),
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
  spec.incompletePenaltyBps = numberOr(task, "incompletePenaltyBps", 0);
  spec.startMinNs = static_cast<TsNs>(numberOr(task, "startMinNs", 0));
  spec.startMaxNs = static_cast<TsNs>(numberOr(task, "startMaxNs", 0));
  spec.markoutNs = static_cast<TsNs>(numberOr(task, "markoutNs", 0));
  if (task.Get("starts").IsTypedArray()) {
    const Napi::Float64Array starts = task.Get("starts").As<Napi::Float64Array>();
    for (size_t i = 0; i < starts.ElementLength(); ++i) spec.starts.push_back(static_cast<TsNs>(starts[i]));
  }

#define TRANCHE_IO_BIND(name, type, perEnv) io_.name = arrayArg<type>(io.Get(#name), "io." #name, static_cast<size_t>(perEnv) * N);
  TRANCHE_EXECUTION_IO(TRANCHE_IO_BIND)
#undef TRANCHE_IO_BIND
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

// takeSideDepth(out: Float64Array[N × levels × 2], levels): the book's best levels on the side the parent takes.
Napi::Value ExecutionWrap::TakeSideDepth(const Napi::CallbackInfo& info) {
  const uint32_t levels = static_cast<uint32_t>(intArg(info[1], "levels"));
  if (levels == 0) throw Napi::RangeError::New(info.Env(), "levels must be at least 1");
  double* out = arrayArg<double>(info[0], "out", static_cast<size_t>(batch_->markets()) * levels * 2);
  batch_->takeSideDepth(levels, out);
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
