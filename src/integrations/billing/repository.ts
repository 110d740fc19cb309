import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { SkipReason } from "./coding.js";

// A type alias (not an interface) so Kysely can index it.
export type BillingTables = {
  billing_identities: {
    location_id: string;
    place_of_service: string;
    telehealth_place_of_service: "02" | "10";
    facility_npi: string;
    tax_id: string;
    billing_name: string;
    address_line: string;
    city: string;
    region: string;
    postal_code: string;
    updated_at: Generated<Date>;
  };
  billing_type_modifiers: {
    appointment_type_id: string;
    modifiers: string[];
    updated_at: Generated<Date>;
  };
  billing_batches: {
    id: Generated<string>;
    format: "x12-837p" | "fhir-claim";
    from_date: string;
    to_date: string;
    control_number: number;
    claim_count: Generated<number>;
    total_cents: Generated<string | number>;
    skipped: Generated<{ appointmentId: string; reason: SkipReason }[]>;
    content: Generated<string>;
    content_sha256: Generated<string>;
    created_by: string | null;
    created_at: Generated<Date>;
    /** the region whose visits it holds (a batch never mixes regions); '' before migration 0056 */
    region: Generated<string>;
  };
  billing_charges: {
    batch_id: string;
    format: string;
    appointment_id: string;
    location_id: string;
    claim_id: string;
    service_date: string;
    procedure_code: string;
    modifiers: string[];
    place_of_service: string;
    amount_cents: number;
  };
};

export type IdentityRow = Selectable<BillingTables["billing_identities"]>;
export type BatchRow = Selectable<BillingTables["billing_batches"]>;
export type ChargeRow = Selectable<BillingTables["billing_charges"]>;
export type NewCharge = ChargeRow;

const q = (db: Executor) => db.withTables<BillingTables>();
/** Dates as text, so no time zone moves them. */
const batchColumns = [
  "id",
  "format",
  sql<string>`from_date::text`.as("from_date"),
  sql<string>`to_date::text`.as("to_date"),
  "control_number",
  "region",
  "claim_count",
  "total_cents",
  "skipped",
  "content_sha256",
  "created_by",
  "created_at",
] as const;
export type BatchSummaryRow = Omit<BatchRow, "content">;

export const billingRepository = {
  async identities(db: Executor, locationIds?: readonly string[]): Promise<IdentityRow[]> {
    let query = q(db).selectFrom("billing_identities").selectAll();
    if (locationIds) {
      if (!locationIds.length) return [];
      query = query.where("location_id", "in", [...locationIds]);
    }
    return query.orderBy("location_id").execute();
  },

  async upsertIdentity(db: Executor, row: Omit<IdentityRow, "updated_at">): Promise<IdentityRow> {
    const { location_id: _, ...rest } = row;
    return q(db)
      .insertInto("billing_identities")
      .values(row)
      .onConflict((oc) => oc.column("location_id").doUpdateSet({ ...rest, updated_at: sql<Date>`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async modifiers(db: Executor, typeIds: readonly string[]): Promise<Map<string, string[]>> {
    if (!typeIds.length) return new Map();
    const rows = await q(db)
      .selectFrom("billing_type_modifiers")
      .select(["appointment_type_id", "modifiers"])
      .where("appointment_type_id", "in", [...typeIds])
      .execute();
    return new Map(rows.map((r) => [r.appointment_type_id, r.modifiers]));
  },

  async setModifiers(db: Executor, typeId: string, modifiers: string[]): Promise<void> {
    await q(db)
      .insertInto("billing_type_modifiers")
      .values({ appointment_type_id: typeId, modifiers })
      .onConflict((oc) =>
        oc.column("appointment_type_id").doUpdateSet({ modifiers, updated_at: sql<Date>`now()` }),
      )
      .execute();
  },

  async nextControlNumber(db: Executor): Promise<number> {
    const r = await sql<{ n: string }>`SELECT nextval('billing_control_numbers')::text AS n`.execute(db);
    return Number(r.rows[0]!.n);
  },

  /**
   * Claims the range for this format: the new batch, or undefined when another request (this
   * replica's or another's) holds it; the conflict waits for that request's transaction to end.
   */
  async claimRange(
    db: Executor,
    row: {
      format: BatchRow["format"];
      from_date: string;
      to_date: string;
      control_number: number;
      created_by: string | null;
      region: string;
    },
  ): Promise<{ id: string } | undefined> {
    return q(db)
      .insertInto("billing_batches")
      .values(row)
      .onConflict((oc) => oc.columns(["format", "from_date", "to_date", "region"]).doNothing())
      .returning("id")
      .executeTakeFirst();
  },

  async batchOfRange(
    db: Executor,
    format: string,
    from: string,
    to: string,
    region: string,
  ): Promise<BatchSummaryRow | undefined> {
    return q(db)
      .selectFrom("billing_batches")
      .select(batchColumns)
      .where("format", "=", format as BatchRow["format"])
      .where("from_date", "=", from)
      .where("to_date", "=", to)
      .where("region", "=", region)
      .executeTakeFirst();
  },

  /** The charges not yet claimed in this format: the ones this insert claimed come back. */
  async claimCharges(db: Executor, rows: readonly NewCharge[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const claimed = await q(db)
      .insertInto("billing_charges")
      .values([...rows])
      .onConflict((oc) => oc.columns(["appointment_id", "format"]).doNothing())
      .returning("appointment_id")
      .execute();
    return new Set(claimed.map((r) => r.appointment_id));
  },

  async finish(
    db: Executor,
    id: string,
    done: {
      claim_count: number;
      total_cents: number;
      skipped: BatchRow["skipped"];
      content: string;
      content_sha256: string;
    },
  ): Promise<BatchSummaryRow> {
    return q(db)
      .updateTable("billing_batches")
      .set({ ...done, skipped: JSON.stringify(done.skipped) as unknown as BatchRow["skipped"] })
      .where("id", "=", id)
      .returning(batchColumns)
      .executeTakeFirstOrThrow();
  },

  async list(
    db: Executor,
    f: { format?: string | undefined; limit: number; offset: number },
  ): Promise<{ rows: BatchSummaryRow[]; total: number }> {
    let base = q(db).selectFrom("billing_batches");
    if (f.format) base = base.where("format", "=", f.format as BatchRow["format"]);
    const [rows, total] = await Promise.all([
      base
        .select(batchColumns)
        .orderBy("created_at", "desc")
        .orderBy("id")
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      base.select(sql<string>`count(*)::text`.as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  async get(db: Executor, id: string): Promise<BatchSummaryRow | undefined> {
    return q(db).selectFrom("billing_batches").select(batchColumns).where("id", "=", id).executeTakeFirst();
  },

  async content(
    db: Executor,
    id: string,
  ): Promise<{ format: BatchRow["format"]; content: string } | undefined> {
    return q(db)
      .selectFrom("billing_batches")
      .select(["format", "content"])
      .where("id", "=", id)
      .executeTakeFirst();
  },

  async chargesOf(db: Executor, appointmentId: string) {
    return q(db)
      .selectFrom("billing_charges as c")
      .innerJoin("billing_batches as b", "b.id", "c.batch_id")
      .select([
        "c.format",
        "c.batch_id",
        "b.created_at",
        "c.procedure_code",
        "c.modifiers",
        "c.place_of_service",
        "c.amount_cents",
      ])
      .where("c.appointment_id", "=", appointmentId)
      .orderBy("b.created_at")
      .execute();
  },
};
