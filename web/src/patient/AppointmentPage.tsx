/** One appointment: the confirmation after booking, and the place to change it later. */
import { Alert, Badge, Button, Divider, Group, Paper, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { EligibilityPanel } from "../shared/Eligibility.js";
import { fullAddress, LocationDetails } from "../shared/LocationDetails.js";
import {
  patientName,
  physicianName,
  useAppointmentTypes,
  useLocations,
  usePatient,
  usePhysician,
} from "../shared/queries.js";
import { Link, useLocation } from "../shared/router.js";
import { weekdayOf } from "../shared/time.js";
import type { Appointment } from "../shared/types.js";
import { LocationBadge, PageTitle, QueryView, StatusBadge, ZonedDateTime } from "../shared/ui.js";
import { RouteToRoom } from "../shared/Wayfinding.js";
import { AppointmentActions } from "./AppointmentActions.js";
import { appointmentIcs, downloadIcs } from "./ics.js";

export function AppointmentPage({ id }: { id: string }) {
  const { search } = useLocation();
  const appt = useQuery({
    queryKey: ["appointment", id],
    queryFn: () => api.get<Appointment>(`/api/v1/appointments/${id}`),
  });
  const booked = search.get("booked") === "true";
  const rescheduled = search.get("rescheduled") === "true";
  return (
    <>
      <PageTitle>
        {booked ? "You are booked" : rescheduled ? "Your appointment was moved" : "Appointment"}
      </PageTitle>
      <QueryView query={appt} label="Loading the appointment…">
        {(a) => <Details appt={a} justBooked={booked || rescheduled} />}
      </QueryView>
    </>
  );
}

/** A video visit's link is offered while the visit is still to happen or under way. */
const JOINABLE = new Set(["booked", "checked_in", "in_progress"]);

function Details({ appt, justBooked }: { appt: Appointment; justBooked: boolean }) {
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const physician = usePhysician(appt.physicianId);
  const patient = usePatient(appt.patientId);
  const location = locations.get(appt.locationId);
  const type = types.get(appt.appointmentTypeId);
  const who = physician.data ? physicianName(physician.data) : "your physician";

  const video = appt.telehealth || location?.kind === "virtual";
  function ics() {
    if (!location) return;
    downloadIcs(
      `appointment-${appt.local.date}.ics`,
      appointmentIcs(
        video
          ? {
              id: appt.id,
              start: appt.start,
              end: appt.end,
              summary: `${type?.name ?? "Appointment"} with ${who} (video visit)`,
              location: appt.joinUrl ?? "Video visit",
              description: [
                `Video visit: ${type?.name ?? "Appointment"} with ${who}.`,
                appt.joinUrl ? `Join: ${appt.joinUrl}` : "",
                "The link opens 15 minutes before the start.",
                location.phone ? `Phone: ${location.phone}` : "",
              ]
                .filter(Boolean)
                .join("\n"),
              url: appt.joinUrl,
              latitude: null,
              longitude: null,
              status: appt.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
            }
          : {
              id: appt.id,
              start: appt.start,
              end: appt.end,
              summary: `${type?.name ?? "Appointment"} with ${who}`,
              location: `${location.name}, ${fullAddress(location)}`,
              description: [
                `${type?.name ?? "Appointment"} with ${who} at ${location.name}.`,
                location.phone ? `Phone: ${location.phone}` : "",
                location.parking.notes ? `Parking: ${location.parking.notes}` : "",
                location.publicTransport ? `Public transport: ${location.publicTransport}` : "",
              ]
                .filter(Boolean)
                .join("\n"),
              latitude: location.latitude,
              longitude: location.longitude,
              status: appt.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
            },
      ),
    );
  }

  return (
    <Stack maw={900}>
      {justBooked && appt.status === "booked" ? (
        <Alert color="green" title="Confirmed" role="status">
          {type?.name ?? "Your appointment"} with {who}{" "}
          {video
            ? "is booked as a video visit: the link to join is below."
            : `at ${location?.name ?? "the location"} is booked.`}
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Group justify="space-between">
            <Text fw={600} size="lg">
              {type?.name ?? "Appointment"}
            </Text>
            <StatusBadge status={appt.status} />
          </Group>
          <Text>
            <ZonedDateTime iso={appt.start} zone={appt.local.timeZone} />
          </Text>
          <Text>With {who}</Text>
          {patient.data ? <Text size="sm">For {patientName(patient.data)}</Text> : null}
          <Group gap="xs">
            <LocationBadge location={location} />
            {video ? <Badge variant="outline">Video visit</Badge> : null}
          </Group>
          {appt.reason ? <Text size="sm">Reason: {appt.reason}</Text> : null}
          {appt.cancelReason ? <Text size="sm">Cancelled: {appt.cancelReason}</Text> : null}
          <Divider my="xs" />
          <Group gap="xs">
            {video && appt.joinUrl && JOINABLE.has(appt.status) ? (
              <Button component="a" href={appt.joinUrl} target="_blank" rel="noopener noreferrer">
                Join video visit
              </Button>
            ) : null}
            <Button variant="light" onClick={ics} disabled={!location}>
              Add to calendar (.ics)
            </Button>
            <AppointmentActions appt={appt} />
          </Group>
        </Stack>
      </Paper>
      {appt.status === "held" ? null : <EligibilityPanel appointmentId={appt.id} />}
      {video ? (
        <Paper withBorder p="md">
          <Text size="sm">
            A video visit: no travel, no room. The link opens a quarter of an hour before the start; use a
            device with a camera and microphone, somewhere quiet and private.
          </Text>
        </Paper>
      ) : location ? (
        <Paper withBorder p="md">
          <LocationDetails
            location={location}
            home={patient.data?.address ?? null}
            weekday={weekdayOf(appt.local.date)}
          />
        </Paper>
      ) : null}
      {video || appt.status === "cancelled" ? null : <RouteToRoom appointmentId={appt.id} />}
      <Link to="/patient/appointments">All my appointments</Link>
    </Stack>
  );
}
