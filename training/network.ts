// The actor-critic for MultiDiscrete actions, on TensorFlow.js: observation normalisation (running mean and
// variance, clipped to ±10, as Gymnasium's NormalizeObservation), then two tanh MLPs, as CleanRL's ppo.py builds
// them: the actor ends in one logit head per action dimension, the critic in one value. Weights start orthogonal
// (gain √2 in the hidden layers, 0.01 for the logits, 1 for the value) from a seed, so a seed gives the same
// network on the same backend.
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../env/rng.js";

/** Welford/Chan running mean and variance of observations, per feature (Gymnasium's RunningMeanStd). */
export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count = 1e-4;
  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }
  /** Folds in `rows` rows of `size` values (row-major). */
  update(x: Float32Array, rows: number): void {
    const F = this.size;
    const bMean = new Float64Array(F), bVar = new Float64Array(F);
    for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) bMean[f] += x[r * F + f];
    for (let f = 0; f < F; f++) bMean[f] /= rows;
    for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) bVar[f] += (x[r * F + f] - bMean[f]) ** 2;
    for (let f = 0; f < F; f++) bVar[f] /= rows;
    const total = this.count + rows;
    for (let f = 0; f < F; f++) {
      const delta = bMean[f] - this.mean[f];
      const m2 = this.var[f] * this.count + bVar[f] * rows + delta * delta * (this.count * rows) / total;
      this.mean[f] += (delta * rows) / total;
      this.var[f] = m2 / total;
    }
    this.count = total;
  }
  /** (x − mean) / √(var + ε), clipped to ±clip, into `out` (row-major). */
  normalize(x: Float32Array, rows: number, out: Float32Array, clip = NORMALIZED_CLIP): void {
    const F = this.size;
    for (let f = 0; f < F; f++) {
      const m = this.mean[f], s = Math.sqrt(this.var[f] + NORMALIZER_EPS);
      for (let r = 0; r < rows; r++) {
        const v = (x[r * F + f] - m) / s;
        out[r * F + f] = v > clip ? clip : v < -clip ? -clip : v;
      }
    }
  }
  toJSON(): { mean: number[]; var: number[]; count: number } {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }
  static fromJSON(j: { mean: number[]; var: number[]; count: number }): RunningMeanStd {
    const r = new RunningMeanStd(j.mean.length);
    r.mean.set(j.mean);
    r.var.set(j.var);
    r.count = j.count;
    return r;
  }
}

export const NORMALIZER_EPS = 1e-8;
export const NORMALIZED_CLIP = 10;

/**
 * A (rows × cols) matrix with orthonormal columns (or rows), × gain (Saxe et al. 2014): the Q of a Gaussian
 * matrix's QR, its signs fixed by R's diagonal, as tfjs's orthogonal initializer builds it, drawn from our seeded
 * stream (tfjs's warns on every matrix over 2,000 entries).
 */
function orthogonal(rows: number, cols: number, gain: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const [r, c] = rows < cols ? [cols, rows] : [rows, cols];
    const gaussian = tf.tensor2d(Float32Array.from({ length: r * c }, () => rng.normal()), [r, c]);
    const [q, rr] = tf.linalg.qr(gaussian);
    const signs = tf.sign(tf.sum(tf.mul(rr, tf.eye(c)), 0));
    const m = tf.mul(q, signs) as tf.Tensor2D;
    return tf.mul(rows < cols ? tf.transpose(m) : m, gain) as tf.Tensor2D;
  });
}

/** One dense layer's variables, with the names checkpoints and the export know them by (actor/0/kernel, …). */
export interface Dense {
  name: string;
  kernel: tf.Variable;
  bias: tf.Variable;
}

// tfjs registers variables by a global name: each network gets its own prefix.
let networks = 0;

export interface ActorCriticSpec {
  observationSize: number;
  /** Choices of each action dimension (the task's: [sizes, 4 placements]). */
  actionDims: readonly number[];
  hiddenSizes: readonly number[];
  seed: number;
}

/** Policy and value network; every tensor it returns is the caller's to dispose (or to use inside tf.tidy). */
export class ActorCritic {
  readonly actor: Dense[];
  readonly critic: Dense[];
  readonly spec: ActorCriticSpec;

