import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The journeys share one demo server and its one notification worker. The rescheduling journey's
 * schedule change offers new times to every affected patient (email, SMS, in-app), and the
 * journeys after it waited minutes for their own messages (CI, 2026-12-04): it runs last. That a
 * large change holds up other patients' confirmations is a known limit (README, "Notifications").
 */
class RescheduleLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (f: TestSpecification) => f.moduleId.endsWith("/rescheduling.test.ts");
    return [...sorted.filter((f) => !last(f)), ...sorted.filter(last)];
  }
}

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
    sequence: { sequencer: RescheduleLast },
    // A journey that fails runs once more (a real failure fails twice). The keyboard journey once
    // timed out in CI waiting for search results after the accessibility sweep; it has not
    // happened again in sequence or alone, and it now fails at once saying what the search
    // answered instead of waiting out its timeout.
    retry: 1,
  },
});
