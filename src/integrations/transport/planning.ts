/**
 * Where a ride starts and when it picks up, from what other modules know: the patient's home
 * (patients), the locations and the network's travel times (locations: configured minutes, else
 * estimated from coordinates), and the pure pickup rule (pickup.ts).
 */
import type { Executor } from "../../platform/db.js";
import { estimateTravelMinutes, locationService, networkSnapshot } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { type Pickup, pickupTime } from "./pickup.js";

/** A home without coordinates: the network's usual trip. */
export const DEFAULT_HOME_TRAVEL_MINUTES = 45;

export interface RidePlanInput {
  patientId: string;
  locationId: string;
  start: Date;
  origin: "home" | "location";
  fromLocationId: string | null;
  /** The end of the earlier visit a ride between two locations leaves from. */
  notBefore?: Date | undefined;
}

export async function planRide(
  ex: Executor,
  r: RidePlanInput,
  marginMinutes: number,
): Promise<{ pickup: Pickup; travelMinutes: number }> {
  const to = await locationService.get(ex, r.locationId);
  let travelMinutes: number;
  let timeZone = to.timeZone;
  if (r.origin === "home" || !r.fromLocationId) {
    const home = await patientService.homeOf(ex, r.patientId);
    travelMinutes =
      (home && estimateTravelMinutes({ kind: "home", ...home }, to)) ?? DEFAULT_HOME_TRAVEL_MINUTES;
  } else {
    const [from, network] = await Promise.all([
      locationService.get(ex, r.fromLocationId),
      networkSnapshot(ex),
    ]);
    travelMinutes = network.travelMinutes(from.id, to.id);
    timeZone = from.timeZone;
  }
  const pickup = pickupTime({
    appointmentStart: r.start,
    travelMinutes,
    marginMinutes,
    notBefore: r.notBefore,
    timeZone,
  });
  return { pickup, travelMinutes };
}

/** One line of an address, for the driver. */
export const addressLine = (parts: Array<string | null | undefined>, fallback: string): string =>
  parts.filter((p): p is string => Boolean(p?.trim())).join(", ") || fallback;
