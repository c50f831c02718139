import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native addon + worker threads: forks keep each file's addon instance isolated.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
