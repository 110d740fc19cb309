/**
 * Reads the coming days of the signed-in person's scope while the network is there, so that they
 * are in the vault when it goes: staff get their locations' days (and the names and rooms those
 * screens show), physicians their schedule. The same requests as the screens make, so the saved
 * copies are found under the same addresses.
 */
import { api, type Page } from "../shared/api.js";
import { addDays, todayIn, viewerZone, weekdayOf } from "../shared/time.js";
import type { Appointment, Location, Me } from "../shared/types.js";
import { pruneReads } from "./vault.js";

/** Today and the next days. */
export const DAYS_AHEAD = 3;
/** Staff at many locations keep the first few. */
const MAX_LOCATIONS = 3;
/**
 * Patient records read ahead, nearest appointments first: a busy day's worth, and well under the
 * security signal for one account reading many patients' records (ROUNDS_INCIDENT_MASS_READ_PATIENTS,
 * 500 in 15 minutes by default), which would lock the account of a front desk that signed in.
 */
const MAX_PATIENT_RECORDS = 150;
/** The day screen's query: prefetch and screen must ask the same thing. */
export const dayQuery = (locationId: string, date: string) => ({
  locationId,
  date,
  limit: 500,
  status: ["held", "booked", "checked_in", "in_progress", "completed", "no_show"],
});

async function inTurn<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift())
      await work(item).catch(() => undefined);
  };
  await Promise.all([worker(), worker(), worker()]);
}

async function staffDays(me: Me): Promise<void> {
  const locations = await api.get<Page<Location>>("/api/v1/locations", { limit: 500 });
  await Promise.all([
    api.get("/api/v1/appointment-types", { limit: 500, active: "true" }),
    api.get("/api/v1/specialties", { limit: 500 }),
  ]);
  const patients = new Set<string>();
  for (const locationId of me.locationIds.slice(0, MAX_LOCATIONS)) {
    const zone = locations.items.find((l) => l.id === locationId)?.timeZone ?? "UTC";
    await api.get(`/api/v1/locations/${locationId}/rooms`, { limit: 500 }).catch(() => undefined);
    for (let d = 0; d < DAYS_AHEAD; d++) {
      const day = await api.get<Page<Appointment>>(
        "/api/v1/appointments",
        dayQuery(locationId, addDays(todayIn(zone), d)),
      );
      for (const a of day.items) patients.add(a.patientId);
    }
  }
  await inTurn([...patients].slice(0, MAX_PATIENT_RECORDS), (id) => api.get(`/api/v1/patients/${id}`));
}

async function physicianSchedule(me: Me): Promise<void> {
  if (!me.physicianId) return;
  const path = `/api/v1/physicians/${me.physicianId}/schedule`;
  const today = todayIn(viewerZone);
  const ranges: Array<{ from: string; to: string }> = [];
  for (let d = 0; d < DAYS_AHEAD; d++) ranges.push({ from: addDays(today, d), to: addDays(today, d) });
  // the calendar's weeks (Monday first) around the coming days
  const monday = addDays(todayIn("UTC"), 1 - weekdayOf(todayIn("UTC")));
  for (const w of [0, 7]) ranges.push({ from: addDays(monday, w), to: addDays(monday, w + 6) });
  await Promise.all([
    api.get("/api/v1/locations", { limit: 500 }),
    api.get("/api/v1/appointment-types", { limit: 500, active: "true" }),
  ]);
  const patients = new Set<string>();
  for (const range of ranges) {
    const s = await api.get<{ entries: Array<{ kind: string; patientId?: string | null }> }>(path, range);
    for (const e of s.entries) if (e.kind === "appointment" && e.patientId) patients.add(e.patientId);
  }
  await inTurn([...patients].slice(0, MAX_PATIENT_RECORDS), (id) => api.get(`/api/v1/patients/${id}`));
}

/** Fills the vault for the coming days (errors are quiet: the screens say what failed). */
export async function prefetchForOffline(me: Me): Promise<void> {
  await pruneReads().catch(() => undefined);
  if (me.role === "location_staff") await staffDays(me).catch(() => undefined);
  if (me.role === "physician") await physicianSchedule(me).catch(() => undefined);
}
