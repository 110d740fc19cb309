/**
 * Occupancy cache: each process keeps the active bookings of physicians and of rooms, one UTC day
 * per entry, so availability searches read memory instead of thousands of rows
 * per search. Only searches use it; a booking re-checks the database inside its transaction.
 *
 * Freshness: every schedule change publishes an event. The process that makes a change drops the
 * entries it touches as it publishes (and bumps their generation, so a load already on its way
 * with older rows is not kept); every replica drops them again when the committed event reaches it
 * from the outbox (LISTEN/NOTIFY, or the embedded database's poll). Entries also age out after
 * `TTL_MS`, a bound for changes made behind the API's back. Holds carry their expiry and stop
 * counting when it passes, as they do in the database. `createOccupancy` makes one process's
 * caches; whoever creates them forwards schedule changes to their `forget`.
 */
import type { Executor } from "../../platform/db.js";
import type { ScheduleEventInput } from "../../platform/events.js";
import { type BookedRow, busyRepository as busy } from "./busy.repository.js";

const DAY = 86_400_000;
const TTL_MS = 30_000;
/** After a change is published, reads of its days are not kept for this long (it may be committing). */
const SETTLE_MS = 3_000;
/** Beyond this many day entries (or generations) the cache starts afresh: memory stays bounded
 * (every room and physician of the benchmark network over a 62-day window is about 270,000). */
const MAX_ENTRIES = 500_000;

export interface Booked {
  start: number;
  end: number;
  locationId: string;
  /** When a hold lapses; null for anything else. */
  holdUntil: number | null;
}

type Fetch = (db: Executor, owners: string[], from: Date, to: Date) => Promise<BookedRow[]>;

/** Bookings by owner (a physician or a room) and UTC day. */
export class DayCache {
  private readonly entries = new Map<string, { loadedAt: number; items: Booked[] }>();
  /** One copy of each location id, however many bookings name it. */
  private readonly names = new Map<string, string>();
  /** Per owner-day: how often a change dropped it, and until when a read may not be kept. */
  private readonly touched = new Map<string, { generation: number; until: number }>();
  private epoch = 0;
  /** Owner-days answered from memory and read from the database since start (metrics). */
  readonly counts = { hits: 0, misses: 0 };

