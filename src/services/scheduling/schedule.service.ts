/** A physician's unified schedule: every location's blocks, appointments, travel and time off. */

import { z } from "zod";
import { telehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { physicianTarget } from "../../platform/policy.js";
import { isoDate, uuid } from "../../platform/schemas.js";
import type { Physicians } from "../physicians/index.js";
import { appointmentRepository as appts } from "./appointments.repository.js";
import { equipmentInUse } from "./appointments.schema.js";
import { canSee } from "./appointments.view.js";
import { localLabel } from "./availability/intervals.js";
import { facilities } from "./availability.service.js";
import type { SchedulingCaches } from "./caches.js";
import { equipmentInUseAt } from "./equipment-labels.js";

export const scheduleQuery = z.object({
  from: isoDate,
  to: isoDate,
  locationId: uuid.optional(),
});

const local = z.object({ date: z.string(), time: z.string(), offset: z.string(), timeZone: z.string() });
export const scheduleEntry = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("assignment"),
    locationId: uuid,
    locationName: z.string(),
    start: z.string(),
    end: z.string(),
    local,
    source: z.string(),
  }),
  z.object({
    kind: z.literal("appointment"),
    id: uuid.nullable().describe("null when the appointment is outside your scope (shown only as busy)"),
    locationId: uuid,
    locationName: z.string(),
    start: z.string(),
    end: z.string(),
    local,
    status: z.string().nullable(),
    patientId: uuid.nullable(),
    appointmentTypeId: uuid.nullable(),
    telehealth: z.boolean().nullable().describe("a video visit; null outside your scope"),
    joinUrl: z.string().nullable().describe("a booked video visit's join link; null outside your scope"),
    equipment: z.array(equipmentInUse).describe("empty when the appointment is outside your scope"),
  }),
  z.object({
    kind: z.literal("travel"),
    fromLocationId: uuid,
    toLocationId: uuid,
    start: z.string(),
    end: z.string(),
    minutes: z.number(),
  }),
  z.object({
    kind: z.literal("time_off"),
    start: z.string(),
    end: z.string(),
    reason: z.string().nullable(),
    status: z.string(),
  }),
]);
export const schedule = z.object({
  physicianId: uuid,
  from: z.string(),
  to: z.string(),
  entries: z.array(scheduleEntry),
});
type Entry = z.infer<typeof scheduleEntry>;

const MAX_DAYS = 92;

/** What the schedule service needs besides the platform: the physicians' profiles and plans. */
export interface ScheduleDeps extends ServiceDeps {
  physicians: { lookup: Pick<Physicians["lookup"], "get" | "plans"> };
  caches: SchedulingCaches;
}

/**
 * A physician's unified schedule across every location. Reading it is authorized by the policy
 * (time-off reasons only for those who manage time off; appointments outside the caller's scope
 * show as busy) and audited.
 */
