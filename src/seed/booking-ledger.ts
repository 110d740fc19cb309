/**
 * The demo booker's ledger: everything booked so far, by physician, patient, room and item, and the
 * rows to write. It walks each physician's options through the availability engine, picks patients
 * who suit and are free, draws each visit's outcome, and writes the rows in a few statements.
 */
import { type Insertable, sql } from "kysely";
import { builtInProvider } from "../integrations/telehealth/index.js";
import { entry, push } from "../platform/collections.js";
import type { Executor } from "../platform/db.js";
import { type NetworkSnapshot, networkSnapshot } from "../services/locations/index.js";
import type { AppointmentTables } from "../services/scheduling/appointments.repository.js";
// The pure engine `searchOptions` runs, fed plain data (scheduling's index does not export it yet).
import { availableSlots } from "../services/scheduling/availability/engine.js";
import type {
  AvailabilityInput,
  Block,
  Commitment,
  Interval,
  SlotCandidate,
} from "../services/scheduling/availability/types.js";
import { appointmentTypes, type Doctor, type TypeInfo } from "./booking-data.js";
import { type Catchment, catchments } from "./catchments.js";
import { insertAsJson, withIndexesBuiltAfter } from "./insert.js";
import { noShowChance, oftenMisses } from "./no-shows.js";
import { Random } from "./random.js";
import { insertSorted, overlapping } from "./sorted-intervals.js";

/** What the ledger draws by: the share of each physician's time to fill and the seed. */
interface Draw {
  fraction: number;
  seed: number;
}

export interface BookingSummary {
  appointments: number;
  equipmentReservations: number;
  /** Video visits' join links. */
  visitLinks: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const DAYS_BETWEEN_VISITS = 4;
/** Pediatrics sees children, these specialties all ages, every other one adults. */
const ALL_AGES = new Set(
  "allergy_immunology dermatology ophthalmology orthopedics otolaryngology physical_therapy radiology sports_medicine".split(
    " ",
  ),
);
const VISIT_WEIGHT = { follow_up: 3, new: 1.5, procedure: 1.2 } as const;
const CANCEL_REASONS = ["Patient cancelled", "Patient rescheduled elsewhere", "Physician unavailable"];

interface Patient {
  id: string;
  age: number;
  female: boolean;
}
interface Candidate extends SlotCandidate {
  type: TypeInfo;
  weight: number;
}
export interface Window {
  from: number;
  to: number;
  past: boolean;
}

/** Everything booked so far, by physician, patient, room and item, and the rows to write. */
export class Ledger {
  private readonly rng: Random;
  private readonly ids: Random;
  private readonly physicianBusy = new Map<string, Commitment[]>();
  private readonly patientBusy = new Map<number, Commitment[]>();
  /** Patients each physician has seen: a list to draw from and a set to ask. */
  private readonly seen = new Map<string, { list: number[]; set: Set<number> }>();
  /** Bookings of each room and item, kept sorted by start so a window is a binary search away. */
  private readonly busy = new Map<string, Interval[]>();
  private readonly locations: AvailabilityInput["locations"];
  /** The longest visit booked or bookable, how far back a booking can reach into a window. */
  private longest: number;
  /** Rooms and equipment by location and kind, in id order as the engine allocates them. */
  private readonly resources = new Map<
    string,
    Array<{ id: string; locationId: string; kind: string; stepFree: boolean }>
  >();
  private readonly appointments: Insertable<AppointmentTables["appointments"]>[] = [];
  private readonly reservations: Insertable<AppointmentTables["equipment_reservations"]>[] = [];

  private constructor(
    private readonly share: Draw,
    private readonly today: number,
    private readonly snapshot: NetworkSnapshot,
    private readonly types: TypeInfo[],
    private readonly patients: Patient[],
    private readonly catchments: Map<string, Catchment>,
  ) {
    this.rng = new Random(share.seed, "appointments");
    this.ids = new Random(share.seed, "appointment-ids");
    this.locations = new Map(snapshot.locations.map((l) => [l.id, l]));
    this.longest = Math.max(0, ...types.map((t) => t.durationMinutes * MINUTE));
    const items = [...snapshot.rooms, ...snapshot.equipment.map((e) => ({ ...e, stepFree: true }))];
    for (const r of items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      push(this.resources, `${r.locationId}|${r.kind}`, {
        id: r.id,
        locationId: r.locationId,
        kind: r.kind,
        stepFree: r.stepFree,
      });
    }
  }

