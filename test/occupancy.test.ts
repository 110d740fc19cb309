/**
 * The occupancy cache on its own: what it reads, what it keeps, and what makes it read again.
 * Its source here is a list in memory standing in for the appointments table; the same cache on
 * a real database is exercised by every availability test and, across two server processes, by
 * the concurrency tests.
 */
import { describe, expect, it } from "vitest";
import type { Executor } from "../src/platform/db.js";
import type { BookedRow } from "../src/services/scheduling/busy.repository.js";
import { DayCache } from "../src/services/scheduling/occupancy.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MONDAY = Date.UTC(2026, 5, 15);
const db = {} as Executor;

function table(rows: BookedRow[]) {
  const reads: Array<{ owners: string[]; from: number; to: number }> = [];
  let gate: Promise<void> | undefined;
  const fetch = async (_db: Executor, owners: string[], from: Date, to: Date) => {
    reads.push({ owners: [...owners].sort(), from: from.getTime(), to: to.getTime() });
    const snapshot = rows.filter(
      (r) => owners.includes(r.owner) && r.start < to.getTime() && r.end > from.getTime(),
    );
    if (gate) await gate;
    return snapshot;
  };
  return {
    rows,
    reads,
    fetch,
    /** The next reads wait until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

/** A booking filed under `owner`; its location carries a name to tell it by. */
const booking = (name: string, owner: string, start: number, hours = 1, holdUntil: number | null = null) => ({
  owner,
  start,
  end: start + hours * HOUR,
  locationId: name,
  holdUntil,
});
const ids = (m: Map<string, { locationId: string }[]>, owner: string) =>
  (m.get(owner) ?? []).map((b) => b.locationId);

describe("the occupancy cache", () => {
  it("reads a day once, answers from memory after that, and reads again only the days a change touched", async () => {
    const t = table([booking("a", "dr-1", MONDAY + 9 * HOUR), booking("b", "dr-1", MONDAY + DAY + 9 * HOUR)]);
    const cache = new DayCache(t.fetch);
    const twoDays = [MONDAY, MONDAY + 2 * DAY] as const;
    expect(ids(await cache.get(db, ["dr-1"], ...twoDays), "dr-1")).toEqual(["a", "b"]);
    expect(ids(await cache.get(db, ["dr-1"], ...twoDays), "dr-1")).toEqual(["a", "b"]);
    expect(t.reads).toHaveLength(1);

    t.rows.push(booking("c", "dr-1", MONDAY + DAY + 11 * HOUR));
    // not yet told: the cache still answers what it read
    expect(ids(await cache.get(db, ["dr-1"], ...twoDays), "dr-1")).toEqual(["a", "b"]);
    cache.forget("dr-1", MONDAY + DAY + 11 * HOUR, MONDAY + DAY + 12 * HOUR);
    expect(ids(await cache.get(db, ["dr-1"], ...twoDays), "dr-1")).toEqual(["a", "b", "c"]);
    // only Tuesday was read again
    expect(t.reads.at(-1)).toEqual({ owners: ["dr-1"], from: MONDAY + DAY, to: MONDAY + 2 * DAY });
  });

  it("a read that was on its way when a change was published answers once but is not kept", async () => {
    const t = table([booking("a", "dr-1", MONDAY + 9 * HOUR)]);
    const cache = new DayCache(t.fetch);
    const release = t.hold();
    const pending = cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    // a booking commits while the rows are in flight: they may predate it
    t.rows.push(booking("b", "dr-1", MONDAY + 10 * HOUR));
    cache.forget("dr-1", MONDAY + 10 * HOUR, MONDAY + 11 * HOUR);
    release();
    expect(ids(await pending, "dr-1")).toEqual(["a"]);
    expect(ids(await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY), "dr-1")).toEqual(["a", "b"]);
    expect(t.reads).toHaveLength(2);
  });

  it("a day already in memory stays in the answer when a change drops it while another day loads", async () => {
    const t = table([booking("a", "dr-1", MONDAY + 9 * HOUR), booking("b", "dr-2", MONDAY + 9 * HOUR)]);
    const cache = new DayCache(t.fetch);
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    const release = t.hold();
    // dr-1 is in memory, dr-2 must be read
    const pending = cache.get(db, ["dr-1", "dr-2"], MONDAY, MONDAY + DAY);
    cache.forget("dr-1", MONDAY + 15 * HOUR, MONDAY + 16 * HOUR);
    release();
    const answer = await pending;
    expect(ids(answer, "dr-1")).toEqual(["a"]);
    expect(ids(answer, "dr-2")).toEqual(["b"]);
  });

  it("right after a change the day is read afresh each time (it may still be committing), and kept again once it has settled", async () => {
    let now = MONDAY;
    const t = table([booking("a", "dr-1", MONDAY + 9 * HOUR)]);
    const cache = new DayCache(t.fetch, () => now);
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    cache.forget("dr-1", MONDAY + 9 * HOUR, MONDAY + 10 * HOUR);
    now += 100;
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    expect(t.reads).toHaveLength(3);
    now += 5_000;
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    await cache.get(db, ["dr-1"], MONDAY, MONDAY + DAY);
    expect(t.reads).toHaveLength(4);
  });

  it("an appointment across midnight counts once, only what overlaps the range is returned, and a lapsed hold stops counting", async () => {
    let now = MONDAY;
    const t = table([
      booking("night", "ward", MONDAY + 23 * HOUR, 2),
      booking("morning", "ward", MONDAY + DAY + 8 * HOUR),
      booking("held", "ward", MONDAY + DAY + 10 * HOUR, 1, MONDAY + 10_000),
    ]);
    const cache = new DayCache(t.fetch, () => now);
    expect(ids(await cache.get(db, ["ward"], MONDAY, MONDAY + 2 * DAY), "ward")).toEqual([
      "night",
      "morning",
      "held",
    ]);
    expect(ids(await cache.get(db, ["ward"], MONDAY + DAY + 9 * HOUR, MONDAY + 2 * DAY), "ward")).toEqual([
      "held",
    ]);
    now = MONDAY + 20_000;
    expect(ids(await cache.get(db, ["ward"], MONDAY, MONDAY + 2 * DAY), "ward")).toEqual([
      "night",
      "morning",
    ]);
    expect(t.reads).toHaveLength(1);
  });

  it("entries age out, so a change made behind the application's back shows within half a minute", async () => {
    let now = MONDAY;
    const t = table([]);
    const cache = new DayCache(t.fetch, () => now);
    expect(ids(await cache.get(db, ["dr-1", "dr-2"], MONDAY, MONDAY + DAY), "dr-2")).toEqual([]);
    t.rows.push(booking("late", "dr-2", MONDAY + 9 * HOUR));
    now += 29_000;
    expect(ids(await cache.get(db, ["dr-1", "dr-2"], MONDAY, MONDAY + DAY), "dr-2")).toEqual([]);
    now += 2_000;
    expect(ids(await cache.get(db, ["dr-1", "dr-2"], MONDAY, MONDAY + DAY), "dr-2")).toEqual(["late"]);
    expect(t.reads).toHaveLength(2);
  });
});
