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
    // A journey that fails runs once more (a real failure fails twice). The keyboard journey once
    // timed out in CI waiting for search results after the accessibility sweep; it has not
    // happened again in sequence or alone, and it now fails at once saying what the search
    // answered instead of waiting out its timeout.
    retry: 1,
  },
});
