import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/platform/db.js";
import {
  isNetworkEmpty,
  patientBatches,
  planNetwork,
  type SeedSummary,
  seedNetwork,
} from "../src/seed/index.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";

// A Monday, so "next week" and "next month" are fixed for the assertions below.
const TODAY = "2026-03-02";
const NEXT_MONDAY = "2026-03-09";
const SMALL = { scale: "small", seed: 7, today: TODAY } as const;

async function rows<T>(database: Database, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(database.db)).rows;
}

/** A digest of what a user sees in a few tables (timestamps as epochs: sessions may differ in zone). */
async function digest(database: Database): Promise<string> {
  const tables = [
    sql`SELECT (to_jsonb(t) - 'created_at' - 'updated_at')::text AS r FROM locations t ORDER BY t.id`,
    sql`SELECT (to_jsonb(t) - 'created_at' - 'updated_at' - 'plan_stamp')::text AS r FROM physicians t ORDER BY t.id`,
    sql`SELECT (to_jsonb(t) - 'created_at')::text AS r FROM assignment_templates t ORDER BY t.id`,
    sql`SELECT (to_jsonb(t) - 'created_at')::text AS r FROM assignment_overrides t ORDER BY t.id`,
    sql`SELECT concat_ws('|', id, physician_id, extract(epoch FROM starts_at), extract(epoch FROM ends_at), reason, status)
          AS r FROM time_off ORDER BY id`,
    sql`SELECT (to_jsonb(t) - 'updated_at')::text AS r FROM travel_times t ORDER BY from_location_id, to_location_id`,
    sql`SELECT (to_jsonb(t) - 'created_at' - 'updated_at')::text AS r FROM patients t ORDER BY t.id`,
  ];
  const parts: string[] = [];
  for (const query of tables) {
    const result = await sql<{
      d: string;
    }>`SELECT md5(coalesce(string_agg(q.r, E'\n'), '')) AS d FROM (${query}) q`.execute(database.db);
    parts.push(result.rows[0]!.d);
  }
  return parts.join(":");
}

