/**
 * Whether the app is working from its saved copy, since when that copy dates, and the changes
 * waiting to be sent or decided: what the offline banner shows, shared by every screen.
 */
import { useSyncExternalStore } from "react";
import type { Appointment } from "../shared/types.js";

export type ChangeKind = "check_in" | "cancel" | "notes";

/** A change made on a copy of an appointment, sent with its key and the version it was based on. */
export interface QueuedChange {
  /** Also the change's Idempotency-Key. */
  id: string;
  createdAt: number;
  kind: ChangeKind;
  appointmentId: string;
  method: "POST" | "PUT";
  path: string;
  body: Record<string, string>;
  baseVersion: number;
  /** What the person did, in their words: "Check in Ana Lima at 09:15". */
  label: string;
  /** queued: waiting for the network; conflict: the appointment changed meanwhile; refused: the server said no. */
  state: "queued" | "conflict" | "refused";
  current?: Appointment;
  message?: string;
}

export interface OfflineState {
  offline: boolean;
  /** The oldest saved copy shown since the network went (null: none shown). */
  savedAt: number | null;
  changes: QueuedChange[];
}

let state: OfflineState = { offline: false, savedAt: null, changes: [] };
const listeners = new Set<() => void>();
const set = (next: Partial<OfflineState>) => {
  state = { ...state, ...next };
  for (const l of listeners) l();
};

export const offlineState = {
  get: () => state,
  subscribe(fn: () => void) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  /** A saved copy was shown because the network failed. */
  servedSaved(savedAt: number) {
    set({ offline: true, savedAt: state.savedAt === null ? savedAt : Math.min(state.savedAt, savedAt) });
  },
  wentOffline() {
    if (!state.offline) set({ offline: true });
  },
  backOnline() {
    if (state.offline || state.savedAt !== null) set({ offline: false, savedAt: null });
  },
  setChanges(changes: QueuedChange[]) {
    set({ changes });
  },
  reset() {
    set({ offline: false, savedAt: null, changes: [] });
  },
};

export const useOfflineState = (): OfflineState =>
  useSyncExternalStore(offlineState.subscribe, offlineState.get, offlineState.get);

/** The change still waiting for one appointment, if any (its tile says so instead of offering it again). */
export const usePendingChange = (appointmentId: string, kind?: ChangeKind): QueuedChange | undefined =>
  useOfflineState().changes.find(
    (c) => c.appointmentId === appointmentId && (kind === undefined || c.kind === kind),
  );
