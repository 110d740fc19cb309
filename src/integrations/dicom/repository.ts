/** SQL of the DICOM adapter's own tables (migrations/0051_dicom.sql). */
import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { accessionNumberOf, uuidToUid } from "./worklist.js";

export type DicomTables = {
  dicom_location_aets: { location_id: string; ae_title: string; updated_at: Generated<Date> };
  dicom_type_modalities: { appointment_type_id: string; modality: string; updated_at: Generated<Date> };
  dicom_stations: {
    room_id: string;
    location_id: string;
    ae_title: string;
    modality: string;
    updated_at: Generated<Date>;
  };
  dicom_procedures: {
    appointment_id: string;
    accession_number: string;
    study_uid: string;
    created_at: Generated<Date>;
  };
  dicom_performed_steps: {
    sop_instance_uid: string;
    appointment_id: string;
    status: "IN PROGRESS" | "COMPLETED" | "DISCONTINUED";
    calling_ae_title: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  dicom_queries: {
    id: Generated<string>;
    at: Generated<Date>;
    calling_ae_title: string;
    called_ae_title: string;
    location_id: string | null;
    peer: string;
    keys: Record<string, string>;
    matches: number;
    outcome: "answered" | "failed";
  };
};
export type StationRow = Selectable<DicomTables["dicom_stations"]>;
export type ProcedureRow = Selectable<DicomTables["dicom_procedures"]>;
export type QueryRow = Selectable<DicomTables["dicom_queries"]>;
export type PerformedStepRow = Selectable<DicomTables["dicom_performed_steps"]>;

const q = (db: Executor) => db.withTables<DicomTables>();

export const dicomRepository = {
  async locationAeTitles(db: Executor): Promise<Map<string, string>> {
    const rows = await q(db).selectFrom("dicom_location_aets").select(["location_id", "ae_title"]).execute();
    return new Map(rows.map((r) => [r.location_id, r.ae_title]));
  },
  async setLocationAeTitle(db: Executor, locationId: string, aeTitle: string | null): Promise<void> {
    if (aeTitle === null) {
      await q(db).deleteFrom("dicom_location_aets").where("location_id", "=", locationId).execute();
      return;
    }
    await q(db)
      .insertInto("dicom_location_aets")
      .values({ location_id: locationId, ae_title: aeTitle })
      .onConflict((oc) => oc.column("location_id").doUpdateSet({ ae_title: aeTitle, updated_at: sql`now()` }))
      .execute();
  },
  async typeModalities(db: Executor): Promise<Map<string, string>> {
    const rows = await q(db)
      .selectFrom("dicom_type_modalities")
      .select(["appointment_type_id", "modality"])
      .execute();
    return new Map(rows.map((r) => [r.appointment_type_id, r.modality]));
  },
  async setTypeModality(db: Executor, typeId: string, modality: string | null): Promise<void> {
    if (modality === null) {
      await q(db).deleteFrom("dicom_type_modalities").where("appointment_type_id", "=", typeId).execute();
      return;
    }
    await q(db)
      .insertInto("dicom_type_modalities")
      .values({ appointment_type_id: typeId, modality })
      .onConflict((oc) => oc.column("appointment_type_id").doUpdateSet({ modality, updated_at: sql`now()` }))
      .execute();
  },
  /** Stations at these locations (undefined: every location). */
  stations(db: Executor, locationIds?: readonly string[]): Promise<StationRow[]> {
    let query = q(db).selectFrom("dicom_stations").selectAll();
    if (locationIds) query = query.where("location_id", "in", locationIds.length ? locationIds : [""]);
    return query.orderBy("ae_title").execute();
  },
  async stationByAeTitle(db: Executor, aeTitle: string): Promise<StationRow | undefined> {
    return q(db).selectFrom("dicom_stations").selectAll().where("ae_title", "=", aeTitle).executeTakeFirst();
  },
  async setStation(
    db: Executor,
    row: { room_id: string; location_id: string; ae_title: string; modality: string },
  ): Promise<void> {
    await q(db)
      .insertInto("dicom_stations")
      .values(row)
      .onConflict((oc) =>
        oc
          .column("room_id")
          .doUpdateSet({ ae_title: row.ae_title, modality: row.modality, updated_at: sql`now()` }),
      )
      .execute();
  },
  async removeStation(db: Executor, roomId: string): Promise<boolean> {
    const r = await q(db).deleteFrom("dicom_stations").where("room_id", "=", roomId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
  /** Each appointment's accession number and study UID, given now to those that have none yet. */
  async proceduresFor(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, ProcedureRow>> {
    if (appointmentIds.length === 0) return new Map();
    const known = await q(db)
      .selectFrom("dicom_procedures")
      .selectAll()
      .where("appointment_id", "in", appointmentIds)
      .execute();
    const have = new Set(known.map((r) => r.appointment_id));
    const missing = appointmentIds.filter((id) => !have.has(id));
    if (missing.length) {
      const seqs = await sql<{ n: string }>`
        SELECT nextval('dicom_accession_seq')::text AS n FROM generate_series(1, ${missing.length})`.execute(
        db,
      );
      const rows = missing.map((id, i) => ({
        appointment_id: id,
        accession_number: accessionNumberOf(Number(seqs.rows[i]!.n)),
        study_uid: uuidToUid(id),
      }));
      // a concurrent query may have given some meanwhile: theirs stand
      await q(db)
        .insertInto("dicom_procedures")
        .values(rows)
        .onConflict((oc) => oc.column("appointment_id").doNothing())
        .execute();
      known.push(
        ...(await q(db)
          .selectFrom("dicom_procedures")
          .selectAll()
          .where("appointment_id", "in", missing)
          .execute()),
      );
    }
    return new Map(known.map((r) => [r.appointment_id, r]));
  },
  /** The appointment an accession number or study UID names (MPPS names its scheduled step by them). */
  async procedureBy(
    db: Executor,
    by: { accessionNumber?: string | undefined; studyUid?: string | undefined },
  ): Promise<ProcedureRow | undefined> {
    if (by.accessionNumber)
      return q(db)
        .selectFrom("dicom_procedures")
        .selectAll()
        .where("accession_number", "=", by.accessionNumber)
        .executeTakeFirst();
    if (by.studyUid)
      return q(db)
        .selectFrom("dicom_procedures")
        .selectAll()
        .where("study_uid", "=", by.studyUid)
        .executeTakeFirst();
    return undefined;
  },
  performedStep(db: Executor, uid: string): Promise<PerformedStepRow | undefined> {
    return q(db)
      .selectFrom("dicom_performed_steps")
      .selectAll()
      .where("sop_instance_uid", "=", uid)
      .forUpdate()
      .executeTakeFirst();
  },
  async insertPerformedStep(
    db: Executor,
    row: { sop_instance_uid: string; appointment_id: string; calling_ae_title: string },
  ): Promise<boolean> {
    const r = await q(db)
      .insertInto("dicom_performed_steps")
      .values({ ...row, status: "IN PROGRESS" })
      .onConflict((oc) => oc.column("sop_instance_uid").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  async setPerformedStatus(db: Executor, uid: string, status: PerformedStepRow["status"]): Promise<void> {
    await q(db)
      .updateTable("dicom_performed_steps")
      .set({ status, updated_at: sql`now()` })
      .where("sop_instance_uid", "=", uid)
      .execute();
  },
  async logQuery(
    db: Executor,
    row: Omit<DicomTables["dicom_queries"], "id" | "at"> & { at: Date },
  ): Promise<void> {
    await q(db)
      .insertInto("dicom_queries")
      .values({ ...row, keys: JSON.stringify(row.keys) as unknown as Record<string, string> })
      .execute();
  },
  /** The latest queries through a location's AE title (undefined: through the network's). */
  lastQueries(db: Executor, locationId: string | null, limit: number): Promise<QueryRow[]> {
    let query = q(db).selectFrom("dicom_queries").selectAll();
    query = locationId ? query.where("location_id", "=", locationId) : query.where("location_id", "is", null);
    return query.orderBy("at", "desc").limit(limit).execute();
  },
};
