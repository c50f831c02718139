// JS class NativeBatch: N markets bound once to caller-owned typed arrays, stepped in one call.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "../core/batch.h"
#include "../core/flow/poisson_flow.h"

namespace tranche::binding {

// A market's configuration and the flow each market of a batch gets, read from the flat JS config.
struct MarketSetup {
  MarketConfig config;
  Batch::FlowFactory flows;
};
// The book's options from the flat config's `book` (defaults where absent).
BookConfig bookConfigFrom(const Napi::Object& cfg);
// The Poisson flow's parameters from the flat config's `flow` (defaults where absent).
PoissonFlowConfig poissonFrom(const Napi::Object& cfg);
MarketSetup marketSetupFrom(const Napi::Object& cfg, Napi::ObjectReference* flowRef);

class BatchWrap : public Napi::ObjectWrap<BatchWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BatchWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value Now(const Napi::CallbackInfo& info);
  Napi::Value BytesReserved(const Napi::CallbackInfo& info);
  Napi::Value CheckInvariants(const Napi::CallbackInfo& info);
  Napi::Value FlowStats(const Napi::CallbackInfo& info);
  Napi::Value Depth(const Napi::CallbackInfo& info);
  Napi::Value FlowEvents(const Napi::CallbackInfo& info);

  std::unique_ptr<Batch> batch_;
  BatchIO io_{};
  Napi::ObjectReference ioRef_;    // keeps the caller's arrays alive while their pointers are held
  Napi::ObjectReference flowRef_;  // keeps a replay's data (and its arrays) alive
  std::vector<TsNs> startsScratch_;
};

}  // namespace tranche::binding
