// Builds the Node-API addon with node-gyp; on failure says what is missing and how to get it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function has(cmd, args = ["--version"]) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0;
}

function diagnose() {
  const problems = [];
  if (!has("g++") && !has("clang++")) problems.push("no C++ compiler (g++ or clang++) on PATH: apt-get install g++ make");
  if (!has("make")) problems.push("no make on PATH: apt-get install make");
  if (!has("python3")) problems.push("no python3 (node-gyp needs it): apt-get install python3");
  return problems;
}

let nodeGyp;
try {
  nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
} catch {
  console.error("tranche: node-gyp is not installed. Run `npm ci` (it is a dependency of this package).");
  process.exit(1);
}

const debug = process.argv.includes("--debug");
// The engine, and the textbook C++ book the benchmark compares it with (same compiler, same flags).
const projects = ["native", join("bench", "textbook")].filter((d) => existsSync(join(root, d, "binding.gyp")));
// Without network node-gyp cannot download headers: use the ones installed beside this Node when present.
const prefix = dirname(dirname(process.execPath));
const nodedir = !process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];

for (const dir of projects) {
  const started = Date.now();
  const args = [nodeGyp, "rebuild", "--directory", join(root, dir), ...(debug ? ["--debug"] : []), ...nodedir];
  const r = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\ntranche: building the native addon (${dir}/binding.gyp) failed.`);
    const problems = diagnose();
    if (problems.length) console.error("Missing:\n  " + problems.join("\n  "));
    console.error(
      "Node headers: node-gyp uses the headers of the running Node (" + process.version + "); on a system Node, " +
        "install the matching headers (Debian: apt-get install nodejs-dev / libnode-dev) or let node-gyp download them.\n" +
        "Then rerun: npm run build:native",
    );
    process.exit(r.status ?? 1);
  }
  console.log(`tranche: ${dir} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir}/build/${debug ? "Debug" : "Release"})`);
}
