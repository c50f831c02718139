// A learned policy: an exported ONNX model (models/onnx.ts) run by ONNX Runtime, greedy (the most likely action of
// each dimension). The model's normalisation is in its graph, so it reads the env's raw feature vector; a model
// trained on another feature version is refused before it can act on features it does not know.
import { readFileSync } from "node:fs";
import type * as ort from "onnxruntime-node";
import { FEATURE_VERSION } from "../native/task.js";
import { ModelError, readPolicyMetadata, type PolicyModelMetadata } from "../models/onnx.js";
import { openSession, runPolicyModel } from "../models/parity.js";
import { PolicyError } from "./errors.js";
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import type { ActionMode, ExecutionTaskState } from "./task-state.js";

export class LearnedPolicy implements Policy {
  readonly name = "model";
  readonly actionMode: ActionMode = "multiplier";
  private actions = new Int32Array(0);
  private preparedFor: Float32Array | null = null;

  private constructor(
    readonly file: string,
    readonly metadata: PolicyModelMetadata,
    private readonly session: ort.InferenceSession,
  ) {}

  /**
   * Opens `file` in an ONNX Runtime session (CPU, one thread). Refuses a file that is not a Tranche policy, and a
   * model whose feature version differs from the running code's, naming both.
   */
  static async load(file: string): Promise<LearnedPolicy> {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new ModelError("MODEL_INVALID", `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "check the path of the .onnx file `tranche export` wrote");
    }
    const metadata = readPolicyMetadata(bytes, file);
    if (metadata.featureVersion !== FEATURE_VERSION)
      throw new ModelError(
        "FEATURE_VERSION_MISMATCH",
        `${file} was trained on features ${metadata.featureVersion}; this code computes ${FEATURE_VERSION}`,
        "train and export the policy again with this version of tranche",
      );
    return new LearnedPolicy(file, metadata, await openSession(bytes));
  }

  /** Runs the model on this step's observations; `act` then writes its greedy actions. */
  async prepare(obs: Float32Array, state: ExecutionTaskState): Promise<void> {
    const N = state.numEnvs;
    const out = await runPolicyModel(this.session, this.metadata, obs, N);
    if (this.actions.length !== 2 * N) this.actions = new Int32Array(2 * N);
    this.metadata.actionSpace.nvec.forEach((n, d) => {
      const logits = out.logits[d];
      for (let i = 0; i < N; i++) {
        let best = 0;
        for (let j = 1; j < n; j++) if (logits[i * n + j] > logits[i * n + best]) best = j;
        this.actions[2 * i + d] = best;
      }
    });
    this.preparedFor = obs;
  }

  act(obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    if (this.preparedFor !== obs || this.actions.length !== out.length)
      throw new PolicyError("STATE_MISMATCH", `${this.name}: act() before prepare() on this step's observations`, "await policy.prepare(obs, state) before act(); the evaluation harness does");
    out.set(this.actions);
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { file: this.file, featureVersion: this.metadata.featureVersion, configHash: this.metadata.configHash.slice(0, 12), codeVersion: this.metadata.codeVersion },
      summary: "a PPO policy exported to ONNX, run by ONNX Runtime: the most likely size and placement for the observation",
    };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
