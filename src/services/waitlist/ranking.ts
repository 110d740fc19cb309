/**
 * Who gets a freed slot first, as pure functions: which waiting entries a slot fits, and their
 * order. The order is urgency (urgent, soon, routine), then time waited (joined earlier first),
 * then preference (a named physician or a listed location the slot matches), then distance
 * (nearer first; unknown last), then the entry id so that every replica picks the same entry.
 */
import type { TimeOfDay, Urgency } from "./schema.js";

export const URGENCY_RANK: Record<Urgency, number> = { urgent: 0, soon: 1, routine: 2 };

/** What ranking reads of an entry matched to a slot. */
export interface Candidate {
  id: string;
  urgency: Urgency;
  /** When the entry joined (ms). */
  waitingSince: number;
  /** The slot matches what the patient asked for by name (physician or location). */
  preferred: boolean;
  /** To the slot's location; null when unknown (no home address, or telehealth). */
  distanceKm: number | null;
}

export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency] ||
    a.waitingSince - b.waitingSince ||
    Number(b.preferred) - Number(a.preferred) ||
    (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The candidates in the order offers go out. */
export const rankCandidates = <C extends Candidate>(candidates: readonly C[]): C[] =>
  [...candidates].sort(compareCandidates);

/** The local part of the day a wall-clock time `HH:MM` falls in. */
export function timeOfDay(localTime: string): TimeOfDay {
  const hour = Number(localTime.slice(0, 2));
  return hour < 12 ? "morning" : hour < 17 ? "afternoon" : "evening";
}

/** What fitting reads of an entry. */
export interface EntryNeed {
  physicianId: string | null;
  locationIds: readonly string[];
  maxDistanceKm: number | null;
  telehealthOk: boolean;
  from: number;
  to: number;
  timesOfDay: readonly TimeOfDay[];
}

/** A concrete slot (an option the search found in the freed time). */
export interface SlotFacts {
  physicianId: string;
  locationId: string;
  start: number;
  end: number;
  /** Local wall-clock start, HH:MM. */
  localTime: string;
  telehealth: boolean;
  distanceKm: number | null;
}

/** Whether a slot meets everything the entry asked for. */
export function fits(need: EntryNeed, slot: SlotFacts): boolean {
  if (slot.start < need.from || slot.end > need.to) return false;
  if (need.physicianId && need.physicianId !== slot.physicianId) return false;
  if (need.timesOfDay.length && !need.timesOfDay.includes(timeOfDay(slot.localTime))) return false;
  if (slot.telehealth) return need.telehealthOk;
  if (need.locationIds.length) return need.locationIds.includes(slot.locationId);
  if (need.maxDistanceKm !== null) return slot.distanceKm !== null && slot.distanceKm <= need.maxDistanceKm;
  return true;
}

/** Whether the slot is one the patient named (a physician, or one of their listed locations). */
export const preferred = (need: EntryNeed, slot: SlotFacts): boolean =>
  need.physicianId === slot.physicianId || need.locationIds.includes(slot.locationId);