  static async open(db: Executor, share: Draw, today: number, from: number, to: number) {
    const [snapshot, types, rows] = await Promise.all([
      networkSnapshot(db),
      appointmentTypes(db),
      sql<{
        id: string;
        birth_date: string;
        sex: string;
        latitude: number | null;
        longitude: number | null;
        preferred_location_ids: string[];
      }>`SELECT id, birth_date, sex, latitude, longitude, preferred_location_ids
         FROM patients WHERE active ORDER BY id`.execute(db),
    ]);
    const year = new Date(today).getUTCFullYear();
    const patients = rows.rows.map((p) => ({
      id: p.id,
      age: year - Number(p.birth_date.slice(0, 4)),
      female: p.sex === "female",
    }));
    const ledger = new Ledger(
      share,
      today,
      snapshot,
      types,
      patients,
      catchments(snapshot, rows.rows, patients),
    );
    await ledger.loadExisting(db, from - DAY, to + DAY);
    return ledger;
  }

  /** Appointments already in the database keep their time. */
  private async loadExisting(db: Executor, from: number, to: number): Promise<void> {
    const index = new Map(this.patients.map((p, i) => [p.id, i]));
    const epoch = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);
    const rows = await sql<{ physician_id: string; patient_id: string; room_id: string | null } & Commitment>`
      SELECT physician_id, patient_id, room_id, location_id AS "locationId", ${epoch("starts_at")} AS start,
        ${epoch("ends_at")} AS "end"
      FROM appointments WHERE active AND starts_at < ${new Date(to)} AND ends_at > ${new Date(from)}
      ORDER BY starts_at, id`.execute(db);
    const held = await sql<{ equipment_id: string } & Interval>`
      SELECT equipment_id, ${epoch("starts_at")} AS start, ${epoch("ends_at")} AS "end"
      FROM equipment_reservations WHERE active AND starts_at < ${new Date(to)} AND ends_at > ${new Date(from)}
      ORDER BY starts_at, equipment_id`.execute(db);
    for (const r of rows.rows) {
      const visit = { start: Number(r.start), end: Number(r.end), locationId: r.locationId };
      this.longest = Math.max(this.longest, visit.end - visit.start);
      insertSorted(
        entry(this.physicianBusy, r.physician_id, () => []),
        visit,
      );
      const patient = index.get(r.patient_id);
      if (patient !== undefined) push(this.patientBusy, patient, visit);
      if (r.room_id) this.occupy(r.room_id, visit);
    }
    for (const r of held.rows) {
      this.longest = Math.max(this.longest, Number(r.end) - Number(r.start));
      this.occupy(r.equipment_id, { start: Number(r.start), end: Number(r.end) });
    }
  }

  /**
   * Walks the physician's options in time order: at each reachable start it either books one
   * (with the chance `fraction`) or leaves a visit-long gap, so about that share of time is filled.
   */
  fill(doctor: Doctor, blocks: Block[], window: Window): void {
    const candidates: Candidate[] = [];
    for (const type of this.types) {
      if (!doctor.specialties.includes(type.specialty)) continue;
      const weight = VISIT_WEIGHT[type.visitKind] * (type.specialty === doctor.primary ? 1 : 0.25);
      for (const slot of availableSlots(this.engineInput(doctor, blocks, type, window))) {
        candidates.push(Object.assign(slot, { type, weight }));
      }
    }
    candidates.sort((a, b) => a.start - b.start || (a.type.code < b.type.code ? -1 : 1));
    let free = Number.NEGATIVE_INFINITY;
    let last: Commitment | undefined;
    const reachable: Candidate[] = [];
    for (let i = 0; i < candidates.length; ) {
      const start = candidates[i]!.start;
      reachable.length = 0;
      for (; i < candidates.length && candidates[i]!.start === start; i++) {
        const c = candidates[i]!;
        if (start >= free && (!last || start >= last.end + this.travelMs(last.locationId, c.locationId)))
          reachable.push(c);
      }
      if (!reachable.length) continue;
      const pick = this.rng.weighted(reachable, (c) => c.weight);
      if (!this.rng.chance(this.share.fraction)) {
        free = pick.end;
        continue;
      }
      const patient = this.choosePatient(doctor, pick);
      if (patient === undefined) continue;
      this.record(doctor, pick, patient, window.past);
      free = pick.end;
      last = pick;
    }
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.rng.shuffle(items);
  }

