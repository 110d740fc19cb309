import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { availableSlots, findOptions } from "../src/services/scheduling/availability/engine.js";
import { localBlock } from "../src/services/scheduling/availability/intervals.js";
import { createOptionIds, OPTION_ID_LIFETIME_MS } from "../src/services/scheduling/availability/option-id.js";
import {
  bestOfSlice,
  type ResourceLoader,
  rankProgressively,
  slicesOf,
  sliceWindow,
} from "../src/services/scheduling/availability/progressive.js";
import { rankOptions } from "../src/services/scheduling/availability/rank.js";
import { referenceOptions } from "../src/services/scheduling/availability/reference.js";
import { canTravelTo, usesOf } from "../src/services/scheduling/availability/transport.js";
import type {
  AvailabilityInput,
  Block,
  Commitment,
  LocationInfo,
  SlotCandidate,
  SlotOption,
} from "../src/services/scheduling/availability/types.js";
import { arbNetwork, buildInput, FIVE } from "./support/networks.js";

const MIN = 60_000;
const DAY = 86_400_000;
/** Monday 2026-06-15, 00:00 UTC: unit tests run in a UTC clinic so times read plainly. */
const MONDAY = Date.UTC(2026, 5, 15);
const at = (hhmm: string, day = 0) =>
  MONDAY + day * DAY + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

const place = (id: string, over: Partial<LocationInfo> = {}): LocationInfo => ({
  id,
  kind: "outpatient_clinic",
  timeZone: "UTC",
  latitude: 40.7,
  longitude: -74,
  openingHours: [],
  ...over,
});

/** One physician, one clinic, a free 08:00-12:00 block, a 30-minute visit on a 15-minute grid. */
function need(over: Partial<AvailabilityInput> = {}): AvailabilityInput {
  return {
    now: MONDAY - DAY,
    from: MONDAY - DAY,
    to: MONDAY + 30 * DAY,
    appointmentType: {
      id: "T",
      durationMinutes: 30,
      slotIntervalMinutes: 15,
      roomKind: null,
      equipmentKinds: [],
      telehealthAllowed: true,
      visitKind: "procedure",
    },
    physicians: [{ id: "dr-a", languages: ["en"], offersTelehealth: true, acceptsNewPatients: true }],
    blocks: [
      {
        physicianId: "dr-a",
        locationId: "north",
        start: at("08:00"),
        end: at("12:00"),
        appointmentTypeIds: [],
      },
    ],
    physicianCommitments: new Map(),
    locations: new Map([["north", place("north")]]),
    rooms: [],
    equipment: [],
    travelMinutes: (a, b) => (a === b ? 0 : 30),
    rules: { minNoticeMinutes: 0, horizonDays: 60 },
    patient: null,
    telehealth: false,
    stepFree: false,
    language: null,
    limit: Number.POSITIVE_INFINITY,
    ...over,
  };
}

const starts = (options: { start: number }[]) => options.map((o) => hhmm(o.start)).sort();
const keyOf = (o: SlotCandidate) => `${o.physicianId}|${o.locationId}|${o.start}`;

