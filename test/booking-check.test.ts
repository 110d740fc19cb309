/**
 * The booking check and the search agree: over random small networks, every option the search
 * offers passes the check with the same room, equipment and end, and perturbed options (another
 * start, room, end or location) pass exactly when the slow reference model would offer them.
 * Pure: no database.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AskedOption,
  type BookingFacts,
  checkOption,
} from "../src/services/scheduling/availability/check.js";
import { findOptions } from "../src/services/scheduling/availability/engine.js";
import { referenceOptions } from "../src/services/scheduling/availability/reference.js";
import type { AvailabilityInput, SlotCandidate } from "../src/services/scheduling/availability/types.js";
import { arbNetwork, buildInput, FIVE } from "./support/networks.js";

const MIN = 60_000;

/** The facts a booking of one physician's option at one location would read from this network. */
function factsFor(input: AvailabilityInput, asked: AskedOption): BookingFacts {
  return {
    now: input.now,
    appointmentType: input.appointmentType,
    physician: input.physicians.find((p) => p.id === asked.physicianId) ?? null,
    blocks: input.blocks.filter((b) => b.physicianId === asked.physicianId),
    physicianCommitments: input.physicianCommitments.get(asked.physicianId) ?? [],
    patient: input.patient,
    locations: input.locations,
    rooms: input.rooms.filter((r) => r.locationId === asked.locationId),
    // equipment that travels may come from any location
    equipment: input.equipment.filter((e) => e.locationId === asked.locationId || e.travels),
    travelMinutes: input.travelMinutes,
    rules: input.rules,
    stepFree: input.stepFree,
  };
}

/** What the reference model offers for exactly this start of this physician at this location. */
function referenceFor(
  input: AvailabilityInput,
  asked: AskedOption,
  rooms = input.rooms,
): SlotCandidate | undefined {
  const duration = input.appointmentType.durationMinutes * MIN;
  return referenceOptions({
    ...input,
    physicians: input.physicians.filter((p) => p.id === asked.physicianId),
    from: asked.start,
    to: asked.start + duration,
    telehealth: asked.telehealth,
    // a booking does not ask for a language: the search that offered the option did
    language: null,
    rooms,
  }).find(
    (c) => c.locationId === asked.locationId && c.start === asked.start && c.telehealth === asked.telehealth,
  );
}

const askedOf = (o: SlotCandidate): AskedOption => ({
  physicianId: o.physicianId,
  locationId: o.locationId,
  roomId: o.roomId,
  start: o.start,
  end: o.end,
  telehealth: o.telehealth,
});

describe("the booking check and the search", () => {
  it("every option the search offers passes the booking check, with the same room, equipment and end", () => {
    fc.assert(
      fc.property(arbNetwork, (n) => {
        const input = buildInput(n);
        for (const o of findOptions(input).slice(0, 40)) {
          const check = checkOption(factsFor(input, askedOf(o)), askedOf(o));
          expect(check).toEqual({ ok: true, roomId: o.roomId, equipmentIds: o.equipmentIds, end: o.end });
        }
      }),
      { numRuns: 150 },
    );
  });

  it("an altered option (start, room, end or location) is refused exactly when the reference would not offer it", () => {
    const arbChange = fc.oneof(
      fc.record({ kind: fc.constant("start" as const), fives: fc.integer({ min: -12, max: 12 }) }),
      fc.record({ kind: fc.constant("room" as const), pick: fc.nat(20) }),
      fc.record({ kind: fc.constant("end" as const), fives: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant("location" as const), pick: fc.nat(4) }),
      fc.record({ kind: fc.constant("none" as const) }),
    );
    fc.assert(
      fc.property(
        arbNetwork,
        fc.array(fc.tuple(fc.nat(), arbChange), { minLength: 1, maxLength: 8 }),
        (n, changes) => {
          const input = buildInput(n);
          const offered = findOptions({ ...input, language: null });
          // options to alter: those offered, and grid points of blocks (most of them not offered)
          const seeds: SlotCandidate[] = [
            ...offered,
            ...input.blocks.map((b) => ({
              physicianId: b.physicianId,
              locationId: b.locationId,
              roomId: null,
              equipmentIds: [],
              start: b.start,
              end: b.start + input.appointmentType.durationMinutes * MIN,
              telehealth: input.locations.get(b.locationId)?.kind === "virtual",
            })),
          ];
          const locationIds = [...input.locations.keys(), "loc-away"];
          for (const [i, change] of changes) {
            const asked = askedOf(seeds[i % seeds.length]!);
            if (change.kind === "start") asked.start += change.fives * FIVE;
            if (change.kind === "start") asked.end += change.fives * FIVE;
            if (change.kind === "end") asked.end += change.fives * FIVE;
            if (change.kind === "room") {
              const here = input.rooms.filter((r) => r.locationId === asked.locationId);
              asked.roomId = here.length ? here[change.pick % here.length]!.id : `room-${change.pick}`;
            }
            if (change.kind === "location") {
              asked.locationId = locationIds[change.pick % locationIds.length]!;
              asked.telehealth = input.locations.get(asked.locationId)?.kind === "virtual";
            }
            const check = checkOption(factsFor(input, asked), asked);
            const lengthKept = asked.end - asked.start === input.appointmentType.durationMinutes * MIN;
            const shown = input.rooms.filter((r) => r.id === asked.roomId);
            const expected = lengthKept
              ? ((shown.length ? referenceFor(input, asked, shown) : undefined) ?? referenceFor(input, asked))
              : undefined;
            if (expected)
              expect(check).toEqual({
                ok: true,
                roomId: expected.roomId,
                equipmentIds: expected.equipmentIds,
                end: expected.end,
              });
            else expect(check.ok).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a refusal names the physician when they are already engaged then, and an altered end as no longer offered", () => {
    fc.assert(
      fc.property(arbNetwork, fc.nat(), (n, i) => {
        const input = buildInput(n);
        const options = findOptions(input);
        fc.pre(options.length > 0);
        const o = options[i % options.length]!;
        const engaged: AvailabilityInput = {
          ...input,
          physicianCommitments: new Map([
            [o.physicianId, [{ start: o.start, end: o.start + FIVE, locationId: o.locationId }]],
          ]),
        };
        expect(checkOption(factsFor(engaged, askedOf(o)), askedOf(o))).toEqual({
          ok: false,
          reason: "physician",
        });
        const longer = { ...askedOf(o), end: o.end + FIVE };
        expect(checkOption(factsFor(input, longer), longer)).toEqual({ ok: false, reason: "unavailable" });
      }),
      { numRuns: 100 },
    );
  });
});
