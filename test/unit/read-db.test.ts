/**
 * The read replica's fallback: a replica that does not answer is not read; searches and reports
 * go to the primary instead of failing. (Reading the replica is `test/read-replica.test.ts`.)
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import type { Database } from "../../src/platform/db.js";
import { openReadDatabase } from "../../src/platform/read-db.js";

describe("the read replica's bound", () => {
  it("a replica that does not answer is not read: searches and reports read the primary", async () => {
    const primary = { db: { primary: true } } as unknown as Database;
    const config = loadConfig({
      DATABASE_URL: "postgres://rounds@127.0.0.1:1/rounds",
      // nothing listens on port 1: every connection is refused at once
      ROUNDS_READ_DATABASE_URL: "postgres://rounds@127.0.0.1:1/rounds",
    });
    const reads = await openReadDatabase(config, primary);
    try {
      expect(reads?.lagSeconds()).toBeUndefined();
      expect(reads?.readDb()).toBe(primary.db);
      expect(reads?.queries()).toBe(0);
    } finally {
      await reads?.close();
    }
  });

  it("without ROUNDS_READ_DATABASE_URL there is no replica pool at all", async () => {
    const primary = { db: {} } as unknown as Database;
    expect(await openReadDatabase(loadConfig({ DATABASE_URL: "postgres://rounds@db/rounds" }), primary)).toBe(
      undefined,
    );
  });
});
