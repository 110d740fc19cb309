/**
 * Why an option cannot be had now: the refusal of a booking names what is really short, from the
 * facts the re-check inside the transaction just used, or the constraint the database enforced.
 */
import type { Executor } from "../../platform/db.js";
import type { NetworkSnapshot } from "../locations/index.js";
import type { ConflictReason } from "./appointments.schema.js";
import type { OptionRef } from "./availability/option-id.js";
import type { AppointmentTypeInfo } from "./availability/types.js";
import type { SearchResult } from "./availability.service.js";
import { busyRepository as busy } from "./busy.repository.js";

const CONSTRAINT_REASON: Record<string, ConflictReason> = {
  appointments_physician_no_overlap: "physician",
  appointments_room_no_overlap: "room",
  appointments_patient_no_overlap: "patient",
  equipment_reservations_no_overlap: "equipment",
};

/**
 * Why an option cannot be had now, in the order a scheduler would look, from the facts the
 * re-check just used: what is really short is named (a free room with no free equipment is
 * "equipment", never "room").
 */
export async function explain(
  tx: Executor,
  opt: OptionRef,
  patientId: string,
  check: Pick<SearchResult, "snapshot" | "appointmentType">,
  excludeId?: string,
): Promise<ConflictReason> {
  const { snapshot, appointmentType: type } = check;
  // the appointment as it would be booked now
  const start = opt.start;
  const end = opt.start + type.durationMinutes * 60_000;
  if (end !== opt.end) return "unavailable";
  const margin = 12 * 3_600_000;
  const overlaps = (c: { start: number; end: number }) => c.start < end && c.end > start;
  const { travelMinutes } = snapshot;
  // an engagement elsewhere too close to get from or back to in time
  const tooClose = (c: { start: number; end: number; locationId: string }) =>
    c.locationId !== opt.locationId &&
    c.end + travelMinutes(c.locationId, opt.locationId) * 60_000 > start &&
    end + travelMinutes(opt.locationId, c.locationId) * 60_000 > c.start;
  const window = [new Date(start - margin), new Date(end + margin)] as const;
  const [physicianCommitments, patient] = await Promise.all([
    busy.physicianCommitments(tx, [opt.physicianId], ...window),
    busy.patientCommitments(tx, patientId, ...window, excludeId),
  ]);
  const physician = physicianCommitments.get(opt.physicianId) ?? [];
  if (physician.some(overlaps)) return "physician";
  if (patient.some(overlaps) || patient.some(tooClose)) return "patient";
  if (physician.some(tooClose)) return "travel";
  const short = await shortResource(tx, snapshot, type, opt.locationId, start, end, opt.stepFree === true);
  return short ?? "unavailable";
}

/** The resource an appointment of `type` at the location lacks over [start, end), if any. */
async function shortResource(
  tx: Executor,
  snapshot: NetworkSnapshot,
  type: AppointmentTypeInfo,
  locationId: string,
  start: number,
  end: number,
  stepFree = false,
): Promise<"room" | "equipment" | undefined> {
  const location = snapshot.locations.find((l) => l.id === locationId);
  if (!location || location.kind === "virtual") return undefined;
  const from = new Date(start);
  const to = new Date(end);
  const free = (busyOf: Map<string, Array<{ start: number; end: number }>>, id: string) =>
    !(busyOf.get(id) ?? []).some((b) => b.start < end && b.end > start);
  if (type.roomKind) {
    // a patient who asked for step-free access is short of a room when only rooms with steps are free
    const rooms = snapshot.rooms.filter(
      (r) => r.locationId === locationId && r.kind === type.roomKind && (!stepFree || r.stepFree),
    );
    const taken = await busy.roomBusy(
      tx,
      rooms.map((r) => r.id),
      from,
      to,
    );
    if (!rooms.some((r) => free(taken, r.id))) return "room";
  }
  if (type.equipmentKinds.length) {
    const items = snapshot.equipment.filter(
      (e) => e.locationId === locationId && type.equipmentKinds.includes(e.kind),
    );
    const taken = await busy.equipmentBusy(
      tx,
      items.map((e) => e.id),
      from,
      to,
    );
    // each kind needs as many free items as the type lists it
    for (const kind of new Set(type.equipmentKinds)) {
      const needed = type.equipmentKinds.filter((k) => k === kind).length;
      const available = items.filter((e) => e.kind === kind && free(taken, e.id)).length;
      if (available < needed) return "equipment";
    }
  }
  return undefined;
}

/** The conflict a violated exclusion constraint stands for, if it is one of the booking's. */
export function reasonOf(err: unknown): ConflictReason | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; constraint?: unknown };
  if (e.code !== "23P01" || typeof e.constraint !== "string") return undefined;
  return CONSTRAINT_REASON[e.constraint];
}
