/**
 * What a plan is about, one shape for each: a physician's schedule change (or "unavailable today"),
 * a room or an item of equipment taken out of service. A subject authorizes its caller, makes its
 * change inside the caller's transaction and names the appointments the change makes impossible,
 * and searches alternatives for one of them; the service's single propose/apply path does the rest.
 */

import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, physicianTarget } from "../../platform/policy.js";
import { dateTimeFormat } from "../../platform/time.js";
import type { Locations } from "../locations/index.js";
import type { Physicians, PlannedBlock } from "../physicians/index.js";
import type { Scheduling, SlotOptionDto, UpcomingAppointment } from "../scheduling/index.js";
import type { PlanRow } from "./repository.js";
import type { Cause, FacilityKind, FacilityOutOfService, PlanInput, StoredChange } from "./schema.js";

/** How far ahead a change is looked at for appointments it would make impossible. */
const HORIZON_DAYS = 180;
const DAY = 86_400_000;
/** A period out of service may start this long before the request reaches the server (clock skew). */
const FROM_SLACK_MS = 5 * 60_000;

export interface SubjectDeps extends Pick<ServiceDeps, "clock" | "policies"> {
  physicians: Physicians;
  scheduling: Scheduling;
  /** A facility's plan reads the room or item and takes it out of service through the locations' own writes. */
  locations: Pick<Locations, "lookup">;
}

/** Who a plan is about, as its row names them and its audit records them. */
export interface SubjectRef {
  physician_id: string | null;
  room_id: string | null;
  equipment_id: string | null;
}

export interface Subject {
  cause: Cause;
  ref: SubjectRef;
  /** The change as the plan stores it (a facility's period resolved to instants). */
  change: Record<string, unknown>;
  /** Authorizes the caller (out of scope: a 404 on `field`); returns the stamp a plan is checked against. */
  authorize(
    tx: Executor,
    actor: Actor,
    field: string,
  ): Promise<{ stamp: string | null; locationId?: string; outOfService?: boolean }>;
  /** Makes the change in the transaction; the appointments still to come it makes impossible, oldest first. */
  makeIn(tx: Executor, now: number): Promise<UpcomingAppointment[]>;
  /** Alternatives for one affected appointment, searched on the facts as changed. */
  alternativesIn(tx: Executor, a: UpcomingAppointment, now: number): Promise<SlotOptionDto[]>;
  /** Why a moved appointment moved, as its history says. */
  moveReason: string;
}

/** Whether a working block at the appointment's location holds the whole appointment. */
export const covered = (blocks: readonly PlannedBlock[], a: { locationId: string; start: Date; end: Date }) =>
  blocks.some(
    (b) =>
      b.locationId === a.locationId &&
      Date.parse(b.start) <= a.start.getTime() &&
      a.end.getTime() <= Date.parse(b.end),
  );

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Today's date at `now` in a time zone, as YYYY-MM-DD. */
const localDate = (now: number, zone: string) =>
  dateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);

/**
 * "Unavailable for the rest of today" as time off: from now to the end of the last block of the
 * physician's local today (each block's own location zone), or an hour when nothing is left.
 */
export function restOfToday(
  blocks: readonly PlannedBlock[],
  now: number,
): { startsAt: string; endsAt: string } {
  const ends = blocks
    .filter((b) => Date.parse(b.end) > now && b.date === localDate(now, b.timeZone))
    .map((b) => Date.parse(b.end));
  const end = ends.length ? Math.max(...ends) : now + 3_600_000;
  return { startsAt: new Date(now).toISOString(), endsAt: new Date(end).toISOString() };
}

/**
 * The period out of service as instants: from (default and at the earliest: now) until `until`
 * (none: for good). A start in the past or an end not after the start is a 422 on its field.
 */
export function outOfServiceSpan(
  input: { from?: string | undefined; until?: string | null | undefined },
  now: number,
): { from: number; until: number | null } {
  const asked = input.from === undefined ? now : Date.parse(input.from);
  if (asked < now - FROM_SLACK_MS) throw problems.invalid("body.from", "must not be in the past");
  const from = Math.max(asked, now);
  const until = input.until ? Date.parse(input.until) : null;
  if (until !== null && until <= from)
    throw problems.invalid("body.until", "must be after the start of the period (and after now)");
  return { from, until };
}

