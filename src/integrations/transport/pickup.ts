/**
 * Pure: when the ride picks the patient up. Pickup = appointment start − travel time − margin,
 * counted on the time line (instants), so a daylight-saving change between pickup and start
 * takes nothing from the travel time; rounded down to five minutes. A ride from an earlier
 * appointment the same day never leaves before that appointment ends (`tight` then says the
 * patient may arrive late). The local wall time is what the patient and the driver are told.
 */
import { Temporal } from "temporal-polyfill";

export interface PickupInput {
  appointmentStart: Date;
  travelMinutes: number;
  marginMinutes: number;
  /** The end of the earlier appointment a ride between two locations leaves from. */
  notBefore?: Date | undefined;
  /** The IANA zone the wall time is given in (the pickup location's). */
  timeZone: string;
}

export interface Pickup {
  at: Date;
  /** The pickup's wall time in `timeZone`, `YYYY-MM-DDTHH:MM`. */
  local: string;
  /** The ride cannot get the patient there with the full margin. */
  tight: boolean;
}

const FIVE_MINUTES = 5 * 60_000;

export function pickupTime(p: PickupInput): Pickup {
  const ideal = p.appointmentStart.getTime() - (p.travelMinutes + p.marginMinutes) * 60_000;
  let at = Math.floor(ideal / FIVE_MINUTES) * FIVE_MINUTES;
  let tight = false;
  if (p.notBefore && at < p.notBefore.getTime()) {
    at = Math.ceil(p.notBefore.getTime() / FIVE_MINUTES) * FIVE_MINUTES;
    tight = true;
  }
  const local = Temporal.Instant.fromEpochMilliseconds(at)
    .toZonedDateTimeISO(p.timeZone)
    .toPlainDateTime()
    .toString({ smallestUnit: "minute" });
  return { at: new Date(at), local, tight };
}

/** The local calendar date of an instant in a zone (`YYYY-MM-DD`). */
export const localDate = (at: Date, timeZone: string): string =>
  Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();

/** The instants a local calendar day spans in a zone (23 or 25 hours on a daylight-saving day). */
export function dayBounds(date: string, timeZone: string): { from: Date; to: Date } {
  const start = Temporal.PlainDate.from(date).toZonedDateTime({ timeZone });
  return {
    from: new Date(start.epochMilliseconds),
    to: new Date(start.add({ days: 1 }).epochMilliseconds),
  };
}
