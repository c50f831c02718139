// Compiles and runs the C++ core tests (native/test/core_test.cc) with the project's compiler: the
// brute-force reference comparison and the zero-allocation check in steady state.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const testDir = join(root, "native", "test");
const coreDir = join(root, "native", "src", "core");

describe("C++ core tests", () => {
  it("match a brute-force reference book and never allocate in steady state", () => {
    mkdirSync(join(testDir, "build"), { recursive: true });
    const sources = [
      join(testDir, "core_test.cc"),
      ...readdirSync(coreDir).filter((f) => f.endsWith(".cc")).map((f) => join(coreDir, f)),
      ...readdirSync(join(coreDir, "flow")).filter((f) => f.endsWith(".cc")).map((f) => join(coreDir, "flow", f)),
    ];
    const exe = join(testDir, "build", "core_test");
    const build = spawnSync(process.env.CXX ?? "g++", ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", ...sources, "-o", exe], { encoding: "utf8" });
    expect(build.stderr + build.stdout, "compiling native/test/core_test.cc").toBe("");
    expect(build.status).toBe(0);
    const run = spawnSync(exe, [], { encoding: "utf8" });
    expect(run.stderr, "core test failures").toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/steady-state allocations: 0 over/);
    expect(run.stdout).toMatch(/\d+ checks, 0 failures/);
  }, 180_000);
});
