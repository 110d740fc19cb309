/**
 * Family visits: a guardian picks who comes and what each needs, sees trips (everyone at one
 * location on one day, the visits back to back or side by side) and holds a trip's appointments
 * together, then confirms them all at once. The result page lists every appointment booked.
 */
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Fieldset,
  Grid,
  Group,
  List,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, type FieldErrors, fieldErrorsOf } from "../shared/api.js";
import { useAppointmentTypes, useLocations, usePhysicianNames, useSpecialties } from "../shared/queries.js";
import { ButtonLink, Link, navigate, useLocation } from "../shared/router.js";
import { type DateRange, DateRangeField, LocationsField, SpecialtyField } from "../shared/SearchFields.js";
import {
  addDays,
  countdown,
  formatDateTime,
  formatTime,
  todayIn,
  viewerZone,
  zonedInstant,
} from "../shared/time.js";
import type {
  Appointment,
  FamilyAppointments,
  FamilySearchResult,
  FamilyTrip,
  Location,
  Me,
} from "../shared/types.js";
import { ErrorAlert, Loading, LocationBadge, PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";
import { type Person, usePeople } from "./people.js";

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

const firstName = (p: Person | undefined) =>
  p?.relation === "you" ? "You" : (p?.name.split(" ")[0] ?? "Someone");

/** "Tue 8 Dec 2026, 10:00 at North Clinic" */
const tripTitle = (t: FamilyTrip) => `${formatDateTime(t.start, t.local.timeZone)} at ${t.locationName}`;

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

function Trips({
  result,
  people,
  locations,
  onHold,
  busyId,
}: {
  result: FamilySearchResult;
  people: Map<string, Person>;
  locations: Map<string, Location>;
  onHold: (t: FamilyTrip) => void;
  busyId: string | undefined;
}) {
  const types = useAppointmentTypes();
  const { trips } = result;
  const without = result.searched.members.filter((m) => m.options === 0);
  return (
    <Stack gap="md">
      <Title order={2} size="h3" id="trips-heading">
        {trips.length === 0 ? "No trip fits everyone" : `${trips.length} trips for everyone`}
      </Title>
      {trips.length === 0 ? (
        <Text>
          {without.length
            ? `No times were found for ${without.map((m) => people.get(m.patientId)?.name ?? "one member").join(" and ")}. `
            : "Everyone has times, but not at one location on one day. "}
          Try more days, a longer wait between visits, or any location.
        </Text>
      ) : (
        <Stack
          gap="sm"
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: "none" }}
          aria-labelledby="trips-heading"
        >
          {trips.map((t) => (
            <Card key={t.id} withBorder padding="sm" component="li" data-testid="family-trip">
              <Stack gap="xs">
                <Group justify="space-between" wrap="wrap" gap="sm">
                  <Stack gap={2}>
                    <Text fw={600}>{tripTitle(t)}</Text>
                    <Text size="sm" c="dimmed">
                      One trip: {t.minutesAtLocation} minutes at the location
                      {t.distanceKm !== null ? `, ${t.distanceKm} km from home` : ""}
                    </Text>
                  </Stack>
                  <Group gap="sm">
                    <LocationBadge location={locations.get(t.locationId)} name={t.locationName} />
                    <Button
                      onClick={() => onHold(t)}
                      loading={busyId === t.id}
                      disabled={busyId !== undefined}
                      aria-label={`Hold this trip: ${tripTitle(t)}`}
                    >
                      Hold this trip
                    </Button>
                  </Group>
                </Group>
                <List size="sm" spacing={2}>
                  {[...t.members]
                    .sort((a, b) => a.option.start.localeCompare(b.option.start))
                    .map((m) => (
                      <List.Item key={m.patientId}>
                        <strong>{firstName(people.get(m.patientId))}</strong>{" "}
                        {formatTime(m.option.start, m.option.local.timeZone)}–
                        {formatTime(m.option.end, m.option.local.timeZone)}{" "}
                        {types.byId.get(m.option.appointmentTypeId)?.name ?? "visit"} with{" "}
                        {m.option.physicianName}
                      </List.Item>
                    ))}
                </List>
              </Stack>
            </Card>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function HeldTrip({
  trip,
  appointments,
  people,
  onReleased,
}: {
  trip: FamilyTrip;
  appointments: Appointment[];
  people: Map<string, Person>;
  onReleased: () => void;
}) {
  const client = useQueryClient();
  const types = useAppointmentTypes();
  const physicians = usePhysicianNames(appointments.map((a) => a.physicianId));
  const [reason, setReason] = useState("");
  const [now, setNow] = useState(Date.now());
  const expiresAt = Math.min(...appointments.map((a) => (a.holdExpiresAt ? Date.parse(a.holdExpiresAt) : 0)));
  const total = expiresAt - Math.max(...appointments.map((a) => Date.parse(a.createdAt)));
  const left = expiresAt - now;
  const expired = left <= 0;
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const book = useMutation({
    mutationFn: () =>
      api.post<FamilyAppointments>("/api/v1/family-bookings", {
        members: appointments.map((a) => ({ patientId: a.patientId, holdId: a.id })),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      }),
    onSuccess: (res) => {
      for (const a of res.appointments) client.setQueryData(["appointment", a.id], a);
      void client.invalidateQueries({ queryKey: ["appointments"] });
      navigate(`/patient/family/booked?ids=${res.appointments.map((a) => a.id).join(",")}`, {
        replace: true,
      });
    },
  });
  const release = useMutation({
    mutationFn: () => Promise.all(appointments.map((a) => api.del(`/api/v1/holds/${a.id}`))),
    onSuccess: onReleased,
  });

  return (
    <Stack maw={720}>
      <Title order={2} size="h3">
        {tripTitle(trip)}
      </Title>
      <Paper withBorder p="md">
        <List spacing="xs" aria-label="Held appointments">
          {[...appointments]
            .sort((a, b) => a.start.localeCompare(b.start))
            .map((a) => (
              <List.Item key={a.id}>
                <strong>{people.get(a.patientId)?.name ?? "Family member"}</strong>:{" "}
                <ZonedDateTime iso={a.start} zone={a.local.timeZone} />,{" "}
                {types.byId.get(a.appointmentTypeId)?.name ?? "visit"} with{" "}
                {physicians.get(a.physicianId) ?? "…"}
              </List.Item>
            ))}
        </List>
      </Paper>
      <div role="timer" aria-live="off" aria-label="Time left to confirm" data-testid="hold-countdown">
        {expired ? (
          <Alert color="red" title="The hold has expired">
            Someone else may book these times now. Search again to pick another trip.
          </Alert>
        ) : (
          <Stack gap={4}>
            <Text>
              We are holding these {appointments.length} times together for <strong>{countdown(left)}</strong>{" "}
              more.
            </Text>
            <Progress
              value={total > 0 ? Math.max(0, (left / total) * 100) : 0}
              color={left < 60_000 ? "red" : "blue"}
              aria-hidden
            />
          </Stack>
        )}
      </div>
      <Textarea
        label="Reason for the visits (optional)"
        description="Helps the team prepare; up to 1000 characters."
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        maxLength={1000}
        autosize
        minRows={2}
        error={fieldErrorsOf(book.error).reason}
      />
      <ErrorAlert error={book.error} title="Nothing was booked" shownFields={["reason"]} />
      <ErrorAlert error={release.error} title="The times could not be released" />
      <Group>
        <Button onClick={() => book.mutate()} loading={book.isPending} disabled={expired}>
          Confirm all {appointments.length} appointments
        </Button>
        <Button variant="default" onClick={() => release.mutate()} loading={release.isPending}>
          Release these times
        </Button>
      </Group>
    </Stack>
  );
}

/** What a family booking made: every appointment, each with a link to its page. */
export function FamilyBooked({ me }: { me: Me }) {
  const { search } = useLocation();
  const ids = (search.get("ids") ?? "").split(",").filter(Boolean).slice(0, 6);
  const { people } = usePeople(me);
  const byPatient = new Map(people.map((p) => [p.patientId, p]));
  const { byId: locations } = useLocations();
  const types = useAppointmentTypes();
  const list = useQuery({
    queryKey: ["family-booked", ids],
    queryFn: () => Promise.all(ids.map((id) => api.get<Appointment>(`/api/v1/appointments/${id}`))),
  });
  const physicians = usePhysicianNames((list.data ?? []).map((a) => a.physicianId));
  return (
    <>
      <PageTitle description="A confirmation for each appointment is on its way to your messages.">
        Your family's appointments
      </PageTitle>
      <QueryView
        query={list}
        label="Loading the appointments…"
        what="appointment"
        back={{ to: "/patient/family", label: "Back to family visits" }}
      >
        {(items) => (
          <Stack
            gap="sm"
            component="ul"
            p={0}
            m={0}
            style={{ listStyle: "none" }}
            aria-label="Booked appointments"
          >
            {[...items]
              .sort((a, b) => a.start.localeCompare(b.start))
              .map((a) => (
                <Card key={a.id} withBorder padding="sm" component="li" data-testid="family-appointment">
                  <Group justify="space-between" wrap="wrap">
                    <Stack gap={2}>
                      <Text fw={600}>{byPatient.get(a.patientId)?.name ?? "Family member"}</Text>
                      <Text>
                        <ZonedDateTime iso={a.start} zone={a.local.timeZone} />,{" "}
                        {types.byId.get(a.appointmentTypeId)?.name ?? "visit"} with{" "}
                        {physicians.get(a.physicianId) ?? "…"}
                      </Text>
                      <Group gap="xs">
                        <LocationBadge location={locations.get(a.locationId)} />
                        <Text size="sm">{a.status === "booked" ? "Booked" : a.status.replace("_", " ")}</Text>
                      </Group>
                    </Stack>
                    <Link to={`/patient/appointments/${a.id}`}>
                      Open the appointment of {byPatient.get(a.patientId)?.name ?? "this family member"}
                    </Link>
                  </Group>
                </Card>
              ))}
          </Stack>
        )}
      </QueryView>
      <Group mt="lg">
        <ButtonLink to="/patient/appointments" variant="default">
          All appointments
        </ButtonLink>
      </Group>
    </>
  );
}