/** The NPI check digit: Luhn over the number prefixed with 80840. */
function validNpi(npi: string): boolean {
  if (!/^[12]\d{9}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe("the demo network", () => {
  let target: FreshDatabase;
  let database: Database;
  let summary: SeedSummary;
  let wasEmpty: boolean;

  beforeAll(async () => {
    target = await freshDatabase({ migrated: true });
    database = target.database;
    wasEmpty = await isNetworkEmpty(database);
    summary = await seedNetwork(database, SMALL);
  });
  afterAll(async () => {
    await target?.drop();
  });

  const count = async (table: string) =>
    (await rows<{ n: number }>(database, sql`SELECT count(*)::int AS n FROM ${sql.table(table)}`))[0]!.n;

  it("loads into an empty database and reports what it created", async () => {
    expect(wasEmpty).toBe(true);
    expect(await isNetworkEmpty(database)).toBe(false);
    expect(summary.locations).toBe(await count("locations"));
    expect(summary.physicians).toBe(await count("physicians"));
    expect(summary.templates).toBe(await count("assignment_templates"));
    expect(summary.patients).toBe(await count("patients"));
    expect(summary.familyLinks).toBe(await count("family_links"));
    // every patient with a preferred location is registered there, so its front desk reaches them
    expect(summary.registrations).toBe(await count("patient_registrations"));
    const withPreference = await rows<{ n: number }>(
      database,
      sql`SELECT count(*)::int AS n FROM patients p JOIN patient_registrations r
          ON r.patient_id = p.id AND r.location_id = p.preferred_location_ids[1]`,
    );
    expect(withPreference[0]!.n).toBe(summary.registrations);
    expect(summary.registrations).toBeGreaterThan(500);
    expect(summary.travelTimes).toBe(await count("travel_times"));
    expect(summary.specialties).toBeGreaterThanOrEqual(20);
  });

  it("puts CT, ultrasound and X-ray appointments of today and tomorrow on the imaging worklist, in rooms that are stations (MR too)", async () => {
    const onWorklist = await rows<{ modality: string; n: number }>(
      database,
      sql`SELECT m.modality, count(*)::int AS n FROM appointments a
          JOIN dicom_type_modalities m ON m.appointment_type_id = a.appointment_type_id
          JOIN dicom_stations s ON s.room_id = a.room_id AND s.modality = m.modality
          WHERE a.status = 'booked' AND a.starts_at >= ${new Date(`${TODAY}T00:00:00Z`)}
            AND a.starts_at < ${new Date(Date.parse(`${TODAY}T00:00:00Z`) + 2 * 86_400_000)}
          GROUP BY m.modality`,
    );
    expect(onWorklist.map((r) => r.modality)).toEqual(expect.arrayContaining(["CT", "US", "DX"]));
    const stations = await rows<{ modality: string }>(
      database,
      sql`SELECT DISTINCT modality FROM dicom_stations`,
    );
    expect(stations.map((r) => r.modality)).toEqual(expect.arrayContaining(["CT", "MR", "US", "DX"]));
  });

  it("has answered satisfaction surveys of recent visits and an open compliance alert", async () => {
    const answered = await rows<{ n: number; avg: number }>(
      database,
      sql`SELECT count(*)::int AS n, avg(rating)::float AS avg FROM satisfaction_surveys WHERE answered_at IS NOT NULL`,
    );
    expect(answered[0]!.n).toBeGreaterThan(20);
    expect(answered[0]!.avg).toBeGreaterThan(3);
    const alerts = await rows<{ kind: string }>(
      database,
      sql`SELECT kind FROM compliance_alerts WHERE acknowledged_at IS NULL`,
    );
    expect(alerts.map((a) => a.kind)).toEqual(["break_glass_unreviewed"]);
    const incidents = await rows<{ kind: string; status: string }>(
      database,
      sql`SELECT kind, status FROM incidents ORDER BY opened_at`,
    );
    expect(incidents).toEqual([
      { kind: "refused_burst", status: "resolved" },
      { kind: "sign_in_spraying", status: "resolved" },
      { kind: "break_glass_unusual", status: "open" },
    ]);
    const locked = await rows<{ n: number }>(
      database,
      sql`SELECT count(*)::int AS n FROM users WHERE locked_at IS NOT NULL`,
    );
    expect(locked[0]!.n).toBe(0);
  });

  it("has a main campus, satellites, clinics, specialty centres and a virtual clinic in two time zones", async () => {
    const kinds = await rows<{ kind: string; n: number }>(
      database,
      sql`SELECT kind, count(*)::int AS n FROM locations GROUP BY kind`,
    );
    const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
    expect(byKind).toEqual({
      main_campus: 1,
      satellite: 4,
      outpatient_clinic: 3,
      specialty_center: 2,
      virtual: 1,
    });
    const zones = await rows<{ time_zone: string; data_residency: string }>(
      database,
      sql`SELECT DISTINCT time_zone, data_residency FROM locations ORDER BY time_zone`,
    );
    expect(zones).toEqual([
      { time_zone: "America/Chicago", data_residency: "us-central" },
      { time_zone: "America/New_York", data_residency: "us-east" },
    ]);
    const names = await rows<{ name: string }>(database, sql`SELECT name FROM locations ORDER BY name`);
    expect(names.map((n) => n.name)).toContain("Harbor Point Satellite");
  });

  it("tells patients about hours, parking and access at every physical location", async () => {
    const locations = await rows<{
      kind: string;
      phone: string;
      latitude: number | null;
      opening_hours: Array<{ weekday: number; opens: string; closes: string }>;
      parking_accessible_spaces: number;
      parking_cost_cents_per_hour: number;
      amenities: string[];
      services: string[];
    }>(database, sql`SELECT * FROM locations`);
    for (const l of locations) {
      expect(l.phone).toMatch(/555-01\d\d$/);
      expect(l.opening_hours.length).toBeGreaterThanOrEqual(5);
      expect(l.services.length).toBeGreaterThan(0);
      if (l.kind !== "virtual") expect(l.latitude).not.toBeNull();
    }
    const physical = locations.filter((l) => l.kind !== "virtual");
    expect(physical.filter((l) => l.parking_cost_cents_per_hour === 0).length).toBeGreaterThanOrEqual(2);
    expect(physical.filter((l) => l.parking_accessible_spaces === 0)).toHaveLength(1);
    expect(locations.some((l) => l.amenities.includes("lactation_room"))).toBe(true);
  });

  it("gives the main campus the most departments and has some rooms that are not step-free", async () => {
    const departments = await rows<{ kind: string; n: number }>(
      database,
      sql`SELECT l.kind, count(*)::int AS n FROM departments d JOIN locations l ON l.id = d.location_id
          GROUP BY l.id, l.kind ORDER BY n DESC`,
    );
    expect(departments[0]!.kind).toBe("main_campus");
    const rooms = await rows<{ kind: string; step_free: boolean }>(
      database,
      sql`SELECT kind, step_free FROM rooms`,
    );
    expect(new Set(rooms.map((r) => r.kind))).toEqual(
      new Set(["exam", "consult", "procedure", "imaging", "lab", "therapy", "telehealth"]),
    );
    expect(rooms.some((r) => !r.step_free)).toBe(true);
  });

  it("has MRI scanners only at the main campus and one specialty centre", async () => {
    const mri = await rows<{ kind: string; code: string }>(
      database,
      sql`SELECT DISTINCT l.kind, l.code FROM equipment e JOIN locations l ON l.id = e.location_id WHERE e.kind = 'mri'
          ORDER BY l.kind`,
    );
    expect(mri.map((m) => m.kind)).toEqual(["main_campus", "specialty_center"]);
    const mriType = await rows<{ duration_minutes: number; room_kind: string; equipment_kinds: string[] }>(
      database,
      sql`SELECT duration_minutes, room_kind, equipment_kinds FROM appointment_types WHERE code = 'RAD-MRI'`,
    );
    expect(mriType).toEqual([{ duration_minutes: 45, room_kind: "imaging", equipment_kinds: ["mri"] }]);
  });

  it("books new patients for 40-60 minutes and follow-ups for 15-30, some by video", async () => {
    const types = await rows<{ visit_kind: string; duration_minutes: number; telehealth_allowed: boolean }>(
      database,
      sql`SELECT visit_kind, duration_minutes, telehealth_allowed FROM appointment_types`,
    );
    for (const t of types.filter((x) => x.visit_kind === "new")) {
      expect(t.duration_minutes).toBeGreaterThanOrEqual(40);
      expect(t.duration_minutes).toBeLessThanOrEqual(60);
    }
    const followUps = types.filter((x) => x.visit_kind === "follow_up" && x.duration_minutes <= 30);
    expect(followUps.length).toBeGreaterThanOrEqual(20);
    expect(followUps.some((t) => t.telehealth_allowed)).toBe(true);
  });

  it("has at least 80 physicians with unique NPIs, several of whom speak another language", async () => {
    const physicians = await rows<{ npi: string; languages: string[] }>(
      database,
      sql`SELECT npi, languages FROM physicians`,
    );
    expect(physicians.length).toBeGreaterThanOrEqual(80);
    expect(new Set(physicians.map((p) => p.npi)).size).toBe(physicians.length);
    for (const p of physicians) expect(validNpi(p.npi), p.npi).toBe(true);
    const spoken = new Set(physicians.flatMap((p) => p.languages));
    expect(spoken.has("es")).toBe(true);
    expect([...spoken].filter((l) => ["zh", "vi", "ar", "fr"].includes(l)).length).toBeGreaterThanOrEqual(2);
  });

  it("has at least 30% of physicians working at two or more locations in the same week", async () => {
    const perPhysician = await rows<{ locations: number }>(
      database,
      sql`SELECT count(DISTINCT location_id)::int AS locations FROM assignment_templates GROUP BY physician_id`,
    );
    const physicians = await count("physicians");
    expect(perPhysician.length).toBe(physicians);
    expect(perPhysician.filter((p) => p.locations >= 2).length / physicians).toBeGreaterThanOrEqual(0.3);
  });

  it("never puts one physician in two template blocks at the same time", async () => {
    const blocks = await rows<{
      physician_id: string;
      weekday: number;
      start_time: string;
      end_time: string;
    }>(
      database,
      sql`SELECT physician_id, weekday, start_time::text, end_time::text FROM assignment_templates
          ORDER BY physician_id, weekday, start_time`,
    );
    for (let i = 1; i < blocks.length; i++) {
      const [a, b] = [blocks[i - 1]!, blocks[i]!];
      if (a.physician_id === b.physician_id && a.weekday === b.weekday)
        expect(b.start_time >= a.end_time).toBe(true);
    }
  });

  it("puts every location in the travel matrix and leaves a few pairs to be estimated", async () => {
    const missing = await rows<{ code: string }>(
      database,
      sql`SELECT code FROM locations l WHERE NOT EXISTS (SELECT 1 FROM travel_times t WHERE t.from_location_id = l.id)`,
    );
    expect(missing).toEqual([]);
    const locations = await count("locations");
    const configured = await count("travel_times");
    expect(configured).toBeGreaterThan(locations * (locations - 1) * 0.7);
    expect(configured).toBeLessThan(locations * (locations - 1));
  });

  it("has a rotation starting next week, others under way or later, and time off coming up", async () => {
    const rotations = await rows<{ kind: string; start_date: string; end_date: string }>(
      database,
      sql`SELECT kind, start_date, end_date FROM assignment_overrides ORDER BY start_date`,
    );
    expect(rotations.some((r) => r.kind === "rotation" && r.start_date === NEXT_MONDAY)).toBe(true);
    expect(rotations.some((r) => r.kind === "temporary")).toBe(true);
    const timeOff = await rows<{ starts_at: Date }>(database, sql`SELECT starts_at FROM time_off`);
    expect(timeOff.length).toBeGreaterThanOrEqual(5);
    expect(timeOff.some((t) => t.starts_at.toISOString().startsWith("2026-04"))).toBe(true);
    expect(timeOff.every((t) => t.starts_at.toISOString() > TODAY)).toBe(true);
  });

  it("has thousands of patients of every age, with unique MRNs and a few hundred family links", async () => {
    const patients = await rows<{
      n: number;
      mrns: number;
      youngest: number;
      oldest: number;
      preferring: number;
    }>(
      database,
      sql`SELECT count(*)::int AS n, count(DISTINCT mrn)::int AS mrns,
            min(extract(year FROM age(${TODAY}::date, birth_date)))::int AS youngest,
            max(extract(year FROM age(${TODAY}::date, birth_date)))::int AS oldest,
            count(*) FILTER (WHERE cardinality(preferred_location_ids) > 0)::int AS preferring
          FROM patients`,
    );
    const p = patients[0]!;
    expect(p.n).toBeGreaterThanOrEqual(5000);
    expect(p.mrns).toBe(p.n);
    expect(p.youngest).toBe(0);
    expect(p.oldest).toBeGreaterThanOrEqual(90);
    expect(p.preferring).toBeGreaterThan(p.n * 0.1);
    const guardians = await rows<{ dependents: number }>(
      database,
      sql`SELECT count(*)::int AS dependents FROM family_links WHERE relationship IN ('parent', 'legal_guardian')
          GROUP BY guardian_id`,
    );
    expect(guardians.length).toBeGreaterThan(50);
    for (const g of guardians) expect(g.dependents).toBeLessThanOrEqual(3);
    expect(summary.familyLinks).toBeGreaterThan(200);
    expect(summary.familyLinks).toBeLessThan(450);
  });

  it("has referrals between locations in every state, each front desk's queue with something in it", async () => {
    expect(summary.referrals).toBe(await count("referrals"));
    const states = await rows<{ status: string; n: number; crossing: number }>(
      database,
      sql`SELECT status, count(*)::int AS n,
            count(*) FILTER (WHERE from_location_id IS DISTINCT FROM to_location_id)::int AS crossing
          FROM referrals GROUP BY status ORDER BY status`,
    );
    expect(states.map((s) => s.status)).toEqual(["accepted", "booked", "cancelled", "declined", "sent"]);
    expect(states.every((s) => s.crossing === s.n)).toBe(true);
    const queues = await rows<{ n: number }>(
      database,
      sql`SELECT count(DISTINCT r.to_location_id)::int AS n FROM referrals r
          JOIN user_locations l ON l.location_id = r.to_location_id WHERE r.status = 'sent'`,
    );
    expect(queues[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it("has a waitlist: patients waiting at the main campus, an open offer to the demo patient on a slot held for them, and answered and expired offers", async () => {
    expect(summary.waitlist).toBe(await count("waitlist_entries"));
    const entries = await rows<{ status: string; urgency: string }>(
      database,
      sql`SELECT status, urgency FROM waitlist_entries ORDER BY status, urgency`,
    );
    expect(new Set(entries.filter((e) => e.status === "waiting").map((e) => e.urgency))).toEqual(
      new Set(["routine", "soon", "urgent"]),
    );
    const offers = await rows<{ status: string; n: number }>(
      database,
      sql`SELECT status, count(*)::int AS n FROM waitlist_offers GROUP BY status ORDER BY status`,
    );
    expect(offers).toEqual([
      { status: "accepted", n: 2 },
      { status: "declined", n: 1 },
      { status: "expired", n: 1 },
      { status: "offered", n: 1 },
    ]);
    const open = await rows<{ hold: string; held_for_offer: boolean; demo: boolean; after: boolean }>(
      database,
      sql`SELECT a.status AS hold, a.hold_expires_at = o.expires_at AS held_for_offer,
            u.email = 'patient@demo.rounds.test' AS demo, o.expires_at > ${`${TODAY}T12:00:00Z`}::timestamptz AS after
          FROM waitlist_offers o JOIN appointments a ON a.id = o.appointment_id
          JOIN users u ON u.patient_id = o.patient_id WHERE o.status = 'offered'`,
    );
    expect(open).toEqual([{ hold: "held", held_for_offer: true, demo: true, after: true }]);
    // every accepted offer's slot is the patient's booked visit
    const accepted = await rows<{ status: string; same: boolean }>(
      database,
      sql`SELECT a.status, a.patient_id = o.patient_id AS same FROM waitlist_offers o
          JOIN appointments a ON a.id = o.appointment_id WHERE o.status = 'accepted'`,
    );
    expect(accepted).toEqual([
      { status: "booked", same: true },
      { status: "booked", same: true },
    ]);
  });

  it("refuses to load a second network into a database that already has locations", async () => {
    await expect(seedNetwork(database, SMALL)).rejects.toThrow(/already has locations/);
    expect(await count("locations")).toBe(summary.locations);
  });

  // the other database is an embedded one: run where the first is a PostgreSQL server, this
  // compares the two engines' data (on the embedded run it would seed a second embedded copy)
  it.skipIf(!process.env.DATABASE_URL)(
    "produces identical data from the same seed in another database: the embedded one",
    async () => {
      const other = await freshDatabase({ migrated: true, url: "" });
      try {
        expect(await seedNetwork(other.database, SMALL)).toEqual(summary);
        expect(await digest(other.database)).toBe(await digest(database));
      } finally {
        await other.drop();
      }
    },
  );
});

describe("the demo network generator", () => {
  it("checks NPIs the way the NPI standard does", () => {
    expect(validNpi("1234567893")).toBe(true);
    expect(validNpi("1234567890")).toBe(false);
  });

  it("gives a different network for a different seed", () => {
    const a = planNetwork({ scale: "small", seed: 1, today: TODAY });
    const b = planNetwork({ scale: "small", seed: 2, today: TODAY });
    expect(a.locations.map((l) => l.name)).toEqual(b.locations.map((l) => l.name));
    expect(a.locations[0]!.id).not.toBe(b.locations[0]!.id);
    expect(a.physicians.map((p) => p.npi)).not.toEqual(b.physicians.map((p) => p.npi));
  });

  it("plans a benchmark network of 50+ locations in 3+ time zones, 2,000+ physicians and 200,000+ patients", () => {
    const options = { scale: "large", seed: 1, today: TODAY } as const;
    const plan = planNetwork(options);
    expect(plan.locations.length).toBeGreaterThanOrEqual(50);
    expect(new Set(plan.locations.map((l) => l.time_zone)).size).toBeGreaterThanOrEqual(3);
    expect(plan.physicians.length).toBeGreaterThanOrEqual(2000);
    expect(new Set(plan.physicians.map((p) => p.npi)).size).toBe(plan.physicians.length);
    const sites = new Map<string, Set<string>>();
    for (const t of plan.templates)
      sites.set(t.physician_id, (sites.get(t.physician_id) ?? new Set()).add(t.location_id));
    expect(
      [...sites.values()].filter((s) => s.size >= 2).length / plan.physicians.length,
    ).toBeGreaterThanOrEqual(0.3);
    let patients = 0;
    const mrns = new Set<string>();
    for (const batch of patientBatches(plan, options)) {
      patients += batch.patients.length;
      for (const p of batch.patients) mrns.add(p.mrn);
    }
    expect(patients).toBeGreaterThanOrEqual(200_000);
    expect(mrns.size).toBe(patients);
  }, 120_000);
});
