/**
 * The worklist's entries: the booked and checked-in appointments of types that need a modality,
 * each with its patient, performing physician, room and station, its accession number and study
 * UID (given on first sight and kept), and its start at the location's local time.
 */
import { Temporal } from "temporal-polyfill";
import type { Executor } from "../../platform/db.js";
import { networkSnapshot } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { physicianService } from "../../services/physicians/index.js";
import {
  appointmentTypeCatalog,
  type ScheduledVisit,
  scheduledVisits,
} from "../../services/scheduling/index.js";
import { dicomRepository as repo } from "./repository.js";
import { personName, SEX_CODE, type WorklistEntry } from "./worklist.js";

/** The most entries one query reads (a day of a busy radiology department is far fewer). */
export const MAX_ENTRIES = 1000;

export interface EntryWindow {
  /** Locations to read; undefined: the whole network. */
  locationIds?: string[] | undefined;
  from: Date;
  to: Date;
}

export async function readEntries(
  ex: Executor,
  window: EntryWindow,
): Promise<Array<WorklistEntry & { visit: ScheduledVisit }>> {
  const modalities = await repo.typeModalities(ex);
  const visits = await scheduledVisits(ex, {
    appointmentTypeIds: [...modalities.keys()],
    locationIds: window.locationIds,
    from: window.from,
    to: window.to,
    limit: MAX_ENTRIES,
  });
  if (visits.length === 0) return [];
  const [snapshot, stations, procedures, types] = await Promise.all([
    networkSnapshot(ex),
    repo.stations(ex, [...new Set(visits.map((v) => v.locationId))]),
    repo.proceduresFor(
      ex,
      visits.map((v) => v.id),
    ),
    appointmentTypeCatalog.byIds(ex, [...new Set(visits.map((v) => v.appointmentTypeId))]),
  ]);
  const zoneOf = new Map(snapshot.locations.map((l) => [l.id, l.timeZone]));
  const roomName = new Map(snapshot.rooms.map((r) => [r.id, r.name]));
  const stationOf = new Map(stations.map((s) => [s.room_id, s]));
  const typeName = new Map(types.map((t) => [t.id, t.name]));
  const people = new Map<
    string,
    Promise<{ name: string; mrn: string; birthDate: string | null; sex: string }>
  >();
  const patientOf = (id: string) => {
    let p = people.get(id);
    if (!p) {
      p = patientService.get(ex, id).then((r) => ({
        name: personName(r.familyName, r.givenName),
        mrn: r.mrn,
        birthDate: r.birthDate ? r.birthDate.replace(/-/g, "") : null,
        sex: SEX_CODE[r.sex] ?? "O",
      }));
      people.set(id, p);
    }
    return p;
  };
  const physicians = new Map<string, Promise<string>>();
  const physicianOf = (id: string) => {
    let p = physicians.get(id);
    if (!p) {
      p = physicianService.get(ex, id).then((r) => personName(r.familyName, r.givenName));
      physicians.set(id, p);
    }
    return p;
  };
  const out: Array<WorklistEntry & { visit: ScheduledVisit }> = [];
  for (const v of visits) {
    const local = Temporal.Instant.fromEpochMilliseconds(v.start.getTime()).toZonedDateTimeISO(
      zoneOf.get(v.locationId) ?? "UTC",
    );
    const station = v.roomId ? stationOf.get(v.roomId) : undefined;
    const procedure = procedures.get(v.id)!;
    out.push({
      visit: v,
      appointmentId: v.id,
      accessionNumber: procedure.accession_number,
      studyInstanceUid: procedure.study_uid,
      patient: await patientOf(v.patientId),
      procedure: (typeName.get(v.appointmentTypeId) ?? "Imaging").slice(0, 64),
      modality: modalities.get(v.appointmentTypeId)!,
      stationAeTitle: station?.ae_title ?? null,
      room: v.roomId ? (roomName.get(v.roomId)?.slice(0, 16) ?? null) : null,
      startDate: local.toPlainDate().toString().replace(/-/g, ""),
      startTime: `${pad(local.hour)}${pad(local.minute)}${pad(local.second)}`,
      performingPhysician: await physicianOf(v.physicianId),
    });
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");
