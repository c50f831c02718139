// ONNX export of a learned policy: the actor-critic's weights and its observation statistics as one graph that
// ONNX Runtime serves in evaluation and in the live loop. Built as an ONNX ModelProto (onnx-buf, the ONNX schema
// for protobuf-es), opset 17:
//
//   obs [batch, F] → Sub(mean) → Div(√(var + ε)) → Clip(±10)   (the training run's normalisation, as graph nodes)
//     → actor:  (Gemm → Tanh)* → Gemm → Split → logits_<dimension> [batch, n]   (one output per action dimension)
//     → critic: (Gemm → Tanh)* → Gemm → value [batch, 1]
//
// Metadata (metadata_props): the feature names and version the observation must have, the action space, the hash
// of the training config, the code version and the time it was written.
import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as pb from "onnx-buf";
import { TrancheError } from "../errors.js";

export const ONNX_OPSET = 17;
export const MODEL_FORMAT = "tranche-policy/1";

/** What an exported model says about itself (its metadata_props, parsed). */
export interface PolicyModelMetadata {
  format: typeof MODEL_FORMAT;
  featureNames: string[];
  featureVersion: string;
  /** The action dimensions' names and sizes, in output order (the task's: size, placement). */
  actionSpace: { names: string[]; nvec: number[]; mode: "multiplier" };
  configHash: string;
  codeVersion: string;
  createdAt: string;
}

/** The policy's weights (ActorCritic.weights()) and the normalisation it was trained with. */
export interface ExportablePolicy {
  weights: Record<string, { shape: number[]; values: Float32Array }>;
  hiddenLayers: number;
  observationMean: ArrayLike<number>;
  observationVar: ArrayLike<number>;
  /** ε of √(var + ε) and the bound the normalised features are clipped to, as the training run used them. */
  normalizerEps: number;
  normalizedClip: number;
}

/** An ONNX model could not be written or read as a Tranche policy; the message names what and why. */
export class ModelError extends TrancheError {
  declare readonly code: "MODEL_INVALID" | "FEATURE_VERSION_MISMATCH" | "PARITY_FAILED";
  constructor(code: ModelError["code"], message: string, hint?: string) {
    super(code, message, hint);
    this.name = "ModelError";
  }
}

/** The hash a model records of the config it was trained with: sha256 of its JSON with sorted keys. */
export function configHash(config: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return createHash("sha256").update(JSON.stringify(sorted(config))).digest("hex");
}

const FLOAT = pb.TensorProto_DataType.FLOAT;

function floatTensor(name: string, values: ArrayLike<number>, dims: readonly number[]): pb.TensorProto {
  const f32 = Float32Array.from(values);
  // ONNX raw data is little-endian; so is every platform Node runs on that this project builds for.
  return create(pb.TensorProtoSchema, { name, dataType: FLOAT, dims: dims.map(BigInt), rawData: new Uint8Array(f32.buffer) });
}

function int64Tensor(name: string, values: readonly number[]): pb.TensorProto {
  return create(pb.TensorProtoSchema, { name, dataType: pb.TensorProto_DataType.INT64, dims: [BigInt(values.length)], int64Data: values.map(BigInt) });
}

function valueInfo(name: string, dims: readonly (number | string)[]): pb.ValueInfoProto {
  const dim = dims.map((d) => create(pb.TensorShapeProto_DimensionSchema, typeof d === "string" ? { value: { case: "dimParam", value: d } } : { value: { case: "dimValue", value: BigInt(d) } }));
  return create(pb.ValueInfoProtoSchema, {
    name,
    type: create(pb.TypeProtoSchema, { value: { case: "tensorType", value: create(pb.TypeProto_TensorSchema, { elemType: FLOAT, shape: create(pb.TensorShapeProtoSchema, { dim }) }) } }),
  });
}

