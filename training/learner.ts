// What PPO's update runs on: the network's inference for the rollout and one minibatch step of the objective. Two
// learners give the same network and the same objective:
//
// - `tfjs`: TensorFlow.js computes the loss as tensors and its gradient by autodiff (the reference, and the path to
//   GPUs with tfjs-node-gpu);
// - `fused`: the native addon runs the forward pass, the hand-written gradient of the same loss, the clipping and
//   Adam in one call (native/learner.ts). For the small MLPs of this task tfjs-wasm spends its time in per-op
//   overhead; the fused step is several times faster, and its gradients equal tfjs's within 1e-5
//   (test/training/fused.test.ts).
//
// Either way an ActorCritic (tfjs) holds the weights whenever the run hands them out: validation, checkpoints and the
// ONNX export read it.
import * as tf from "@tensorflow/tfjs";
import { NativeActorCritic, type AdamState, type PpoBatch, type PpoLossSpec, type PpoStepStats } from "../native/index.js";
import { ActorCritic, type ActorCriticSpec } from "./network.js";

export const LEARNERS = ["fused", "tfjs"] as const;
export type LearnerKind = (typeof LEARNERS)[number];

/** Adam's constants (CleanRL's ε of 1e-5). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-5 } as const;

/** Adam's state in a checkpoint: named moments, the step count, and the running β₁ᵗ, β₂ᵗ. */
export interface OptimizerState {
  learner: LearnerKind;
  moments: { name: string; shape: number[]; values: number[] }[];
  adamPowers: [number, number];
}

/** The loss terms and the clipping of one step. */
export type StepSpec = PpoLossSpec & { maxGradNorm: number };

export interface Learner {
  readonly kind: LearnerKind;
  /** Logits [rows × Σ dims] and values [rows] of normalised observations, into the arrays given. */
  infer(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void;
  /** One minibatch: the gradient of the loss, clipped to the global norm, then an Adam step at `learningRate`. */
  step(batch: PpoBatch, spec: StepSpec, learningRate: number): PpoStepStats;
  /** The tfjs network with the current weights. */
  network(): ActorCritic;
  /** Sets the weights (ActorCritic.weights()'s form, a checkpoint's). */
  setWeights(weights: Record<string, { shape: number[]; values: ArrayLike<number> }>): void;
  optimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): Promise<void>;
  dispose(): void;
}

export function createLearner(kind: LearnerKind, spec: ActorCriticSpec): Learner {
  return kind === "fused" ? new FusedLearner(spec) : new TfjsLearner(spec);
}

/**
 * PPO's loss on tensors (training/ppo.ts's clippedSurrogateLoss, valueLoss and the entropy bonus), with the
 * minibatch's means: policy loss, value loss, entropy, approx_kl, clipfrac. Call inside tf.tidy or a grads function.
 */
export function tfjsPpoLoss(network: ActorCritic, batch: PpoBatch, spec: PpoLossSpec): { loss: tf.Scalar; parts: tf.Scalar[] } {
  const { rows, obs, actions } = batch;
  const F = network.spec.observationSize, D = network.spec.actionDims.length;
  const x = tf.tensor2d(obs.subarray(0, rows * F), [rows, F]), act = tf.tensor2d(actions.subarray(0, rows * D), [rows, D], "int32");
  const oldLogProb = tf.tensor1d(batch.oldLogProb.subarray(0, rows)), advantage = tf.tensor1d(batch.advantages.subarray(0, rows));
  const target = tf.tensor1d(batch.returns.subarray(0, rows)), oldValue = tf.tensor1d(batch.oldValues.subarray(0, rows));
  const { logProb, entropy } = network.logProbAndEntropy(x, act);
  // The clipped surrogate.
  const ratio = tf.exp(tf.sub(logProb, oldLogProb));
  const surrogate = tf.minimum(tf.mul(ratio, advantage), tf.mul(tf.clipByValue(ratio, 1 - spec.clipCoef, 1 + spec.clipCoef), advantage));
  const policyLoss = tf.neg(tf.mean(surrogate)) as tf.Scalar;
  // The value loss.
  const v = network.value(x);
  const plain = tf.square(tf.sub(v, target));
  const valueLoss = (spec.clipValueLoss
    ? tf.mul(0.5, tf.mean(tf.maximum(plain, tf.square(tf.sub(tf.add(oldValue, tf.clipByValue(tf.sub(v, oldValue), -spec.clipCoef, spec.clipCoef)), target)))))
    : tf.mul(0.5, tf.mean(plain))) as tf.Scalar;
  const entropyMean = tf.mean(entropy) as tf.Scalar;
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), tf.log(ratio))) as tf.Scalar;
  const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), spec.clipCoef), "float32")) as tf.Scalar;
  const loss = tf.add(tf.sub(policyLoss, tf.mul(spec.entropyCoef, entropyMean)), tf.mul(spec.valueCoef, valueLoss)) as tf.Scalar;
  return { loss, parts: [policyLoss, valueLoss, entropyMean, approxKl, clipFraction] };
}

