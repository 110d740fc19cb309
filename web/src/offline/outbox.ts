/**
 * Check-ins, cancellations and notes made while the network is gone wait here (encrypted, in
 * the vault) and are sent when it returns, in the order they were made, each with its
 * Idempotency-Key (a resend after a lost answer has no second effect) and If-Match (the version
 * of the appointment the person saw). A change the server refuses as stale is kept as a conflict
 * for the person to apply anyway or discard: never applied blindly, never dropped silently.
 */
import { ApiError, idempotencyKey } from "../shared/api.js";
import type { Appointment } from "../shared/types.js";
import { type ChangeKind, offlineState, type QueuedChange } from "./state.js";
import { putQueued, queued, removeQueued } from "./vault.js";

export interface NewChange {
  kind: ChangeKind;
  appointment: Pick<Appointment, "id" | "version">;
  body: Record<string, string>;
  label: string;
}

type Delivery =
  | { outcome: "applied"; appointment: Appointment }
  | { outcome: "conflict"; current: Appointment; message: string }
  | { outcome: "refused"; error: ApiError }
  | { outcome: "offline" };

const PATHS: Record<ChangeKind, { method: "POST" | "PUT"; suffix: string }> = {
  check_in: { method: "POST", suffix: "status" },
  cancel: { method: "POST", suffix: "cancel" },
  notes: { method: "PUT", suffix: "notes" },
};

let onApplied: (a: Appointment) => void = () => {};
/** The app shell says how screens hear of an applied change (react-query invalidation). */
export function whenChangeApplied(fn: (a: Appointment) => void): void {
  onApplied = fn;
}

async function deliver(c: QueuedChange): Promise<Delivery> {
  let res: Response;
  try {
    res = await fetch(c.path, {
      method: c.method,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        "idempotency-key": c.id,
        "if-match": `"${c.baseVersion}"`,
      },
      body: JSON.stringify(c.body),
    });
  } catch {
    offlineState.wentOffline();
    return { outcome: "offline" };
  }
  offlineState.backOnline();
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok) return { outcome: "applied", appointment: data as unknown as Appointment };
  if (res.status === 409 && data.code === "stale_version" && data.current)
    return { outcome: "conflict", current: data.current as Appointment, message: String(data.detail ?? "") };
  return {
    outcome: "refused",
    error: new ApiError({
      type: "about:blank",
      title: res.statusText,
      status: res.status,
      code: String(data.code ?? "http_error"),
      detail: String(data.detail ?? `The server answered ${res.status}`),
      errors: [],
    }),
  };
}

async function refresh(): Promise<void> {
  offlineState.setChanges(await queued<QueuedChange>());
}

/**
 * Sends a change now, or queues it when the network is gone. A stale base becomes a conflict to
 * decide; any other refusal is thrown as when online.
 */
export async function sendChange(
  change: NewChange,
): Promise<{ applied: Appointment } | { queued: true } | { conflict: true }> {
  const { method, suffix } = PATHS[change.kind];
  const c: QueuedChange = {
    id: idempotencyKey(),
    createdAt: Date.now(),
    kind: change.kind,
    appointmentId: change.appointment.id,
    method,
    path: `/api/v1/appointments/${change.appointment.id}/${suffix}`,
    body: change.body,
    baseVersion: change.appointment.version,
    label: change.label,
    state: "queued",
  };
  const d = await deliver(c);
  if (d.outcome === "applied") {
    onApplied(d.appointment);
    return { applied: d.appointment };
  }
  if (d.outcome === "refused") throw d.error;
  const kept =
    d.outcome === "conflict"
      ? { ...c, state: "conflict" as const, current: d.current, message: d.message }
      : c;
  // without a vault (a browser that cannot encrypt) nothing is kept: say so rather than lose it quietly
  if (!(await putQueued(kept)))
    throw new Error("Rounds cannot be reached and this browser cannot keep the change.");
  await refresh();
  return d.outcome === "conflict" ? { conflict: true } : { queued: true };
}

let flushing: Promise<void> | null = null;
/** Sends what waits, oldest first; stops at the first sign the network is still gone. */
export function flushChanges(): Promise<void> {
  flushing ??= (async () => {
    try {
      for (const c of await queued<QueuedChange>()) {
        if (c.state !== "queued") continue;
        const d = await deliver(c);
        if (d.outcome === "offline") break;
        if (d.outcome === "applied") {
          await removeQueued(c.id);
          onApplied(d.appointment);
        } else if (d.outcome === "conflict")
          await putQueued({ ...c, state: "conflict", current: d.current, message: d.message });
        else await putQueued({ ...c, state: "refused", message: d.error.message });
      }
    } finally {
      flushing = null;
      await refresh();
    }
  })();
  return flushing;
}

/** The person's decision on a conflict: apply it to the appointment as it is now, or drop it. */
export async function resolveChange(id: string, decision: "apply" | "discard"): Promise<void> {
  const c = (await queued<QueuedChange>()).find((q) => q.id === id);
  if (!c) return;
  await removeQueued(id);
  if (decision === "apply" && c.current) {
    const { current: _, message: __, ...rest } = c;
    // a new key: the earlier request was refused, this one is a new decision on a new version
    await putQueued({ ...rest, id: idempotencyKey(), state: "queued", baseVersion: c.current.version });
    await flushChanges();
  }
  await refresh();
}

/** Loads what waits from the vault (after sign-in or a reload) and tries to send it. */
export async function startOutbox(): Promise<void> {
  await refresh();
  await flushChanges();
}
