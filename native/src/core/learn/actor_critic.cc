#include "actor_critic.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace tranche {

namespace {

// tanh in float32 to about 4e-7 (Eigen's rational approximation, clamped where tanh is ±1 in float): std::tanh
// does not vectorise, and the hidden layers call it rows × width times per pass.
inline float fastTanh(float x) {
  const float c = 7.90531110763549805f;
  const float y = x > c ? c : (x < -c ? -c : x);
  const float x2 = y * y;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * y;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return std::fabs(x) < 0.0004f ? x : p / q;
}

// out[r, :] = bias + in[r, :] · W (W: n × m, row-major), then tanh where `activate`. The inner loop runs over the
// outputs, so it vectorises without reordering any sum.
__attribute__((target_clones("avx2", "default"))) void denseForward(const float* in, int rows, int n, int m, const float* w, const float* bias, float* out, bool activate) {
  for (int r = 0; r < rows; ++r) {
    float* o = out + static_cast<size_t>(r) * m;
    const float* x = in + static_cast<size_t>(r) * n;
    for (int j = 0; j < m; ++j) o[j] = bias[j];
    for (int i = 0; i < n; ++i) {
      const float a = x[i];
      const float* wr = w + static_cast<size_t>(i) * m;
      for (int j = 0; j < m; ++j) o[j] += a * wr[j];
    }
    if (activate)
      for (int j = 0; j < m; ++j) o[j] = fastTanh(o[j]);
  }
}

// gW = inᵀ · delta (n × m), gB = Σ_r delta[r, :].
__attribute__((target_clones("avx2", "default"))) void denseWeightGrads(const float* in, const float* delta, int rows, int n, int m, float* gw, float* gb) {
  std::fill(gw, gw + static_cast<size_t>(n) * m, 0.0f);
  std::fill(gb, gb + m, 0.0f);
  for (int r = 0; r < rows; ++r) {
    const float* d = delta + static_cast<size_t>(r) * m;
    const float* x = in + static_cast<size_t>(r) * n;
    for (int i = 0; i < n; ++i) {
      const float a = x[i];
      float* g = gw + static_cast<size_t>(i) * m;
      for (int j = 0; j < m; ++j) g[j] += a * d[j];
    }
    for (int j = 0; j < m; ++j) gb[j] += d[j];
  }
}

// prev[r, :] = (delta[r, :] · Wᵀ) ⊙ (1 − act[r, :]²): the delta of the tanh layer below. `wt` is W transposed (m × n).
__attribute__((target_clones("avx2", "default"))) void denseInputGrads(const float* delta, int rows, int n, int m, const float* wt, const float* act, float* prev) {
  for (int r = 0; r < rows; ++r) {
    float* p = prev + static_cast<size_t>(r) * n;
    const float* d = delta + static_cast<size_t>(r) * m;
    std::fill(p, p + n, 0.0f);
    for (int j = 0; j < m; ++j) {
      const float a = d[j];
      const float* w = wt + static_cast<size_t>(j) * n;
      for (int i = 0; i < n; ++i) p[i] += a * w[i];
    }
    const float* h = act + static_cast<size_t>(r) * n;
    for (int i = 0; i < n; ++i) p[i] *= 1.0f - h[i] * h[i];
  }
}

}  // namespace

Mlp::Mlp(int inputs, const std::vector<int>& hidden, int outputs) {
  if (inputs < 1 || outputs < 1 || hidden.empty()) throw std::invalid_argument("an MLP needs inputs, outputs and at least one hidden layer");
  widths_.push_back(inputs);
  for (int h : hidden) {
    if (h < 1) throw std::invalid_argument("hidden layer widths must be at least 1");
    widths_.push_back(h);
  }
  widths_.push_back(outputs);
  for (size_t l = 0; l + 1 < widths_.size(); ++l) {
    offsets_.push_back(paramCount_);
    paramCount_ += static_cast<size_t>(widths_[l]) * widths_[l + 1] + widths_[l + 1];
  }
  hidden_.resize(hidden.size());
}

void Mlp::forward(const float* params, const float* x, int rows, float* out) {
  input_ = x;
  rows_ = rows;
  const size_t L = offsets_.size();
  const float* in = x;
  for (size_t l = 0; l < L; ++l) {
    const int n = widths_[l], m = widths_[l + 1];
    const float* w = params + offsets_[l];
    const bool last = l + 1 == L;
    float* o = out;
    if (!last) {
      hidden_[l].resize(static_cast<size_t>(rows) * m);
      o = hidden_[l].data();
    }
    denseForward(in, rows, n, m, w, w + static_cast<size_t>(n) * m, o, !last);
    in = o;
  }
}

