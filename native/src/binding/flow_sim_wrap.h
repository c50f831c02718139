// JS class NativeFlowSim: the generative flow alone on a book, for the stylized facts, the calibration and the
// impact protocol (core/study/flow_sim.h).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/study/flow_sim.h"

namespace tranche::binding {

class FlowSimWrap : public Napi::ObjectWrap<FlowSimWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit FlowSimWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value AdvanceTo(const Napi::CallbackInfo& info);
  Napi::Value Market(const Napi::CallbackInfo& info);
  Napi::Value Top(const Napi::CallbackInfo& info);
  Napi::Value Record(const Napi::CallbackInfo& info);
  Napi::Value TakeRecording(const Napi::CallbackInfo& info);
  Napi::Value ImpactRuns(const Napi::CallbackInfo& info);
  Napi::Value Events(const Napi::CallbackInfo& info);

  std::unique_ptr<FlowSim> sim_;
  std::unique_ptr<FlowRecording> recording_;
};

}  // namespace tranche::binding
