/**
 * Demo sign-ins: one user per role, each with something to see in the demo network. They exist
 * only in demo data (never in migrations) and share one well-known password, so they must never
 * reach a real deployment: the server creates them only when it loads the demo into an empty
 * database.
 */
import { hash } from "@node-rs/argon2";
import { type RawBuilder, sql } from "kysely";
import type { Role } from "../platform/access.js";
import type { Executor } from "../platform/db.js";
import { physicianService } from "../services/physicians/index.js";
import { Random } from "./random.js";

export const DEMO_PASSWORD = "rounds-demo-2026";
export const DEMO_EMAIL_DOMAIN = "demo.rounds.test";

export interface DemoUser {
  email: string;
  role: Role;
  /** What the user sees once signed in, for the README and the sign-in page. */
  sees: string;
}

const email = (local: string) => `${local}@${DEMO_EMAIL_DOMAIN}`;

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: email("admin"),
    role: "admin",
    sees: "The whole network: every location, physician, patient and appointment; manages users and settings",
  },
  {
    email: email("compliance"),
    role: "compliance",
    sees: "The audit trail and break-the-glass reviews; no clinical records",
  },
  {
    email: email("patient"),
    role: "patient",
    sees: "A parent: their own and their children's records and appointments; books anywhere in the network",
  },
  {
    email: email("physician"),
    role: "physician",
    sees: "A physician who works at two or more locations a week: one schedule across them, with travel",
  },
  {
    email: email("staff.main"),
    role: "location_staff",
    sees: "Front desk of the main campus: its appointments, rooms and patients only",
  },
  {
    email: email("staff.north"),
    role: "location_staff",
    sees: "Front desk of the northernmost satellite office: its appointments and patients only",
  },
  {
    email: email("staff.clinic"),
    role: "location_staff",
    sees: "Front desk of an outpatient clinic: its appointments and patients only",
  },
  {
    email: email("head.cardiology"),
    role: "department_head",
    sees: "Head of cardiology: schedules and rotations of every cardiology department",
  },
];

