/**
 * The worker's send lanes: one appointment's messages in order, several appointments at once, never
 * more than the limit, every message exactly once.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inOrderPerKey } from "../../src/platform/lanes.js";

describe("sending in order per appointment, several at once", () => {
  it("sends each message once, each appointment's in its order, at most `limit` at a time", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom("a", "b", "c", "d", "e"), ms: fc.nat(3) }), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 6 }),
        async (jobs, limit) => {
          const items = jobs.map((j, i) => ({ ...j, i }));
          const done: number[] = [];
          let busy = 0;
          let most = 0;
          await inOrderPerKey(
            items,
            (x) => x.key,
            limit,
            async (x) => {
              busy += 1;
              most = Math.max(most, busy);
              await new Promise((r) => setTimeout(r, x.ms));
              done.push(x.i);
              busy -= 1;
            },
          );
          expect([...done].sort((p, q) => p - q)).toEqual(items.map((x) => x.i));
          for (const key of new Set(items.map((x) => x.key))) {
            const mine = done.filter((i) => items[i]!.key === key);
            expect(mine).toEqual([...mine].sort((p, q) => p - q));
          }
          expect(most).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a slow appointment does not hold the others back", async () => {
    const order: string[] = [];
    const items = [
      { key: "storm", ms: 40 },
      { key: "storm", ms: 40 },
      { key: "storm", ms: 40 },
      { key: "confirmation", ms: 1 },
    ];
    await inOrderPerKey(
      items,
      (x) => x.key,
      2,
      async (x) => {
        await new Promise((r) => setTimeout(r, x.ms));
        order.push(x.key);
      },
    );
    expect(order[0]).toBe("confirmation");
  });
});
