/**
 * One search across the network. The API ranks and cuts its answer at `limit`; asked once, the
 * best-scored location can fill every place. So each candidate location is asked for its own best
 * options and the answers are merged: every location that can see the patient shows up.
 */
import { api, type Page } from "./api.js";
import { addDays } from "./time.js";
import type { AvailabilityResult, Location, SlotOptionDto } from "./types.js";

export interface NetworkSearch {
  appointmentTypeId: string;
  specialty: string | null;
  physicianId: string | null;
  /** Empty: every active location with a department of the specialty. */
  locationIds: string[];
  patientId: string;
  /** First and last local day, `YYYY-MM-DD`, in the viewer's calendar. */
  from: string;
  to: string;
  stepFree: boolean;
  telehealth: boolean;
  overrideReason?: string | undefined;
}

const TOTAL = 120;

export async function searchNetwork(s: NetworkSearch): Promise<SlotOptionDto[]> {
  let where = s.locationIds;
  // every location of the specialty when none is chosen; a video visit may also come from the
  // network's video clinics when only some places are chosen
  if ((where.length === 0 || s.telehealth) && s.specialty) {
    const found = await api.get<Page<Location>>("/api/v1/locations", {
      specialty: s.specialty,
      active: "true",
      limit: 100,
    });
    where =
      where.length === 0
        ? found.items.filter((l) => s.telehealth || l.kind !== "virtual").map((l) => l.id)
        : [...new Set([...where, ...found.items.filter((l) => l.kind === "virtual").map((l) => l.id)])];
  }
  const fromMs = Math.max(Date.now(), new Date(`${s.from}T00:00:00`).getTime());
  const base = {
    appointmentTypeId: s.appointmentTypeId,
    specialty: s.physicianId ? undefined : (s.specialty ?? undefined),
    physicianId: s.physicianId ?? undefined,
    patientId: s.patientId,
    from: new Date(fromMs).toISOString(),
    to: new Date(`${addDays(s.to, 1)}T00:00:00`).toISOString(),
    stepFree: s.stepFree ? "true" : undefined,
    telehealth: s.telehealth ? "true" : undefined,
    overrideReason: s.overrideReason,
  };
  const perLocation = where.length ? Math.min(50, Math.max(15, Math.floor(TOTAL / where.length))) : TOTAL;
  const answers = await Promise.all(
    (where.length ? where : [null]).map((id) =>
      api.get<AvailabilityResult>("/api/v1/availability", {
        ...base,
        locationIds: id ? [id] : undefined,
        limit: perLocation,
      }),
    ),
  );
  return [...new Map(answers.flatMap((a) => a.options).map((o) => [o.id, o])).values()];
}
