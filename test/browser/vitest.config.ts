import { defineConfig } from "vitest/config";

/**
 * Browser journeys: one real `npm start`-style server with the demo network, driven by Debian's
 * Chromium, one test file at a time (they share the server and its demo users).
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 600_000,
    reporters: ["default"],
    // Stopgap: the keyboard journey once timed out waiting for search results in CI after the
    // accessibility sweep had run as the same patient (it passes alone); a journey that fails is
    // run once more while that is investigated. A real failure fails twice.
    retry: 1,
  },
});
