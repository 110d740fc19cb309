/** Where each location's demo patients come from, so bookings look like a real catchment area. */
import { entry } from "../platform/collections.js";
import { distanceKm, type NetworkSnapshot } from "../services/locations/index.js";

/** Where a location's patients come from: those who prefer it and those nearby, by age group. */
export type Catchment = Record<"preferring" | "nearby", { child: number[]; adult: number[] }>;

/**
 * Each location's patients: those who prefer it, and those for whom it is one of the three nearest
 * facilities. A virtual clinic draws on everyone whose nearest facility shares its time zone.
 */
export function catchments(
  snapshot: NetworkSnapshot,
  rows: Array<{ latitude: number | null; longitude: number | null; preferred_location_ids: string[] }>,
  patients: ReadonlyArray<{ age: number }>,
): Map<string, Catchment> {
  const out = new Map<string, Catchment>();
  const of = (id: string) =>
    entry(
      out,
      id,
      (): Catchment => ({ preferring: { child: [], adult: [] }, nearby: { child: [], adult: [] } }),
    );
  const physical = snapshot.locations.filter((l) => l.kind !== "virtual" && l.latitude !== null);
  const virtual = snapshot.locations.filter((l) => l.kind === "virtual");
  rows.forEach((row, i) => {
    const group = patients[i]!.age < 18 ? "child" : "adult";
    for (const id of row.preferred_location_ids) of(id).preferring[group].push(i);
    if (row.latitude === null || row.longitude === null) return;
    const home = { latitude: row.latitude, longitude: row.longitude };
    const nearest: Array<{ id: string; timeZone: string; km: number }> = [];
    for (const l of physical) {
      const km = distanceKm(home, { latitude: l.latitude!, longitude: l.longitude! });
      if (nearest.length === 3 && km >= nearest[2]!.km) continue;
      const at = nearest.findIndex((n) => n.km > km);
      nearest.splice(at < 0 ? nearest.length : at, 0, { id: l.id, timeZone: l.timeZone, km });
      if (nearest.length > 3) nearest.pop();
    }
    for (const n of nearest) of(n.id).nearby[group].push(i);
    for (const v of virtual) if (v.timeZone === nearest[0]?.timeZone) of(v.id).nearby[group].push(i);
  });
  return out;
}