/** The table of demo users as Markdown, for the README. */
export function demoUsersMarkdown(): string {
  const rows = DEMO_USERS.map((u) => `| \`${u.email}\` | ${u.role} | ${u.sees} |`);
  return [
    `Every demo user signs in with the password \`${DEMO_PASSWORD}\`.`,
    "",
    "| email | role | sees |",
    "| --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** Hashed once per load: argon2 is slow on purpose, and every demo user shares the password. */
export function demoPasswordHash(): Promise<string> {
  return hash(DEMO_PASSWORD);
}

type UserTables = {
  users: {
    id: string;
    email: string;
    display_name: string;
    role: string;
    password_hash: string;
    patient_id: string | null;
    physician_id: string | null;
  };
  user_locations: { user_id: string; location_id: string };
  user_departments: { user_id: string; department_id: string };
};
type UserRow = UserTables["users"];

interface Place {
  id: string;
  name: string;
}

/**
 * Creates the demo users, choosing the people and places that make each one's world worth a look
 * (run after the appointments are booked). Returns how many users were created; an e-mail address
 * already taken is left alone.
 */
export async function seedDemoUsers(
  db: Executor,
  opts: { seed: number; today: string; passwordHash: string },
): Promise<number> {
  const rng = new Random(opts.seed, "demo-users");
  const [patient, physician, main, north, clinic, cardiology] = await Promise.all([
    demoPatient(db, opts.today),
    demoPhysician(db, opts.today),
    location(db, sql`kind = 'main_campus'`, sql`code`),
    location(db, sql`kind = 'satellite'`, sql`latitude DESC NULLS LAST, code`),
    location(
      db,
      sql`kind = 'outpatient_clinic'`,
      sql`time_zone = (SELECT min(time_zone) FROM locations WHERE kind = 'main_campus') DESC, code`,
    ),
    sql<{ id: string }>`SELECT id FROM departments WHERE specialty = 'cardiology' ORDER BY id`.execute(db),
  ]);
  const user = (local: string, name: string, extra: Partial<UserRow> = {}): UserRow => {
    const found = DEMO_USERS.find((u) => u.email === email(local))!;
    return {
      id: rng.uuid(),
      email: found.email,
      display_name: name,
      role: found.role,
      password_hash: opts.passwordHash,
      patient_id: null,
      physician_id: null,
      ...extra,
    };
  };
  const staff = (local: string, place: Place | undefined) =>
    place ? [{ row: user(local, `Front desk, ${place.name}`), locations: [place.id] }] : [];
  const people: Array<{ row: UserRow; locations?: string[]; departments?: string[] }> = [
    { row: user("admin", "Demo Administrator") },
    { row: user("compliance", "Demo Compliance Officer") },
    ...(patient ? [{ row: user("patient", patient.name, { patient_id: patient.id }) }] : []),
    ...(physician ? [{ row: user("physician", physician.name, { physician_id: physician.id }) }] : []),
    ...staff("staff.main", main),
    ...staff("staff.north", north),
    ...staff("staff.clinic", clinic),
    { row: user("head.cardiology", "Head of Cardiology"), departments: cardiology.rows.map((d) => d.id) },
  ];
  const q = db.withTables<UserTables>();
  const created = new Set(
    (
      await q
        .insertInto("users")
        .values(people.map((p) => p.row))
        .onConflict((oc) => oc.doNothing())
        .returning("id")
        .execute()
    ).map((r) => r.id),
  );
  const fresh = people.filter((p) => created.has(p.row.id));
  const locations = fresh.flatMap((p) =>
    (p.locations ?? []).map((location_id) => ({ user_id: p.row.id, location_id })),
  );
  const departments = fresh.flatMap((p) =>
    (p.departments ?? []).map((department_id) => ({ user_id: p.row.id, department_id })),
  );
  if (locations.length) await q.insertInto("user_locations").values(locations).execute();
  if (departments.length) await q.insertInto("user_departments").values(departments).execute();
  return created.size;
}

async function location(db: Executor, where: RawBuilder<unknown>, order: RawBuilder<unknown>) {
  const rows =
    await sql<Place>`SELECT id, name FROM locations WHERE active AND ${where} ORDER BY ${order} LIMIT 1`.execute(
      db,
    );
  return rows.rows[0];
}

/**
 * A parent of two or more children (family scheduling has a family to book), whose own and
 * children's appointments are coming up, so their view is not empty.
 */
async function demoPatient(db: Executor, today: string): Promise<Place | undefined> {
  const rows = await sql<{ id: string; name: string }>`
    WITH parents AS (
      SELECT DISTINCT guardian_id AS id FROM family_links WHERE relationship IN ('parent', 'legal_guardian')
    ), scored AS (
      SELECT p.id, p.given_name || ' ' || p.family_name AS name, p.mrn,
        (SELECT count(*) FROM appointments a WHERE a.patient_id = p.id AND a.starts_at > ${today}::date) AS own,
        (SELECT count(*) FROM appointments a JOIN family_links l ON l.dependent_id = a.patient_id
          WHERE l.guardian_id = p.id AND a.starts_at > ${today}::date) AS family,
        (SELECT count(*) FROM appointments a WHERE a.patient_id = p.id) AS history,
        (SELECT count(*) FROM family_links l
          WHERE l.guardian_id = p.id AND l.relationship IN ('parent', 'legal_guardian')) AS children
      FROM patients p JOIN parents USING (id)
      WHERE p.active
    )
    SELECT id, name FROM scored
    ORDER BY (children >= 2 AND own > 0 AND family > 0) DESC, (own > 0 AND family > 0) DESC, (own > 0 OR family > 0) DESC, (history > 0) DESC, mrn
    LIMIT 1`.execute(db);
  return rows.rows[0];
}

/**
 * A physician planned at two or more physical locations in the coming week, with the most
 * appointments that week.
 */
async function demoPhysician(db: Executor, today: string): Promise<Place | undefined> {
  const candidates = await sql<{ id: string; name: string; booked: number }>`
    SELECT p.id, CASE WHEN p.title IN ('MD', 'DO') THEN 'Dr. ' ELSE '' END || p.given_name || ' ' || p.family_name AS name,
      (SELECT count(*)::int FROM appointments a WHERE a.physician_id = p.id
        AND a.starts_at >= ${today}::date + 1 AND a.starts_at < ${today}::date + 15) AS booked
    FROM physicians p
    WHERE p.active AND (
      SELECT count(DISTINCT t.location_id) FROM assignment_templates t JOIN locations l ON l.id = t.location_id
      WHERE t.physician_id = p.id AND l.kind <> 'virtual') >= 2
    ORDER BY booked DESC, p.npi`.execute(db);
  const { from, to } = nextWeek(today);
  const physical = new Set(
    (await sql<{ id: string }>`SELECT id FROM locations WHERE kind <> 'virtual'`.execute(db)).rows.map(
      (r) => r.id,
    ),
  );
  const plans = await physicianService.plans(
    db,
    candidates.rows.map((c) => c.id),
    from,
    to,
  );
  return candidates.rows.find((c) => {
    const places = new Set(
      plans
        .get(c.id)
        ?.assignments.map((a) => a.locationId)
        .filter((id) => physical.has(id)),
    );
    return places.size >= 2;
  });
}

/** Monday to Sunday of the week after `today` (YYYY-MM-DD). */
export function nextWeek(today: string): { from: string; to: string } {
  const day = new Date(`${today}T00:00:00Z`);
  const toMonday = (8 - day.getUTCDay()) % 7 || 7;
  const monday = new Date(day.getTime() + toMonday * 86_400_000);
  const sunday = new Date(monday.getTime() + 6 * 86_400_000);
  return { from: monday.toISOString().slice(0, 10), to: sunday.toISOString().slice(0, 10) };
}
