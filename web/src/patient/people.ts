/** The people a patient user acts for: themself and, as a guardian, their dependents. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { patientName, usePatient } from "../shared/queries.js";
import type { Family, Me } from "../shared/types.js";

export interface Person {
  patientId: string;
  name: string;
  /** "you", or the relationship for a dependent. */
  relation: string;
}

export function usePeople(me: Me): { people: Person[]; isPending: boolean; error: unknown } {
  const self = usePatient(me.patientId);
  const family = useQuery({
    queryKey: ["family", me.patientId],
    queryFn: () => api.get<Family>(`/api/v1/patients/${me.patientId}/family`),
    enabled: !!me.patientId,
  });
  const people: Person[] = [];
  if (me.patientId)
    people.push({
      patientId: me.patientId,
      name: self.data ? patientName(self.data) : me.displayName,
      relation: "you",
    });
  const dependents = family.data?.dependents ?? [];
  for (const d of dependents) {
    const name = `${d.givenName} ${d.familyName}`;
    // two children may share a name: the birth date tells them apart
    const twin = dependents.some((o) => o !== d && `${o.givenName} ${o.familyName}` === name);
    people.push({
      patientId: d.patientId,
      name: twin ? `${name} (born ${d.birthDate})` : name,
      relation: d.relationship,
    });
  }
  return { people, isPending: self.isPending || family.isPending, error: self.error ?? family.error };
}