  private engineInput(doctor: Doctor, blocks: Block[], type: TypeInfo, window: Window): AvailabilityInput {
    // visits can only fall inside today's blocks: rooms elsewhere and bookings outside do not matter
    const today = blocks.filter((b) => b.end > window.from && b.start < window.to);
    const at = [...new Set(today.map((b) => b.locationId))];
    const from = Math.max(window.from, Math.min(...today.map((b) => b.start)));
    const to = Math.min(window.to, Math.max(...today.map((b) => b.end)));
    const resources = (kind: string) =>
      at
        .flatMap((l) => this.resources.get(`${l}|${kind}`) ?? [])
        .map((r) => ({ ...r, busy: overlapping(this.busy.get(r.id), from, to, this.longest) }));
    return {
      // the seed books as if long ago: no visit is too soon or beyond the horizon
      now: window.from - DAY,
      from: window.from,
      to: window.to,
      appointmentType: type,
      physicians: [doctor.info],
      blocks,
      // the physician's own visits count with travel, so a day either side
      physicianCommitments: new Map([
        [
          doctor.info.id,
          overlapping(this.physicianBusy.get(doctor.info.id), from - DAY, to + DAY, this.longest),
        ],
      ]),
      locations: this.locations,
      rooms: type.roomKind ? resources(type.roomKind) : [],
      equipment: [...new Set(type.equipmentKinds)].flatMap(resources),
      travelMinutes: this.snapshot.travelMinutes,
      rules: { minNoticeMinutes: 0, horizonDays: Math.ceil((window.to - window.from) / DAY) + 2 },
      patient: null,
      telehealth: true,
      stepFree: false,
      language: null,
      limit: Number.POSITIVE_INFINITY,
    };
  }

  private travelMs(from: string, to: string): number {
    return from === to ? 0 : this.snapshot.travelMinutes(from, to) * MINUTE;
  }

  /**
   * A suitable patient free for the visit; most follow-ups go to returning patients. Of two
   * suitable patients the one with fewer visits wins, so visits spread over the population.
   */
  private choosePatient(doctor: Doctor, c: Candidate): number | undefined {
    const { type } = c;
    const seen = this.seen.get(doctor.info.id);
    const catchment = this.catchments.get(c.locationId);
    const children = type.specialty === "pediatrics";
    const anyAge = ALL_AGES.has(type.specialty);
    let found: number | undefined;
    for (let attempt = 0; attempt < 16; attempt++) {
      let pool: number[] | undefined;
      const roll = this.rng.next();
      if (type.visitKind === "follow_up" && seen && roll < 0.7) pool = seen.list;
      else if (catchment) {
        const side = roll < 0.85 ? catchment.nearby : catchment.preferring;
        pool = children || (anyAge && this.rng.chance(0.2)) ? side.child : side.adult;
      }
      if (!pool?.length) continue;
      const patient = this.rng.pick(pool);
      if (type.visitKind === "new" && seen?.set.has(patient)) continue;
      if (!this.suits(this.patients[patient]!, type, children, anyAge) || !this.patientFree(patient, c))
        continue;
      if (found === undefined) found = patient;
      else return this.visits(patient) < this.visits(found) ? patient : found;
    }
    return found;
  }

  private visits(patient: number): number {
    return this.patientBusy.get(patient)?.length ?? 0;
  }

  private suits(p: Patient, type: TypeInfo, children: boolean, anyAge: boolean): boolean {
    if (children) return p.age < 18;
    if (type.specialty === "obstetrics_gynecology") {
      const pregnancy = type.code.endsWith("PRENATAL") || type.code.endsWith("OBUS");
      return p.female && (pregnancy ? p.age >= 18 && p.age <= 45 : p.age >= 15);
    }
    if (type.code === "RAD-MAMMO") return p.female && p.age >= 40;
    return anyAge || p.age >= 18;
  }

  /**
   * The engine's rule for the patient (no overlap, time to travel between places), and a few days
   * between visits so that nobody is in clinic every other day.
   */
  private patientFree(patient: number, c: Candidate): boolean {
    for (const e of this.patientBusy.get(patient) ?? []) {
      const lo = e.start - (c.end - c.start) - this.travelMs(c.locationId, e.locationId);
      if (c.start > lo && c.start < e.end + this.travelMs(e.locationId, c.locationId)) return false;
      if (Math.abs(c.start - e.start) < DAYS_BETWEEN_VISITS * DAY) return false;
    }
    return true;
  }

