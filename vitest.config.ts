import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    // One embedded database per worker, shared by the files it runs; tests create their own data.
    pool: "forks",
    isolate: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
    reporters: ["default"],
  },
});
