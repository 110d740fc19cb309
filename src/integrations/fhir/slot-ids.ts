/**
 * Slot ids: a Slot is computed, never stored, so its id carries what it is — the physician, the
 * location, the appointment type (its first 4 bytes; the mac covers the whole id), the start and
 * the length — signed so that nobody can make one up. 48 bytes written with the 64 characters a
 * FHIR id may use are exactly the 64 characters an id may have. Reading one re-derives the Slot
 * from the current facts; booking it goes back through a signed option of a fresh search.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** What a Slot id names: a time of one physician at one location, for one type when it has one. */
export interface SlotRef {
  physicianId: string;
  locationId: string;
  /** null for a busy Slot: an appointment's type is not told to whoever sees the time taken. */
  appointmentTypeId: string | null;
  start: number;
  end: number;
}

/** An opened id: its parts, and a check of the mac against a candidate type. */
export interface OpenedSlotId {
  physicianId: string;
  locationId: string;
  /** The first 8 hex digits of the type's id, or null when the Slot names no type. */
  typePrefix: string | null;
  start: number;
  end: number;
  /** Whether the id was signed for this type (null: no type). */
  signedFor(appointmentTypeId: string | null): boolean;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.";
const BYTES = 48;
const MAC_BYTES = 6;
const DOMAIN = "rounds-fhir-slot/1";
const MAX_MINUTES = 0xffff;

function encode(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  return out;
}

function decode(id: string): Buffer | undefined {
  if (id.length !== (BYTES / 3) * 4) return undefined;
  const out = Buffer.alloc(BYTES);
  for (let i = 0, j = 0; i < id.length; i += 4, j += 3) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const v = ALPHABET.indexOf(id[i + k]!);
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    out[j] = (n >> 16) & 255;
    out[j + 1] = (n >> 8) & 255;
    out[j + 2] = n & 255;
  }
  return out;
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replaceAll("-", ""), "hex");
const uuidOf = (b: Buffer) => {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export interface SlotIds {
  /** The id of a Slot; undefined when the Slot cannot have one (not on whole seconds and minutes). */
  issue(slot: SlotRef): string | undefined;
  /** The parts of an id this server signed with this key (the type still to be matched), or undefined. */
  open(id: string): OpenedSlotId | undefined;
}

export function createSlotIds(key: Uint8Array): SlotIds {
  const secret = createHmac("sha256", Buffer.from(key)).update(DOMAIN).digest();
  const mac = (body: Buffer, typeId: string | null) =>
    createHmac("sha256", secret)
      .update(body)
      .update(typeId ?? "-")
      .digest()
      .subarray(0, MAC_BYTES);
  const body = (s: SlotRef): Buffer | undefined => {
    const seconds = s.start / 1000;
    const minutes = (s.end - s.start) / 60_000;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) return undefined;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) return undefined;
    const b = Buffer.alloc(BYTES - MAC_BYTES);
    uuidBytes(s.physicianId).copy(b, 0);
    uuidBytes(s.locationId).copy(b, 16);
    if (s.appointmentTypeId) uuidBytes(s.appointmentTypeId).copy(b, 32, 0, 4);
    b.writeUInt32BE(seconds, 36);
    b.writeUInt16BE(minutes, 40);
    return b;
  };
  return {
    issue(slot) {
      const b = body(slot);
      return b && encode(Buffer.concat([b, mac(b, slot.appointmentTypeId)]));
    },
    open(id) {
      const bytes = decode(id);
      if (!bytes) return undefined;
      const b = bytes.subarray(0, BYTES - MAC_BYTES);
      const given = bytes.subarray(BYTES - MAC_BYTES);
      const prefix = b.subarray(32, 36).toString("hex");
      const start = b.readUInt32BE(36) * 1000;
      const minutes = b.readUInt16BE(40);
      if (minutes < 1) return undefined;
      return {
        physicianId: uuidOf(b.subarray(0, 16)),
        locationId: uuidOf(b.subarray(16, 32)),
        typePrefix: prefix === "00000000" ? null : prefix,
        start,
        end: start + minutes * 60_000,
        signedFor: (typeId) =>
          (typeId === null ? prefix === "00000000" : typeId.replaceAll("-", "").startsWith(prefix)) &&
          timingSafeEqual(mac(b, typeId), given),
      };
    },
  };
}
