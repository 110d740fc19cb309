/**
 * Random small networks for property tests of the availability engine and the booking check:
 * a few locations in zones with daylight-saving changes, physicians with blocks and engagements,
 * rooms and equipment with bookings, and a patient, over three days.
 */
import fc from "fast-check";
import type { AvailabilityInput, LocationInfo } from "../../src/services/scheduling/availability/types.js";

const MIN = 60_000;

const ZONES = ["America/New_York", "America/Chicago", "Europe/London"];
/** Three-day windows, most of them across a daylight-saving change in one of the zones. */
const FIRST_DAYS = ["2026-03-06", "2026-03-27", "2026-10-23", "2026-10-30", "2026-06-15"];
const LOCATION_IDS = ["loc-c", "loc-a", "loc-d", "loc-b"];
/** Commitments may be somewhere the search knows nothing about. */
const AWAY = "loc-away";
export const FIVE = 5 * MIN;
const clock = (fives: number) =>
  `${String(Math.floor(fives / 12)).padStart(2, "0")}:${String((fives % 12) * 5).padStart(2, "0")}`;

const arbClock = fc.oneof(
  fc.constantFrom("00:30", "01:00", "01:30", "02:00", "02:30", "03:00"),
  fc.integer({ min: 0, max: 287 }).map(clock),
);
const arbHours = fc
  .oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.oneof(arbClock, fc.constantFrom("06:00", "07:30")),
          fc.integer({ min: 144, max: 287 }).map(clock),
        )
        .map(([opens, closes]) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens, closes }))),
    },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.record({ weekday: fc.integer({ min: 1, max: 7 }), opens: arbClock, closes: arbClock }),
        {
          maxLength: 14,
        },
      ),
    },
  )
  .map((hours) => hours.filter((h) => h.closes > h.opens));
const arbSpan = (maxFives: number) =>
  fc.record({
    at: fc.integer({ min: 0, max: 3 * 288 }),
    fives: fc.integer({ min: 0, max: maxFives }),
    place: fc.nat(4),
  });

