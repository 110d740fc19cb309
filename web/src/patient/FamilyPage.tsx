/**
 * Family visits: a guardian picks who comes and what each needs, sees trips (everyone at one
 * location on one day, the visits back to back or side by side) and holds a trip's appointments
 * together, then confirms them all at once. The result page lists every appointment booked.
 */
import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Grid,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, type FieldErrors, fieldErrorsOf } from "../shared/api.js";
import { useAppointmentTypes, useLocations, useSpecialties } from "../shared/queries.js";
import { type DateRange, DateRangeField, LocationsField, SpecialtyField } from "../shared/SearchFields.js";
import { addDays, todayIn, viewerZone, zonedInstant } from "../shared/time.js";
import type { Appointment, FamilyAppointments, FamilySearchResult, FamilyTrip, Me } from "../shared/types.js";
import { ErrorAlert, Loading, PageTitle } from "../shared/ui.js";
import { HeldTrip, Trips } from "./FamilyTrips.js";
import { usePeople } from "./people.js";

/** The longest window a family search covers (the API's own limit). */
const MAX_WINDOW_DAYS = 14;
const GAPS = [
  { value: "0", label: "Back to back" },
  { value: "15", label: "Up to 15 minutes" },
  { value: "30", label: "Up to 30 minutes" },
  { value: "60", label: "Up to an hour" },
];

interface Need {
  include: boolean;
  specialty: string | null;
  typeId: string | null;
}

interface SearchBody {
  members: Array<{ patientId: string; appointmentTypeId: string; specialty: string }>;
  from: string;
  to: string;
  locationIds?: string[];
  maxGapMinutes: number;
}

