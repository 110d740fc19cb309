/**
 * Equipment that travels, held to a plain reference: the engine's ruled-out starts are exactly the
 * times `canTravelTo` (no overlap, time to come from the previous use's place and go on to the
 * next's) refuses; the transport the booking path reserves, use by use, with cancellations in
 * between, never makes two reserved intervals of one item overlap; and the trips it derives move
 * the item from place to place without a jump. Pure: no database.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExcludedRanges, ExcludedStarts } from "../../src/services/scheduling/availability/intervals.js";
import {
  canTravelTo,
  excludeAroundUses,
  legBetween,
  travelMs,
  tripsOf,
  type Use,
  usesOf,
} from "../../src/services/scheduling/availability/transport.js";

const FIVE = 5 * 60_000;
const PLACES = ["home", "north", "south", "east"];
const HOME = "home";

const arbTravel = fc.array(fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constant(Number.NaN)), {
  minLength: 16,
  maxLength: 16,
});
/** A matrix where every trip's length is known. */
const arbKnownTravel = fc.array(fc.integer({ min: 0, max: 24 }), { minLength: 16, maxLength: 16 });
const minutesOf = (matrix: number[]) => (a: string, b: string) =>
  a === b ? 0 : matrix[PLACES.indexOf(a) * 4 + PLACES.indexOf(b)]! * 5;
const arbUse = fc.record({
  at: fc.integer({ min: 0, max: 288 }),
  fives: fc.integer({ min: 1, max: 24 }),
  place: fc.nat(3),
});
const toUse = (u: { at: number; fives: number; place: number }): Use => ({
  start: u.at * FIVE,
  end: (u.at + u.fives) * FIVE,
  locationId: PLACES[u.place]!,
});
/** Uses that never overlap, as the database keeps them. */
function apart(uses: Use[]): Use[] {
  const kept: Use[] = [];
  for (const u of usesOf({ locationId: HOME, busy: uses }))
    if (kept.length === 0 || u.start >= kept[kept.length - 1]!.end) kept.push(u);
  return kept;
}

describe("equipment that travels between locations", () => {
  it("the engine rules out exactly the starts the reference refuses", () => {
    fc.assert(
      fc.property(
        fc.array(arbUse, { maxLength: 8 }),
        arbTravel,
        fc.nat(3),
        fc.integer({ min: 1, max: 12 }),
        (raw, matrix, place, fives) => {
          const minutes = minutesOf(matrix);
          const uses = apart(raw.map(toUse));
          const at = PLACES[place]!;
          const duration = fives * FIVE;
          const ranges = new ExcludedRanges();
          excludeAroundUses(
            (lo, hi) => ranges.add(lo, hi),
            uses,
            at,
            duration,
            (a, b) => travelMs(minutes, a, b),
          );
          const excluded = new ExcludedStarts(ranges);
          for (let s = -48 * FIVE; s <= 340 * FIVE; s += FIVE) {
            const allowed = excluded.blockedUntil(s) === undefined;
            expect(allowed, `start ${s / FIVE}`).toBe(
              canTravelTo(uses, at, { start: s, end: s + duration }, minutes),
            );
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reserving transport use by use, with cancellations between, never overlaps two reserved intervals", () => {
    const arbStep = fc.oneof(fc.record({ book: arbUse }), fc.record({ cancel: fc.nat() }));
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 30 }), arbTravel, (steps, matrix) => {
        const minutes = minutesOf(matrix);
        // the rows as the database keeps them: a use with its transport before and after
        const rows: Array<{ use: Use; before: number; after: number }> = [];
        const reserved = (r: (typeof rows)[number]) => ({
          start: r.use.start - r.before * 60_000,
          end: r.use.end + r.after * 60_000,
        });
        for (const step of steps) {
          if ("cancel" in step) {
            // cancelling frees the row and leaves its neighbours' transport as it was
            if (rows.length) rows.splice(step.cancel % rows.length, 1);
            continue;
          }
          const use = toUse(step.book);
          const uses = rows.map((r) => r.use);
          if (!canTravelTo(uses, use.locationId, use, minutes)) continue;
          const sorted = [...rows].sort((a, b) => a.use.start - b.use.start);
          const previous = [...sorted].reverse().find((r) => r.use.start < use.start);
          const next = sorted.find((r) => r.use.start >= use.end);
          const into = legBetween(previous?.use ?? null, use, HOME, minutes);
          const onward = legBetween(use, next?.use ?? null, HOME, minutes);
          if (previous) previous.after = into.after;
          if (next) next.before = onward.before;
          rows.push({ use, before: into.before, after: onward.after });
          for (const r of rows)
            expect(reserved(r).start <= r.use.start && reserved(r).end >= r.use.end).toBe(true);
          for (let i = 0; i < rows.length; i++)
            for (let j = i + 1; j < rows.length; j++) {
              const [a, b] = [reserved(rows[i]!), reserved(rows[j]!)];
              expect(a.start < b.end && b.start < a.end, "two reserved intervals overlap").toBe(false);
            }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("the trips between uses take the item from where it is to where it is needed, never two places at once", () => {
    fc.assert(
      fc.property(fc.array(arbUse, { maxLength: 8 }), arbKnownTravel, (raw, matrix) => {
        const minutes = minutesOf(matrix);
        // a chain the booking path could have built: every use reachable from its neighbours
        const uses: Use[] = [];
        for (const u of apart(raw.map(toUse))) if (canTravelTo(uses, u.locationId, u, minutes)) uses.push(u);
        const events = [
          ...uses.map((u) => ({ at: u.start, until: u.end, from: u.locationId, to: u.locationId })),
          ...tripsOf(uses, HOME, minutes).map((t) => ({
            at: t.departs,
            until: t.arrives,
            from: t.fromLocationId,
            to: t.toLocationId,
          })),
        ].sort((a, b) => a.at - b.at || a.until - b.until);
        let here = HOME;
        let free = Number.NEGATIVE_INFINITY;
        // a drive of no minutes is no trip: the item is simply there (also by way of home, where it
        // goes between uses when the gap allows: the matrix need not be a metric)
        const at = (place: string) =>
          place === here ||
          minutes(here, place) === 0 ||
          (minutes(here, HOME) === 0 && minutes(HOME, place) === 0);
        for (const e of events) {
          expect(at(e.from), "it leaves from where it is").toBe(true);
          expect(e.at >= free, "one thing at a time").toBe(true);
          here = e.to;
          free = e.until;
        }
        expect(at(HOME), "it ends at home").toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