  private record(doctor: Doctor, c: Candidate, patient: number, past: boolean): void {
    const rng = this.rng;
    const visit = { start: c.start, end: c.end, locationId: c.locationId };
    // cancelled and missed visits free their time in the database; holding it here is merely cautious
    insertSorted(
      entry(this.physicianBusy, doctor.info.id, () => []),
      visit,
    );
    push(this.patientBusy, patient, visit);
    for (const id of c.roomId ? [c.roomId, ...c.equipmentIds] : c.equipmentIds) this.occupy(id, visit);
    const seen = entry(this.seen, doctor.info.id, () => ({ list: [] as number[], set: new Set<number>() }));
    if (!seen.set.has(patient)) {
      seen.set.add(patient);
      seen.list.push(patient);
    }

    const roll = rng.next();
    const createdAt = Math.min(c.start - rng.int(1, 30) * DAY, this.today) - rng.int(60, 600) * MINUTE;
    const missed = noShowChance({
      leadDays: (c.start - createdAt) / DAY,
      oftenMisses: oftenMisses(patient),
      monday: new Date(c.start).getUTCDay() === 1,
      telehealth: c.telehealth,
    });
    const status = !past
      ? "booked"
      : roll < missed
        ? "no_show"
        : roll < missed + 0.07
          ? "cancelled"
          : "completed";
    const completedAt = status === "completed" ? c.end + rng.int(0, 10) * MINUTE : null;
    const updatedAt =
      completedAt ??
      (status === "no_show"
        ? c.end
        : status === "cancelled"
          ? c.start - rng.int(2, 48) * 60 * MINUTE
          : createdAt);
    const id = this.ids.uuid();
    const [starts_at, ends_at] = [new Date(c.start), new Date(c.end)];
    // columns left out (holds, idempotency keys, reschedules) keep their NULL default
    this.appointments.push({
      id,
      patient_id: this.patients[patient]!.id,
      physician_id: doctor.info.id,
      location_id: c.locationId,
      room_id: c.roomId,
      appointment_type_id: c.type.id,
      starts_at,
      ends_at,
      status,
      telehealth: c.telehealth,
      cancel_reason: status === "cancelled" ? rng.pick(CANCEL_REASONS) : null,
      cancelled_at: status === "cancelled" ? new Date(Math.max(updatedAt, createdAt)) : null,
      checked_in_at: completedAt ? new Date(c.start - rng.int(2, 20) * MINUTE) : null,
      // seen 0–14 minutes after the start (derived, not drawn: the random sequence stays as it was)
      started_at: completedAt ? new Date(c.start + (Math.floor(createdAt / MINUTE) % 15) * MINUTE) : null,
      completed_at: completedAt ? new Date(completedAt) : null,
      created_at: new Date(createdAt),
      updated_at: new Date(Math.max(updatedAt, createdAt)),
    });
    const active = status === "booked" || status === "completed";
    for (const equipment_id of c.equipmentIds) {
      this.reservations.push({ appointment_id: id, equipment_id, starts_at, ends_at, active });
    }
  }

  private occupy(id: string, visit: Interval): void {
    insertSorted(
      entry(this.busy, id, () => []),
      visit,
    );
  }

  /** The booked rows, sent as JSON in a few statements (`insert.ts`). */
  async write(db: Executor, publicUrl: string): Promise<BookingSummary> {
    await withIndexesBuiltAfter(db, "appointments", () =>
      insertAsJson(db, "appointments", this.appointments),
    );
    await insertAsJson(db, "equipment_reservations", this.reservations);
    // every video visit has its join link, as a booking through the API would; a cancelled one's
    // is revoked. Tokens are random, not seeded: a demo's links must not be guessable either.
    const provider = builtInProvider(publicUrl);
    const links = [];
    for (const a of this.appointments.filter((a) => a.telehealth)) {
      const { joinUrl, token } = await provider.issue({ key: a.id!, start: a.starts_at, end: a.ends_at });
      links.push({
        appointment_id: a.id,
        provider: provider.name,
        join_url: joinUrl,
        token,
        issued_at: a.created_at,
        revoked_at: a.status === "cancelled" ? a.updated_at : null,
      });
    }
    await insertAsJson(db, "telehealth_links", links);
    return {
      appointments: this.appointments.length,
      equipmentReservations: this.reservations.length,
      visitLinks: links.length,
    };
  }
}
