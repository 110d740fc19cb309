/**
 * Family visits, after the search: the trips found (who sees whom, where, when), a held trip with
 * its countdown and the confirmation of all its appointments at once, and the page listing what
 * was booked.
 */
import {
  Alert,
  Button,
  Card,
  Group,
  List,
  Paper,
  Progress,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, fieldErrorsOf } from "../shared/api.js";
import { useAppointmentTypes, useLocations, usePhysicianNames } from "../shared/queries.js";
import { ButtonLink, Link, navigate, useLocation } from "../shared/router.js";
import { countdown, formatDateTime, formatTime } from "../shared/time.js";
import type {
  Appointment,
  FamilyAppointments,
  FamilySearchResult,
  FamilyTrip,
  Location,
  Me,
} from "../shared/types.js";
import { ErrorAlert, LocationBadge, PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";
import { type Person, usePeople } from "./people.js";

export const firstName = (p: Person | undefined) =>
  p?.relation === "you" ? "You" : (p?.name.split(" ")[0] ?? "Someone");

/** "Tue 8 Dec 2026, 10:00 at North Clinic" */
export const tripTitle = (t: FamilyTrip) =>
  `${formatDateTime(t.start, t.local.timeZone)} at ${t.locationName}`;

export function Trips({
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

export function HeldTrip({
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
