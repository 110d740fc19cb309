/**
 * The demo's copay rules and capacity plan: caps for every plan, an afternoon off-peak discount
 * and a Monday-morning surcharge at each physical location, contracts for the physicians of the
 * busiest specialty and of cardiology (the demo department head's; from their weekly templates),
 * and one saved proposal for each
 * solved by HiGHS against today's templates with a tenth more demand than they plan.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import type { Assignment, CapacityProblem, Contract } from "../services/analytics/index.js";
import { createSolver, DAY_HOURS, measure, stampOf } from "../services/analytics/index.js";

export async function seedDemoPricing(
  db: Executor,
  opts: { today: string },
): Promise<{ rules: number; plans: number }> {
  const admin = (
    await sql<{ id: string }>`SELECT id FROM users WHERE role = 'admin' ORDER BY email LIMIT 1`.execute(db)
  ).rows[0];
  if (!admin) return { rules: 0, plans: 0 };
  await sql`INSERT INTO pricing_caps (plan, max_surcharge_cents, max_discount_cents)
    VALUES ('default', 2000, 2500), ('self_pay', 1500, 3000) ON CONFLICT (plan) DO NOTHING`.execute(db);
  const locations = (
    await sql<{ id: string }>`SELECT id FROM locations WHERE kind <> 'virtual' ORDER BY code`.execute(db)
  ).rows;
  for (const l of locations)
    await sql`INSERT INTO pricing_rules (location_id, kind, weekdays, start_time, end_time, utilisation_threshold, percent, created_by)
      VALUES (${l.id}, 'off_peak_discount', '{1,2,3,4,5}', '13:00', '17:00', 0.4, 15, ${admin.id}),
             (${l.id}, 'high_demand_surcharge', '{1}', '08:00', '12:00', 0.85, 10, ${admin.id})`.execute(db);

  // the specialty with the most physicians and cardiology (the demo department head's), from their weekly templates
  const specialties = (
    await sql<{ s: string }>`SELECT primary_specialty AS s FROM physicians GROUP BY primary_specialty
      ORDER BY count(*) DESC, primary_specialty LIMIT 1`.execute(db)
  ).rows.map((r) => r.s);
  const cardiology = (
    await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM physicians WHERE primary_specialty = 'cardiology'`.execute(db)
  ).rows[0]?.n;
  if (cardiology && !specialties.includes("cardiology")) specialties.push("cardiology");
  for (const specialty of specialties) {
    const { problem, today } = await problemFromTemplates(db, specialty, opts.today);
    for (const c of problem.contracts)
      await sql`INSERT INTO physician_contracts (physician_id, home_location_id, location_ids, hours_per_week, weekdays)
        VALUES (${c.physicianId}, ${c.homeLocationId}, ${[...c.locationIds]}, ${c.hoursPerWeek}, ${[...c.weekdays]})`.execute(
        db,
      );
    const { assignments, solveMs } = await createSolver(20)(problem);
    let monday = new Date(`${opts.today}T00:00:00Z`);
    do monday = new Date(monday.getTime() + 86_400_000);
    while (monday.getUTCDay() !== 1);
    // what applying the proposal checks: each physician's plan and contract as they are now
    const planStamps = new Map(
      (
        await sql<{ id: string; plan_stamp: string }>`SELECT id, plan_stamp FROM physicians
          WHERE id = ANY(${problem.contracts.map((c) => c.physicianId)}::uuid[])`.execute(db)
      ).rows.map((r) => [r.id, r.plan_stamp]),
    );
    const proposal = {
      proposed: { assignments, figures: measure(problem, assignments) },
      today: { assignments: today, figures: measure(problem, today) },
      reschedulePlanIds: [],
      stamps: Object.fromEntries(
        problem.contracts.map((c) => [c.physicianId, stampOf(planStamps.get(c.physicianId), c)]),
      ),
    };
    await sql`INSERT INTO capacity_plans (specialty, start_date, weeks, proposal, solve_ms, created_by, created_at)
      VALUES (${specialty}, ${monday.toISOString().slice(0, 10)}, 4, ${JSON.stringify(proposal)}, ${solveMs}, ${admin.id}, ${new Date(`${opts.today}T08:00:00Z`)})`.execute(
      db,
    );
  }
  return { rules: 2 * locations.length, plans: specialties.length };
}

/**
 * A specialty's capacity problem as the network's weekly templates describe it: each physician's
 * template locations and weekdays as their contract, today's plan from the templates, and a tenth
 * more demand per location than the templates plan (the demo's proposal and the bench solve it).
 */
export async function problemFromTemplates(
  db: Executor,
  specialty: string,
  todayDate: string,
): Promise<{ problem: CapacityProblem; today: Assignment[] }> {
  const opts = { today: todayDate };
  const blocks = (
    await sql<{ physician_id: string; location_id: string; weekday: number }>`
      SELECT DISTINCT t.physician_id, t.location_id, t.weekday FROM assignment_templates t
      JOIN physicians p ON p.id = t.physician_id
      WHERE p.primary_specialty = ${specialty} AND t.weekday BETWEEN 1 AND 5
        AND (t.effective_to IS NULL OR t.effective_to >= ${opts.today}::date)
      ORDER BY 1, 3, 2`.execute(db)
  ).rows;
  const contracts: Contract[] = [];
  for (const physicianId of [...new Set(blocks.map((b) => b.physician_id))]) {
    const mine = blocks.filter((b) => b.physician_id === physicianId);
    const locationIds = [...new Set(mine.map((b) => b.location_id))].sort();
    const weekdays = [...new Set(mine.map((b) => Number(b.weekday)))].sort((a, b) => a - b);
    const c = {
      physicianId,
      homeLocationId: mine[0]!.location_id,
      locationIds,
      hoursPerWeek: Math.min(80, DAY_HOURS * weekdays.length),
      weekdays,
    };
    contracts.push(c);
  }
  const today: Assignment[] = [];
  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(`${b.physician_id}/${b.weekday}`)) continue;
    seen.add(`${b.physician_id}/${b.weekday}`);
    today.push({ physicianId: b.physician_id, locationId: b.location_id, weekday: Number(b.weekday) });
  }
  const locationIds = [...new Set(contracts.flatMap((c) => c.locationIds))].sort();
  const rooms: Record<string, number> = {};
  for (const r of (
    await sql<{ location_id: string; n: number }>`SELECT location_id, count(*)::int AS n FROM rooms
      WHERE active AND location_id = ANY(${locationIds}::uuid[]) GROUP BY location_id`.execute(db)
  ).rows)
    rooms[r.location_id] = r.n;
  const demand: Record<string, number> = {};
  for (const l of locationIds)
    demand[l] = Math.round(1.1 * DAY_HOURS * today.filter((a) => a.locationId === l).length);
  const travel: Record<string, Record<string, number>> = {};
  for (const t of (
    await sql<{ from_location_id: string; to_location_id: string; minutes: number }>`
      SELECT from_location_id, to_location_id, minutes FROM travel_times`.execute(db)
  ).rows) {
    const row = travel[t.from_location_id] ?? {};
    row[t.to_location_id] = t.minutes;
    travel[t.from_location_id] = row;
  }
  const problem: CapacityProblem = { weekdays: [1, 2, 3, 4, 5], contracts, rooms, demand, travel };
  return { problem, today };
}