/** The network's weights as one array in the fused learner's layout (ActorCritic.weights()'s order). */
export function flattenWeights(network: ActorCritic): Float32Array {
  const parts = Object.values(network.weights()).map((w) => w.values);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

/**
 * Adam's running β₁ᵗ and β₂ᵗ. tfjs's setWeights recomputes them as pow(β, t + 1), which differs in the last bits from
 * the product it keeps while training; a checkpoint carries them so a resumed run continues bit for bit.
 */
function adamPowers(optimizer: tf.AdamOptimizer): [tf.Variable, tf.Variable] {
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (!(o.accBeta1 instanceof tf.Variable) || !(o.accBeta2 instanceof tf.Variable)) throw new Error("this @tensorflow/tfjs has no AdamOptimizer.accBeta1/accBeta2: update training/learner.ts's checkpoint");
  return [o.accBeta1, o.accBeta2];
}

function refuseOther(kind: LearnerKind, state: OptimizerState): void {
  if (typeof state !== "object" || state === null || !LEARNERS.includes(state.learner))
    throw new RangeError("the checkpoint's optimizer state is not one this version of tranche writes: start a new run");
  if (state.learner !== kind)
    throw new RangeError(`the checkpoint's optimizer state is the ${state.learner} learner's and this run uses the ${kind} learner: resume with learner "${state.learner}"`);
}

class TfjsLearner implements Learner {
  readonly kind = "tfjs";
  private readonly net: ActorCritic;
  private readonly optimizer: tf.AdamOptimizer;

  constructor(spec: ActorCriticSpec) {
    this.net = new ActorCritic(spec);
    this.optimizer = tf.train.adam(1e-3, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  }

  infer(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void {
    tf.tidy(() => {
      const x = tf.tensor2d(obs.subarray(0, rows * this.net.spec.observationSize), [rows, this.net.spec.observationSize]);
      logits.set(this.net.logits(x).dataSync() as Float32Array);
      values.set(this.net.value(x).dataSync() as Float32Array);
    });
  }

  step(batch: PpoBatch, spec: StepSpec, learningRate: number): PpoStepStats {
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    return tf.tidy(() => {
      let parts: tf.Scalar[] = [];
      const { value: loss, grads } = tf.variableGrads(() => {
        const l = tfjsPpoLoss(this.net, batch, spec);
        // Kept past variableGrads' own scope for the metrics; disposed by the tidy around this step.
        parts = l.parts.map((p) => tf.keep(p));
        return l.loss;
      });
      // Global gradient-norm clipping.
      const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
      const factor = norm > spec.maxGradNorm ? spec.maxGradNorm / (norm + 1e-6) : 1;
      this.optimizer.applyGradients(Object.entries(grads).map(([name, g]) => ({ name, tensor: tf.mul(g, factor) })));
      const [policyLoss, valueLoss, entropy, approxKl, clipFraction] = parts.map((p) => p.dataSync()[0]);
      tf.dispose([loss, ...parts]);
      return { policyLoss, valueLoss, entropy, approxKl, clipFraction, gradNorm: norm };
    });
  }

  network(): ActorCritic {
    return this.net;
  }

  setWeights(weights: Record<string, { shape: number[]; values: ArrayLike<number> }>): void {
    this.net.setWeights(weights);
  }

  async optimizerState(): Promise<OptimizerState> {
    const weights = await this.optimizer.getWeights();
    return {
      learner: this.kind,
      moments: weights.map((w) => ({ name: w.name, shape: w.tensor.shape.slice(), values: Array.from(w.tensor.dataSync()) })),
      adamPowers: adamPowers(this.optimizer).map((v) => v.dataSync()[0]) as [number, number],
    };
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    refuseOther(this.kind, state);
    await this.optimizer.setWeights(state.moments.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape, w.name === "iter" ? "int32" : "float32") })));
    adamPowers(this.optimizer).forEach((v, i) => tf.tidy(() => v.assign(tf.scalar(state.adamPowers[i]))));
  }

  dispose(): void {
    this.optimizer.dispose();
    this.net.dispose();
  }
}

class FusedLearner implements Learner {
  readonly kind = "fused";
  private readonly net: ActorCritic;
  private readonly native: NativeActorCritic;
  /** True when the native weights moved since the tfjs network last took them. */
  private stale = false;

  constructor(spec: ActorCriticSpec) {
    // The tfjs network draws the initial weights (the same orthogonal ones the tfjs learner starts from).
    this.net = new ActorCritic(spec);
    this.native = new NativeActorCritic(spec);
    this.native.setParams(flattenWeights(this.net));
  }

  infer(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void {
    this.native.forward(obs, rows, logits, values);
  }

  step(batch: PpoBatch, spec: StepSpec, learningRate: number): PpoStepStats {
    this.stale = true;
    return this.native.update(batch, spec, { learningRate, ...ADAM, maxGradNorm: spec.maxGradNorm });
  }

  network(): ActorCritic {
    if (this.stale) {
      const flat = this.native.params();
      let at = 0;
      this.net.setWeights(Object.fromEntries(Object.entries(this.net.weights()).map(([name, w]) => {
        const values = flat.subarray(at, (at += w.values.length));
        return [name, { shape: w.shape, values }];
      })));
      this.stale = false;
    }
    return this.net;
  }

  async optimizerState(): Promise<OptimizerState> {
    const s = this.native.optimizer();
    return { learner: this.kind, moments: [{ name: "iter", shape: [], values: [s.steps] }, { name: "m", shape: [s.m.length], values: Array.from(s.m) }, { name: "v", shape: [s.v.length], values: Array.from(s.v) }], adamPowers: [s.accBeta1, s.accBeta2] };
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    refuseOther(this.kind, state);
    const part = (name: string) => {
      const p = state.moments.find((w) => w.name === name);
      if (p === undefined) throw new RangeError(`the checkpoint's optimizer state has no "${name}"`);
      return p.values;
    };
    const adam: AdamState = { steps: part("iter")[0], m: Float32Array.from(part("m")), v: Float32Array.from(part("v")), accBeta1: state.adamPowers[0], accBeta2: state.adamPowers[1] };
    this.native.setOptimizer(adam);
  }

  setWeights(weights: Record<string, { shape: number[]; values: ArrayLike<number> }>): void {
    this.net.setWeights(weights);
    this.native.setParams(flattenWeights(this.net));
    this.stale = false;
  }

  dispose(): void {
    this.net.dispose();
  }
}