void Mlp::backward(const float* params, const float* dOut, float* grads) {
  const size_t L = offsets_.size();
  const int rows = rows_;
  delta_.assign(dOut, dOut + static_cast<size_t>(rows) * widths_[L]);
  for (size_t l = L; l-- > 0;) {
    const int n = widths_[l], m = widths_[l + 1];
    const float* in = l == 0 ? input_ : hidden_[l - 1].data();
    float* gw = grads + offsets_[l];
    denseWeightGrads(in, delta_.data(), rows, n, m, gw, gw + static_cast<size_t>(n) * m);
    if (l == 0) break;
    const float* w = params + offsets_[l];
    transposed_.resize(static_cast<size_t>(n) * m);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) transposed_[static_cast<size_t>(j) * n + i] = w[static_cast<size_t>(i) * m + j];
    deltaPrev_.resize(static_cast<size_t>(rows) * n);
    denseInputGrads(delta_.data(), rows, n, m, transposed_.data(), hidden_[l - 1].data(), deltaPrev_.data());
    delta_.swap(deltaPrev_);
  }
}

ActorCriticLearner::ActorCriticLearner(int observationSize, const std::vector<int>& actionDims, const std::vector<int>& hidden)
    : observationSize_(observationSize), dims_(actionDims), logitWidth_(std::accumulate(actionDims.begin(), actionDims.end(), 0)),
      actor_(observationSize, hidden, std::accumulate(actionDims.begin(), actionDims.end(), 0)), critic_(observationSize, hidden, 1) {
  for (int n : dims_)
    if (n < 1) throw std::invalid_argument("every action dimension needs at least one choice");
  const size_t P = actor_.paramCount() + critic_.paramCount();
  params_.assign(P, 0.0f);
  grads_.assign(P, 0.0f);
  m_.assign(P, 0.0f);
  v_.assign(P, 0.0f);
}

void ActorCriticLearner::forward(const float* obs, int rows, float* logits, float* values) {
  actor_.forward(params_.data(), obs, rows, logits);
  if (values != nullptr) critic_.forward(params_.data() + actor_.paramCount(), obs, rows, values);
}