  constructor(
    private readonly fetch: Fetch,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Each owner's active bookings (valid holds included) overlapping [from, to). */
  async get(db: Executor, owners: string[], from: number, to: number): Promise<Map<string, Booked[]>> {
    const first = Math.floor(from / DAY);
    const last = Math.floor((to - 1) / DAY);
    const now = this.clock();
    // the days in memory are taken now: a change forgotten while the others load must not
    // leave this answer without them
    const days = new Map<string, Booked[]>();
    const stale = new Set<string>();
    let loadFirst = Number.POSITIVE_INFINITY;
    let loadLast = Number.NEGATIVE_INFINITY;
    for (const owner of owners) {
      for (let day = first; day <= last; day++) {
        const key = `${owner}|${day}`;
        const entry = this.entries.get(key);
        if (entry && now - entry.loadedAt <= TTL_MS) {
          this.counts.hits++;
          days.set(key, entry.items);
          continue;
        }
        this.counts.misses++;
        stale.add(owner);
        loadFirst = Math.min(loadFirst, day);
        loadLast = Math.max(loadLast, day);
      }
    }
    if (stale.size > 0) await this.load(db, stale, loadFirst, loadLast, now, days);
    const out = new Map<string, Booked[]>();
    for (const owner of owners) {
      const list: Booked[] = [];
      for (let day = first; day <= last; day++) {
        // a booking that began on an earlier day of the range was taken from that day already
        const dayStart = day === first ? Number.NEGATIVE_INFINITY : day * DAY;
        for (const b of days.get(`${owner}|${day}`) ?? []) {
          if (b.start >= to || b.end <= from || b.start < dayStart) continue;
          if (b.holdUntil !== null && b.holdUntil <= now) continue;
          list.push(b);
        }
      }
      out.set(owner, list);
    }
    return out;
  }

  /** Reads the owners' days [first, last] into `days`, and keeps those no change has touched. */
  private async load(
    db: Executor,
    owners: Set<string>,
    first: number,
    last: number,
    startedAt: number,
    days: Map<string, Booked[]>,
  ): Promise<void> {
    const epoch = this.epoch;
    const keys: Array<{ key: string; generation: number }> = [];
    for (const owner of owners) {
      for (let day = first; day <= last; day++) {
        const key = `${owner}|${day}`;
        keys.push({ key, generation: this.touched.get(key)?.generation ?? 0 });
        days.set(key, []);
      }
    }
    const rows = await this.fetch(db, [...owners], new Date(first * DAY), new Date((last + 1) * DAY));
    for (const row of rows) {
      let locationId = this.names.get(row.locationId);
      if (locationId === undefined) {
        locationId = row.locationId;
        this.names.set(locationId, locationId);
      }
      const booked: Booked = { start: row.start, end: row.end, locationId, holdUntil: row.holdUntil };
      const to = Math.min(last, Math.floor((row.end - 1) / DAY));
      for (let day = Math.max(first, Math.floor(row.start / DAY)); day <= to; day++) {
        days.get(`${row.owner}|${day}`)?.push(booked);
      }
    }
    if (this.entries.size + keys.length > MAX_ENTRIES) this.clear();
    if (this.epoch !== epoch) return;
    const loadedAt = this.clock();
    for (const k of keys) {
      // forgotten while the rows were on their way, or just before (the change may not have
      // committed when they were read): they answer this search but are not kept
      const touched = this.touched.get(k.key);
      if (touched && (touched.generation !== k.generation || touched.until > startedAt)) continue;
      this.entries.set(k.key, { loadedAt, items: days.get(k.key)! });
    }
  }

  /**
   * Drops the owner's days that [from, to) touches. A read racing with this, or starting within
   * `SETTLE_MS` of it (while the change may still be committing), is not kept.
   */
  forget(owner: string, from: number, to: number): void {
    if (this.touched.size > MAX_ENTRIES) this.clear();
    const until = this.clock() + SETTLE_MS;
    for (let day = Math.floor(from / DAY); day <= Math.floor((to - 1) / DAY); day++) {
      const key = `${owner}|${day}`;
      this.entries.delete(key);
      this.touched.set(key, { generation: (this.touched.get(key)?.generation ?? 0) + 1, until });
    }
  }

  clear(): void {
    this.entries.clear();
    this.names.clear();
    this.touched.clear();
    this.epoch++;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One process's occupancy caches: physicians' bookings (with their locations, for travel) and rooms'. */
export interface Occupancy {
  physicianBookings: DayCache;
  roomBookings: DayCache;
  /** Drops what one schedule change touches: its physician's and room's days, before and after a move. */
  forget(e: Pick<ScheduleEventInput, "physicianId" | "payload">): void;
}

const timeOf = (value: unknown): number | undefined => {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

export function createOccupancy(clock: () => number = Date.now): Occupancy {
  const physicianBookings = new DayCache(busy.bookedByPhysicians, clock);
  const roomBookings = new DayCache(busy.bookedInRooms, clock);
  /** Drops the days of a room, or every room's when the change does not say which (older events). */
  const forgetRoom = (payload: Record<string, unknown>, key: string, from: number, to: number) => {
    if (!(key in payload)) roomBookings.clear();
    else if (typeof payload[key] === "string") roomBookings.forget(payload[key], from, to);
  };
  return {
    physicianBookings,
    roomBookings,
    forget(e) {
      const p = e.payload ?? {};
      const start = timeOf(p.start);
      const end = timeOf(p.end);
      if (start === undefined || end === undefined) {
        physicianBookings.clear();
        roomBookings.clear();
        return;
      }
      physicianBookings.forget(e.physicianId, start, end);
      forgetRoom(p, "roomId", start, end);
      const previousStart = timeOf(p.previousStart);
      if (previousStart !== undefined) {
        const previousEnd = timeOf(p.previousEnd) ?? previousStart + (end - start);
        const physician = typeof p.previousPhysicianId === "string" ? p.previousPhysicianId : e.physicianId;
        physicianBookings.forget(physician, previousStart, previousEnd);
        forgetRoom(p, "previousRoomId", previousStart, previousEnd);
      }
    },
  };
}
