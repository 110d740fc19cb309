/**
 * Overbooking's pure rule and check: which slot a session may double, and that the extra seat is
 * a capacity of 2 for that one slot and nothing else (patients, equipment, travel and other rooms
 * are checked as for any booking). Pure: no database.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AskedOption, BookingFacts } from "../../src/services/scheduling/availability/check.js";
import { findOptions } from "../../src/services/scheduling/availability/engine.js";
import { createOptionIds, type OptionRef } from "../../src/services/scheduling/availability/option-id.js";
import {
  checkExtraSeat,
  type ExtraSeat,
  expectedNoShows,
  extraSeatOf,
  offersTo,
  type SessionAppointment,
  sessionsOf,
} from "../../src/services/scheduling/availability/overbooking.js";
import type { AvailabilityInput, SlotCandidate } from "../../src/services/scheduling/availability/types.js";
import { arbNetwork, buildInput } from "../support/networks.js";

const session = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom("a", "b", "c", "d", "e", "f"),
      locationId: fc.constant("L"),
      roomId: fc.constantFrom("r1", "r2", null),
      start: fc.integer({ min: 0, max: 20 }).map((n) => n * 1_800_000),
      risk: fc.double({ min: 0, max: 1, noNaN: true }),
      extraSeat: fc.constantFrom(false, false, false, true),
    }),
    { selector: (a) => a.id, maxLength: 6 },
  )
  .map((list) => list.map((a): SessionAppointment => ({ ...a, end: a.start + 1_800_000 })));
const rule = fc.record({ enabled: fc.boolean(), threshold: fc.double({ min: 0.1, max: 3, noNaN: true }) });

describe("which slot a session may double", () => {
  it("a seat is offered exactly when the rule is on, the session has no extra yet and its expected no-shows exceed the threshold", () => {
    fc.assert(
      fc.property(session, rule, (s, r) => {
        const seat = extraSeatOf(s, r);
        const expected = s.filter((a) => !a.extraSeat).reduce((sum, a) => sum + a.risk, 0);
        const open = r.enabled && !s.some((a) => a.extraSeat) && expected > r.threshold;
        expect(seat !== null).toBe(open);
        if (seat) {
          // the appointment most likely to be missed, never an extra seat itself
          const doubled = s.find((a) => a.id === seat.appointmentId)!;
          expect(doubled.extraSeat).toBe(false);
          expect(s.every((a) => a.risk <= doubled.risk)).toBe(true);
          expect([seat.start, seat.end, seat.roomId]).toEqual([doubled.start, doubled.end, doubled.roomId]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("with the rule off or absent no slot is ever doubled", () => {
    fc.assert(
      fc.property(session, (s) => {
        expect(extraSeatOf(s, null)).toBeNull();
        expect(extraSeatOf(s, { enabled: false, threshold: 0.01 })).toBeNull();
      }),
    );
  });

  it("expected no-shows are the sum of the ordinary appointments' risks", () => {
    const a = { locationId: "L", roomId: null, start: 0, end: 1 };
    expect(
      expectedNoShows([
        { ...a, id: "1", risk: 0.5, extraSeat: false },
        { ...a, id: "2", risk: 0.25, extraSeat: false },
        { ...a, id: "3", risk: 0.9, extraSeat: true },
      ]),
    ).toBe(0.75);
  });
});

/** The facts a booking of `asked` would read from the network (as test/booking-check.test.ts). */
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
    equipment: input.equipment.filter((e) => e.locationId === asked.locationId || e.travels),
    travelMinutes: input.travelMinutes,
    rules: input.rules,
    stepFree: input.stepFree,
  };
}

/** The facts once `o` is booked by another patient (its physician, room and equipment busy then). */
function bookedBySomeoneElse(facts: BookingFacts, o: SlotCandidate): BookingFacts {
  const slot = { start: o.start, end: o.end };
  return {
    ...facts,
    physicianCommitments: [...facts.physicianCommitments, { ...slot, locationId: o.locationId }],
    rooms: facts.rooms.map((r) => (r.id === o.roomId ? { ...r, busy: [...r.busy, slot] } : r)),
    equipment: facts.equipment.map((e) =>
      o.equipmentIds.includes(e.id) ? { ...e, busy: [...e.busy, { ...slot, locationId: o.locationId }] } : e,
    ),
  };
}

const askedOf = (o: SlotCandidate): AskedOption => ({
  physicianId: o.physicianId,
  locationId: o.locationId,
  roomId: o.roomId,
  start: o.start,
  end: o.end,
  telehealth: o.telehealth,
});
const seatOn = (o: SlotCandidate): ExtraSeat => ({
  appointmentId: "booked",
  locationId: o.locationId,
  roomId: o.roomId,
  start: o.start,
  end: o.end,
  expectedNoShows: 2,
});
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && a.end > b.start;