  constructor(spec: ActorCriticSpec) {
    this.spec = spec;
    let seed = spec.seed * 1000;
    const prefix = `net${++networks}`;
    const dense = (inputs: number, units: number, gain: number, name: string): Dense => ({
      name,
      kernel: tf.variable(orthogonal(inputs, units, gain, seed++), true, `${prefix}/${name}/kernel`),
      bias: tf.variable(tf.zeros([units]), true, `${prefix}/${name}/bias`),
    });
    const logits = spec.actionDims.reduce((a, b) => a + b, 0);
    const stack = (name: string, out: number, outGain: number): Dense[] => {
      const layers: Dense[] = [];
      let width = spec.observationSize;
      spec.hiddenSizes.forEach((h, i) => {
        layers.push(dense(width, h, Math.SQRT2, `${name}/${i}`));
        width = h;
      });
      layers.push(dense(width, out, outGain, `${name}/out`));
      return layers;
    };
    this.actor = stack("actor", logits, 0.01);
    this.critic = stack("critic", 1, 1);
  }

  private static run(layers: readonly Dense[], x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    layers.forEach((l, i) => {
      const z = tf.add(tf.matMul(h, l.kernel), l.bias) as tf.Tensor2D;
      h = i < layers.length - 1 ? tf.tanh(z) : z;
    });
    return h;
  }

  /** Logits of every action dimension side by side, [B, Σ dims], for normalised observations [B, F]. */
  logits(obs: tf.Tensor2D): tf.Tensor2D {
    return ActorCritic.run(this.actor, obs);
  }

  /** V(s), [B]. */
  value(obs: tf.Tensor2D): tf.Tensor1D {
    return tf.squeeze(ActorCritic.run(this.critic, obs), [1]) as tf.Tensor1D;
  }

  /**
   * log π(a | s) and the entropy of π(· | s), summed over the action dimensions (independent categoricals), [B] each.
   * `actions` is [B, dims] int32.
   */
  logProbAndEntropy(obs: tf.Tensor2D, actions: tf.Tensor2D): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
    const all = this.logits(obs);
    let logProb: tf.Tensor1D | null = null, entropy: tf.Tensor1D | null = null;
    let from = 0;
    this.spec.actionDims.forEach((n, d) => {
      const logp = tf.logSoftmax(tf.slice(all, [0, from], [-1, n]));
      const taken = tf.sum(tf.mul(logp, tf.oneHot(tf.squeeze(tf.slice(actions, [0, d], [-1, 1]), [1]) as tf.Tensor1D, n)), 1) as tf.Tensor1D;
      const h = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
      logProb = logProb === null ? taken : (tf.add(logProb, taken) as tf.Tensor1D);
      entropy = entropy === null ? h : (tf.add(entropy, h) as tf.Tensor1D);
      from += n;
    });
    return { logProb: logProb!, entropy: entropy! };
  }

  /** The most likely action of each row (argmax per dimension) for normalised observations [rows × F], into `out`. */
  greedy(obs: Float32Array, rows: number, out: Int32Array): void {
    const logits = tf.tidy(() => this.logits(tf.tensor2d(obs, [rows, this.spec.observationSize])).dataSync() as Float32Array);
    const width = logits.length / rows, D = this.spec.actionDims.length;
    for (let r = 0; r < rows; r++) {
      let from = r * width;
      this.spec.actionDims.forEach((n, d) => {
        let best = 0;
        for (let j = 1; j < n; j++) if (logits[from + j] > logits[from + best]) best = j;
        out[r * D + d] = best;
        from += n;
      });
    }
  }

  /** Every trainable variable, actor first. */
  variables(): tf.Variable[] {
    return [...this.actor, ...this.critic].flatMap((l) => [l.kernel, l.bias]);
  }

  /** Each variable with its name (actor/0/kernel, …, critic/out/bias). */
  private named(): [string, tf.Variable][] {
    return [...this.actor, ...this.critic].flatMap((l) => [[`${l.name}/kernel`, l.kernel], [`${l.name}/bias`, l.bias]] as [string, tf.Variable][]);
  }

  /** The weights as plain arrays, by name (checkpoints and the ONNX export read these). */
  weights(): Record<string, { shape: number[]; values: Float32Array }> {
    return Object.fromEntries(this.named().map(([name, v]) => [name, { shape: v.shape.slice(), values: v.dataSync() as Float32Array }]));
  }

  /** Sets every variable from `weights()`'s output; a missing or misshapen one throws, naming it. */
  setWeights(w: Record<string, { shape: number[]; values: ArrayLike<number> }>): void {
    for (const [name, v] of this.named()) {
      const src = w[name];
      if (src === undefined || src.shape.join() !== v.shape.join()) throw new RangeError(`weights: ${name} is ${src ? `[${src.shape}]` : "missing"}, the network's is [${v.shape}]`);
      const t = tf.tensor(Float32Array.from(src.values), v.shape);
      v.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
