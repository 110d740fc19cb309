import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import type { ServiceDeps } from "../../platform/module.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import {
  type AppointmentTypeRow,
  type NewAppointmentTypeRow,
  catalogRepository as repo,
} from "./catalog.repository.js";
import type {
  AppointmentType,
  AppointmentTypeInput,
  AppointmentTypePatch,
  AppointmentTypeQuery,
} from "./catalog.schema.js";

registerConstraint(
  "appointment_types_code_key",
  "body.code",
  "an appointment type with this code already exists",
);
registerConstraint("appointment_types_specialty_fk", "body.specialty", "no such specialty");
registerConstraint(
  "appointment_types_code_format",
  "body.code",
  "must be 2-32 upper-case letters, digits, dashes or underscores",
);
registerConstraint("appointment_types_duration_range", "body.durationMinutes", "must be 5 to 480 minutes");
registerConstraint(
  "appointment_types_interval_range",
  "body.slotIntervalMinutes",
  "must be 5 to 240 minutes",
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toAppointmentType(r: AppointmentTypeRow): AppointmentType {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    specialty: r.specialty,
    durationMinutes: r.duration_minutes,
    slotIntervalMinutes: r.slot_interval_minutes,
    roomKind: r.room_kind as AppointmentType["roomKind"],
    equipmentKinds: r.equipment_kinds,
    telehealthAllowed: r.telehealth_allowed,
    visitKind: r.visit_kind as AppointmentType["visitKind"],
    basePriceCents: r.base_price_cents,
    billingCode: r.billing_code,
    active: r.active,
    reminderHours: r.reminder_hours,
    createdAt: toIso(r.created_at),
  };
}

function appointmentTypeColumns(t: AppointmentTypePatch): Partial<NewAppointmentTypeRow> {
  const row: Partial<NewAppointmentTypeRow> = {
    code: t.code,
    name: t.name,
    specialty: t.specialty,
    duration_minutes: t.durationMinutes,
    slot_interval_minutes: t.slotIntervalMinutes,
    room_kind: t.roomKind,
    equipment_kinds: t.equipmentKinds === undefined ? undefined : [...new Set(t.equipmentKinds)],
    telehealth_allowed: t.telehealthAllowed,
    visit_kind: t.visitKind,
    base_price_cents: t.basePriceCents,
    billing_code: t.billingCode,
    active: t.active,
    // one reminder per distinct hour, earliest first
    reminder_hours: t.reminderHours ? [...new Set(t.reminderHours)].sort((a, b) => b - a) : t.reminderHours,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
}

/** A visit held in a telehealth room is a video visit, so the type must allow telehealth. */
function checkConsistent(t: Pick<AppointmentType, "roomKind" | "telehealthAllowed">): void {
  if (t.roomKind === "telehealth" && !t.telehealthAllowed) {
    throw problems.invalid(
      "body.telehealthAllowed",
      "a type booked into telehealth rooms must allow telehealth",
    );
  }
}

async function requireAppointmentType(db: Executor, id: string, field = "params.id", forUpdate = false) {
  const row = await repo.get(db, id, forUpdate);
  if (!row) throw problems.notFound("appointment type", field);
  return row;
}

/** The operations on the db or transaction they are given; the factory below owns the transaction. */
const records = {
  async list(db: Executor, query: AppointmentTypeQuery): Promise<Page<AppointmentType>> {
    const { rows, total } = await repo.list(db, query);
    return { items: rows.map(toAppointmentType), total, limit: query.limit, offset: query.offset };
  },
  /** The type, or a 404 naming `field` (other modules pass e.g. `body.appointmentTypeId`). */
  async get(db: Executor, id: string, field = "params.id"): Promise<AppointmentType> {
    return toAppointmentType(await requireAppointmentType(db, id, field));
  },
  async create(db: Executor, input: AppointmentTypeInput): Promise<AppointmentType> {
    checkConsistent(input);
    const row = await repo.insert(db, {
      ...appointmentTypeColumns(input),
      code: input.code,
      name: input.name,
      specialty: input.specialty,
      duration_minutes: input.durationMinutes,
      visit_kind: input.visitKind,
    });
    return toAppointmentType(row);
  },
  async update(db: Executor, id: string, patch: AppointmentTypePatch): Promise<AppointmentType> {
    const current = toAppointmentType(await requireAppointmentType(db, id, "params.id", true));
    checkConsistent({ ...current, ...patch });
    const columns = appointmentTypeColumns(patch);
    if (Object.keys(columns).length === 0) return current;
    const row = await repo.update(db, id, columns);
    if (!row) throw problems.notFound("appointment type");
    return toAppointmentType(row);
  },

  /** The subset of `ids` that name existing appointment types (anything not a UUID names none). */
  async existing(db: Executor, ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
    const rows = await repo.byIds(db, wanted);
    const found = new Set(rows.map((r) => r.id));
    return wanted.filter((id) => found.has(id));
  },
  async byIds(db: Executor, ids: readonly string[]): Promise<AppointmentType[]> {
    const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
    return (await repo.byIds(db, wanted)).map(toAppointmentType);
  },
};

/** The catalogue as the rest of scheduling and other modules see it; the db or transaction comes first. */
export const appointmentTypeCatalog = {
  existing: records.existing,
  get: records.get,
  byIds: records.byIds,
};

/**
 * The appointment-type catalogue: anyone reads it; administrators (route admission) add and change
 * types, each change in its own transaction.
 */
export function createCatalog({ db }: Pick<ServiceDeps, "db">) {
  return {
    /** Reads for other services, inside their own transactions. */
    lookup: appointmentTypeCatalog,
    list: (query: AppointmentTypeQuery) => records.list(db, query),
    get: (id: string) => records.get(db, id),
    create: (input: AppointmentTypeInput) => db.transaction().execute((tx) => records.create(tx, input)),
    update: (id: string, patch: AppointmentTypePatch) =>
      db.transaction().execute((tx) => records.update(tx, id, patch)),
  };
}

/** The catalogue service as the composition root wires it. */
export type Catalog = ReturnType<typeof createCatalog>;
