// The TensorFlow.js backend training runs on: the fastest one present, or the one asked for. tfjs-node-gpu and
// tfjs-node are optional peer dependencies (their install downloads libtensorflow, so `npm ci` leaves them out);
// the WebAssembly backend ships in the package and is what runs where they are absent.
import * as tf from "@tensorflow/tfjs";
import { TrancheError } from "../errors.js";

export const BACKENDS = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | "auto";

/** The backend could not be set up; the message says what was tried and how to install it. */
export class BackendError extends TrancheError {
  declare readonly code: "BACKEND_UNAVAILABLE";
  constructor(message: string, hint?: string) {
    super("BACKEND_UNAVAILABLE", message, hint);
    this.name = "BackendError";
  }
}

// The tfjs backend each package registers.
const REGISTERED: Record<BackendName, string> = { "tfjs-node-gpu": "tensorflow", "tfjs-node": "tensorflow", wasm: "wasm", cpu: "cpu" };

async function tryLoad(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case "tfjs-node-gpu":
      case "tfjs-node":
        // Optional peers: resolved at run time, absent from the type graph.
        await import(`@tensorflow/${name}` as string);
        break;
      case "wasm":
        await import("@tensorflow/tfjs-backend-wasm");
        break;
      case "cpu":
        break;
    }
    if (!(await tf.setBackend(REGISTERED[name]))) return `tf.setBackend("${REGISTERED[name]}") refused`;
    await tf.ready();
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return "not installed";
    return (e as Error).message.split("\n")[0];
  }
}

/**
 * Sets the backend: `auto` takes the first of tfjs-node-gpu, tfjs-node, wasm, cpu that loads. Returns the name in
 * use and, for `auto`, why each faster one was passed over.
 */
export async function selectBackend(choice: BackendChoice = "auto"): Promise<{ backend: BackendName; skipped: string[] }> {
  const order: readonly BackendName[] = choice === "auto" ? BACKENDS : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    const why = await tryLoad(name);
    if (why === null) {
      tf.enableProdMode();
      return { backend: name, skipped };
    }
    skipped.push(`${name}: ${why}`);
  }
  throw new BackendError(
    `no TensorFlow.js backend could be set up (${skipped.join("; ")})`,
    choice === "auto" || choice === "wasm" || choice === "cpu"
      ? "reinstall with `npm ci` (@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are dependencies)"
      : `install it where its download is reachable: \`npm install @tensorflow/${choice}\`, or use --backend wasm`,
  );
}