export const arbNetwork = fc.record({
  firstDay: fc.constantFrom(...FIRST_DAYS),
  locations: fc.array(
    fc.record({
      virtual: fc.constantFrom(false, false, false, true),
      zone: fc.constantFrom(...ZONES),
      hours: arbHours,
      lat: fc.integer({ min: -50, max: 50 }),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  travel: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 25, maxLength: 25 }),
  physicians: fc.array(
    fc.record({
      languages: fc.subarray(["en", "es", "fr"]),
      video: fc.constantFrom(true, true, false),
      acceptsNew: fc.constantFrom(true, true, false),

      blocks: fc.array(
        fc.record({
          span: arbSpan(96),
          types: fc.constantFrom([], [], [], ["T"], ["other"], ["T", "other"]),
          onSite: fc.constantFrom(false, false, true),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      commitments: fc.array(arbSpan(24), { maxLength: 5 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  rooms: fc.array(
    fc.record({
      place: fc.nat(3),
      kind: fc.constantFrom("exam", "procedure"),
      stepFree: fc.boolean(),
      busy: fc.array(arbSpan(24), { maxLength: 3 }),
    }),
    { minLength: 2, maxLength: 10 },
  ),
  equipment: fc.array(
    fc.record({
      place: fc.nat(3),
      kind: fc.constantFrom("ecg", "ultrasound"),
      busy: fc.array(arbSpan(24), { maxLength: 3 }),
      // equipment that travels is booked anywhere (its uses never overlap, as the database holds)
      travels: fc.constantFrom(false, false, true),
    }),
    { maxLength: 6 },
  ),
  type: fc.record({
    durationMinutes: fc.constantFrom(10, 15, 20, 30, 45),
    slotIntervalMinutes: fc.constantFrom(5, 10, 15, 30),
    roomKind: fc.constantFrom(null, null, "exam", "procedure"),
    equipmentKinds: fc.constantFrom([], [], [], ["ecg"], ["ecg", "ultrasound"], ["ecg", "ecg"]),
    telehealthAllowed: fc.constantFrom(true, true, false),
    visitKind: fc.constantFrom("new" as const, "follow_up" as const, "procedure" as const),
  }),
  patient: fc.option(
    fc.record({
      home: fc.boolean(),
      preferred: fc.subarray([0, 1, 2, 3]),
      previous: fc.subarray([0, 1, 2, 3]),
      commitments: fc.array(arbSpan(24), { maxLength: 3 }),
    }),
    { nil: null },
  ),
  now: fc.integer({ min: -288, max: 96 }),
  minNoticeMinutes: fc.constantFrom(0, 30, 240),
  horizonDays: fc.integer({ min: 1, max: 5 }),
  from: fc.integer({ min: -288, max: 144 }),
  to: fc.integer({ min: 2 * 288, max: 4 * 288 }),
  telehealth: fc.constantFrom(true, true, false),
  stepFree: fc.constantFrom(false, false, true),
  language: fc.constantFrom(null, null, null, "en", "es"),
});

export type Network = typeof arbNetwork extends fc.Arbitrary<infer N> ? N : never;

/** Uses of one item, by start, each starting after the one before has ended. */
function apart<T extends { start: number; end: number }>(uses: T[]): T[] {
  const out: T[] = [];
  for (const u of [...uses].sort((a, b) => a.start - b.start))
    if (u.end > u.start && (out.length === 0 || u.start >= out[out.length - 1]!.end)) out.push(u);
  return out;
}

export function buildInput(n: Network): AvailabilityInput {
  const base = Date.parse(`${n.firstDay}T00:00:00Z`);
  const t = (fives: number) => base + fives * FIVE;
  const locationIds = LOCATION_IDS.slice(0, n.locations.length);
  const placeOf = (i: number) => (i >= locationIds.length ? AWAY : locationIds[i]!);
  const span = (s: { at: number; fives: number; place: number }) => ({
    start: t(s.at),
    end: t(s.at + s.fives),
    locationId: placeOf(s.place),
  });
  const locations = new Map<string, LocationInfo>(
    n.locations.map((l, i) => [
      locationIds[i]!,
      {
        id: locationIds[i]!,
        kind: l.virtual ? "virtual" : "satellite",
        timeZone: l.zone,
        latitude: l.virtual ? null : l.lat,
        longitude: l.virtual ? null : 10,
        openingHours: l.hours,
      },
    ]),
  );
  const virtual = (id: string) => locations.get(id)?.kind === "virtual";
  const index = (id: string) => (id === AWAY ? 4 : locationIds.indexOf(id));
  const physicianIds = n.physicians.map((_, i) => `dr-${i + 1}`);
  return {
    now: t(n.now),
    from: t(n.from),
    to: t(n.to),
    appointmentType: { id: "T", ...n.type, equipmentKinds: [...n.type.equipmentKinds] },
    physicians: n.physicians.map((p, i) => ({
      id: physicianIds[i]!,
      languages: p.languages,
      offersTelehealth: p.video,
      acceptsNewPatients: p.acceptsNew,
    })),
    blocks: n.physicians.flatMap((p, i) =>
      p.blocks.map((b) => ({
        physicianId: physicianIds[i]!,
        ...span({ at: b.span.at, fives: b.span.fives + 6, place: b.span.place % locationIds.length }),
        appointmentTypeIds: [...b.types],
        onSite: b.onSite,
      })),
    ),
    physicianCommitments: new Map(n.physicians.map((p, i) => [physicianIds[i]!, p.commitments.map(span)])),
    locations,
    rooms: n.rooms.map((r, i) => ({
      id: `room-${String.fromCharCode(122 - i)}`,
      locationId: placeOf(r.place % locationIds.length),
      kind: r.kind,
      stepFree: r.stepFree,
      busy: r.busy.map(span),
    })),
    equipment: n.equipment.map((e, i) => ({
      id: `item-${(i * 7) % 10}`,
      locationId: placeOf(e.place % locationIds.length),
      kind: e.kind,
      busy: e.travels ? apart(e.busy.map(span)) : e.busy.map(span),
      ...(e.travels ? { travels: true } : {}),
    })),
    travelMinutes: (a, b) =>
      a === b || virtual(a) || virtual(b) ? 0 : n.travel[index(a) * 5 + index(b)]! * 5,
    rules: { minNoticeMinutes: n.minNoticeMinutes, horizonDays: n.horizonDays },
    patient: n.patient && {
      home: n.patient.home ? { latitude: 3, longitude: 10 } : null,
      preferredLocationIds: n.patient.preferred.map(placeOf),
      previousPhysicianIds: n.patient.previous
        .filter((i) => i < physicianIds.length)
        .map((i) => physicianIds[i]!),
      commitments: n.patient.commitments.map(span),
    },
    telehealth: n.telehealth,
    stepFree: n.stepFree,
    language: n.language,
    limit: Number.POSITIVE_INFINITY,
  };
}