/** The model's bytes: the graph above with `metadata`'s fields as metadata_props. */
export function buildPolicyModel(policy: ExportablePolicy, metadata: Omit<PolicyModelMetadata, "format">): Uint8Array {
  const F = metadata.featureNames.length;
  if (policy.observationMean.length !== F || policy.observationVar.length !== F)
    throw new ModelError("MODEL_INVALID", `the observation statistics have ${policy.observationMean.length} features, the metadata names ${F}`);
  const nodes: pb.NodeProto[] = [], init: pb.TensorProto[] = [];
  const node = (opType: string, input: string[], output: string[], attribute: pb.AttributeProto[] = []) =>
    nodes.push(create(pb.NodeProtoSchema, { opType, input, output, attribute, name: `${opType}_${nodes.length}` }));

  // Normalisation: (obs − mean) / √(var + ε), clipped to ±10.
  init.push(floatTensor("obs_mean", policy.observationMean, [F]));
  init.push(floatTensor("obs_std", Array.from(policy.observationVar, (v) => Math.sqrt(v + policy.normalizerEps)), [F]));
  init.push(floatTensor("clip_min", [-policy.normalizedClip], []), floatTensor("clip_max", [policy.normalizedClip], []));
  node("Sub", ["obs", "obs_mean"], ["obs_centred"]);
  node("Div", ["obs_centred", "obs_std"], ["obs_scaled"]);
  node("Clip", ["obs_scaled", "clip_min", "clip_max"], ["obs_normalized"]);

  const mlp = (net: "actor" | "critic", out: string) => {
    let x = "obs_normalized";
    const layers = [...Array.from({ length: policy.hiddenLayers }, (_, i) => String(i)), "out"];
    for (const layer of layers) {
      const w = policy.weights[`${net}/${layer}/kernel`], b = policy.weights[`${net}/${layer}/bias`];
      if (w === undefined || b === undefined) throw new ModelError("MODEL_INVALID", `the weights have no ${net}/${layer} layer`);
      init.push(floatTensor(`${net}.${layer}.kernel`, w.values, w.shape), floatTensor(`${net}.${layer}.bias`, b.values, b.shape));
      const z = layer === "out" ? out : `${net}.${layer}.z`;
      node("Gemm", [x, `${net}.${layer}.kernel`, `${net}.${layer}.bias`], [z]);
      if (layer !== "out") node("Tanh", [z], [(x = `${net}.${layer}.h`)]);
    }
  };
  mlp("actor", "logits");
  mlp("critic", "value");
  const logitOutputs = metadata.actionSpace.names.map((n) => `logits_${n}`);
  init.push(int64Tensor("logit_split", metadata.actionSpace.nvec));
  node("Split", ["logits", "logit_split"], logitOutputs, [create(pb.AttributeProtoSchema, { name: "axis", type: pb.AttributeProto_AttributeType.INT, i: 1n })]);

  const props: PolicyModelMetadata = { format: MODEL_FORMAT, ...metadata };
  const model = create(pb.ModelProtoSchema, {
    irVersion: 8n,
    producerName: "tranche",
    opsetImport: [create(pb.OperatorSetIdProtoSchema, { domain: "", version: BigInt(ONNX_OPSET) })],
    graph: create(pb.GraphProtoSchema, {
      name: "tranche_policy",
      node: nodes,
      initializer: init,
      input: [valueInfo("obs", ["batch", F])],
      output: [...logitOutputs.map((name, d) => valueInfo(name, ["batch", metadata.actionSpace.nvec[d]])), valueInfo("value", ["batch", 1])],
    }),
    metadataProps: Object.entries(props).map(([key, value]) =>
      create(pb.StringStringEntryProtoSchema, { key: `tranche.${key}`, value: typeof value === "string" ? value : JSON.stringify(value) })),
  });
  return toBinary(pb.ModelProtoSchema, model);
}

/** Reads a model's metadata (ONNX Runtime's JS API does not expose metadata_props); a foreign model is refused. */
export function readPolicyMetadata(bytes: Uint8Array, file = "the model"): PolicyModelMetadata {
  let model: pb.ModelProto;
  try {
    model = fromBinary(pb.ModelProtoSchema, bytes);
  } catch (e) {
    throw new ModelError("MODEL_INVALID", `${file} is not an ONNX model (${(e as Error).message})`, "export one with `tranche export`");
  }
  const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
  if (props["tranche.format"] !== MODEL_FORMAT)
    throw new ModelError("MODEL_INVALID", `${file} is not a Tranche policy (its metadata has no tranche.format "${MODEL_FORMAT}")`, "export one with `tranche export`");
  const json = <T>(key: string): T => JSON.parse(props[`tranche.${key}`] ?? "null") as T;
  return {
    format: MODEL_FORMAT,
    featureNames: json<string[]>("featureNames"),
    featureVersion: props["tranche.featureVersion"] ?? "",
    actionSpace: json<PolicyModelMetadata["actionSpace"]>("actionSpace"),
    configHash: props["tranche.configHash"] ?? "",
    codeVersion: props["tranche.codeVersion"] ?? "",
    createdAt: props["tranche.createdAt"] ?? "",
  };
}