describe("the availability engine on small, hand-made schedules", () => {
  it("a free 08:00-12:00 morning offers every 15-minute start that fits a 30-minute visit", () => {
    const options = findOptions(need());
    expect(options).toHaveLength(15);
    expect(starts(options)[0]).toBe("08:00");
    expect(starts(options).at(-1)).toBe("11:30");
  });

  it("a physician booked elsewhere gets the travel time before and after that appointment", () => {
    const away: Commitment = { start: at("10:00"), end: at("10:30"), locationId: "south" };
    const options = findOptions(need({ physicianCommitments: new Map([["dr-a", [away]]]) }));
    // 30 minutes to drive each way: the last visit before ends 09:30, the first after starts 11:00
    expect(starts(options)).toEqual(["08:00", "08:15", "08:30", "08:45", "09:00", "11:00", "11:15", "11:30"]);
  });

  it("back-to-back appointments at the same clinic need no buffer", () => {
    const here: Commitment = { start: at("10:00"), end: at("10:30"), locationId: "north" };
    const options = findOptions(need({ physicianCommitments: new Map([["dr-a", [here]]]) }));
    expect(starts(options)).toContain("09:30");
    expect(starts(options)).toContain("10:30");
    expect(starts(options)).not.toContain("09:45");
  });

  it("a gap exactly as long as the visit between two appointments is offered", () => {
    const busy: Commitment[] = [
      { start: at("09:00"), end: at("09:30"), locationId: "north" },
      { start: at("10:00"), end: at("10:30"), locationId: "north" },
    ];
    const options = findOptions(need({ physicianCommitments: new Map([["dr-a", busy]]) }));
    expect(starts(options)).toEqual([
      "08:00",
      "08:15",
      "08:30",
      "09:30",
      "10:30",
      "10:45",
      "11:00",
      "11:15",
      "11:30",
    ]);
  });

  it("an afternoon block at another campus takes nothing from the morning until something is booked there", () => {
    const blocks: Block[] = [
      ...need().blocks,
      {
        physicianId: "dr-a",
        locationId: "south",
        start: at("12:15"),
        end: at("16:00"),
        appointmentTypeIds: [],
      },
    ];
    const options = findOptions(need({ blocks, locations: new Map([["north", place("north")]]) }));
    expect(starts(options).at(-1)).toBe("11:30");
  });

  it("a block marked on site keeps the physician there for all of it: other campuses leave time to get there and back", () => {
    const south = { physicianId: "dr-a", locationId: "south", appointmentTypeIds: [], onSite: true };
    const blocks: Block[] = [
      ...need().blocks,
      { ...south, start: at("12:15"), end: at("13:00") },
      { ...need().blocks[0]!, start: at("13:00"), end: at("15:00") },
    ];
    const options = findOptions(need({ blocks, locations: new Map([["north", place("north")]]) }));
    // 30 minutes each way: the morning ends by 11:45, the afternoon starts at 13:30 at the earliest
    expect(
      starts(options)
        .filter((t) => t < "12:00")
        .at(-1),
    ).toBe("11:15");
    expect(starts(options).filter((t) => t > "12:00")[0]).toBe("13:30");
  });

  it("a block limited to other appointment types offers nothing for this one", () => {
    const blocks = [{ ...need().blocks[0]!, appointmentTypeIds: ["other"] }];
    expect(findOptions(need({ blocks }))).toEqual([]);
  });

  it("a video visit needs the patient, the appointment type and the physician to accept it, and no room", () => {
    const video = place("video", { kind: "virtual", latitude: null, longitude: null, openingHours: [] });
    const base = need({
      locations: new Map([["video", video]]),
      blocks: [
        {
          physicianId: "dr-a",
          locationId: "video",
          start: at("08:00"),
          end: at("09:00"),
          appointmentTypeIds: [],
        },
      ],
      appointmentType: { ...need().appointmentType, roomKind: "exam", equipmentKinds: ["ecg"] },
    });
    expect(findOptions(base)).toEqual([]);
    const yes = findOptions({ ...base, telehealth: true });
    expect(yes.map((o) => [o.telehealth, o.roomId, o.equipmentIds])).toEqual([
      [true, null, []],
      [true, null, []],
      [true, null, []],
    ]);
    expect(yes[0]?.reasons).toContain("video visit, no travel");
    const noType = { ...base.appointmentType, telehealthAllowed: false };
    expect(findOptions({ ...base, telehealth: true, appointmentType: noType })).toEqual([]);
    const noDoctor = [{ ...base.physicians[0]!, offersTelehealth: false }];
    expect(findOptions({ ...base, telehealth: true, physicians: noDoctor })).toEqual([]);
  });

  it("the first free suitable room by id is chosen, and a step-free request skips rooms with steps", () => {
    const input = need({
      appointmentType: { ...need().appointmentType, roomKind: "exam" },
      rooms: [
        { id: "r3", locationId: "north", kind: "exam", stepFree: true, busy: [] },
        {
          id: "r1",
          locationId: "north",
          kind: "exam",
          stepFree: false,
          busy: [{ start: at("08:00"), end: at("09:00") }],
        },
        { id: "r2", locationId: "north", kind: "procedure", stepFree: true, busy: [] },
      ],
    });
    const byStart = new Map(findOptions(input).map((o) => [hhmm(o.start), o.roomId]));
    expect(byStart.get("08:00")).toBe("r3");
    expect(byStart.get("08:45")).toBe("r3");
    expect(byStart.get("09:00")).toBe("r1");
    const stepFree = findOptions({ ...input, stepFree: true });
    expect(new Set(stepFree.map((o) => o.roomId))).toEqual(new Set(["r3"]));
    expect(stepFree[0]?.reasons).toContain("step-free room");
  });

  it("each required equipment kind takes its own free item, and a missing item means no slot", () => {
    const input = need({
      appointmentType: { ...need().appointmentType, equipmentKinds: ["ecg", "ecg"] },
      equipment: [
        { id: "e2", locationId: "north", kind: "ecg", busy: [] },
        { id: "e1", locationId: "north", kind: "ecg", busy: [{ start: at("10:00"), end: at("12:00") }] },
      ],
    });
    const options = findOptions(input);
    expect(starts(options).at(-1)).toBe("09:30");
    expect(options.every((o) => o.equipmentIds.join() === "e1,e2")).toBe(true);
  });

  it("minimum notice, the booking horizon and the requested dates bound the slots", () => {
    expect(
      starts(findOptions(need({ now: at("07:00"), rules: { minNoticeMinutes: 120, horizonDays: 60 } })))[0],
    ).toBe("09:00");
    expect(
      findOptions(need({ now: at("08:00") - 60 * DAY, rules: { minNoticeMinutes: 0, horizonDays: 60 } })),
    ).toEqual([]);
    expect(starts(findOptions(need({ from: at("09:10"), to: at("10:30") })))).toEqual([
      "09:15",
      "09:30",
      "09:45",
      "10:00",
    ]);
  });

  it("opening hours clip the slots, a day without hours is closed, and touching hours join up", () => {
    const monday = [
      { weekday: 1, opens: "09:00", closes: "10:00" },
      { weekday: 1, opens: "10:00", closes: "11:00" },
    ];
    const open = need({ locations: new Map([["north", place("north", { openingHours: monday })]]) });
    expect(starts(findOptions(open))).toEqual([
      "09:00",
      "09:15",
      "09:30",
      "09:45",
      "10:00",
      "10:15",
      "10:30",
    ]);
    const tuesday = place("north", { openingHours: [{ weekday: 2, opens: "00:00", closes: "23:00" }] });
    expect(findOptions(need({ locations: new Map([["north", tuesday]]) }))).toEqual([]);
  });

  it("the patient's own appointments and journeys are respected", () => {
    const patient = {
      home: null,
      preferredLocationIds: [],
      previousPhysicianIds: [],
      commitments: [{ start: at("09:00"), end: at("10:00"), locationId: "south" }],
    };
    expect(starts(findOptions(need({ patient })))).toEqual([
      "08:00",
      "10:30",
      "10:45",
      "11:00",
      "11:15",
      "11:30",
    ]);
  });

  it("a language request and a closed list for new patients narrow the physicians", () => {
    const physicians = [
      { id: "dr-a", languages: ["en"], offersTelehealth: true, acceptsNewPatients: false },
      { id: "dr-b", languages: ["es", "en"], offersTelehealth: true, acceptsNewPatients: true },
    ];
    const blocks = physicians.map((p) => ({ ...need().blocks[0]!, physicianId: p.id }));
    const newVisit = { ...need().appointmentType, visitKind: "new" as const };
    const who = (input: AvailabilityInput) =>
      [...new Set(findOptions(input).map((o) => o.physicianId))].sort();
    expect(who(need({ physicians, blocks, language: "es" }))).toEqual(["dr-b"]);
    expect(who(need({ physicians, blocks, appointmentType: newVisit }))).toEqual(["dr-b"]);
    const known = { home: null, preferredLocationIds: [], previousPhysicianIds: ["dr-a"], commitments: [] };
    expect(who(need({ physicians, blocks, appointmentType: newVisit, patient: known }))).toEqual([
      "dr-a",
      "dr-b",
    ]);
  });

  it("a follow-up stays with the physician who saw the patient, unless the caller lifts it", () => {
    const physicians = ["dr-a", "dr-b"].map((id) => ({
      id,
      languages: [],
      offersTelehealth: false,
      acceptsNewPatients: true,
    }));
    const blocks = physicians.map((p) => ({ ...need().blocks[0]!, physicianId: p.id }));
    const followUp = { ...need().appointmentType, visitKind: "follow_up" as const };
    const patient = { home: null, preferredLocationIds: [], previousPhysicianIds: ["dr-b"], commitments: [] };
    const options = findOptions(need({ physicians, blocks, appointmentType: followUp, patient }));
    expect(new Set(options.map((o) => o.physicianId))).toEqual(new Set(["dr-b"]));
    expect(options[0]?.reasons).toContain("your physician");
    const lifted = { ...patient, previousPhysicianIds: [] };
    expect(
      new Set(
        findOptions(need({ physicians, blocks, appointmentType: followUp, patient: lifted })).map(
          (o) => o.physicianId,
        ),
      ).size,
    ).toBe(2);
  });

  it("a preferred clinic near home ranks first and says why", () => {
    const locations = new Map([
      ["near", place("near", { latitude: 40.75, longitude: -73.99 })],
      ["far", place("far", { latitude: 41.2, longitude: -73.7 })],
    ]);
    const blocks = ["far", "near"].map((locationId) => ({
      ...need().blocks[0]!,
      locationId,
      physicianId: "dr-a",
      start: at("08:00", locationId === "near" ? 1 : 0),
      end: at("12:00", locationId === "near" ? 1 : 0),
    }));
    const patient = {
      home: { latitude: 40.72, longitude: -74.0 },
      preferredLocationIds: ["near"],
      previousPhysicianIds: [],
      commitments: [],
    };
    const [first] = findOptions(need({ locations, blocks, patient, limit: 3 }));
    expect(first?.locationId).toBe("near");
    expect(first?.reasons).toContain("one of your preferred locations");
    expect(first?.reasons).toContain("3.4 km from home");
  });

  it("results come best first, ties in start then physician order, cut at the limit", () => {
    const physicians = ["dr-b", "dr-a"].map((id) => ({
      id,
      languages: [],
      offersTelehealth: false,
      acceptsNewPatients: true,
    }));
    const blocks = physicians.map((p) => ({ ...need().blocks[0]!, physicianId: p.id }));
    const options = findOptions(need({ physicians, blocks, limit: 3 }));
    expect(options.map((o) => [o.physicianId, hhmm(o.start)])).toEqual([
      ["dr-a", "08:00"],
      ["dr-b", "08:00"],
      ["dr-a", "08:15"],
    ]);
    expect(options[0]?.reasons).toContain("earliest available");
    expect(findOptions(need({ limit: 0 }))).toEqual([]);
  });
});

