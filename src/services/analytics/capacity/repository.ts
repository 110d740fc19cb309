/** SQL of capacity planning: physicians' contracts and the saved proposals. */
import type { ColumnType, Generated, Selectable } from "kysely";
import type { Executor } from "../../../platform/db.js";
import type { Assignment, Contract, Figures } from "./model.js";

export interface StoredProposal {
  proposed: { assignments: Assignment[]; figures: Figures };
  today: { assignments: Assignment[]; figures: Figures };
  reschedulePlanIds: string[];
  /** Per physician planned, a stamp of their plan and contract when proposed (none: stored before stamps). */
  stamps?: Record<string, string>;
}

export type CapacityTables = {
  physician_contracts: {
    physician_id: string;
    home_location_id: string;
    location_ids: string[];
    hours_per_week: number;
    weekdays: number[];
    updated_at: Date;
  };
  capacity_plans: {
    id: Generated<string>;
    specialty: string;
    start_date: ColumnType<string, string, never>;
    weeks: number;
    status: Generated<"proposed" | "applied">;
    proposal: ColumnType<StoredProposal, string, string>;
    solve_ms: number;
    created_by: string;
    created_at: Date;
    applied_at: Date | null;
    applied_by: string | null;
  };
};
export type PlanRow = Selectable<CapacityTables["capacity_plans"]>;

const q = (db: Executor) => db.withTables<CapacityTables>();

const toContract = (r: CapacityTables["physician_contracts"]): Contract => ({
  physicianId: r.physician_id,
  homeLocationId: r.home_location_id,
  locationIds: r.location_ids,
  hoursPerWeek: r.hours_per_week,
  weekdays: r.weekdays.map(Number),
});

export const capacityRepository = {
  async putContract(db: Executor, c: Contract, now: Date): Promise<void> {
    const values = {
      physician_id: c.physicianId,
      home_location_id: c.homeLocationId,
      location_ids: [...c.locationIds],
      hours_per_week: c.hoursPerWeek,
      weekdays: [...c.weekdays],
      updated_at: now,
    };
    await q(db)
      .insertInto("physician_contracts")
      .values(values)
      .onConflict((oc) => oc.column("physician_id").doUpdateSet(values))
      .execute();
  },
  async contract(db: Executor, physicianId: string): Promise<Contract | undefined> {
    const r = await q(db)
      .selectFrom("physician_contracts")
      .selectAll()
      .where("physician_id", "=", physicianId)
      .executeTakeFirst();
    return r && toContract(r);
  },
  async contracts(db: Executor): Promise<Contract[]> {
    return (await q(db).selectFrom("physician_contracts").selectAll().orderBy("physician_id").execute()).map(
      toContract,
    );
  },
  async insertPlan(
    db: Executor,
    p: {
      specialty: string;
      startDate: string;
      weeks: number;
      proposal: StoredProposal;
      solveMs: number;
      by: string;
      at: Date;
    },
  ): Promise<PlanRow> {
    return q(db)
      .insertInto("capacity_plans")
      .values({
        specialty: p.specialty,
        start_date: p.startDate,
        weeks: p.weeks,
        proposal: JSON.stringify(p.proposal),
        solve_ms: p.solveMs,
        created_by: p.by,
        created_at: p.at,
        applied_at: null,
        applied_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async plan(db: Executor, id: string, forUpdate = false): Promise<PlanRow | undefined> {
    let s = q(db).selectFrom("capacity_plans").selectAll().where("id", "=", id);
    if (forUpdate) s = s.forUpdate();
    return s.executeTakeFirst();
  },
  async plans(
    db: Executor,
    f: { specialty: string; limit: number; offset: number },
  ): Promise<{ rows: PlanRow[]; total: number }> {
    const base = q(db).selectFrom("capacity_plans").where("specialty", "=", f.specialty);
    const [rows, n] = await Promise.all([
      base.selectAll().orderBy("created_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(n.n) };
  },
  async markApplied(
    db: Executor,
    id: string,
    proposal: StoredProposal,
    by: string,
    at: Date,
  ): Promise<PlanRow> {
    return q(db)
      .updateTable("capacity_plans")
      .set({ status: "applied", applied_at: at, applied_by: by, proposal: JSON.stringify(proposal) })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
};