export function createSchedules({ db, clock, policies, physicians, caches }: ScheduleDeps) {
  const physicianService = physicians.lookup;
  return {
    async unifiedSchedule(
      actor: Actor,
      physicianId: string,
      q: z.infer<typeof scheduleQuery>,
    ): Promise<z.infer<typeof schedule>> {
      if (q.to < q.from) throw problems.invalid("query.to", "must not be before from");
      if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 >= MAX_DAYS)
        throw problems.invalid("query.to", `at most ${MAX_DAYS} days`);
      const physician = await physicianService.get(db, physicianId);
      const target = physicianTarget(physicianId, async () => physician.specialties);
      await policies.authorize(db, actor, "read_schedule", target);
      const showReasons = await policies.permits(db, actor, "read_time_off_reason", target);

      const [plans, snapshot] = await Promise.all([
        physicianService.plans(db, [physicianId], q.from, q.to, undefined, caches.plans),
        facilities(db, { cache: caches.facilities }),
      ]);
      const plan = plans.get(physicianId) ?? { assignments: [], timeOff: [] };
      const name = (id: string) => snapshot.locations.find((l) => l.id === id)?.name ?? "";
      const zone = (id: string) => snapshot.locations.find((l) => l.id === id)?.timeZone ?? "UTC";
      const labelled = (ms: number, locationId: string) => ({
        ...localLabel(ms, zone(locationId)),
        timeZone: zone(locationId),
      });
      const entries: Entry[] = [];

      const blocks = plan.assignments
        .filter((b) => !q.locationId || b.locationId === q.locationId)
        .sort((a, b) => a.start.localeCompare(b.start));
      for (const b of blocks) {
        entries.push({
          kind: "assignment",
          locationId: b.locationId,
          locationName: name(b.locationId),
          start: b.start,
          end: b.end,
          local: labelled(Date.parse(b.start), b.locationId),
          source: b.source,
        });
      }
      for (const t of plan.timeOff) {
        entries.push({
          kind: "time_off",
          start: t.startsAt,
          end: t.endsAt,
          reason: showReasons ? t.reason : null,
          status: t.status,
        });
      }

      const fromMs = Date.parse(`${q.from}T00:00:00Z`) - 86_400_000;
      const toMs = Date.parse(`${q.to}T00:00:00Z`) + 2 * 86_400_000;
      return db.transaction().execute(async (tx) => {
        const { rows } = await appts.list(tx, {
          physicianIds: [physicianId],
          status: ["held", "booked", "checked_in", "in_progress", "completed", "no_show"],
          from: new Date(fromMs),
          to: new Date(toMs),
          limit: 5000,
          offset: 0,
        });
        const visible: string[] = [];
        const equipment = await appts.equipmentOfMany(
          tx,
          rows.map((r) => r.id),
        );
        for (const r of rows) {
          if (q.locationId && r.location_id !== q.locationId) continue;
          const localDate = localLabel(r.starts_at.getTime(), zone(r.location_id)).date;
          if (localDate < q.from || localDate > q.to) continue;
          const seen = await canSee(policies, tx, actor, r);
          if (seen) visible.push(r.id);
          entries.push({
            kind: "appointment",
            id: seen ? r.id : null,
            locationId: r.location_id,
            locationName: name(r.location_id),
            start: r.starts_at.toISOString(),
            end: r.ends_at.toISOString(),
            local: labelled(r.starts_at.getTime(), r.location_id),
            status: seen ? r.status : null,
            patientId: seen ? r.patient_id : null,
            appointmentTypeId: seen ? r.appointment_type_id : null,
            telehealth: seen ? r.telehealth : null,
            joinUrl: seen && r.telehealth ? await telehealthLinks.joinUrlOf(tx, r.id) : null,
            equipment: seen ? equipmentInUseAt(snapshot, equipment.get(r.id) ?? [], r.location_id) : [],
          });
        }
        await auditService.record(tx, auditContextOf(actor), {
          action: "schedule.read",
          resourceType: "physician_schedule",
          resourceId: physicianId,
          locationId: q.locationId ?? null,
          detail: { from: q.from, to: q.to, appointmentIds: visible },
        });
        const now = clock.now().getTime();
        // a lapsed hold no longer holds the physician anywhere
        const engaged = rows.filter((r) => r.status !== "held" || (r.hold_expires_at?.getTime() ?? 0) > now);
        const inRange = (ms: number, locationId: string) => {
          const date = localLabel(ms, zone(locationId)).date;
          return date >= q.from && date <= q.to;
        };
        entries.push(
          ...travelBetween(engaged, plan.assignments, snapshot.travelMinutes, q.locationId, inRange),
        );
        entries.sort((a, b) => a.start.localeCompare(b.start) || a.kind.localeCompare(b.kind));
        return { physicianId, from: q.from, to: q.to, entries };
      });
    },
  };
}

/** The schedule service as the composition root wires it. */
export type Schedules = ReturnType<typeof createSchedules>;

/**
 * The drives the physician's engagements need, as the availability engine reserves them: from the
 * end of each engagement (an appointment or hold, or a block marked on site) to the next one at a
 * different location within 12 hours. Blocks that are not on site need no drive of their own.
 */
function travelBetween(
  appointments: ReadonlyArray<{ location_id: string; starts_at: Date; ends_at: Date }>,
  blocks: ReadonlyArray<{ locationId: string; start: string; end: string; onSite: boolean }>,
  travelMinutes: (from: string, to: string) => number,
  locationId: string | undefined,
  /** Whether a drive starting then, from there, belongs to the dates asked for. */
  inRange: (ms: number, locationId: string) => boolean,
): Entry[] {
  const engagements = [
    ...appointments.map((a) => ({
      locationId: a.location_id,
      start: a.starts_at.getTime(),
      end: a.ends_at.getTime(),
    })),
    ...blocks
      .filter((b) => b.onSite)
      .map((b) => ({ locationId: b.locationId, start: Date.parse(b.start), end: Date.parse(b.end) })),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Entry[] = [];
  for (let i = 1; i < engagements.length; i++) {
    const prev = engagements[i - 1]!;
    const next = engagements[i]!;
    if (prev.locationId === next.locationId || next.start - prev.end > 12 * 3_600_000) continue;
    if (locationId && prev.locationId !== locationId && next.locationId !== locationId) continue;
    if (!inRange(prev.end, prev.locationId)) continue;
    const minutes = travelMinutes(prev.locationId, next.locationId);
    if (!(minutes > 0)) continue;
    out.push({
      kind: "travel",
      fromLocationId: prev.locationId,
      toLocationId: next.locationId,
      start: new Date(prev.end).toISOString(),
      end: new Date(prev.end + minutes * 60_000).toISOString(),
      minutes,
    });
  }
  return out;
}
