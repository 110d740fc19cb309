/**
 * The slow, obviously correct availability answer, used only by tests to hold the engine to the
 * rules: every grid point of every block is checked against every rule one by one, with no
 * sorting tricks and no jumping. Opening hours are read with Temporal, one local day at a time.
 */
import { Temporal } from "temporal-polyfill";
import { wallClockToEpochMs } from "./intervals.js";
import { canTravelTo, equipmentCandidates } from "./transport.js";
import type { AvailabilityInput, Interval, LocationInfo, PhysicianInfo, SlotCandidate } from "./types.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/** Whether an appointment at `locationId` leaves room to get to and from an engagement. */
function fitsAround(
  engagement: { start: number; end: number; locationId: string },
  slot: Interval,
  locationId: string,
  travelMinutes: AvailabilityInput["travelMinutes"],
): boolean {
  if (overlaps(engagement, slot)) return false;
  if (engagement.locationId === locationId) return true;
  if (engagement.end <= slot.start) {
    return engagement.end + travelMinutes(engagement.locationId, locationId) * MINUTE <= slot.start;
  }
  return slot.end + travelMinutes(locationId, engagement.locationId) * MINUTE <= engagement.start;
}

function mayTakeAppointment(physician: PhysicianInfo, input: AvailabilityInput): boolean {
  const previous = input.patient?.previousPhysicianIds ?? [];
  const kind = input.appointmentType.visitKind;
  if (input.language !== null && !physician.languages.includes(input.language)) return false;
  if (kind === "new" && !physician.acceptsNewPatients && !previous.includes(physician.id)) return false;
  if (kind === "follow_up" && previous.length > 0 && !previous.includes(physician.id)) return false;
  return true;
}

/** A location's opening hours on one local date, as instants; remembered because Temporal is slow. */
function hoursOn(
  location: LocationInfo,
  date: Temporal.PlainDate,
  seen: Map<string, Interval[]>,
): Interval[] {
  const key = `${location.id}|${date.toString()}`;
  let hours = seen.get(key);
  if (!hours) {
    hours = location.openingHours
      .filter((h) => h.weekday === date.dayOfWeek)
      .map((h) => ({
        start: wallClockToEpochMs(date.toString(), h.opens, location.timeZone),
        end: wallClockToEpochMs(date.toString(), h.closes, location.timeZone),
      }))
      .sort((a, b) => a.start - b.start);
    seen.set(key, hours);
  }
  return hours;
}

function withinOpeningHours(location: LocationInfo, slot: Interval, seen: Map<string, Interval[]>): boolean {
  if (location.kind === "virtual" || location.openingHours.length === 0) return true;
  const date = Temporal.Instant.fromEpochMilliseconds(slot.start)
    .toZonedDateTimeISO(location.timeZone)
    .toPlainDate();
  const today = hoursOn(location, date, seen);
  // walk the day's hours from the slot's start, crossing from one stretch to the next where they touch
  let coveredUntil = slot.start;
  for (const h of today) {
    if (h.start <= coveredUntil && h.end > coveredUntil) coveredUntil = h.end;
  }
  return coveredUntil >= slot.end;
}

const idOrder = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function chooseResources(
  input: AvailabilityInput,
  locationId: string,
  slot: Interval,
): { roomId: string | null; equipmentIds: string[] } | undefined {
  const type = input.appointmentType;
  let roomId: string | null = null;
  if (type.roomKind !== null) {
    const room = input.rooms
      .filter(
        (r) => r.locationId === locationId && r.kind === type.roomKind && (!input.stepFree || r.stepFree),
      )
      .sort(idOrder)
      .find((r) => r.busy.every((b) => !overlaps(b, slot)));
    if (!room) return undefined;
    roomId = room.id;
  }
  const equipmentIds: string[] = [];
  for (const kind of type.equipmentKinds) {
    // equipment that travels must also get here from its previous booking and on to its next
    const free = (e: (typeof input.equipment)[number]) =>
      e.travels
        ? canTravelTo(
            e.busy.map((b) => ({ start: b.start, end: b.end, locationId: b.locationId ?? e.locationId })),
            locationId,
            slot,
            input.travelMinutes,
          )
        : e.busy.every((b) => !overlaps(b, slot));
    const item = equipmentCandidates(input.equipment, kind, locationId, input.travelMinutes)
      .filter((e) => !equipmentIds.includes(e.id))
      .find(free);
    if (!item) return undefined;
    equipmentIds.push(item.id);
  }
  return { roomId, equipmentIds };
}

/** Every valid (physician, location, start) with its room and equipment, in no particular order. */
export function referenceOptions(input: AvailabilityInput): SlotCandidate[] {
  const type = input.appointmentType;
  const duration = type.durationMinutes * MINUTE;
  const step = type.slotIntervalMinutes * MINUTE;
  if (!(duration > 0) || !(step > 0)) return [];
  const found = new Map<string, SlotCandidate>();
  const hours = new Map<string, Interval[]>();

  for (const physician of input.physicians) {
    if (!mayTakeAppointment(physician, input)) continue;
    const blocks = input.blocks.filter((b) => b.physicianId === physician.id);
    const commitments = input.physicianCommitments.get(physician.id) ?? [];
    for (const block of blocks) {
      const location = input.locations.get(block.locationId);
      if (!location) continue;
      if (block.appointmentTypeIds.length > 0 && !block.appointmentTypeIds.includes(type.id)) continue;
      const virtual = location.kind === "virtual";
      if (virtual && !(input.telehealth && type.telehealthAllowed && physician.offersTelehealth)) continue;

      for (let start = block.start; start + duration <= block.end; start += step) {
        const slot = { start, end: start + duration };
        const key = `${physician.id}|${block.locationId}|${start}`;
        if (found.has(key)) continue;
        if (start < input.now + input.rules.minNoticeMinutes * MINUTE) continue;
        if (start >= input.now + input.rules.horizonDays * DAY) continue;
        if (start < input.from || slot.end > input.to) continue;
        const travel = input.travelMinutes;
        if (!commitments.every((c) => fitsAround(c, slot, block.locationId, travel))) continue;
        // travel sits between engagements; only a block marked on site binds the physician to it
        const otherBlocks = blocks.filter(
          (b) => b !== block && b.onSite === true && b.locationId !== block.locationId,
        );
        if (!otherBlocks.every((b) => fitsAround(b, slot, block.locationId, travel))) continue;
        if (
          input.patient &&
          !input.patient.commitments.every((c) => fitsAround(c, slot, block.locationId, travel))
        ) {
          continue;
        }
        const resources = virtual
          ? { roomId: null, equipmentIds: [] }
          : chooseResources(input, block.locationId, slot);
        if (!resources) continue;
        if (!withinOpeningHours(location, slot, hours)) continue;
        found.set(key, {
          physicianId: physician.id,
          locationId: block.locationId,
          ...resources,
          ...slot,
          telehealth: virtual,
        });
      }
    }
  }
  return [...found.values()];
}