describe("travel between engagements, not cut from both blocks", () => {
  /** A at 08:00-12:00, B at 12:00-16:00, 45 minutes apart, 45-minute visits on a 15-minute grid. */
  function transfer(booked: Commitment[] = [], onSite = false): AvailabilityInput {
    const block = (locationId: string, from: string, to: string): Block => ({
      physicianId: "dr-a",
      locationId,
      start: at(from),
      end: at(to),
      appointmentTypeIds: [],
      onSite,
    });
    return need({
      appointmentType: { ...need().appointmentType, durationMinutes: 45 },
      blocks: [block("A", "08:00", "12:00"), block("B", "12:00", "16:00")],
      locations: new Map([
        ["A", place("A")],
        ["B", place("B")],
      ]),
      travelMinutes: (a, b) => (a === b ? 0 : 45),
      physicianCommitments: new Map([["dr-a", booked]]),
    });
  }
  const startsAt = (input: AvailabilityInput, locationId: string) =>
    starts(findOptions(input).filter((o) => o.locationId === locationId));

  it("with nothing booked, both 11:15 at A and 12:00 at B are offered", () => {
    expect(startsAt(transfer(), "A").at(-1)).toBe("11:15");
    expect(startsAt(transfer(), "B")[0]).toBe("12:00");
  });

  it("once 11:15 at A is booked, B is offered from 12:45, after the drive", () => {
    const input = transfer([{ start: at("11:15"), end: at("12:00"), locationId: "A" }]);
    expect(startsAt(input, "B")[0]).toBe("12:45");
    expect(startsAt(input, "B")).not.toContain("12:00");
  });

  it("once 12:00 at B is booked, A is offered only until 10:30, which leaves the drive", () => {
    const input = transfer([{ start: at("12:00"), end: at("12:45"), locationId: "B" }]);
    expect(startsAt(input, "A").at(-1)).toBe("10:30");
    expect(startsAt(input, "A")).not.toContain("11:15");
  });

  it("blocks marked on site keep the old buffer: 45 minutes are lost on each side of the transfer", () => {
    const input = transfer([], true);
    expect(startsAt(input, "A").at(-1)).toBe("10:30");
    expect(startsAt(input, "B")[0]).toBe("12:45");
    expect(referenceOptions(input).length).toBe(findOptions(input).length);
  });
});

