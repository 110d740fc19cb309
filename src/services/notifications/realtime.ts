/**
 * Live schedule changes as server-sent events. One hub per process reads new events from the
 * schedule_events table when the waker fires (LISTEN/NOTIFY on PostgreSQL) and hands them to
 * every open stream of this process; each stream shows only what its caller may see. Because
 * events come from the table, every replica sees every change, and a client that reconnects with
 * Last-Event-ID is replayed what it missed before it goes live.
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import type { Db } from "../../platform/db.js";
import type { ScheduleEvent } from "../../platform/events.js";
import { type Policies, physicianTarget } from "../../platform/policy.js";
import { physicianService } from "../physicians/index.js";
import { appointmentFacts } from "../scheduling/index.js";
import { head, readAfter } from "./outbox.js";
import type { Waker } from "./waker.js";

export const HEARTBEAT_MS = 15_000;
/** Streams end after this long; the browser reconnects with Last-Event-ID and re-authenticates. */
export const MAX_STREAM_MS = 30 * 60_000;
const MAX_BUFFERED_BYTES = 1_048_576;

/** An event with where the appointment was before a move, so the old location's screens hear of it. */
export interface LiveEvent extends ScheduleEvent {
  previousLocationId?: string;
  previousPhysicianId?: string;
}

type Listener = (events: LiveEvent[]) => void;

async function enrich(db: Db, events: ScheduleEvent[]): Promise<LiveEvent[]> {
  return Promise.all(
    events.map(async (e) => {
      const previous = e.payload.previousAppointmentId;
      if (e.type !== "appointment.rescheduled" || typeof previous !== "string") return e;
      const before = await appointmentFacts.get(db, previous);
      return before
        ? { ...e, previousLocationId: before.locationId, previousPhysicianId: before.physicianId }
        : e;
    }),
  );
}

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private position: number | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private unwake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly waker: Waker,
    private readonly log: FastifyBaseLogger,
  ) {}

  async subscribe(listener: Listener): Promise<() => void> {
    if (this.closed) throw new Error("live events are shut down");
    this.listeners.add(listener);
    if (!this.unwake) {
      this.unwake = this.waker.onWake(() => this.pull());
      await this.waker.start();
    }
    if (this.position === undefined) this.position = await head(this.db);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  private pull(): void {
    if (this.closed || !this.listeners.size || this.position === undefined) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((err: unknown) =>
        this.log.warn({ err }, "reading live events failed; retrying on the next wake"),
      )
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.pull();
        }
      });
  }

  private async read(): Promise<void> {
    for (;;) {
      const batch = await readAfter(this.db, this.position!, 500);
      const events = await enrich(this.db, batch.events);
      this.position = batch.through;
      if (events.length) for (const listener of [...this.listeners]) listener(events);
      if (batch.events.length < 500) return;
    }
  }

  close(): void {
    this.closed = true;
    this.unwake?.();
    this.listeners.clear();
  }
}

export type Visibility = "full" | "redacted" | "none";

/**
 * The policy's appointment rules decide, for the appointment as it is and as it was before a move:
 * staff see their locations, physicians their own schedule, patients their own and dependents'
 * appointments. Those who plan a physician's schedule (department heads) hear of its changes
 * without patient details (they plan rotations; they do not open appointments).
 */
export async function visibilityOf(
  db: Db,
  actor: Actor,
  e: LiveEvent,
  specialtiesOf: (physicianId: string) => Promise<string[]>,
  may: Policies["permits"],
): Promise<Visibility> {
  const as = (physicianId: string, locationId: string) =>
    ({ kind: "appointment", id: e.appointmentId, patientId: e.patientId, physicianId, locationId }) as const;
  const before = as(e.previousPhysicianId ?? e.physicianId, e.previousLocationId ?? e.locationId);
  // a schedule change that names no appointment (time opened) is for those who plan the schedule
  if (
    e.appointmentId &&
    ((await may(db, actor, "read", as(e.physicianId, e.locationId))) ||
      (await may(db, actor, "read", before)))
  )
    return "full";
  const physicians = new Set(
    [e.physicianId, e.previousPhysicianId].filter((x): x is string => typeof x === "string"),
  );
  for (const id of physicians)
    if (
      await may(
        db,
        actor,
        "manage_schedule",
        physicianTarget(id, () => specialtiesOf(id)),
      )
    )
      return "redacted";
  return "none";
}

