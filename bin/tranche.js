#!/usr/bin/env node
// Entry shim: the CLI is compiled to dist/ by `npm ci` (the install script runs tsc).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(root, "dist", "cli", "main.js");
if (!existsSync(main)) {
  console.error(`tranche: ${main} is missing: the TypeScript sources have not been compiled.\n` +
    "Possible solutions:\n  npm ci          (installs and builds everything)\n  npm run build   (rebuilds the addon and the CLI)");
  process.exit(1);
}
const cli = await import(pathToFileURL(main).href);
process.exitCode = await cli.main(process.argv.slice(2));
