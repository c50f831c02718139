// Module entry: registers the boundary classes and the status names.
#include <napi.h>

#include "../core/types.h"
#include "batch_wrap.h"
#include "book_wrap.h"
#include "execution_wrap.h"
#include "flow_sim_wrap.h"
#include "learner_wrap.h"
#include "replay_wrap.h"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeBook", tranche::binding::BookWrap::Init(env));
  exports.Set("NativeBatch", tranche::binding::BatchWrap::Init(env));
  exports.Set("NativeExecution", tranche::binding::ExecutionWrap::Init(env));
  exports.Set("NativeLobsterData", tranche::binding::LobsterDataWrap::Init(env));
  exports.Set("NativeFlowSim", tranche::binding::FlowSimWrap::Init(env));
  exports.Set("NativeL2Data", tranche::binding::L2DataWrap::Init(env));
  exports.Set("NativeLearner", tranche::binding::LearnerWrap::Init(env));
  Napi::Array names = Napi::Array::New(env);
  for (int s = 0; s <= static_cast<int>(tranche::Status::kTooLateToCancel); ++s)
    names.Set(static_cast<uint32_t>(s), Napi::String::New(env, tranche::statusName(static_cast<tranche::Status>(s))));
  exports.Set("statusNames", names);
  return exports;
}
}  // namespace

NODE_API_MODULE(tranche, Init)
