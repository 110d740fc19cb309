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

/** A waitlist offer at a location, accepted `hours` after its slot freed (its hold: `appointmentId`). */
export async function insertAcceptedOffer(
  db: Executor,
  net: Pick<ClinicNetwork, "appointmentTypeId" | "specialty">,
  r: { patient: string; location: string; appointmentId: string; freedAt: Date; hours: number },
): Promise<void> {
  const accepted = new Date(r.freedAt.getTime() + r.hours * 3_600_000);
  const entry = await sql<{ id: string }>`
    INSERT INTO waitlist_entries (patient_id, appointment_type_id, specialty, window_from, window_to, status)
    VALUES (${r.patient}, ${net.appointmentTypeId}, ${net.specialty}, ${r.freedAt},
      ${new Date(r.freedAt.getTime() + 7 * 86_400_000)}, 'booked')
    RETURNING id`.execute(db);
  await sql`
    INSERT INTO waitlist_offers (entry_id, appointment_id, patient_id, location_id, starts_at, ends_at,
      expires_at, freed_at, status, responded_at, created_at)
    VALUES (${entry.rows[0]!.id}, ${r.appointmentId}, ${r.patient}, ${r.location},
      ${accepted}, ${accepted}, ${accepted}, ${r.freedAt}, 'accepted', ${accepted}, ${r.freedAt})`.execute(
    db,
  );
}

/** The second patient's home (its area is the city). */
export const LAKESIDE = {
  line: "1 Shore Rd",
  city: "Lakeside",
  region: "NY",
  postalCode: "10002",
  latitude: 40.7,
  longitude: -74,
};

type TwoLocations = { main: { id: string }; satellite: { id: string } };
/** The rows of the network's two locations (the test database holds other networks too). */
export const mine = <R extends { locationId: string }>(net: TwoLocations, rows: R[]) =>
  rows.filter((r) => r.locationId === net.main.id || r.locationId === net.satellite.id);
/** The rows of the main campus and the satellite, for field checks (`toMatchObject`). */
export const byLocation = <R = Record<string, number | string | null>>(
  net: TwoLocations,
  rows: readonly object[],
): { main: R; sat: R } => {
  const m = mine(net, rows as Array<{ locationId: string }>);
  return {
    main: m.find((r) => r.locationId === net.main.id) as R,
    sat: m.find((r) => r.locationId === net.satellite.id) as R,
  };
};
