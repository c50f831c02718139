#include "learner_wrap.h"

#include <string>
#include <vector>

#include "args.h"

namespace tranche::binding {

Napi::Function LearnerWrap::Init(Napi::Env env) {
  return DefineClass(env, "NativeLearner",
                     {
                         InstanceMethod<&LearnerWrap::ParamCount>("paramCount"),
                         InstanceMethod<&LearnerWrap::GetParams>("getParams"),
                         InstanceMethod<&LearnerWrap::SetParams>("setParams"),
                         InstanceMethod<&LearnerWrap::GetOptimizer>("getOptimizer"),
                         InstanceMethod<&LearnerWrap::SetOptimizer>("setOptimizer"),
                         InstanceMethod<&LearnerWrap::Forward>("forward"),
                         InstanceMethod<&LearnerWrap::Gradients>("gradients"),
                         InstanceMethod<&LearnerWrap::Update>("update"),
                     });
}

namespace {
std::vector<int> intList(const Napi::Value& v, const char* name) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be an array of whole numbers");
  const Napi::Array a = v.As<Napi::Array>();
  std::vector<int> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const int64_t x = intArg(a.Get(i), name);
    if (x < 1 || x > 65536) throw Napi::RangeError::New(v.Env(), std::string(name) + " entries must be 1 to 65536");
    out.push_back(static_cast<int>(x));
  }
  return out;
}
// Rows of one call: the buffers are indexed with int.
constexpr int64_t kMaxRows = int64_t{1} << 24;

// Native errors (an action outside its dimension, an allocation that fails) as JS RangeErrors.
template <typename F>
auto guarded(Napi::Env env, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, e.what());
  }
}
}  // namespace

// new NativeLearner({ observationSize, actionDims: number[], hiddenSizes: number[] }): weights and Adam's state zero.
LearnerWrap::LearnerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LearnerWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "NativeLearner(spec) needs an object");
  const Napi::Object o = info[0].As<Napi::Object>();
  const int64_t F = intArg(o.Get("observationSize"), "observationSize");
  if (F < 1 || F > 65536) throw Napi::RangeError::New(env, "observationSize must be 1 to 65536");
  const std::vector<int> dims = intList(o.Get("actionDims"), "actionDims"), hidden = intList(o.Get("hiddenSizes"), "hiddenSizes");
  if (dims.empty() || hidden.empty()) throw Napi::RangeError::New(env, "actionDims and hiddenSizes need at least one entry");
  int64_t width = 0;
  for (int n : dims) width += n;
  if (width > (1 << 20) || dims.size() > 64 || hidden.size() > 64) throw Napi::RangeError::New(env, "the network is too large: at most 64 action dimensions of 2^20 logits in all, and 64 hidden layers");
  try {
    learner_ = std::make_unique<ActorCriticLearner>(static_cast<int>(F), dims, hidden);
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, std::string("NativeLearner: ") + e.what());
  }
  observationSize_ = static_cast<int>(F);
  dims_ = static_cast<int>(dims.size());
  logitWidth_ = static_cast<int>(width);
}

Napi::Value LearnerWrap::ParamCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(learner_->params().size()));
}

// getParams(out: Float32Array(paramCount))
Napi::Value LearnerWrap::GetParams(const Napi::CallbackInfo& info) {
  const std::vector<float>& p = learner_->params();
  float* out = arrayArg<float>(info[0], "out", p.size());
  std::copy(p.begin(), p.end(), out);
  return info.Env().Undefined();
}

// setParams(values: Float32Array(paramCount))
Napi::Value LearnerWrap::SetParams(const Napi::CallbackInfo& info) {
  std::vector<float>& p = learner_->params();
  const float* in = arrayArg<float>(info[0], "values", p.size());
  std::copy(in, in + p.size(), p.begin());
  return info.Env().Undefined();
}

// getOptimizer() -> { m: Float32Array, v: Float32Array, steps, accBeta1, accBeta2 }
Napi::Value LearnerWrap::GetOptimizer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t P = learner_->params().size();
  Napi::Float32Array m = Napi::Float32Array::New(env, P), v = Napi::Float32Array::New(env, P);
  std::copy(learner_->firstMoment().begin(), learner_->firstMoment().end(), m.Data());
  std::copy(learner_->secondMoment().begin(), learner_->secondMoment().end(), v.Data());
  Napi::Object out = Napi::Object::New(env);
  out.Set("m", m);
  out.Set("v", v);
  out.Set("steps", Napi::Number::New(env, static_cast<double>(learner_->steps())));
  out.Set("accBeta1", Napi::Number::New(env, learner_->accBeta1()));
  out.Set("accBeta2", Napi::Number::New(env, learner_->accBeta2()));
  return out;
}