describe("the extra seat is a capacity of 2 for one slot and nothing else", () => {
  it("a booked in-person slot can take one extra appointment in its room, and never a third", () => {
    fc.assert(
      fc.property(arbNetwork, (n) => {
        const input = buildInput(n);
        for (const o of findOptions(input)
          .filter((c) => !c.telehealth)
          .slice(0, 10)) {
          const once = bookedBySomeoneElse(factsFor(input, askedOf(o)), o);
          const seat = seatOn(o);
          const extra = checkExtraSeat(once, askedOf(o), seat);
          if (o.equipmentIds.length > 0) {
            // the doubled appointment keeps its equipment: the extra needs items of its own
            if (!extra.ok) continue;
            expect(extra.equipmentIds.some((id) => o.equipmentIds.includes(id))).toBe(false);
          } else expect(extra).toEqual({ ok: true, roomId: o.roomId, equipmentIds: [], end: o.end });
          if (!extra.ok) continue;
          const twice = bookedBySomeoneElse(once, { ...o, equipmentIds: extra.equipmentIds });
          expect(checkExtraSeat(twice, askedOf(o), seat).ok).toBe(false);
        }
      }),
      { numRuns: 120 },
    );
  });

  it("an extra appointment never lands on the patient's other engagements or on busy equipment", () => {
    fc.assert(
      fc.property(arbNetwork, (n) => {
        const input = buildInput(n);
        for (const o of findOptions(input)
          .filter((c) => !c.telehealth)
          .slice(0, 10)) {
          const facts = bookedBySomeoneElse(factsFor(input, askedOf(o)), o);
          const extra = checkExtraSeat(facts, askedOf(o), seatOn(o));
          if (!extra.ok) continue;
          for (const c of facts.patient?.commitments ?? []) expect(overlaps(c, o)).toBe(false);
          for (const id of extra.equipmentIds) {
            const item = facts.equipment.find((e) => e.id === id)!;
            if (!item.travels) expect(item.busy.some((b) => overlaps(b, o))).toBe(false);
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it("only the seat's very slot may be doubled: another start, place or a video visit is refused", () => {
    fc.assert(
      fc.property(arbNetwork, fc.integer({ min: 1, max: 12 }), (n, fives) => {
        const input = buildInput(n);
        const o = findOptions(input).find((c) => !c.telehealth);
        if (!o) return;
        const facts = bookedBySomeoneElse(factsFor(input, askedOf(o)), o);
        const seat = seatOn(o);
        const shift = fives * 5 * 60_000;
        const moved = { ...askedOf(o), start: o.start + shift, end: o.end + shift };
        expect(checkExtraSeat(facts, moved, seat)).toEqual({ ok: false, reason: "unavailable" });
        expect(checkExtraSeat(facts, { ...askedOf(o), locationId: "elsewhere" }, seat).ok).toBe(false);
        expect(checkExtraSeat(facts, { ...askedOf(o), telehealth: true }, seat).ok).toBe(false);
        expect(checkExtraSeat(facts, askedOf(o), null).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe("who is offered the extra seat, and in which session", () => {
  it("staff are offered it while the rule is on; patients only when the location also offers it to them", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.boolean(), { nil: undefined }), (enabled, toPatients) => {
        const r = {
          enabled,
          threshold: 1,
          ...(toPatients === undefined ? {} : { offerToPatients: toPatients }),
        };
        expect(offersTo(r, "staff")).toBe(enabled);
        expect(offersTo(r, "patient")).toBe(enabled && toPatients === true);
      }),
    );
    expect(offersTo(null, "staff")).toBe(false);
  });

  it("a session is one planned block: its appointments are the physician's at its location starting in it", () => {
    const block = (physicianId: string, locationId: string, start: number, end: number) => ({
      physicianId,
      locationId,
      start,
      end,
      appointmentTypeIds: [],
    });
    const appt = (id: string, physicianId: string, locationId: string, start: number) => ({
      id,
      physicianId,
      locationId,
      roomId: null,
      start,
      end: start + 10,
      risk: 0.5,
      extraSeat: false,
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom("p", "q"), fc.constantFrom("L", "M"), fc.integer({ min: 0, max: 200 })),
        ),
        (list) => {
          const appointments = list.map(([p, l, t], i) => appt(`a${i}`, p, l, t));
          const blocks = [block("p", "L", 0, 100), block("p", "L", 100, 200), block("q", "M", 50, 150)];
          const sessions = sessionsOf(appointments, blocks);
          // the reference: each appointment in the one block it falls into, if any
          for (const a of appointments) {
            const home = blocks.filter(
              (b) =>
                b.physicianId === a.physicianId &&
                b.locationId === a.locationId &&
                a.start >= b.start &&
                a.start < b.end,
            );
            const found = sessions.filter((s) => s.appointments.includes(a));
            expect(found.map((s) => s.block)).toEqual(home);
          }
          expect(sessions.every((s) => s.appointments.length > 0)).toBe(true);
        },
      ),
    );
  });

  it("an extra-seat option id carries the mark under its signature, and an ordinary one never gains it", () => {
    const ids = createOptionIds(new Uint8Array(32).fill(7));
    const ref: OptionRef = {
      physicianId: "p",
      locationId: "L",
      roomId: "r",
      equipmentIds: [],
      start: 1_000,
      end: 2_000,
      appointmentTypeId: "t",
      telehealth: false,
      stepFree: false,
    };
    const seat = ids.open(ids.issue({ ...ref, extraSeat: true }, 0), 1);
    expect(seat).toMatchObject({ ok: true, option: { extraSeat: true } });
    const plain = ids.open(ids.issue(ref, 0), 1);
    expect(plain.ok && plain.option.extraSeat).toBeFalsy();
    // appending the mark to an ordinary id's payload breaks its signature
    const [payload, mac] = ids.issue(ref, 0).split(".") as [string, string];
    const fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
    const marked = `${Buffer.from(JSON.stringify([...fields, 1])).toString("base64url")}.${mac}`;
    expect(ids.open(marked, 1)).toEqual({ ok: false, problem: "invalid" });
  });
});