describe("option ids", () => {
  const option = {
    physicianId: "dr-a",
    locationId: "north",
    roomId: null,
    equipmentIds: ["e1", "e2"],
    start: at("08:00"),
    end: at("08:30"),
    appointmentTypeId: "T",
    telehealth: false,
    stepFree: true,
  };
  const ids = createOptionIds(Buffer.alloc(32, 7));
  const issuedAt = at("07:00");

  it("an option id carries the option to the booking step unchanged", () => {
    const id = ids.issue(option, issuedAt);
    expect(id).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(ids.open(id, issuedAt)).toEqual({ ok: true, option, expiresAt: issuedAt + OPTION_ID_LIFETIME_MS });
    const other = { ...option, roomId: "r1", telehealth: true };
    expect(ids.open(ids.issue(other, issuedAt), issuedAt)).toMatchObject({ ok: true, option: other });
  });

  it("anything that is not an option id this server issued is refused instead of failing", () => {
    const id = ids.issue(option, issuedAt);
    const [payload] = id.split(".");
    const garbage = [
      "",
      "!!!",
      "abc",
      "a.b",
      payload!,
      id.slice(0, -3),
      `${id}x`,
      `${id}.x`,
      `${Buffer.from("[2,2,3]").toString("base64url")}.${id.split(".")[1]}`,
      "x".repeat(10_000),
    ];
    for (const g of garbage) expect(ids.open(g, issuedAt)).toEqual({ ok: false, problem: "invalid" });
    fc.assert(fc.property(fc.string(), (s) => !ids.open(s, issuedAt).ok));
  });

  it("an option id with any one character changed is refused", () => {
    const id = ids.issue(option, issuedAt);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    fc.assert(
      fc.property(fc.nat({ max: id.length - 1 }), fc.nat({ max: alphabet.length - 1 }), (i, c) => {
        const altered = id.slice(0, i) + alphabet[c] + id.slice(i + 1);
        return altered === id || !ids.open(altered, issuedAt).ok;
      }),
    );
  });

  it("an option id signed with another key is refused", () => {
    const elsewhere = createOptionIds(Buffer.alloc(32, 8));
    expect(ids.open(elsewhere.issue(option, issuedAt), issuedAt)).toEqual({ ok: false, problem: "invalid" });
    expect(() => createOptionIds(Buffer.alloc(16, 1))).toThrow(/at least 32 bytes/);
  });

  it("an option id can be booked for 30 minutes after the search that offered it, then says it expired", () => {
    const id = ids.issue(option, issuedAt);
    expect(ids.open(id, issuedAt + OPTION_ID_LIFETIME_MS - 1).ok).toBe(true);
    expect(ids.open(id, issuedAt + OPTION_ID_LIFETIME_MS)).toEqual({
      ok: false,
      problem: "expired",
      option,
      expiresAt: issuedAt + OPTION_ID_LIFETIME_MS,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: random small networks, held to the rules and to the slow reference.

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

/** Written apart from the engine and the reference: which rules an offered option breaks. */
function brokenRules(o: SlotOption, input: AvailabilityInput): string[] {
  const broken: string[] = [];
  const type = input.appointmentType;
  const physician = input.physicians.find((p) => p.id === o.physicianId);
  const location = input.locations.get(o.locationId);
  if (!physician || !location) return ["unknown physician or location"];
  const blocks = input.blocks.filter((b) => b.physicianId === o.physicianId);
  const inBlock = blocks.some(
    (b) =>
      b.locationId === o.locationId &&
      b.start <= o.start &&
      o.end <= b.end &&
      (o.start - b.start) % (type.slotIntervalMinutes * MIN) === 0 &&
      (b.appointmentTypeIds.length === 0 || b.appointmentTypeIds.includes(type.id)),
  );
  if (!inBlock || o.end - o.start !== type.durationMinutes * MIN) broken.push("1 grid and block");
  const reachable = (e: Commitment) => {
    if (overlap(e, o)) return false;
    if (e.locationId === o.locationId) return true;
    if (e.end <= o.start) return e.end + input.travelMinutes(e.locationId, o.locationId) * MIN <= o.start;
    return o.end + input.travelMinutes(o.locationId, e.locationId) * MIN <= e.start;
  };
  // travel is kept between engagements; of the blocks elsewhere, only those marked on site bind
  const elsewhere = blocks.filter((b) => b.onSite && b.locationId !== o.locationId);
  if (![...(input.physicianCommitments.get(o.physicianId) ?? []), ...elsewhere].every(reachable))
    broken.push("2 physician free");
  const virtual = location.kind === "virtual";
  if (o.telehealth !== virtual) broken.push("3 telehealth flag");
  if (virtual) {
    if (!input.telehealth || !type.telehealthAllowed || !physician.offersTelehealth)
      broken.push("3 video accepted");
    if (o.roomId !== null || o.equipmentIds.length > 0) broken.push("3 no resources for video");
  } else {
    const suitable = input.rooms.filter(
      (r) => r.locationId === o.locationId && r.kind === type.roomKind && (r.stepFree || !input.stepFree),
    );
    const freeRooms = suitable
      .filter((r) => !r.busy.some((b) => overlap(b, o)))
      .map((r) => r.id)
      .sort();
    if (type.roomKind === null ? o.roomId !== null : o.roomId !== freeRooms[0])
      broken.push("3 first free room");
    const items = o.equipmentIds.map((id) => input.equipment.find((e) => e.id === id));
    const kindsOk = items.every(
      (e, i) =>
        e &&
        e.kind === type.equipmentKinds[i] &&
        (e.travels
          ? canTravelTo(usesOf(e), o.locationId, o, input.travelMinutes)
          : e.locationId === o.locationId && !e.busy.some((b) => overlap(b, o))),
    );
    if (
      !kindsOk ||
      items.length !== type.equipmentKinds.length ||
      new Set(o.equipmentIds).size !== items.length
    )
      broken.push("3 equipment");
  }
  if (o.start < input.now + input.rules.minNoticeMinutes * MIN) broken.push("4 notice");
  if (o.start >= input.now + input.rules.horizonDays * DAY) broken.push("4 horizon");
  if (o.start < input.from || o.end > input.to) broken.push("4 requested dates");
  if (!virtual && location.openingHours.length > 0) {
    const date = Temporal.Instant.fromEpochMilliseconds(o.start)
      .toZonedDateTimeISO(location.timeZone)
      .toPlainDate();
    const stretches = location.openingHours
      .filter((h) => h.weekday === date.dayOfWeek)
      .map((h) => localBlock(date.toString(), h.opens, h.closes, location.timeZone));
    // every five-minute step of the visit must fall in some opening stretch of its day
    for (let t = o.start; t < o.end; t += FIVE) {
      if (!stretches.some((s) => s.start <= t && t < s.end)) {
        broken.push("4 opening hours");
        break;
      }
    }
  }
  if (input.patient && !input.patient.commitments.every(reachable)) broken.push("5 patient free");
  if (input.language !== null && !physician.languages.includes(input.language)) broken.push("6 language");
  const previous = input.patient?.previousPhysicianIds ?? [];
  if (type.visitKind === "new" && !physician.acceptsNewPatients && !previous.includes(physician.id))
    broken.push("6 new patients");
  if (type.visitKind === "follow_up" && previous.length > 0 && !previous.includes(physician.id))
    broken.push("7 continuity");
  return broken;
}

const inRankOrder = (a: SlotOption, b: SlotOption) =>
  a.score > b.score ||
  (a.score === b.score &&
    (a.start < b.start ||
      (a.start === b.start &&
        (a.physicianId < b.physicianId ||
          (a.physicianId === b.physicianId && a.locationId < b.locationId)))));

const byKey = (a: SlotCandidate, b: SlotCandidate) =>
  keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
const unranked = ({ score: _s, reasons: _r, ...candidate }: SlotOption): SlotCandidate => candidate;

function expectRulesKept(input: AvailabilityInput, options: SlotOption[]) {
  expect(options.length).toBeLessThanOrEqual(input.limit);
  for (const o of options) {
    expect(brokenRules(o, input), keyOf(o)).toEqual([]);
    expect(Number.isFinite(o.score) && o.reasons.length > 0).toBe(true);
  }
  for (let i = 1; i < options.length; i++) expect(inRankOrder(options[i - 1]!, options[i]!)).toBe(true);
}

describe("the availability engine on random networks", () => {
  it("every option offered keeps every scheduling rule and comes in rank order", () => {
    const arbLimit = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(arbNetwork, arbLimit, (n, limit) => {
        const input = { ...buildInput(n), limit };
        expectRulesKept(input, findOptions(input));
      }),
      { numRuns: 200 },
    );
  });

  it("no slot is missed and none is invented: the engine offers exactly what the slow reference finds", () => {
    let withOptions = 0;
    fc.assert(
      fc.property(arbNetwork, (n) => {
        const input = buildInput(n);
        const engine = findOptions(input).map(unranked).sort(byKey);
        const reference = referenceOptions(input).sort(byKey);
        expect(engine.map(keyOf)).toEqual(reference.map(keyOf));
        // and the same rooms and equipment, chosen first-free by id
        expect(engine).toEqual(reference);
        if (engine.length > 0) withOptions++;
      }),
      { numRuns: 200 },
    );
    // most random networks must offer something, or the comparison proves little
    expect(withOptions).toBeGreaterThan(40);
  });
});

/** A small deterministic random source, so the large network is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 100 physicians over 14 days in 5 clinics and a video service: weekday 08:00-16:00 blocks, 70%
 * of the 15-minute grid already booked, 30 rooms half busy, a patient with commitments.
 */
function largeNetwork(): AvailabilityInput {
  const random = seeded(20260615);
  const clinics = ["c1", "c2", "c3", "c4", "c5"];
  const zoneOf = (id: string) => (id === "c4" || id === "c5" ? "America/Chicago" : "America/New_York");
  const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: "07:00", closes: "19:00" }));
  const locations = new Map<string, LocationInfo>(
    clinics.map((id, i) => [
      id,
      place(id, { timeZone: zoneOf(id), latitude: 40 + i / 10, longitude: -74, openingHours: weekdays }),
    ]),
  );
  locations.set(
    "video",
    place("video", { kind: "virtual", timeZone: "America/New_York", latitude: null, longitude: null }),
  );
  const dates = Array.from({ length: 14 }, (_, d) => Temporal.PlainDate.from("2026-06-15").add({ days: d }));
  const blocks: Block[] = [];
  const physicianCommitments = new Map<string, Commitment[]>();
  const physicians = Array.from({ length: 100 }, (_, i) => ({
    id: `dr-${String(i).padStart(3, "0")}`,
    languages: i % 3 === 0 ? ["en", "es"] : ["en"],
    offersTelehealth: i % 2 === 0,
    acceptsNewPatients: true,
  }));
  for (const [i, p] of physicians.entries()) {
    const busy: Commitment[] = [];
    for (const date of dates) {
      if (date.dayOfWeek > 5) continue;
      const locationId =
        i % 10 === 0 && date.dayOfWeek === 5 ? "video" : clinics[(i + (date.dayOfWeek % 2) * 2) % 5]!;
      const block = localBlock(date.toString(), "08:00", "16:00", locations.get(locationId)!.timeZone);
      blocks.push({ physicianId: p.id, locationId, ...block, appointmentTypeIds: [] });
      for (let t = block.start; t < block.end; t += 15 * MIN) {
        if (random() < 0.7) busy.push({ start: t, end: t + 15 * MIN, locationId });
      }
    }
    physicianCommitments.set(p.id, busy);
  }
  const first = blocks.reduce((m, b) => Math.min(m, b.start), Number.POSITIVE_INFINITY);
  const rooms = Array.from({ length: 30 }, (_, i) => {
    const busy = [];
    for (let t = first; t < first + 14 * DAY; t += 30 * MIN)
      if (random() < 0.5) busy.push({ start: t, end: t + 30 * MIN });
    return {
      id: `room-${(i * 11) % 30}`,
      locationId: clinics[i % 5]!,
      kind: i % 6 === 5 ? "procedure" : "exam",
      stepFree: i % 2 === 0,
      busy,
    };
  });
  const now = first - DAY;
  return {
    ...need(),
    now,
    from: now,
    to: now + 16 * DAY,
    appointmentType: { ...need().appointmentType, durationMinutes: 15, roomKind: "exam" },
    physicians,
    blocks,
    physicianCommitments,
    locations,
    rooms,
    travelMinutes: (a, b) =>
      a === b || a === "video" || b === "video"
        ? 0
        : 20 + 5 * Math.abs(clinics.indexOf(a) - clinics.indexOf(b)),
    rules: { minNoticeMinutes: 120, horizonDays: 30 },
    patient: {
      home: { latitude: 40.12, longitude: -74.01 },
      preferredLocationIds: ["c2"],
      previousPhysicianIds: ["dr-007"],
      commitments: [{ start: first + 2 * DAY, end: first + 2 * DAY + 2 * 3_600_000, locationId: "c5" }],
    },
    telehealth: true,
    limit: 20,
  };
}

describe("progressive search", () => {
  it("searching slice by slice and stopping early gives exactly the whole window's ranked answer", async () => {
    const arbLimit = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(Number.POSITIVE_INFINITY));
    const arbSlice = fc.constantFrom(30 * MIN, 2 * 60 * MIN, DAY);
    let stoppedEarly = 0;
    await fc.assert(
      fc.asyncProperty(arbNetwork, arbLimit, arbSlice, async (n, limit, sliceMs) => {
        const input = { ...buildInput(n), limit };
        const duration = input.appointmentType.durationMinutes * MIN;
        const { options, slicesSearched } = await rankProgressively(
          input,
          async (slice) => {
            const w = sliceWindow(slice, input.to, duration);
            return availableSlots({ ...input, from: w.from, to: w.to }).filter(w.keep);
          },
          sliceMs,
        );
        expect(options).toEqual(findOptions(input));
        if (slicesSearched < slicesOf(input.from, input.to, sliceMs).length) stoppedEarly++;
      }),
      // about one random network in twenty stops early: enough runs that a dozen always do
      { numRuns: 600 },
    );
    // the early stop must actually happen, or the test proves only the slicing
    expect(stoppedEarly).toBeGreaterThan(10);
  });

  it("looking up rooms only where a slice's best options are gives exactly the whole window's ranked answer", async () => {
    const arbLimit = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(Number.POSITIVE_INFINITY));
    const arbSlice = fc.constantFrom(2 * 60 * MIN, DAY);
    let spared = 0;
    await fc.assert(
      fc.asyncProperty(arbNetwork, arbLimit, arbSlice, async (n, limit, sliceMs) => {
        const input = { ...buildInput(n), limit };
        const duration = input.appointmentType.durationMinutes * MIN;
        const { options } = await rankProgressively(
          input,
          async (slice) => {
            const w = sliceWindow(slice, input.to, duration);
            const asked: string[] = [];
            // each location-day answers with that day's bookings only, as the database does
            const load: ResourceLoader = async (requests) => {
              const overlapping = (busy: Array<{ start: number; end: number }>, from: number, to: number) =>
                busy.filter((b) => b.start < to && b.end > from);
              const rooms = [];
              const equipment = [];
              for (const { locationId, from, to } of requests) {
                asked.push(`${locationId}|${from}`);
                for (const r of input.rooms.filter((r) => r.locationId === locationId))
                  rooms.push({ ...r, busy: overlapping(r.busy, from, to) });
                for (const e of input.equipment.filter((e) => e.locationId === locationId && !e.travels))
                  equipment.push({ ...e, busy: overlapping(e.busy, from, to) });
                // equipment that travels comes from anywhere, with its uses half a day either side
                for (const e of input.equipment.filter((e) => e.travels))
                  equipment.push({ ...e, busy: overlapping(e.busy, from - DAY / 2, to + DAY / 2) });
              }
              return { rooms, equipment };
            };
            // the search starts with no rooms at all: only what it loads can be offered
            const best = await bestOfSlice({ ...input, rooms: [], equipment: [] }, w, load);
            // no location-day is read twice
            expect(new Set(asked).size).toBe(asked.length);
            const everywhere = new Set(
              availableSlots({ ...input, from: w.from, to: w.to }).map((c) => c.locationId),
            );
            if ([...everywhere].some((id) => !asked.some((a) => a.startsWith(`${id}|`)))) spared++;
            return best;
          },
          sliceMs,
        );
        expect(options).toEqual(findOptions(input));
      }),
      { numRuns: 300 },
    );
    // some slices must have skipped locations, or the test proves only the ranking
    expect(spared).toBeGreaterThan(10);
  });

  it("a room busy all Monday morning and briefly on Tuesday is read day by day and never taken for free", async () => {
    const input = need({
      appointmentType: { ...need().appointmentType, roomKind: "exam" },
      blocks: [0, 1].map((day) => ({
        physicianId: "dr-a",
        locationId: "north",
        start: at("08:00", day),
        end: at("12:00", day),
        appointmentTypeIds: [],
      })),
      rooms: [
        {
          id: "r1",
          locationId: "north",
          kind: "exam",
          stepFree: false,
          busy: [
            { start: at("08:00"), end: at("12:00") },
            { start: at("10:00", 1), end: at("10:30", 1) },
          ],
        },
      ],
    });
    const days: number[] = [];
    const load: ResourceLoader = async (requests) => ({
      rooms: requests.map(({ from, to }) => {
        days.push((from - MONDAY) / DAY);
        return { ...input.rooms[0]!, busy: input.rooms[0]!.busy.filter((b) => b.start < to && b.end > from) };
      }),
      equipment: [],
    });
    for (const limit of [Number.POSITIVE_INFINITY, 2]) {
      days.length = 0;
      const window = { from: input.from, to: input.to, keep: () => true };
      const best = await bestOfSlice({ ...input, limit, rooms: [] }, window, load);
      expect(rankOptions(best, { ...input, limit })).toEqual(findOptions({ ...input, limit }));
      expect(best.every((o) => o.start >= at("08:00", 1))).toBe(true);
      expect(days.sort()).toEqual([0, 1]);
    }
    expect(starts(findOptions(input))).not.toContain("10:15");
  });

  it("slices cover the window once, earliest first, each twice as long as the one before", () => {
    const slices = slicesOf(0, 10 * DAY, DAY);
    expect(slices.map((s) => [s.from / DAY, s.to / DAY, s.last])).toEqual([
      [0, 1, false],
      [1, 3, false],
      [3, 7, false],
      [7, 10, true],
    ]);
  });
});

