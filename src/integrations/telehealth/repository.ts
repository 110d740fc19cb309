import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";

// A type alias (not an interface) so Kysely can index it.
export type TelehealthTables = {
  telehealth_links: {
    id: Generated<string>;
    appointment_id: string;
    provider: string;
    join_url: string;
    token: string;
    issued_at: Generated<Date>;
    moved_at: Date | null;
    revoked_at: Date | null;
  };
};

export type LinkRow = Selectable<TelehealthTables["telehealth_links"]>;

const q = (db: Executor) => db.withTables<TelehealthTables>();

export const linkRepository = {
  async insert(
    db: Executor,
    row: { appointment_id: string; provider: string; join_url: string; token: string },
  ): Promise<LinkRow> {
    return q(db).insertInto("telehealth_links").values(row).returningAll().executeTakeFirstOrThrow();
  },

  /** The link an appointment carries, revoked or not. */
  async ofAppointment(db: Executor, appointmentId: string): Promise<LinkRow | undefined> {
    return q(db)
      .selectFrom("telehealth_links")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirst();
  },

  async byToken(db: Executor, token: string): Promise<LinkRow | undefined> {
    return q(db).selectFrom("telehealth_links").selectAll().where("token", "=", token).executeTakeFirst();
  },

  /** Hands a live link to the appointment a visit was moved to. */
  async move(db: Executor, fromAppointmentId: string, toAppointmentId: string): Promise<LinkRow | undefined> {
    return q(db)
      .updateTable("telehealth_links")
      .set({ appointment_id: toAppointmentId, moved_at: sql<Date>`now()` })
      .where("appointment_id", "=", fromAppointmentId)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst();
  },

  async revoke(db: Executor, appointmentId: string): Promise<LinkRow | undefined> {
    return q(db)
      .updateTable("telehealth_links")
      .set({ revoked_at: sql<Date>`now()` })
      .where("appointment_id", "=", appointmentId)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst();
  },
};
