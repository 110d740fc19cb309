/** The patient's appointments and, for a guardian, each dependent's, upcoming first. */
import { Accordion, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, type Page } from "../shared/api.js";
import { useAppointmentTypes, useLocations, usePhysicianNames } from "../shared/queries.js";
import { ButtonLink, Link } from "../shared/router.js";
import type { Appointment, Me } from "../shared/types.js";
import {
  ErrorAlert,
  Loading,
  LocationBadge,
  networkPalette,
  PageTitle,
  StatusBadge,
  ZonedDateTime,
} from "../shared/ui.js";
import { AppointmentActions } from "./AppointmentActions.js";
import { type Person, usePeople } from "./people.js";
import { OpenOffers } from "./RescheduleOfferPage.js";

const UPCOMING = ["held", "booked", "checked_in", "in_progress"];

export function MyAppointments({ me }: { me: Me }) {
  const { people, isPending, error } = usePeople(me);
  return (
    <>
      <PageTitle description="Cancel, move or follow up on any visit, at any location.">
        My appointments
      </PageTitle>
      <ErrorAlert error={error} />
      <OpenOffers />
      {isPending ? <Loading /> : null}
      <Stack gap="xl">
        {people.map((p) => (
          <PersonAppointments key={p.patientId} person={p} showName={people.length > 1} />
        ))}
      </Stack>
    </>
  );
}

function PersonAppointments({ person, showName }: { person: Person; showName: boolean }) {
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString();
  const list = useQuery({
    queryKey: ["appointments", "patient", person.patientId],
    queryFn: () =>
      api.get<Page<Appointment>>("/api/v1/appointments", {
        patientId: person.patientId,
        from: yearAgo,
        limit: 500,
      }),
  });
  const now = Date.now();
  const items = list.data?.items ?? [];
  const upcoming = items.filter((a) => UPCOMING.includes(a.status) && Date.parse(a.end) > now);
  const past = items.filter((a) => !upcoming.includes(a)).reverse();
  const headingId = `appts-${person.patientId}`;

  return (
    <section aria-labelledby={headingId}>
      <Title order={2} size="h3" id={headingId} mb="sm">
        {showName ? (person.relation === "you" ? `${person.name} (you)` : person.name) : "Upcoming"}
      </Title>
      <ErrorAlert error={list.error} />
      {list.isPending ? <Loading /> : null}
      {list.data ? (
        <Stack gap="sm">
          {upcoming.length === 0 ? (
            <Group>
              <Text>No upcoming appointments.</Text>
              <ButtonLink to={`/patient?for=${person.patientId}`} size="xs" variant="light">
                Find care
              </ButtonLink>
            </Group>
          ) : (
            <AppointmentCards appointments={upcoming} />
          )}
          {past.length ? (
            <Accordion variant="contained">
              <Accordion.Item value="past">
                <Accordion.Control>Past and cancelled ({past.length})</Accordion.Control>
                <Accordion.Panel>
                  <AppointmentCards appointments={past.slice(0, 50)} />
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
          ) : null}
        </Stack>
      ) : null}
    </section>
  );
}

function AppointmentCards({ appointments }: { appointments: Appointment[] }) {
  const { byId: locations, locations: all } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const names = usePhysicianNames(appointments.map((a) => a.physicianId));
  const palette = networkPalette(all);
  return (
    <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
      {appointments.map((a) => (
        <Card key={a.id} withBorder padding="sm" component="li" data-testid="my-appointment">
          <Group justify="space-between" align="start" wrap="wrap">
            <Stack gap={4}>
              <Link to={`/patient/appointments/${a.id}`} fw={600}>
                <ZonedDateTime iso={a.start} zone={a.local.timeZone} />
              </Link>
              <Text size="sm">
                {types.get(a.appointmentTypeId)?.name ?? "Appointment"} with {names.get(a.physicianId) ?? "…"}
              </Text>
              <Group gap="xs">
                <LocationBadge location={locations.get(a.locationId)} color={palette.get(a.locationId)} />
                <StatusBadge status={a.status} />
              </Group>
            </Stack>
            <AppointmentActions appt={a} compact />
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