export function FamilyPage({ me }: { me: Me }) {
  const { people, isPending, error } = usePeople(me);
  const today = todayIn(viewerZone);
  const [needs, setNeeds] = useState<Record<string, Need>>({});
  const [range, setRange] = useState<DateRange>([today, addDays(today, 7)]);
  const [locationIds, setLocationIds] = useState<string[]>([]);
  const [gap, setGap] = useState("15");
  const [submitted, setSubmitted] = useState<SearchBody | null>(null);
  const [formErrors, setFormErrors] = useState<FieldErrors>({});
  const [held, setHeld] = useState<{ trip: FamilyTrip; appointments: Appointment[] } | null>(null);

  const specialties = useSpecialties();
  const types = useAppointmentTypes();
  const { byId: locations, locations: allLocations } = useLocations();

  const needOf = (patientId: string): Need =>
    needs[patientId] ?? { include: true, specialty: null, typeId: null };
  const setNeed = (patientId: string, change: Partial<Need>) =>
    setNeeds((n) => ({ ...n, [patientId]: { ...needOf(patientId), ...change } }));
  /** The chosen visit type, or the specialty's first visit for new patients. */
  const typeOf = (need: Need): string | null => {
    if (!need.specialty) return null;
    const ofSpecialty = types.types.filter((t) => t.specialty === need.specialty);
    if (need.typeId && ofSpecialty.some((t) => t.id === need.typeId)) return need.typeId;
    return (ofSpecialty.find((t) => t.visitKind === "new") ?? ofSpecialty[0])?.id ?? null;
  };
  const included = people.filter((p) => needOf(p.patientId).include);

  const results = useQuery({
    queryKey: ["family-search", submitted],
    enabled: submitted !== null,
    queryFn: () => api.post<FamilySearchResult>("/api/v1/family-searches", submitted),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const errors: FieldErrors = {};
    if (included.length < 2) errors.members = "choose at least two people for one trip";
    included.forEach((p, i) => {
      const need = needOf(p.patientId);
      if (!need.specialty) errors[`members.${i}.specialty`] = "choose a specialty";
      else if (!typeOf(need)) errors[`members.${i}.appointmentTypeId`] = "choose a type of visit";
    });
    const [from, to] = range;
    if (!from || !to) errors.from = "choose the first and the last day";
    else if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_WINDOW_DAYS)
      errors.from = `search at most ${MAX_WINDOW_DAYS} days at a time`;
    setFormErrors(errors);
    if (Object.keys(errors).length) return;
    setHeld(null);
    setSubmitted({
      members: included.map((p) => {
        const need = needOf(p.patientId);
        return { patientId: p.patientId, specialty: need.specialty!, appointmentTypeId: typeOf(need)! };
      }),
      // from the start of the first day to the end of the last, on the viewer's clock
      from: zonedInstant(from!, "00:00", viewerZone),
      to: zonedInstant(addDays(to!, 1), "00:00", viewerZone),
      ...(locationIds.length ? { locationIds } : {}),
      maxGapMinutes: Number(gap),
    });
  }

  const hold = useMutation({
    mutationFn: (trip: FamilyTrip) =>
      api.post<FamilyAppointments>("/api/v1/family-holds", {
        tripId: trip.id,
        members: trip.members.map((m) => ({ patientId: m.patientId, optionId: m.option.id })),
      }),
    onSuccess: (res, trip) => setHeld({ trip, appointments: res.appointments }),
    // a member's time was taken meanwhile: the trips are searched again
    onError: () => void results.refetch(),
  });

  // a member's field error from the server ("members.1.appointmentTypeId") belongs to that member
  const errors = { ...fieldErrorsOf(results.error), ...formErrors };
  const memberError = (i: number) =>
    errors[`members.${i}.specialty`] ??
    errors[`members.${i}.appointmentTypeId`] ??
    errors[`members.${i}.patientId`] ??
    errors[`members.${i}.physicianId`];
  const byPatient = new Map(people.map((p) => [p.patientId, p]));
  const refused = hold.error instanceof ApiError ? hold.error.problem : undefined;
  const takenFor = typeof refused?.patientId === "string" ? byPatient.get(refused.patientId) : undefined;

  if (isPending) return <Loading label="Loading your family…" />;
  return (
    <>
      <PageTitle description="Book several of you at one location on one day, one visit after the other, so the family makes one trip.">
        Family visits
      </PageTitle>
      <ErrorAlert error={error} />
      {people.length < 2 ? (
        <Alert color="blue" title="No family members on your account yet">
          Ask the front desk to link your children or the relative you care for to your account; then you can
          book for everyone here.
        </Alert>
      ) : held ? (
        <HeldTrip
          trip={held.trip}
          appointments={held.appointments}
          people={byPatient}
          onReleased={() => {
            setHeld(null);
            void results.refetch();
          }}
        />
      ) : (
        <>
          <Paper withBorder p="md" mb="lg">
            <form onSubmit={submit} noValidate aria-label="Search for a family trip">
              <Stack>
                <SimpleGrid cols={{ base: 1, md: 2 }}>
                  {people.map((p) => {
                    const need = needOf(p.patientId);
                    const index = included.indexOf(p);
                    const ofSpecialty = types.types.filter((t) => t.specialty === need.specialty);
                    return (
                      <Fieldset key={p.patientId} legend={p.relation === "you" ? `${p.name} (you)` : p.name}>
                        <Stack gap="sm">
                          <Checkbox
                            label={`${p.relation === "you" ? "I come" : `${p.name.split(" ")[0]} comes`} on this trip`}
                            checked={need.include}
                            onChange={(e) => setNeed(p.patientId, { include: e.currentTarget.checked })}
                          />
                          {need.include ? (
                            <>
                              <SpecialtyField
                                placeholder="e.g. Pediatrics"
                                specialties={specialties.data?.items ?? []}
                                value={need.specialty}
                                onChange={(v) => setNeed(p.patientId, { specialty: v, typeId: null })}
                                error={index >= 0 ? memberError(index) : undefined}
                                disabled={false}
                              />
                              <Select
                                label="Type of visit"
                                required
                                data={ofSpecialty.map((t) => ({ value: t.id, label: t.name }))}
                                value={typeOf(need)}
                                onChange={(v) => setNeed(p.patientId, { typeId: v })}
                                disabled={!need.specialty}
                                allowDeselect={false}
                              />
                            </>
                          ) : null}
                        </Stack>
                      </Fieldset>
                    );
                  })}
                </SimpleGrid>
                {errors.members ? (
                  <Text c="red.9" size="sm" role="alert">
                    {errors.members}
                  </Text>
                ) : null}
                <Grid>
                  <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                    <DateRangeField
                      value={range}
                      onChange={setRange}
                      minDate={today}
                      error={errors.from ?? errors.to}
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                    <LocationsField
                      locations={allLocations.filter((l) => l.kind !== "virtual")}
                      value={locationIds}
                      onChange={setLocationIds}
                      error={errors.locationIds}
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                    <Select
                      label="Longest wait between visits"
                      data={GAPS}
                      value={gap}
                      onChange={(v) => setGap(v ?? "15")}
                      allowDeselect={false}
                    />
                  </Grid.Col>
                </Grid>
                <Group justify="end">
                  <Button type="submit" loading={results.isFetching}>
                    Find trips
                  </Button>
                </Group>
              </Stack>
            </form>
          </Paper>
          <ErrorAlert
            error={results.error}
            title="The search did not work"
            shownFields={[
              "from",
              "to",
              "locationIds",
              ...included.flatMap((_, i) => [`members.${i}.specialty`, `members.${i}.appointmentTypeId`]),
            ]}
          />
          {takenFor ? (
            <Alert
              color="red"
              title="These times could not be held together; nothing was held"
              role="alert"
              mb="md"
            >
              {takenFor.name}'s time is no longer free. The trips below are the ones still open.
            </Alert>
          ) : (
            <ErrorAlert error={hold.error} title="These times could not be held together; nothing was held" />
          )}
          {submitted && results.isPending ? <Loading label="Looking for one trip for everyone…" /> : null}
          {results.data ? (
            <Trips
              result={results.data}
              people={byPatient}
              locations={locations}
              onHold={(t) => hold.mutate(t)}
              busyId={hold.isPending ? hold.variables?.id : undefined}
            />
          ) : null}
        </>
      )}
    </>
  );
}