export function createSubjects({ clock, policies, physicians, scheduling, locations }: SubjectDeps) {
  const { moves } = scheduling;
  const horizon = (now: number) => new Date(now + HORIZON_DAYS * DAY);

  /** The physician's working blocks around `now` (yesterday to tomorrow, UTC). */
  const blocksAround = async (tx: Executor, physicianId: string, now: number) =>
    (await physicians.lookup.plans(tx, [physicianId], day(now - DAY), day(now + DAY))).get(physicianId)
      ?.assignments ?? [];

  /**
   * A physician as the policy sees them; an unknown one is a 404 on the field that named it. A
   * schedule change is the department's to manage; "unavailable today" may also be declared by the
   * physician or the staff of a location where they work today. Returns the physician's plan stamp.
   */
  const authorizePhysician = async (
    tx: Executor,
    actor: Actor,
    physicianId: string,
    field: string,
    cause: Cause = "schedule",
  ) => {
    const [found] = await physicians.lookup.forSearch(tx, { ids: [physicianId] });
    if (!found) throw problems.notFound("physician", field);
    const now = clock.now().getTime();
    await policies.authorize(
      tx,
      actor,
      cause === "unavailable_today" ? "declare_unavailable" : "manage_schedule",
      physicianTarget(
        physicianId,
        async () => (await physicians.lookup.get(tx, physicianId)).specialties,
        field,
        async () =>
          (await blocksAround(tx, physicianId, now))
            .filter((b) => b.date === localDate(now, b.timeZone))
            .map((b) => b.locationId),
      ),
    );
    return found.planStamp;
  };

  /** A schedule change (stored as the change it amounts to): the appointments it leaves without a block. */
  const physicianSubject = (cause: Cause, change: StoredChange, sameDayUntil?: number): Subject => ({
    cause,
    ref: { physician_id: change.physicianId, room_id: null, equipment_id: null },
    change,
    moveReason: "the physician's schedule changed",
    async authorize(tx, actor, field) {
      return { stamp: await authorizePhysician(tx, actor, change.physicianId, field, cause) };
    },
    async makeIn(tx, now) {
      const upcoming = await moves.upcomingOf(tx, change.physicianId, new Date(now), horizon(now));
      const first = Math.min(...upcoming.map((a) => a.start.getTime()));
      const last = Math.max(...upcoming.map((a) => a.end.getTime()));
      const from = upcoming.length ? day(first - DAY) : day(now);
      const to = upcoming.length ? day(last + DAY) : day(now);
      const planOf = async () =>
        (await physicians.lookup.plans(tx, [change.physicianId], from, to)).get(change.physicianId)
          ?.assignments ?? [];
      const before = await planOf();
      await physicians.applyChangeIn(tx, change);
      const after = await planOf();
      return upcoming.filter((a) => covered(before, a) && !covered(after, a));
    },
    async alternativesIn(tx, a, now) {
      const specialty = (await physicians.lookup.get(tx, change.physicianId)).primarySpecialty;
      return moves.alternativesFor(tx, a, specialty, now, sameDayUntil);
    },
  });

  /**
   * A room or an item of equipment out of service for a period: every appointment still to come
   * that uses it during the period (equipment wherever it was booked), with the same time elsewhere
   * (another room, another unit of the kind here or brought from nearby) first.
   */
  const facilitySubject = (
    change: FacilityOutOfService & { from: string; until: string | null },
  ): Subject => {
    const kind: FacilityKind = change.change === "room_out_of_service" ? "room" : "equipment";
    const id = change.change === "room_out_of_service" ? change.roomId : change.equipmentId;
    const facility = { kind, id };
    return {
      cause: change.change,
      ref: {
        physician_id: null,
        room_id: kind === "room" ? id : null,
        equipment_id: kind === "room" ? null : id,
      },
      change,
      moveReason: `the ${kind} was taken out of service`,
      async authorize(tx, actor, field) {
        const found =
          kind === "room"
            ? await locations.lookup.room(tx, id)
            : await locations.lookup.equipmentItem(tx, id);
        if (!found) throw problems.notFound(kind, field);
        await policies.authorize(tx, actor, "manage_resources", {
          ...locationTarget(found.locationId, field),
          noun: kind,
        });
        // a period whose end has passed is over: the room or item is back in service by itself
        const period = found.outOfService;
        const ongoing =
          period !== null && (period.until === null || Date.parse(period.until) > clock.now().getTime());
        return { stamp: null, locationId: found.locationId, outOfService: !found.active || ongoing };
      },
      async makeIn(tx, now) {
        const from = Date.parse(change.from);
        const until = change.until ? Date.parse(change.until) : null;
        const affected = await moves.upcomingUsing(
          tx,
          facility,
          new Date(from),
          until === null ? horizon(now) : new Date(until),
          new Date(now),
        );
        await locations.lookup.takeOutOfServiceIn(tx, facility, {
          from: new Date(from),
          until: until === null ? null : new Date(until),
          reason: change.reason,
        });
        return affected;
      },
      async alternativesIn(tx, a, now) {
        const specialty = (await physicians.lookup.get(tx, a.physicianId)).primarySpecialty;
        return moves.alternativesFor(tx, a, specialty, now, undefined, true);
      },
    };
  };

  return {
    authorizePhysician,
    /**
     * The subject a request names. "Unavailable today" becomes the time off it amounts to; a
     * facility's period is resolved to instants against `now`; one already out of service (or with a
     * period planned) is a 409.
     */
    async fromInput(tx: Executor, input: PlanInput | FacilityOutOfService, now: number): Promise<Subject> {
      if (input.change === "room_out_of_service" || input.change === "equipment_out_of_service") {
        const span = outOfServiceSpan(input, now);
        return facilitySubject({
          ...input,
          from: new Date(span.from).toISOString(),
          until: span.until === null ? null : new Date(span.until).toISOString(),
        });
      }
      if (input.change === "unavailable_today") {
        const span = restOfToday(await blocksAround(tx, input.physicianId, now), now);
        return physicianSubject(
          "unavailable_today",
          {
            change: "time_off",
            physicianId: input.physicianId,
            ...span,
            reason: input.reason ?? "unavailable for the rest of the day",
          },
          Date.parse(span.endsAt),
        );
      }
      return physicianSubject("schedule", input);
    },
    /** The subject of a stored plan (a room's plan from before periods: from its making, for good). */
    fromRow(row: PlanRow): Subject {
      const change = row.change as Record<string, unknown>;
      if (row.room_id || row.equipment_id)
        return facilitySubject({
          ...(change as FacilityOutOfService),
          from: (change.from as string | undefined) ?? row.created_at.toISOString(),
          until: (change.until as string | null | undefined) ?? null,
        });
      return physicianSubject(row.cause as Cause, change as StoredChange);
    },
  };
}

export type Subjects = ReturnType<typeof createSubjects>;
