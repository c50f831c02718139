// The actor-critic of training/network.ts (two tanh MLPs: one logit head per action dimension, one value) with PPO's
// minibatch step fused into one native pass: the forward pass, the clipped objective of training/ppo.ts, its
// gradient by hand, global gradient-norm clipping and Adam as TensorFlow.js applies it. tfjs is the reference: its
// gradients on the same weights and minibatch must agree within 1e-5 (test/training/fused.test.ts). This exists
// because for a 64-wide MLP tfjs-wasm spends its time in per-op overhead, not arithmetic.
//
// Every loop runs in a fixed order with no reassociation and no contraction (-ffp-contract=off; the AVX2 clones have
// no FMA), so a seed gives the same bits wherever the same libm runs (std::exp and std::log are libm's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tranche {

// A tanh MLP whose weights live in a flat buffer: layer l's kernel [in_l × out_l] (row-major, tfjs's layout) and
// then its bias [out_l], layer after layer. The last layer is linear.
class Mlp {
 public:
  Mlp(int inputs, const std::vector<int>& hidden, int outputs);
  size_t paramCount() const { return paramCount_; }
  int outputs() const { return widths_.back(); }

  // out[rows × outputs] for x[rows × inputs]; keeps the activations for backward().
  void forward(const float* params, const float* x, int rows, float* out);
  // Gradients of the parameters (written, not accumulated) for dOut = ∂loss/∂out of the last forward() call.
  void backward(const float* params, const float* dOut, float* grads);

 private:
  std::vector<int> widths_;  // inputs, hidden..., outputs
  std::vector<size_t> offsets_;  // each layer's kernel in the flat buffer (its bias follows it)
  size_t paramCount_ = 0;
  const float* input_ = nullptr;
  int rows_ = 0;
  std::vector<std::vector<float>> hidden_;  // post-tanh activations of each hidden layer, rows × width
  std::vector<float> delta_, deltaPrev_, transposed_;
};

// The terms of PPO's loss (training/ppo.ts): loss = policy − entropyCoef · entropy + valueCoef · value.
struct PpoLossSpec {
  float clipCoef = 0.2f;
  bool clipValueLoss = true;
  float entropyCoef = 0.0f;
  float valueCoef = 0.5f;
};

// Adam (β₁, β₂, ε as training/ppo.ts builds tfjs's) and the global norm the gradients are clipped to.
struct AdamSpec {
  float learningRate = 1e-3f;
  double beta1 = 0.9, beta2 = 0.999;  // JS numbers: 1 − β is taken in double, then rounded, as tfjs does
  float epsilon = 1e-5f;
  double maxGradNorm = 0.5;
};

// One minibatch, row-major: obs [rows × F] (normalised), actions [rows × dims].
struct PpoBatch {
  const float* obs;
  const int32_t* actions;
  const float* oldLogProb;
  const float* advantages;
  const float* returns;
  const float* oldValues;
  int rows;
};

// The minibatch's means, as the metrics log them, and the gradients' global norm before clipping.
struct PpoStats {
  double policyLoss = 0, valueLoss = 0, entropy = 0, approxKl = 0, clipFraction = 0, gradNorm = 0;
};

class ActorCriticLearner {
 public:
  ActorCriticLearner(int observationSize, const std::vector<int>& actionDims, const std::vector<int>& hidden);

  // Actor's parameters, then the critic's, in training/network.ts's order (actor/0/kernel, actor/0/bias, …).
  std::vector<float>& params() { return params_; }
  const std::vector<float>& grads() const { return grads_; }
  // Adam's moments (same layout as params), its step count and running β₁ᵗ, β₂ᵗ (float32, as tfjs keeps them).
  std::vector<float>& firstMoment() { return m_; }
  std::vector<float>& secondMoment() { return v_; }
  int64_t& steps() { return steps_; }
  float& accBeta1() { return accBeta1_; }
  float& accBeta2() { return accBeta2_; }

  // logits [rows × Σ dims] and, if non-null, values [rows].
  void forward(const float* obs, int rows, float* logits, float* values);
  // The loss's gradient into grads() (unclipped), with the minibatch's statistics.
  PpoStats gradients(const PpoBatch& batch, const PpoLossSpec& loss);
  // gradients(), then clipping to the global norm and one Adam step.
  PpoStats update(const PpoBatch& batch, const PpoLossSpec& loss, const AdamSpec& adam);

 private:
  int observationSize_;
  std::vector<int> dims_;
  int logitWidth_;
  Mlp actor_, critic_;
  std::vector<float> params_, grads_, m_, v_;
  int64_t steps_ = 0;
  float accBeta1_ = 0.9f, accBeta2_ = 0.999f;
  std::vector<float> logits_, values_, dLogits_, dValues_;
};

}  // namespace tranche
