/** Travel-time estimation between facilities, used when no time is configured for a pair. */

import { distanceKm, type Point } from "../../platform/geo.js";

export { distanceKm, type Point };

/** Roads are longer than the straight line; 1.3 is the usual urban detour factor. */
const DETOUR_FACTOR = 1.3;
const AVERAGE_SPEED_KMH = 45;
/** Leaving one building and getting from the car park to the clinic of the next. */
const DOOR_TO_DOOR_OVERHEAD_MIN = 10;

/**
 * Estimated minutes from one location to another, rounded up to 5 minutes. A virtual location
 * needs no travel; a location without coordinates cannot be estimated (undefined).
 */
export function estimateTravelMinutes(
  from: { kind: string; latitude: number | null; longitude: number | null },
  to: { kind: string; latitude: number | null; longitude: number | null },
): number | undefined {
  if (from.kind === "virtual" || to.kind === "virtual") return 0;
  if (from.latitude === null || from.longitude === null || to.latitude === null || to.longitude === null)
    return undefined;
  const km = distanceKm(from as Point, to as Point);
  const minutes = (km * DETOUR_FACTOR * 60) / AVERAGE_SPEED_KMH + DOOR_TO_DOOR_OVERHEAD_MIN;
  return Math.ceil(minutes / 5) * 5;
}
