/**
 * Telehealth links: issued by the configured provider when a video visit is booked, kept when it
 * is moved, revoked when it is cancelled (each inside the caller's booking transaction), and the
 * visit page a built-in link opens.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import { auditService } from "../../platform/audit/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import type { TelehealthProvider } from "./provider.js";
import { linkRepository as links } from "./repository.js";
import { ROOM_CLOSES_MINUTES, ROOM_OPENS_MINUTES, type VisitPage } from "./schema.js";

/** A video visit as the booking path knows it. */
export interface TelehealthVisit {
  appointmentId: string;
  start: Date;
  end: Date;
}

/**
 * The link operations the booking path calls inside its own transaction (it has authorized the
 * change): scheduling receives them from the composition root.
 */
export function createTelehealthLinks({ provider }: { provider: TelehealthProvider }) {
  const issue = async (tx: Executor, visit: TelehealthVisit): Promise<string> => {
    const existing = await links.ofAppointment(tx, visit.appointmentId);
    if (existing && !existing.revoked_at) return existing.join_url;
    const issued = await provider.issue({ key: visit.appointmentId, start: visit.start, end: visit.end });
    const row = await links.insert(tx, {
      appointment_id: visit.appointmentId,
      provider: provider.name,
      join_url: issued.joinUrl,
      token: issued.token,
    });
    return row.join_url;
  };
  const revoke = async (tx: Executor, appointmentId: string): Promise<void> => {
    const row = await links.revoke(tx, appointmentId);
    if (row) await provider.revoke({ joinUrl: row.join_url, token: row.token });
  };
  return {
    /** A newly booked video visit's link (an appointment that already has a live one keeps it). */
    issue,
    /** The visit was cancelled: its link stops working and its page says so. */
    revoke,
    /**
     * The visit `fromAppointmentId` was moved to `to`: a video visit keeps its link (issued now if
     * it had none); one moved to an in-person option loses it.
     */
    async move(tx: Executor, fromAppointmentId: string, to: TelehealthVisit & { telehealth: boolean }) {
      if (!to.telehealth) return revoke(tx, fromAppointmentId);
      const moved = await links.move(tx, fromAppointmentId, to.appointmentId);
      if (!moved) await issue(tx, to);
    },
  };
}
export type TelehealthLinks = ReturnType<typeof createTelehealthLinks>;

/** Reads of stored links; the caller has decided who may see them. */
export const telehealthLinks = {
  /** The live join link of an appointment, or null (not a video visit, not booked yet, cancelled). */
  async joinUrlOf(db: Executor, appointmentId: string): Promise<string | null> {
    const row = await links.ofAppointment(db, appointmentId);
    return row && !row.revoked_at ? row.join_url : null;
  },
};

/** What the visit page needs to know of the appointment a link belongs to (scheduling knows it). */
export interface VisitFacts {
  patientId: string;
  locationId: string;
  status: string;
  start: Date;
  end: Date;
  timeZone: string;
  physicianName: string;
  appointmentType: string;
}

export interface VisitPageDeps {
  db: Db;
  clock: Clock;
  visits: { describe(db: Executor, appointmentId: string): Promise<VisitFacts | undefined> };
}

const ENDED = new Set(["completed", "no_show", "expired"]);

/** The page a built-in link opens: the link is its own credential, and every opening is audited. */
export function createVisitPages({ db, clock, visits }: VisitPageDeps) {
  return {
    async open(token: string, ctx: AuditContext): Promise<VisitPage> {
      return db.transaction().execute(async (tx) => {
        const link = await links.byToken(tx, token);
        const visit = link && (await visits.describe(tx, link.appointment_id));
        if (!link || !visit) throw problems.notFound("video visit", "params.token");
        const now = clock.now().getTime();
        const opensAt = new Date(visit.start.getTime() - ROOM_OPENS_MINUTES * 60_000);
        const state: VisitPage["state"] =
          link.revoked_at || visit.status === "cancelled"
            ? "cancelled"
            : ENDED.has(visit.status) || now > visit.end.getTime() + ROOM_CLOSES_MINUTES * 60_000
              ? "ended"
              : now >= opensAt.getTime()
                ? "open"
                : "waiting";
        await auditService.record(tx, ctx, {
          action: "telehealth.visit_opened",
          resourceType: "appointment",
          resourceId: link.appointment_id,
          patientId: visit.patientId,
          locationId: visit.locationId,
          detail: { state },
        });
        return {
          state,
          appointmentType: visit.appointmentType,
          physicianName: visit.physicianName,
          start: visit.start.toISOString(),
          end: visit.end.toISOString(),
          opensAt: opensAt.toISOString(),
          timeZone: visit.timeZone,
        };
      });
    },
  };
}
export type VisitPages = ReturnType<typeof createVisitPages>;
