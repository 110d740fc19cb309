/** The reports tests' fixture helpers: appointments inserted as history, and a report read. */
import { sql } from "kysely";
import type { Executor } from "../../src/platform/db.js";
import type { Client } from "./auth.js";
import type { ClinicNetwork } from "./network.js";

const MIN = 60_000;

export interface FixtureAppointment {
  patient: string;
  location: string;
  start: Date;
  status: string;
  bookedBefore: number;
  checkedIn?: number;
  started?: number;
  cancelledBefore?: number;
  cancelReason?: string;
  rescheduledFrom?: string;
}

/** A 30-minute appointment of the network's physician and type, inserted directly (no events). */
export async function insertAppointment(
  db: Executor,
  net: Pick<ClinicNetwork, "physicianId" | "appointmentTypeId">,
  r: FixtureAppointment,
): Promise<string> {
  const res = await sql<{ id: string }>`
    INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at,
      status, created_at, checked_in_at, started_at, cancelled_at, cancel_reason, rescheduled_from)
    VALUES (${r.patient}, ${net.physicianId}, ${r.location}, ${net.appointmentTypeId}, ${r.start},
      ${new Date(r.start.getTime() + 30 * MIN)}, ${r.status}, ${new Date(r.start.getTime() - r.bookedBefore)},
      ${r.checkedIn === undefined ? null : new Date(r.start.getTime() + r.checkedIn)},
      ${r.started === undefined ? null : new Date(r.start.getTime() + r.started)},
      ${r.cancelledBefore === undefined ? null : new Date(r.start.getTime() - r.cancelledBefore)},
      ${r.cancelReason ?? null}, ${r.rescheduledFrom ?? null})
    RETURNING id`.execute(db);
  return res.rows[0]!.id;
}

export interface ReportRows<R> {
  rows: R[];
}

/** A report's rows as the client reads them. */
export async function getReport<R>(client: Client, path: string) {
  const res = await client.inject({ url: path });
  return { status: res.statusCode, body: res.json() as ReportRows<R>, raw: res };
}
