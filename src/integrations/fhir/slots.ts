/**
 * Slots, computed: free ones are the availability search's options, busy ones are the times a
 * physician's schedule has taken (booked or held appointments, with no patient, type or
 * appointment named). A Slot's id is signed (`slot-ids.ts`), so a read by id re-derives the Slot
 * from today's facts, and `$hold`/`$book` of a Slot go through a fresh signed option.
 */
import type { Slot } from "@medplum/fhirtypes";
import type { Actor } from "../../platform/access.js";
import { ProblemError, problems } from "../../platform/errors.js";
import type { SlotOptionDto } from "../../services/scheduling/index.js";
import type { FhirDeps } from "./context.js";
import { physicianAtLocationId } from "./ids.js";
import { toSlot } from "./resources.js";
import type { OpenedSlotId, SlotRef } from "./slot-ids.js";

const DAY = 86_400_000;
/** Schedules a page may have when their free Slots come along (`_revinclude=Slot:schedule`). */
export const REVINCLUDE_SLOTS_PAGE = 20;
/** Free Slots per Schedule and appointment type that `_revinclude` brings, over the next REVINCLUDE_DAYS. */
const REVINCLUDE_SLOTS = 20;
const REVINCLUDE_DAYS = 7;

/**
 * Who the public is to the availability search (`$bulk-publish`, a Schedule search's free Slots
 * without a session): no patient, no location, and no policy action (every grant-checked
 * operation refuses it), so the search answers what anyone may be offered.
 */
export const PUBLIC_ACTOR: Actor = {
  userId: "00000000-0000-0000-0000-000000000000",
  role: "patient",
  email: "public@fhir.invalid",
  displayName: "The public",
  sessionId: "00000000-0000-0000-0000-000000000000",
  patientId: null,
  patientIds: [],
  physicianId: null,
  locationIds: [],
  departmentIds: [],
  specialties: [],
  clientAddress: "",
  requestId: "public",
  client: { id: "public", scopes: [], grants: [] },
};
const BUSY = ["held", "booked", "checked_in", "in_progress"];
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface BusyQuery {
  physicianId: string;
  locationId?: string | undefined;
  from: number;
  to: number;
}

