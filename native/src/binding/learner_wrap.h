// JS class NativeLearner: the fused actor-critic and PPO step of core/learn/actor_critic.h (training/learner.ts drives it).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/learn/actor_critic.h"

namespace tranche::binding {

class LearnerWrap : public Napi::ObjectWrap<LearnerWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit LearnerWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value ParamCount(const Napi::CallbackInfo& info);
  Napi::Value GetParams(const Napi::CallbackInfo& info);
  Napi::Value SetParams(const Napi::CallbackInfo& info);
  Napi::Value GetOptimizer(const Napi::CallbackInfo& info);
  Napi::Value SetOptimizer(const Napi::CallbackInfo& info);
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value Gradients(const Napi::CallbackInfo& info);
  Napi::Value Update(const Napi::CallbackInfo& info);

  std::unique_ptr<ActorCriticLearner> learner_;
  int observationSize_ = 0, dims_ = 0, logitWidth_ = 0;
};

}  // namespace tranche::binding
