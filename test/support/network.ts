import { Temporal } from "temporal-polyfill";
import type { Rounds } from "../../src/server.js";
import { asAdmin, type Client, clientOf } from "./auth.js";
import { createLocation } from "./fixtures.js";
import { unique } from "./rounds.js";

/** A small clinic network of its own for one test: two locations, one travelling physician. */
export interface ClinicNetwork {
  admin: Client;
  specialty: string;
  main: { id: string; roomIds: string[] };
  satellite: { id: string; roomIds: string[] };
  physicianId: string;
  appointmentTypeId: string;
  patientId: string;
  /** The next Monday at least 2 days ahead, as YYYY-MM-DD in New York. */
  monday: string;
  /** Instant of a local New York wall-clock time on `monday` plus `dayOffset`. */
  at(localTime: string, dayOffset?: number): string;
}

async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, expected = 201): Promise<T> {
  if (res.statusCode !== expected) throw new Error(`fixture: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

export async function createPatient(admin: Client, overrides: Record<string, unknown> = {}): Promise<string> {
  const p = await ok<{ id: string }>(
    await admin.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: {
        mrn: `T-${unique(10)}`,
        givenName: "Test",
        familyName: `Patient${unique(4)}`,
        birthDate: "1980-05-05",
        sex: "female",
        address: {
          line: "5 Elm St",
          city: "Riverton",
          region: "NY",
          postalCode: "10001",
          latitude: 40.74,
          longitude: -73.98,
        },
        ...overrides,
      },
    }),
  );
  return p.id;
}

/** A physician of `specialty` working these hours every weekday; returns the id. */
export async function addPhysician(
  admin: Client,
  specialty: string,
  hours: Array<{ locationId: string; startTime: string; endTime: string; onSite?: boolean }>,
): Promise<string> {
  const physician = await ok<{ id: string }>(
    await admin.inject({
      method: "POST",
      url: "/api/v1/physicians",
      payload: {
        npi: `9${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`,
        givenName: "Ada",
        familyName: `Rotor${unique(4)}`,
        primarySpecialty: specialty,
      },
    }),
  );
  for (const weekday of [1, 2, 3, 4, 5]) {
    for (const h of hours) {
      await ok(
        await admin.inject({
          method: "POST",
          url: `/api/v1/physicians/${physician.id}/templates`,
          payload: { ...h, weekday, effectiveFrom: "2020-01-01" },
        }),
      );
    }
  }
  return physician.id;
}

export async function buildClinicNetwork(
  rounds: Rounds,
  opts: {
    travelMinutes?: number;
    roomsPerLocation?: number;
    satelliteStart?: string;
    /** The physician's blocks are marked "on site for the whole block". */
    onSite?: boolean;
    /** Of the network's appointment type; 30 unless given. */
    durationMinutes?: number;
  } = {},
): Promise<ClinicNetwork> {
  const admin = clientOf(rounds, await asAdmin(rounds));
  const specialty = `spec_${unique(8).toLowerCase()}`;
  await ok(
    await admin.inject({
      method: "POST",
      url: "/api/v1/specialties",
      payload: { code: specialty, name: `Specialty ${specialty}` },
    }),
  );
  const main = await createLocation(rounds, { kind: "main_campus", latitude: 40.75, longitude: -73.99 });
  const satellite = await createLocation(rounds, { kind: "satellite", latitude: 40.85, longitude: -73.88 });
  await ok(
    await admin.inject({
      method: "PUT",
      url: "/api/v1/travel-times",
      payload: { fromLocationId: main.id, toLocationId: satellite.id, minutes: opts.travelMinutes ?? 30 },
    }),
    200,
  );
  const rooms = async (locationId: string) => {
    const ids: string[] = [];
    for (let i = 1; i <= (opts.roomsPerLocation ?? 2); i++) {
      const r = await ok<{ id: string }>(
        await admin.inject({
          method: "POST",
          url: `/api/v1/locations/${locationId}/rooms`,
          payload: { code: `EX${i}`, name: `Exam ${i}`, kind: "exam" },
        }),
      );
      ids.push(r.id);
    }
    return ids;
  };
  const type = await ok<{ id: string }>(
    await admin.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: {
        code: `T${unique(8)}`,
        name: "Consultation",
        specialty,
        durationMinutes: opts.durationMinutes ?? 30,
        slotIntervalMinutes: 15,
        roomKind: "exam",
        visitKind: "new",
        basePriceCents: 15000,
      },
    }),
  );
  const physicianId = await addPhysician(admin, specialty, [
    { locationId: main.id, startTime: "08:00", endTime: "12:00", onSite: opts.onSite ?? false },
    {
      locationId: satellite.id,
      startTime: opts.satelliteStart ?? "13:00",
      endTime: "17:00",
      onSite: opts.onSite ?? false,
    },
  ]);
  const patientId = await createPatient(admin);
  const today = Temporal.Now.plainDateISO("America/New_York");
  let monday = today.add({ days: 2 });
  while (monday.dayOfWeek !== 1) monday = monday.add({ days: 1 });
  return {
    admin,
    specialty,
    main: { id: main.id, roomIds: await rooms(main.id) },
    satellite: { id: satellite.id, roomIds: await rooms(satellite.id) },
    physicianId,
    appointmentTypeId: type.id,
    patientId,
    monday: monday.toString(),
    at(localTime: string, dayOffset = 0) {
      return Temporal.PlainDateTime.from(`${monday.add({ days: dayOffset }).toString()}T${localTime}`)
        .toZonedDateTime("America/New_York")
        .toInstant()
        .toString();
    },
  };
}

export interface OptionDto {
  id: string;
  physicianId: string;
  locationId: string;
  roomId: string | null;
  start: string;
  end: string;
  local: { date: string; time: string; timeZone: string };
  reasons: string[];
}

/** Options for the network's appointment type within one local day. */
export async function optionsOn(
  net: ClinicNetwork,
  client: Client,
  dayOffset = 0,
  extra = "",
): Promise<OptionDto[]> {
  const res = await client.inject({
    url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&from=${encodeURIComponent(net.at("00:00", dayOffset))}&to=${encodeURIComponent(net.at("23:59", dayOffset))}&limit=200${extra}`,
  });
  if (res.statusCode !== 200) throw new Error(`availability: ${res.statusCode} ${res.body}`);
  return (res.json() as { options: OptionDto[] }).options;
}

/** Two networks whose main campuses are an hour's drive apart (each way). */
export async function campusesAnHourApart(rounds: Rounds): Promise<[ClinicNetwork, ClinicNetwork]> {
  const first = await buildClinicNetwork(rounds);
  const second = await buildClinicNetwork(rounds);
  for (const [from, to] of [
    [first.main.id, second.main.id],
    [second.main.id, first.main.id],
  ]) {
    await ok(
      await first.admin.inject({
        method: "PUT",
        url: "/api/v1/travel-times",
        payload: { fromLocationId: from, toLocationId: to, minutes: 60 },
      }),
      200,
    );
  }
  return [first, second];
}