export function slotReader({
  scheduling,
  slotIds,
  clock,
}: Pick<FhirDeps, "scheduling" | "slotIds" | "clock">) {
  const { appointments, catalog, schedules } = scheduling;

  const idOf = (ref: SlotRef): string => {
    const id = slotIds.issue(ref);
    // every option starts on a whole second and lasts whole minutes; were one not to, it is still served
    if (!id) throw new ProblemError(500, "internal", "a Slot could not be named");
    return id;
  };
  const refOf = (o: SlotOptionDto): SlotRef => ({
    physicianId: o.physicianId,
    locationId: o.locationId,
    appointmentTypeId: o.appointmentTypeId,
    start: Date.parse(o.start),
    end: Date.parse(o.end),
  });

  /** The free Slot an option is, with the signed option id to hold or book it. */
  const freeSlot = (o: SlotOptionDto, typeName?: string): Slot => toSlot(o, idOf(refOf(o)), typeName);

  /** A taken time of a physician at a location: nothing but the time and the Schedule. */
  const busySlot = (ref: SlotRef): Slot => ({
    resourceType: "Slot",
    id: idOf(ref),
    schedule: { reference: `Schedule/${physicianAtLocationId(ref.physicianId, ref.locationId)}` },
    status: "busy",
    start: new Date(ref.start).toISOString(),
    end: new Date(ref.end).toISOString(),
  });

  /**
   * The taken times of a physician (at one location, or each location) overlapping [from, to),
   * read from their unified schedule: authorized as a schedule read and audited; an appointment
   * the caller may not see is a time without details there too. Overlapping bookings of one time
   * are one busy Slot.
   */
  async function busy(actor: Actor, q: BusyQuery): Promise<SlotRef[]> {
    const read = await schedules.unifiedSchedule(actor, q.physicianId, {
      from: isoDay(q.from - DAY),
      to: isoDay(q.to + DAY),
      ...(q.locationId ? { locationId: q.locationId } : {}),
    });
    const out = new Map<string, SlotRef>();
    for (const e of read.entries) {
      if (e.kind !== "appointment" || (e.status !== null && !BUSY.includes(e.status))) continue;
      const start = Date.parse(e.start);
      const end = Date.parse(e.end);
      if (end <= q.from || start >= q.to) continue;
      const ref = {
        physicianId: q.physicianId,
        locationId: e.locationId,
        appointmentTypeId: null,
        start,
        end,
      };
      out.set(`${e.locationId}|${start}|${end}`, ref);
    }
    return [...out.values()].sort((a, b) => a.start - b.start || a.locationId.localeCompare(b.locationId));
  }

  /** The type an opened id was signed for (null: none), or undefined when it was signed for none we have. */
  async function typeOf(opened: OpenedSlotId): Promise<string | null | undefined> {
    if (opened.typePrefix === null) return opened.signedFor(null) ? null : undefined;
    const prefix = opened.typePrefix;
    const types = await catalog.list({ limit: 500, offset: 0 });
    return types.items.find((t) => t.id.replaceAll("-", "").startsWith(prefix) && opened.signedFor(t.id))?.id;
  }

  /** The option a Slot of this type is now, if it is still offered exactly. */
  async function optionAt(actor: Actor, ref: SlotRef & { appointmentTypeId: string }) {
    const { options } = await appointments.searchAvailability(actor, {
      appointmentTypeId: ref.appointmentTypeId,
      physicianId: ref.physicianId,
      locationIds: [ref.locationId],
      from: new Date(ref.start).toISOString(),
      // a search window holds whole appointments: this one ends at the Slot's end
      to: new Date(ref.end).toISOString(),
      telehealth: false,
      limit: 20,
    });
    return options.find((o) => Date.parse(o.start) === ref.start && Date.parse(o.end) === ref.end);
  }

  return {
    freeSlot,
    busySlot,
    busy,
    /**
     * The free Slots of the next days of each Schedule (a physician at a location), for each
     * active appointment type of the physician's specialties: what `_revinclude=Slot:schedule` brings.
     */
    async freeOfSchedules(
      actor: Actor,
      schedules: ReadonlyArray<{ physician: { id: string; specialties: string[] }; locationId: string }>,
    ): Promise<Slot[]> {
      if (!schedules.length) return [];
      const from = clock.now().getTime();
      const types = (await catalog.list({ active: true, limit: 500, offset: 0 })).items;
      const out: Slot[] = [];
      for (const s of schedules)
        for (const t of types.filter((t) => s.physician.specialties.includes(t.specialty))) {
          const { options } = await appointments.searchAvailability(actor, {
            appointmentTypeId: t.id,
            physicianId: s.physician.id,
            locationIds: [s.locationId],
            from: new Date(from).toISOString(),
            to: new Date(from + REVINCLUDE_DAYS * DAY).toISOString(),
            telehealth: false,
            limit: REVINCLUDE_SLOTS,
          });
          out.push(...options.map((o) => freeSlot(o, t.name)));
        }
      return out;
    },
    /** A Slot by id as it is now: free (with a fresh option id), busy, or undefined (no longer a Slot, or never ours). */
    async read(actor: Actor, id: string): Promise<Slot | undefined> {
      const opened = slotIds.open(id);
      if (!opened) return undefined;
      const appointmentTypeId = await typeOf(opened);
      if (appointmentTypeId === undefined) return undefined;
      const ref: SlotRef = { ...opened, appointmentTypeId };
      if (appointmentTypeId !== null) {
        const option = await optionAt(actor, { ...ref, appointmentTypeId });
        if (option) return freeSlot(option, (await catalog.get(appointmentTypeId)).name);
      }
      const taken = await busy(actor, { ...ref, from: ref.start, to: ref.end });
      if (!taken.some((t) => t.locationId === ref.locationId)) return undefined;
      return { ...busySlot({ ...ref, appointmentTypeId: null }), id };
    },
    /**
     * The signed option a Slot of a type is now, for `$hold` and `$book`: the Slot names the time,
     * the booking path checks it as it checks any option.
     */
    async optionFor(actor: Actor, id: string, field: string): Promise<string> {
      const opened = slotIds.open(id);
      const appointmentTypeId = opened && (await typeOf(opened));
      if (!opened || !appointmentTypeId)
        throw problems.badRequest(field, "is not a free Slot of this server (a Slot from a Slot search)");
      const option = await optionAt(actor, { ...opened, appointmentTypeId });
      if (!option) throw problems.conflict("slot_taken", "This Slot is no longer free: search again", field);
      return option.id;
    },
  };
}

export type SlotReader = ReturnType<typeof slotReader>;
