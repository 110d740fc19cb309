/** Reads shared by every screen, cached by react-query so a name is fetched once per session. */
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, type Page } from "./api.js";
import type { AppointmentType, Location, Me, Patient, Physician, Specialty } from "./types.js";

const LONG = 5 * 60_000;

export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await api.get<Me>("/api/v1/auth/me");
      } catch (err) {
        if (err instanceof Error && "status" in err && (err as { status: number }).status === 401)
          return null;
        throw err;
      }
    },
    staleTime: LONG,
    retry: false,
  });
}

/** Every location of the network (public), by id. */
export function useLocations() {
  const q = useQuery({
    queryKey: ["locations"],
    queryFn: () => api.get<Page<Location>>("/api/v1/locations", { limit: 500 }),
    staleTime: LONG,
  });
  const byId = new Map((q.data?.items ?? []).map((l) => [l.id, l]));
  return { ...q, locations: q.data?.items ?? [], byId };
}

export function useSpecialties() {
  return useQuery({
    queryKey: ["specialties"],
    queryFn: () => api.get<Page<Specialty>>("/api/v1/specialties", { limit: 500 }),
    staleTime: LONG,
  });
}

export function useAppointmentTypes(specialty?: string | null) {
  const q = useQuery({
    queryKey: ["appointment-types", specialty ?? null],
    queryFn: () =>
      api.get<Page<AppointmentType>>("/api/v1/appointment-types", {
        limit: 500,
        specialty: specialty ?? undefined,
        active: "true",
      }),
    staleTime: LONG,
  });
  const byId = new Map((q.data?.items ?? []).map((t) => [t.id, t]));
  return { ...q, types: q.data?.items ?? [], byId };
}

export function usePhysician(id: string | null | undefined) {
  return useQuery({
    queryKey: ["physician", id],
    queryFn: () => api.get<Physician>(`/api/v1/physicians/${id}`),
    enabled: !!id,
    staleTime: LONG,
  });
}

export function usePhysicians(
  filter: { specialty?: string | undefined; locationId?: string | undefined } = {},
) {
  return useQuery({
    queryKey: ["physicians", filter],
    queryFn: () => api.get<Page<Physician>>("/api/v1/physicians", { limit: 500, active: "true", ...filter }),
    staleTime: LONG,
  });
}

/** Names for many physicians at once; each is fetched once and shared. */
export function usePhysicianNames(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["physician", id],
      queryFn: () => api.get<Physician>(`/api/v1/physicians/${id}`),
      staleTime: LONG,
    })),
  });
  return new Map(
    results.flatMap((r) => (r.data ? [[r.data.id, physicianName(r.data)] as [string, string]] : [])),
  );
}

export function usePatient(id: string | null | undefined) {
  return useQuery({
    queryKey: ["patient", id],
    queryFn: () => api.get<Patient>(`/api/v1/patients/${id}`),
    enabled: !!id,
    staleTime: 60_000,
  });
}

/** Patient names for a list of appointments; every read is audited on the server. */
export function usePatientNames(ids: readonly string[]): Map<string, Patient> {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["patient", id],
      queryFn: () => api.get<Patient>(`/api/v1/patients/${id}`),
      staleTime: 60_000,
      retry: false,
    })),
  });
  return new Map(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as [string, Patient]] : [])));
}

export const physicianName = (p: Pick<Physician, "title" | "givenName" | "familyName">): string =>
  `${p.givenName} ${p.familyName}, ${p.title}`;

export const patientName = (p: Pick<Patient, "givenName" | "familyName">): string =>
  `${p.givenName} ${p.familyName}`;
