/**
 * Trip ids: the server's signature over one trip it offered, binding each member to their option
 * id, so a client cannot give one member another's option or mix options of two trips. An id is
 * `<payload>.<mac>`: the payload is base64url of `[layout, expiresAt, maxGapMinutes]`, the mac is
 * HMAC-SHA256(key, "rounds-family-trip/1." + payload + "\n" + the members' [patientId, optionId]
 * pairs in order, as JSON). It expires with the option ids it names (30 minutes). A valid trip id is
 * still only a request: each option is opened, re-checked as one trip and booked through the
 * booking path's checks.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface TripMember {
  patientId: string;
  optionId: string;
}

export const TRIP_ID_LIFETIME_MS = 30 * 60_000;
const LAYOUT = 1;
const DOMAIN = `rounds-family-trip/${LAYOUT}.`;

export type OpenedTrip =
  | { ok: true; maxGapMinutes: number }
  | { ok: false; problem: "invalid" }
  | { ok: false; problem: "expired" };

export interface TripIds {
  issue(members: readonly TripMember[], maxGapMinutes: number, issuedAt?: number): string;
  /** Whether this id is the server's signature over exactly these members and options. */
  open(id: string, members: readonly TripMember[], now?: number): OpenedTrip;
}

/** Signs with the option-signing key, under a domain of its own (no option mac is a trip mac). */
export function createTripIds(key: Uint8Array): TripIds {
  const secret = Buffer.from(key);
  const macOf = (payload: string, members: readonly TripMember[]) =>
    createHmac("sha256", secret)
      .update(DOMAIN)
      .update(payload)
      .update("\n")
      .update(JSON.stringify(members.map((m) => [m.patientId, m.optionId])))
      .digest();
  return {
    issue(members, maxGapMinutes, issuedAt = Date.now()) {
      const payload = Buffer.from(
        JSON.stringify([LAYOUT, issuedAt + TRIP_ID_LIFETIME_MS, maxGapMinutes]),
        "utf8",
      ).toString("base64url");
      return `${payload}.${macOf(payload, members).toString("base64url")}`;
    },
    open(id, members, now = Date.now()) {
      const invalid = { ok: false, problem: "invalid" } as const;
      if (!/^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{43}$/.test(id)) return invalid;
      const [payload, mac] = id.split(".") as [string, string];
      const given = Buffer.from(mac, "base64url");
      if (given.length !== 32 || !timingSafeEqual(given, macOf(payload, members))) return invalid;
      let fields: unknown;
      try {
        fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return invalid;
      }
      if (!Array.isArray(fields) || fields.length !== 3 || fields[0] !== LAYOUT) return invalid;
      const [, expiresAt, maxGapMinutes] = fields as [number, unknown, unknown];
      if (!Number.isSafeInteger(expiresAt) || !Number.isSafeInteger(maxGapMinutes)) return invalid;
      if ((expiresAt as number) <= now) return { ok: false, problem: "expired" };
      return { ok: true, maxGapMinutes: maxGapMinutes as number };
    },
  };
}