PpoStats ActorCriticLearner::gradients(const PpoBatch& b, const PpoLossSpec& loss) {
  const int B = b.rows, W = logitWidth_, D = static_cast<int>(dims_.size());
  if (B < 1) throw std::invalid_argument("a minibatch needs at least one row");
  logits_.resize(static_cast<size_t>(B) * W);
  values_.resize(B);
  dLogits_.resize(static_cast<size_t>(B) * W);
  dValues_.resize(B);
  forward(b.obs, B, logits_.data(), values_.data());

  const float eps = loss.clipCoef, invB = 1.0f / static_cast<float>(B);
  PpoStats s;
  for (int r = 0; r < B; ++r) {
    const float* z = logits_.data() + static_cast<size_t>(r) * W;
    float* dz = dLogits_.data() + static_cast<size_t>(r) * W;
    // log π(a | s) and the entropy, summed over the independent categoricals; dz holds log-softmax for now.
    float logProb = 0, entropy = 0;
    for (int d = 0, from = 0; d < D; from += dims_[d], ++d) {
      const int n = dims_[d];
      float max = z[from];
      for (int j = 1; j < n; ++j) max = std::max(max, z[from + j]);
      float total = 0;
      for (int j = 0; j < n; ++j) total += std::exp(z[from + j] - max);
      const float lse = max + std::log(total);
      float h = 0;
      for (int j = 0; j < n; ++j) {
        const float lp = z[from + j] - lse;
        dz[from + j] = lp;
        h -= std::exp(lp) * lp;
      }
      const int32_t a = b.actions[static_cast<size_t>(r) * D + d];
      if (a < 0 || a >= n) throw std::out_of_range("an action is outside its dimension");
      logProb += dz[from + a];
      entropy += h;
    }
    // The clipped surrogate: −min(ρA, clip(ρ)A); its gradient takes the first branch on a tie and the clip passes
    // the gradient at its bounds, as tfjs's minimum and clipByValue do.
    const float logRatio = logProb - b.oldLogProb[r];
    const float ratio = std::exp(logRatio);
    const float A = b.advantages[r];
    const float clipped = std::min(std::max(ratio, 1 - eps), 1 + eps);
    const float plainTerm = ratio * A, clippedTerm = clipped * A;
    const float surrogate = std::min(plainTerm, clippedTerm);
    const float dSurrogate = plainTerm <= clippedTerm ? A : (ratio >= 1 - eps && ratio <= 1 + eps ? A : 0.0f);
    const float g = -invB * dSurrogate * ratio;  // ∂loss/∂logProb
    s.policyLoss -= surrogate;
    s.entropy += entropy;
    s.approxKl += (ratio - 1) - logRatio;
    if (std::fabs(ratio - 1) > eps) s.clipFraction += 1;
    // ∂/∂z_j of g·log π(a) − (entropyCoef/B)·H: g(δ_ja − p_j) + (entropyCoef/B)·p_j(log p_j + H_d).
    const float ce = loss.entropyCoef * invB;
    for (int d = 0, from = 0; d < D; from += dims_[d], ++d) {
      const int n = dims_[d];
      float h = 0;
      for (int j = 0; j < n; ++j) h -= std::exp(dz[from + j]) * dz[from + j];
      const int32_t a = b.actions[static_cast<size_t>(r) * D + d];
      for (int j = 0; j < n; ++j) {
        const float lp = dz[from + j], p = std::exp(lp);
        dz[from + j] = g * ((j == a ? 1.0f : 0.0f) - p) + ce * p * (lp + h);
      }
    }
    // The value loss: ½(v − R)², or the larger of that and the clipped prediction's (tfjs's maximum: first on a tie).
    const float v = values_[r], R = b.returns[r];
    const float plain = (v - R) * (v - R);
    float dv = 2 * (v - R), term = plain;
    if (loss.clipValueLoss) {
      const float change = v - b.oldValues[r];
      const float moved = b.oldValues[r] + std::min(std::max(change, -eps), eps);
      const float clippedLoss = (moved - R) * (moved - R);
      if (!(plain >= clippedLoss)) {
        term = clippedLoss;
        dv = change >= -eps && change <= eps ? 2 * (moved - R) : 0.0f;
      }
    }
    s.valueLoss += 0.5 * term;
    dValues_[r] = loss.valueCoef * 0.5f * invB * dv;
  }
  s.policyLoss /= B, s.valueLoss /= B, s.entropy /= B, s.approxKl /= B, s.clipFraction /= B;

  actor_.backward(params_.data(), dLogits_.data(), grads_.data());
  critic_.backward(params_.data() + actor_.paramCount(), dValues_.data(), grads_.data() + actor_.paramCount());
  double sq = 0;
  for (float x : grads_) sq += static_cast<double>(x) * x;
  s.gradNorm = std::sqrt(sq);
  return s;
}

PpoStats ActorCriticLearner::update(const PpoBatch& b, const PpoLossSpec& loss, const AdamSpec& adam) {
  const PpoStats s = gradients(b, loss);
  const float factor = s.gradNorm > adam.maxGradNorm ? static_cast<float>(adam.maxGradNorm / (s.gradNorm + 1e-6)) : 1.0f;
  const float beta1 = static_cast<float>(adam.beta1), beta2 = static_cast<float>(adam.beta2);
  const float rest1 = static_cast<float>(1 - adam.beta1), rest2 = static_cast<float>(1 - adam.beta2);
  if (steps_ == 0) accBeta1_ = beta1, accBeta2_ = beta2;
  // tfjs's Adam: moments updated, bias-corrected by 1 − β^t, then w −= lr · m̂ / (√v̂ + ε); β^t advances after.
  const float c1 = 1 - accBeta1_, c2 = 1 - accBeta2_;
  const size_t P = params_.size();
  for (size_t k = 0; k < P; ++k) {
    const float g = grads_[k] * factor;
    m_[k] = m_[k] * beta1 + g * rest1;
    v_[k] = v_[k] * beta2 + (g * g) * rest2;
    const float mHat = m_[k] / c1, vHat = v_[k] / c2;
    params_[k] = (mHat / (std::sqrt(vHat) + adam.epsilon)) * -adam.learningRate + params_[k];
  }
  accBeta1_ *= beta1;
  accBeta2_ *= beta2;
  ++steps_;
  return s;
}

}  // namespace tranche