// setOptimizer({ m, v, steps, accBeta1, accBeta2 })
Napi::Value LearnerWrap::SetOptimizer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "setOptimizer(state) needs an object");
  const Napi::Object o = info[0].As<Napi::Object>();
  const size_t P = learner_->params().size();
  const float* m = arrayArg<float>(o.Get("m"), "m", P);
  const float* v = arrayArg<float>(o.Get("v"), "v", P);
  std::copy(m, m + P, learner_->firstMoment().begin());
  std::copy(v, v + P, learner_->secondMoment().begin());
  const int64_t steps = intArg(o.Get("steps"), "steps");
  const double b1 = o.Get("accBeta1").ToNumber().DoubleValue(), b2 = o.Get("accBeta2").ToNumber().DoubleValue();
  if (steps < 0) throw Napi::RangeError::New(env, "steps must not be negative");
  if (!(b1 > 0 && b1 <= 1 && b2 > 0 && b2 <= 1)) throw Napi::RangeError::New(env, "accBeta1 and accBeta2 must be in (0, 1]");
  learner_->steps() = steps;
  learner_->accBeta1() = static_cast<float>(b1);
  learner_->accBeta2() = static_cast<float>(b2);
  return env.Undefined();
}

// forward(obs: Float32Array(rows × F), rows, logits: Float32Array(rows × Σ dims), values: Float32Array(rows) | null)
Napi::Value LearnerWrap::Forward(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info[1], "rows");
  if (rows < 1 || rows > kMaxRows) throw Napi::RangeError::New(info.Env(), "rows must be 1 to 2^24");
  const size_t R = static_cast<size_t>(rows);
  const float* obs = arrayArg<float>(info[0], "obs", R * observationSize_);
  float* logits = arrayArg<float>(info[2], "logits", R * logitWidth_);
  float* values = info[3].IsNull() || info[3].IsUndefined() ? nullptr : arrayArg<float>(info[3], "values", R);
  guarded(info.Env(), [&] { learner_->forward(obs, static_cast<int>(rows), logits, values); return 0; });
  return info.Env().Undefined();
}

namespace {
PpoBatch batchFrom(const Napi::Value& v, int F, int D) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), "batch must be an object");
  const Napi::Object o = v.As<Napi::Object>();
  const int64_t rows = intArg(o.Get("rows"), "batch.rows");
  if (rows < 1 || rows > kMaxRows) throw Napi::RangeError::New(v.Env(), "batch.rows must be 1 to 2^24");
  const size_t R = static_cast<size_t>(rows);
  return PpoBatch{arrayArg<float>(o.Get("obs"), "batch.obs", R * F), arrayArg<int32_t>(o.Get("actions"), "batch.actions", R * D),
                  arrayArg<float>(o.Get("oldLogProb"), "batch.oldLogProb", R), arrayArg<float>(o.Get("advantages"), "batch.advantages", R),
                  arrayArg<float>(o.Get("returns"), "batch.returns", R), arrayArg<float>(o.Get("oldValues"), "batch.oldValues", R), static_cast<int>(rows)};
}

PpoLossSpec lossFrom(const Napi::Value& v) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), "loss must be an object");
  const Napi::Object o = v.As<Napi::Object>();
  PpoLossSpec s;
  s.clipCoef = static_cast<float>(numberOr(o, "clipCoef", s.clipCoef));
  s.clipValueLoss = o.Get("clipValueLoss").ToBoolean().Value();
  s.entropyCoef = static_cast<float>(numberOr(o, "entropyCoef", s.entropyCoef));
  s.valueCoef = static_cast<float>(numberOr(o, "valueCoef", s.valueCoef));
  return s;
}

Napi::Float64Array statsArray(Napi::Env env, const PpoStats& s) {
  Napi::Float64Array out = Napi::Float64Array::New(env, 6);
  out[0] = s.policyLoss, out[1] = s.valueLoss, out[2] = s.entropy, out[3] = s.approxKl, out[4] = s.clipFraction, out[5] = s.gradNorm;
  return out;
}
}  // namespace

// gradients(batch, loss, out: Float32Array(paramCount)) -> Float64Array [policy, value, entropy, approxKl, clipfrac, gradNorm]
Napi::Value LearnerWrap::Gradients(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const PpoBatch b = batchFrom(info[0], observationSize_, dims_);
  const PpoLossSpec loss = lossFrom(info[1]);
  float* out = arrayArg<float>(info[2], "out", learner_->params().size());
  const PpoStats s = guarded(env, [&] { return learner_->gradients(b, loss); });
  std::copy(learner_->grads().begin(), learner_->grads().end(), out);
  return statsArray(env, s);
}

// update(batch, loss, { learningRate, beta1, beta2, epsilon, maxGradNorm }) -> the same statistics
Napi::Value LearnerWrap::Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const PpoBatch b = batchFrom(info[0], observationSize_, dims_);
  const PpoLossSpec loss = lossFrom(info[1]);
  if (!info[2].IsObject()) throw Napi::TypeError::New(env, "adam must be an object");
  const Napi::Object o = info[2].As<Napi::Object>();
  AdamSpec adam;
  adam.learningRate = static_cast<float>(numberOr(o, "learningRate", adam.learningRate));
  adam.beta1 = numberOr(o, "beta1", adam.beta1);
  adam.beta2 = numberOr(o, "beta2", adam.beta2);
  adam.epsilon = static_cast<float>(numberOr(o, "epsilon", adam.epsilon));
  adam.maxGradNorm = numberOr(o, "maxGradNorm", adam.maxGradNorm);
  return statsArray(env, guarded(env, [&] { return learner_->update(b, loss, adam); }));
}

}  // namespace tranche::binding
