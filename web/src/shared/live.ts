/**
 * Live schedule updates: one server-sent-event stream per signed-in tab (`GET /api/v1/events`,
 * filtered by the server to what this user may see). Each change refreshes the schedule-shaped
 * data on screen — the physician calendar, the staff day, appointment lists — without a reload.
 * The browser's EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ScheduleEventType } from "../../../src/platform/events.js";

const EVENT_TYPES: ScheduleEventType[] = [
  "appointment.held",
  "appointment.booked",
  "appointment.cancelled",
  "appointment.rescheduled",
  "appointment.status_changed",
  "waitlist.offered",
];

/** Queries whose answers a schedule change can alter (the first element of their keys). */
const SCHEDULE_SHAPED = new Set([
  "schedule",
  "appointments",
  "appointment",
  "availability",
  "notifications",
  "waitlist",
]);

function refresh(client: QueryClient): void {
  void client.invalidateQueries({
    predicate: (q) => typeof q.queryKey[0] === "string" && SCHEDULE_SHAPED.has(q.queryKey[0]),
  });
}

export type LiveState = "connecting" | "live" | "offline";

/** Opens the stream while mounted; returns whether it is live (for a small status badge). */
export function useLiveUpdates(enabled: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const source = new EventSource("/api/v1/events");
    let pending: ReturnType<typeof setTimeout> | undefined;
    // a burst of changes (a rescheduled clinic) refreshes once
    const onChange = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        refresh(client);
      }, 250);
    };
    source.onopen = () => setState("live");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "offline" : "connecting");
    for (const type of EVENT_TYPES) source.addEventListener(type, onChange);
    // the server could not resume from our last event: everything may have changed
    source.addEventListener("reset", () => refresh(client));
    return () => {
      if (pending) clearTimeout(pending);
      source.close();
    };
  }, [client, enabled]);
  return state;
}
