/**
 * Option ids: everything needed to hold or book an option a search offered, so the booking step
 * needs no server-side search state, signed so that nobody can make one up. An id is
 * `<payload>.<mac>`: the payload is base64url of a canonical JSON array, the mac is
 * HMAC-SHA256(key, "rounds-option/2." + payload). An id expires OPTION_ID_LIFETIME_MS after it was
 * issued. Booking still re-derives the end, room, equipment and travel from the appointment type
 * and the current facts: a valid id is a request the server once offered, not a promise.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface OptionRef {
  physicianId: string;
  locationId: string;
  roomId: string | null;
  equipmentIds: string[];
  start: number;
  /** The end as offered; a booking derives its own from the appointment type and compares. */
  end: number;
  appointmentTypeId: string;
  telehealth: boolean;
  /** The search asked for step-free rooms: the booking keeps to them when it picks a room again. */
  stepFree?: boolean;
  /**
   * The extra seat a location's overbooking rule offered (a second patient in a booked slot): the
   * booking re-derives the seat from the session under its locks (`extra-seat.check.ts`).
   */
  extraSeat?: boolean;
}

/**
 * Half an hour: long enough to compare options, ask a relative and fill in a form (the web app
 * searches again when its window regains focus), short enough that an id copied out of a page or
 * a log is soon worthless and that a new key retires every outstanding id within 30 minutes. A
 * patient who needs longer holds the option.
 */
export const OPTION_ID_LIFETIME_MS = 30 * 60_000;

/** Bumped when the layout changes; it is also part of what the mac covers. */
const LAYOUT = 3;
const DOMAIN = `rounds-option/${LAYOUT}.`;
const MAX_ID_LENGTH = 4096;
const MAC_LENGTH = 43; // 32 bytes in base64url without padding
/** Keys shorter than this are refused: a guessable key would make signing pointless. */
export const MIN_OPTION_KEY_BYTES = 32;

export type OpenedOption =
  | { ok: true; option: OptionRef; expiresAt: number }
  /** Not an id this server made with this key (malformed, tampered with, or signed elsewhere). */
  | { ok: false; problem: "invalid" }
  /** An id this server made, too long ago to book. */
  | { ok: false; problem: "expired"; option: OptionRef; expiresAt: number };

/** Issues and opens option ids with one key (the composition root makes one per process). */
export interface OptionIds {
  issue(option: OptionRef, issuedAt?: number): string;
  open(id: string, now?: number): OpenedOption;
}

function payloadOf(opt: OptionRef, expiresAt: number): string {
  const fields = [
    LAYOUT,
    opt.physicianId,
    opt.locationId,
    opt.roomId,
    opt.equipmentIds,
    opt.start,
    opt.end,
    opt.appointmentTypeId,
    opt.telehealth ? 1 : 0,
    opt.stepFree ? 1 : 0,
    expiresAt,
    // an extra seat's id carries one more field; every other id keeps the eleven it always had
    ...(opt.extraSeat ? [1] : []),
  ];
  return Buffer.from(JSON.stringify(fields), "utf8").toString("base64url");
}

const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isInstant = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/** The option and expiry a payload names, or undefined when it is not one this module writes. */
function parsePayload(payload: string): { option: OptionRef; expiresAt: number } | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields[0] !== LAYOUT) return undefined;
  if (fields.length !== 11 && !(fields.length === 12 && fields[11] === 1)) return undefined;
  const [
    ,
    physicianId,
    locationId,
    roomId,
    equipmentIds,
    start,
    end,
    appointmentTypeId,
    telehealth,
    stepFree,
    expiresAt,
    extraSeat,
  ] = fields;
  if (!isText(physicianId) || !isText(locationId) || !isText(appointmentTypeId)) return undefined;
  if (roomId !== null && !isText(roomId)) return undefined;
  if (!Array.isArray(equipmentIds) || !equipmentIds.every(isText)) return undefined;
  if (!isInstant(start) || !isInstant(end) || end <= start || !isInstant(expiresAt)) return undefined;
  if (telehealth !== 0 && telehealth !== 1) return undefined;
  if (stepFree !== 0 && stepFree !== 1) return undefined;
  const option: OptionRef = {
    physicianId,
    locationId,
    roomId,
    equipmentIds: [...equipmentIds],
    start,
    end,
    appointmentTypeId,
    telehealth: telehealth === 1,
    stepFree: stepFree === 1,
    ...(extraSeat === 1 ? { extraSeat: true } : {}),
  };
  // one canonical spelling: base64 decoding forgives stray bits, JSON forgives spaces
  return payloadOf(option, expiresAt) === payload ? { option, expiresAt } : undefined;
}

export function createOptionIds(key: Uint8Array, lifetimeMs = OPTION_ID_LIFETIME_MS): OptionIds {
  if (key.length < MIN_OPTION_KEY_BYTES)
    throw new Error(`an option key needs at least ${MIN_OPTION_KEY_BYTES} bytes`);
  const secret = Buffer.from(key);
  const macOf = (payload: string) => createHmac("sha256", secret).update(DOMAIN).update(payload).digest();
  return {
    issue(option, issuedAt = Date.now()) {
      const payload = payloadOf(option, issuedAt + lifetimeMs);
      return `${payload}.${macOf(payload).toString("base64url")}`;
    },
    open(id, now = Date.now()) {
      const invalid = { ok: false, problem: "invalid" } as const;
      if (typeof id !== "string" || id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(id))
        return invalid;
      const [payload, mac] = id.split(".") as [string, string];
      if (mac.length !== MAC_LENGTH) return invalid;
      const given = Buffer.from(mac, "base64url");
      // the mac is checked before the payload is even parsed, in constant time
      if (
        given.length !== 32 ||
        given.toString("base64url") !== mac ||
        !timingSafeEqual(given, macOf(payload))
      )
        return invalid;
      const parsed = parsePayload(payload);
      if (!parsed) return invalid;
      if (parsed.expiresAt <= now) return { ok: false, problem: "expired", ...parsed };
      return { ok: true, ...parsed };
    },
  };
}
