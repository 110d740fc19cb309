/**
 * Option ids: everything needed to hold or book an option a search offered, as compact base64url
 * JSON, so the booking step needs no server-side search state. Booking re-checks every rule, so
 * an id is a request, not a promise.
 */

export interface OptionRef {
  physicianId: string;
  locationId: string;
  roomId: string | null;
  equipmentIds: string[];
  start: number;
  end: number;
  appointmentTypeId: string;
  telehealth: boolean;
}

/** Bumped when the layout changes, so old ids decode to undefined rather than to nonsense. */
const LAYOUT = 1;
const MAX_ID_LENGTH = 4096;

export function encodeOptionId(opt: OptionRef): string {
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
  ];
  return Buffer.from(JSON.stringify(fields), "utf8").toString("base64url");
}

const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isInstant = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/** The option an id names, or undefined for anything that is not an id this module made. */
export function decodeOptionId(id: string): OptionRef | undefined {
  if (
    typeof id !== "string" ||
    id.length === 0 ||
    id.length > MAX_ID_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(id)
  ) {
    return undefined;
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(id, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 9 || fields[0] !== LAYOUT) return undefined;
  const [, physicianId, locationId, roomId, equipmentIds, start, end, appointmentTypeId, telehealth] = fields;
  if (!isText(physicianId) || !isText(locationId) || !isText(appointmentTypeId)) return undefined;
  if (roomId !== null && !isText(roomId)) return undefined;
  if (!Array.isArray(equipmentIds) || !equipmentIds.every(isText)) return undefined;
  if (!isInstant(start) || !isInstant(end) || end <= start) return undefined;
  if (telehealth !== 0 && telehealth !== 1) return undefined;
  const opt: OptionRef = {
    physicianId,
    locationId,
    roomId,
    equipmentIds: [...equipmentIds],
    start,
    end,
    appointmentTypeId,
    telehealth: telehealth === 1,
  };
  // base64 decoding forgives stray bits; only the exact id we would have made is accepted
  return encodeOptionId(opt) === id ? opt : undefined;
}