describe("the availability engine at network scale", () => {
  it("a 100-physician, 14-day search answers exactly what the slow reference finds", () => {
    const input = largeNetwork();
    const all = findOptions({ ...input, limit: Number.POSITIVE_INFINITY });
    expect(all.length).toBeGreaterThan(1000);
    expect(all.map(unranked).sort(byKey)).toEqual(referenceOptions(input).sort(byKey));
    const best = findOptions(input);
    expect(best).toEqual(all.slice(0, 20));
    expectRulesKept(input, best);

    // measured for the report, never asserted: timing depends on the machine and its load
    const time = (limit: number) => {
      for (let i = 0; i < 5; i++) findOptions({ ...input, limit });
      const runs: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t = performance.now();
        findOptions({ ...input, limit });
        runs.push(performance.now() - t);
      }
      runs.sort((a, b) => a - b);
      return `${runs[12]!.toFixed(1)} ms (fastest ${runs[0]!.toFixed(1)})`;
    };
    const commitments = [...input.physicianCommitments.values()].reduce((n, c) => n + c.length, 0);
    console.log(
      `findOptions over ${input.blocks.length} blocks, ${commitments} commitments, ${all.length} bookable options, ` +
        `median of 25: best 20 in ${time(20)}, all ranked in ${time(Number.POSITIVE_INFINITY)}`,
    );
  });
});
