/**
 * The DICOM adapter's operations. For people (routes.ts): a location's worklist state, and the
 * settings administrators change (the location's AE title, its imaging stations, each appointment
 * type's modality), each authorized through the policy table, audited, in its own transaction.
 * For modalities (scp.ts): answering a worklist C-FIND (logged and audited as the "DICOM
 * modality", a system actor of its own role) and the performed procedure steps of MPPS (mpps.ts).
 */
import { Temporal } from "temporal-polyfill";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { DicomConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import { locationService } from "../../services/locations/index.js";
import { appointmentTypeCatalog } from "../../services/scheduling/index.js";
import { type Peer, readDirectory } from "./directory.js";
import { readEntries } from "./entries.js";
import { dicomRepository as repo } from "./repository.js";
import type { ImagingState, Modality, Station, WorklistEntryDto } from "./schema.js";
import {
  type DateRange,
  defaultLocationAeTitle,
  matches,
  parseDateKey,
  readKeys,
  toIdentifier,
  type WorklistEntry,
} from "./worklist.js";

/** The user id a modality's worklist queries and procedure steps are audited under. */
export const DICOM_MODALITY_USER = "00000000-0000-4000-8000-0000000000d1";

export function modalityActor(peer: Peer, locationIds: string[]): Actor {
  return {
    userId: DICOM_MODALITY_USER,
    role: "modality",
    email: "dicom-modality@rounds.invalid",
    displayName: `DICOM modality ${peer.callingAeTitle}`,
    sessionId: "",
    patientId: null,
    patientIds: [],
    physicianId: null,
    locationIds,
    departmentIds: [],
    specialties: [],
    clientAddress: peer.address,
    requestId: `dicom:${peer.callingAeTitle}>${peer.calledAeTitle}`,
  };
}

export interface DicomDeps extends ServiceDeps {
  config: DicomConfig;
  /** The worklist's port once listening (undefined: off). */
  port: () => number | undefined;
}

const DAY_MS = 86_400_000;
/** How far an open date range (or no date at all) reaches, in days. */
const OPEN_RANGE_DAYS = 90;

const compact = (d: Temporal.PlainDate) => d.toString().replace(/-/g, "");
const plain = (yyyymmdd: string) =>
  Temporal.PlainDate.from(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`);

/**
 * The instants to read for a date range at any location: a day more on each side (local dates
 * differ from UTC's by at most 14 hours); entries are then matched on their local date.
 */
function instantsOf(range: DateRange | undefined, now: Date): { from: Date; to: Date } {
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO("UTC").toPlainDate();
  const from = range?.from
    ? plain(range.from)
    : range?.to
      ? plain(range.to).subtract({ days: OPEN_RANGE_DAYS })
      : today.subtract({ days: 1 });
  const to = range?.to ? plain(range.to) : from.add({ days: OPEN_RANGE_DAYS });
  const ms = (d: Temporal.PlainDate) => Date.parse(`${d.toString()}T00:00:00Z`);
  return { from: new Date(ms(from) - DAY_MS), to: new Date(ms(to) + 2 * DAY_MS) };
}

const toDto = (
  e: WorklistEntry & { visit: { start: Date; patientId: string; status: "booked" | "checked_in" } },
): WorklistEntryDto => ({
  appointmentId: e.appointmentId,
  accessionNumber: e.accessionNumber,
  studyInstanceUid: e.studyInstanceUid,
  modality: e.modality,
  stationAeTitle: e.stationAeTitle,
  start: e.visit.start.toISOString(),
  localDate: `${e.startDate.slice(0, 4)}-${e.startDate.slice(4, 6)}-${e.startDate.slice(6, 8)}`,
  localTime: `${e.startTime.slice(0, 2)}:${e.startTime.slice(2, 4)}`,
  procedure: e.procedure,
  patientId: e.visit.patientId,
  patientName: e.patient.name.replace("^", ", "),
  mrn: e.patient.mrn,
  status: e.visit.status,
});

export class WorklistRefusal extends Error {
  override name = "WorklistRefusal";
}

export function createDicom({ db, clock, policies, config, port }: DicomDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);

  async function stationsAt(tx: Executor, locationId: string): Promise<Station[]> {
    const [rows, rooms] = await Promise.all([
      repo.stations(tx, [locationId]),
      locationService.roomsAt(tx, locationId),
    ]);
    const room = new Map(rooms.map((r) => [r.id, r]));
    return rows.map((s) => ({
      roomId: s.room_id,
      roomCode: room.get(s.room_id)?.code ?? "",
      roomName: room.get(s.room_id)?.name ?? "",
      aeTitle: s.ae_title,
      modality: s.modality,
    }));
  }

  async function audit(
    tx: Executor,
    actor: Actor,
    action: string,
    locationId: string | null,
    detail: object,
  ) {
    await auditService.record(tx, auditContextOf(actor), {
      action,
      resourceType: "location",
      resourceId: locationId,
      locationId,
      detail: detail as Record<string, unknown>,
    });
  }

  const service = {
    /** A location's worklist: its AE title, the port, its stations, today's entries and the last queries. */
    state: (actor: Actor, locationId: string): Promise<ImagingState> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "read_imaging", locationTarget(locationId, "params.id"));
        const location = await locationService.get(tx, locationId);
        const dir = await readDirectory(tx, config.aeTitle);
        const day = compact(
          Temporal.Instant.fromEpochMilliseconds(clock.now().getTime())
            .toZonedDateTimeISO(location.timeZone)
            .toPlainDate(),
        );
        const entries = (
          await readEntries(tx, {
            locationIds: [locationId],
            ...instantsOf({ from: day, to: day }, clock.now()),
          })
        ).filter((e) => e.startDate === day);
        const queries = await repo.lastQueries(tx, locationId, 20);
        await audit(tx, actor, "dicom.worklist.read", locationId, { entries: entries.length });
        return {
          locationId,
          aeTitle: dir.titleOf.get(locationId) ?? defaultLocationAeTitle(location.code),
          defaultAeTitle: defaultLocationAeTitle(location.code),
          networkAeTitle: config.aeTitle,
          port: port() ?? null,
          stations: await stationsAt(tx, locationId),
          today: entries.map(toDto),
          lastQueries: queries.map((q) => ({
            at: q.at.toISOString(),
            callingAeTitle: q.calling_ae_title,
            calledAeTitle: q.called_ae_title,
            peer: q.peer,
            keys: q.keys,
            matches: q.matches,
            outcome: q.outcome,
          })),
        };
      }),

    /** Sets (or clears, back to the default) the AE title a location's worklist answers to. */
    setLocationAeTitle: (actor: Actor, locationId: string, aeTitle: string | null): Promise<ImagingState> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "manage_imaging", locationTarget(locationId, "params.id"));
        const dir = await readDirectory(tx, config.aeTitle);
        const location = await locationService.get(tx, locationId);
        const wanted = aeTitle ?? defaultLocationAeTitle(location.code);
        const holder = dir.byTitle.get(wanted);
        if (holder !== undefined && holder !== locationId)
          throw problems.conflict(
            "ae_title_taken",
            holder === null
              ? "That is the network's AE title (ROUNDS_DICOM_AET)"
              : "Another location's worklist answers to that AE title",
            "body.aeTitle",
          );
        await repo.setLocationAeTitle(tx, locationId, aeTitle);
        await audit(tx, actor, "dicom.location_ae_title.set", locationId, { aeTitle: wanted });
      }).then(() => service.state(actor, locationId)),

    /** Registers a room of the location as an imaging station (its scanner's AE title and modality). */
    setStation: (
      actor: Actor,
      locationId: string,
      roomId: string,
      input: { aeTitle: string; modality: Modality },
    ): Promise<Station[]> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "manage_imaging", locationTarget(locationId, "params.id"));
        const room = await locationService.room(tx, roomId);
        if (!room || room.locationId !== locationId) throw problems.notFound("room", "params.roomId");
        const holder = await repo.stationByAeTitle(tx, input.aeTitle);
        if (holder && holder.room_id !== roomId)
          throw problems.conflict("ae_title_taken", "Another station has that AE title", "body.aeTitle");
        await repo.setStation(tx, {
          room_id: roomId,
          location_id: locationId,
          ae_title: input.aeTitle,
          modality: input.modality,
        });
        await audit(tx, actor, "dicom.station.set", locationId, { roomId, ...input });
        return stationsAt(tx, locationId);
      }),

    removeStation: (actor: Actor, locationId: string, roomId: string): Promise<Station[]> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "manage_imaging", locationTarget(locationId, "params.id"));
        const current = (await repo.stations(tx, [locationId])).find((s) => s.room_id === roomId);
        if (!current) throw problems.notFound("station", "params.roomId");
        await repo.removeStation(tx, roomId);
        await audit(tx, actor, "dicom.station.remove", locationId, { roomId, aeTitle: current.ae_title });
        return stationsAt(tx, locationId);
      }),

    /** Each appointment type's modality (route admission: staff and administrators). */
    typeModalities: async () => ({
      items: [...(await repo.typeModalities(db))].map(([appointmentTypeId, modality]) => ({
        appointmentTypeId,
        modality,
      })),
    }),

    /** Sets or clears an appointment type's modality (route admission: administrators). */
    setTypeModality: (actor: Actor, typeId: string, modality: Modality | null) =>
      inTransaction(async (tx) => {
        const [type] = await appointmentTypeCatalog.byIds(tx, [typeId]);
        if (!type) throw problems.notFound("appointment type", "params.id");
        await repo.setTypeModality(tx, typeId, modality);
        await auditService.record(tx, auditContextOf(actor), {
          action: "dicom.type_modality.set",
          resourceType: "appointment_type",
          resourceId: typeId,
          detail: { modality },
        });
        return { appointmentTypeId: typeId, modality };
      }),

    /**
     * Answers a worklist C-FIND: the identifiers of the matching entries, logged for the staff
     * screen and audited (patient data leaves Rounds). A malformed date key is refused.
     */
    async find(peer: Peer, elements: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
      const keys = readKeys(elements);
      const dates = keys.startDate === undefined ? undefined : parseDateKey(keys.startDate);
      const now = clock.now();
      if (keys.startDate !== undefined && !dates) {
        await repo.logQuery(db, {
          at: now,
          calling_ae_title: peer.callingAeTitle,
          called_ae_title: peer.calledAeTitle,
          location_id: peer.locationId,
          peer: peer.address.slice(0, 100),
          keys: { ...keys },
          matches: 0,
          outcome: "failed",
        });
        throw new WorklistRefusal("ScheduledProcedureStepStartDate: not a DICOM date or date range");
      }
      return inTransaction(async (tx) => {
        const entries = (
          await readEntries(tx, {
            locationIds: peer.locationId ? [peer.locationId] : undefined,
            ...instantsOf(dates, now),
          })
        ).filter((e) => matches(e, keys, dates));
        await repo.logQuery(tx, {
          at: now,
          calling_ae_title: peer.callingAeTitle,
          called_ae_title: peer.calledAeTitle,
          location_id: peer.locationId,
          peer: peer.address.slice(0, 100),
          keys: { ...keys },
          matches: entries.length,
          outcome: "answered",
        });
        const actor = modalityActor(peer, peer.locationId ? [peer.locationId] : []);
        await auditService.record(tx, auditContextOf(actor), {
          action: "dicom.worklist.query",
          resourceType: "appointment",
          locationId: peer.locationId,
          patientId:
            new Set(entries.map((e) => e.visit.patientId)).size === 1 ? entries[0]!.visit.patientId : null,
          detail: { keys, ids: entries.map((e) => e.appointmentId) },
        });
        return entries.map(toIdentifier);
      });
    },
  };
  return service;
}
export type DicomService = ReturnType<typeof createDicom>;
