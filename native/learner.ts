// The actor-critic MLP and PPO's minibatch step fused in native code (NativeLearner, core/learn/actor_critic.h):
// the same network as training/network.ts (tanh MLPs, the actor's logits then the critic's value), its loss and
// gradient written out by hand, global-norm clipping and Adam as TensorFlow.js applies them. training/fused.ts
// drives it; tfjs stays the reference its gradients are tested against.
import { fail } from "./checks.js";
import { binding, type NativeLearnerHandle } from "./load.js";

/** One minibatch, row-major: normalised observations [rows × F], actions [rows × dims]. */
export interface PpoBatch {
  obs: Float32Array;
  actions: Int32Array;
  oldLogProb: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
  rows: number;
}

/** loss = policy − entropyCoef · entropy + valueCoef · value, as training/ppo.ts defines each term. */
export interface PpoLossSpec {
  clipCoef: number;
  clipValueLoss: boolean;
  entropyCoef: number;
  valueCoef: number;
}

export interface AdamSpec {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The global norm the gradients are clipped to before the step. */
  maxGradNorm: number;
}

/** Adam's moments (the parameters' layout), its step count and running β₁ᵗ, β₂ᵗ. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  steps: number;
  accBeta1: number;
  accBeta2: number;
}

/** The minibatch's means and the gradients' global norm before clipping. */
export interface PpoStepStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  gradNorm: number;
}

function stats(s: Float64Array): PpoStepStats {
  return { policyLoss: s[0], valueLoss: s[1], entropy: s[2], approxKl: s[3], clipFraction: s[4], gradNorm: s[5] };
}

/**
 * The network's parameters are one Float32Array: each actor layer's kernel [in × out] (row-major) and bias, then each
 * critic layer's, in training/network.ts's order (actor/0/kernel, actor/0/bias, …, critic/out/bias).
 */
export class NativeActorCritic {
  readonly paramCount: number;
  readonly logitWidth: number;
  private readonly handle: NativeLearnerHandle;

  constructor(readonly spec: { observationSize: number; actionDims: readonly number[]; hiddenSizes: readonly number[] }) {
    const whole = (x: number) => Number.isInteger(x) && x >= 1 && x <= 65_536;
    if (!whole(spec.observationSize)) fail(`observationSize must be a whole number from 1 to 65536, got ${spec.observationSize}`);
    if (spec.actionDims.length === 0 || !spec.actionDims.every(whole)) fail(`actionDims must be whole numbers from 1 to 65536, got [${spec.actionDims}]`);
    if (spec.hiddenSizes.length === 0 || !spec.hiddenSizes.every(whole)) fail(`hiddenSizes must be whole numbers from 1 to 65536, got [${spec.hiddenSizes}]`);
    this.handle = new (binding().NativeLearner)(spec);
    this.paramCount = this.handle.paramCount();
    this.logitWidth = spec.actionDims.reduce((a, b) => a + b, 0);
  }

  params(): Float32Array {
    const out = new Float32Array(this.paramCount);
    this.handle.getParams(out);
    return out;
  }

  setParams(values: Float32Array): void {
    if (values.length !== this.paramCount) fail(`setParams: ${values.length} values for ${this.paramCount} parameters`);
    this.handle.setParams(values);
  }

  optimizer(): AdamState {
    return this.handle.getOptimizer();
  }

  setOptimizer(state: AdamState): void {
    if (state.m.length !== this.paramCount || state.v.length !== this.paramCount) fail(`setOptimizer: moments of ${state.m.length} and ${state.v.length} values for ${this.paramCount} parameters`);
    this.handle.setOptimizer(state);
  }

  /** Logits [rows × Σ dims] and, if `values` is given, V(s) [rows] for normalised observations. */
  forward(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array | null = null): void {
    this.handle.forward(obs, rows, logits, values);
  }

  /** The loss's gradient (unclipped) into `out` [paramCount]. */
  gradients(batch: PpoBatch, loss: PpoLossSpec, out: Float32Array): PpoStepStats {
    return stats(this.handle.gradients(batch, loss, out));
  }

  /** One step: the gradient, clipped to the global norm, then Adam. */
  update(batch: PpoBatch, loss: PpoLossSpec, adam: AdamSpec): PpoStepStats {
    return stats(this.handle.update(batch, loss, adam));
  }
}