/** The event as a client sees it; patient details only for those who may open the appointment. */
export function eventData(e: LiveEvent, visibility: Exclude<Visibility, "none">): Record<string, unknown> {
  const { reason: _reason, ...payload } = e.payload;
  const data: Record<string, unknown> = {
    seq: e.seq,
    type: e.type,
    occurredAt: e.occurredAt,
    appointmentId: e.appointmentId,
    physicianId: e.physicianId,
    locationId: e.locationId,
    ...payload,
    ...(e.previousLocationId ? { previousLocationId: e.previousLocationId } : {}),
    ...(e.previousPhysicianId ? { previousPhysicianId: e.previousPhysicianId } : {}),
  };
  if (visibility === "full") {
    data.patientId = e.patientId;
    if (_reason !== undefined) data.reason = _reason;
  }
  return data;
}

export class LiveStreams {
  private readonly open = new Set<(hangUp?: boolean) => void>();

  constructor(
    private readonly db: Db,
    private readonly hub: LiveHub,
    private readonly may: Policies["permits"],
    private readonly log: FastifyBaseLogger,
  ) {}

  get count(): number {
    return this.open.size;
  }

  /** Serves one SSE connection until the client leaves, the server closes or the stream ages out. */
  async serve(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    lastEventId: number | undefined,
  ): Promise<void> {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-request-id": String(req.id),
    });
    raw.write("retry: 3000\n\n");

    const specialties = new Map<string, Promise<string[]>>();
    const specialtiesOf = (id: string) => {
      let s = specialties.get(id);
      if (!s) {
        s = physicianService.get(this.db, id).then(
          (p) => p.specialties,
          () => [],
        );
        specialties.set(id, s);
      }
      return s;
    };
    let position: number | undefined;
    let live = false;
    const waiting: LiveEvent[] = [];
    let chain = Promise.resolve();
    let ended = false;

    const send = async (events: LiveEvent[]) => {
      for (const e of events) {
        if (ended || (position !== undefined && e.seq <= position)) continue;
        position = e.seq;
        const visibility = await visibilityOf(this.db, actor, e, specialtiesOf, this.may);
        if (visibility === "none" || ended) continue;
        raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(eventData(e, visibility))}\n\n`);
        // a client that stops reading is let go; it resumes from its Last-Event-ID when it returns
        if (raw.writableLength > MAX_BUFFERED_BYTES) end();
      }
    };
    const enqueue = (events: LiveEvent[]) => {
      if (!live) waiting.push(...events);
      else
        chain = chain
          .then(() => send(events))
          .catch((err: unknown) => this.log.warn({ err }, "live event not sent"));
    };

    let heartbeat: NodeJS.Timeout | undefined;
    let maxAge: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const end = (hangUp = false) => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(maxAge);
      unsubscribe?.();
      this.open.delete(end);
      if (!raw.writableEnded) raw.end();
      // on shutdown the connection goes too: kept alive, it would hold the server's close open
      if (hangUp) raw.socket?.end();
    };
    this.open.add(end);
    raw.on("close", () => end());
    raw.on("error", () => end());

    try {
      unsubscribe = await this.hub.subscribe(enqueue);
      const now = await head(this.db);
      position = lastEventId ?? now;
      if (position > now) {
        // an id from another database (a restore, say): what the client holds may be stale
        raw.write(
          `event: reset\ndata: ${JSON.stringify({ reason: "unknown Last-Event-ID; reload, then continue live" })}\n\n`,
        );
        position = now;
      }
      // replay what the client missed, then whatever arrived meanwhile, then live
      for (;;) {
        if (ended) return;
        const batch = await readAfter(this.db, position, 500);
        await send(await enrich(this.db, batch.events));
        // going live with a hole would lose events the hub has already read past
        if (batch.settled && batch.events.length < 500) break;
      }
      // from here on everything goes through the chain, in order
      live = true;
      chain = chain.then(() => send(waiting.splice(0)));
      await chain;
      if (ended) return;
      heartbeat = setInterval(() => raw.write(": heartbeat\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      maxAge = setTimeout(() => end(), MAX_STREAM_MS);
      maxAge.unref();
    } catch (err) {
      this.log.warn({ err }, "live event stream failed");
      end();
    }
  }

  /** Ends every open stream and its connection (server shutdown must not wait for clients to leave). */
  closeAll(): void {
    for (const end of [...this.open]) end(true);
  }
}
