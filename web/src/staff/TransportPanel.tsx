/** The front desk's transport panel on an appointment: the patient's need, and a ride to a booked visit. */
import { Button, Group, Paper, Select, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, fieldErrorsOf, type Page } from "../shared/api.js";
import { type Ride, RidesTable, TransportNeedSwitch, usePatientRides } from "../shared/care.js";
import { useLocations } from "../shared/queries.js";
import { formatTime } from "../shared/time.js";
import type { Appointment } from "../shared/types.js";
import { ErrorAlert, QueryView } from "../shared/ui.js";

export function TransportPanel({ appt }: { appt: Appointment }) {
  const rides = usePatientRides(appt.patientId);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="transport">
      <Title order={2} size="h3" id="transport" mb="sm">
        Transport
      </Title>
      <QueryView query={rides} label="Loading transport…">
        {(r) => {
          const mine = r.rides.filter((x) => x.appointmentId === appt.id);
          const open = mine.some((x) => x.status !== "cancelled");
          const canRide = appt.status === "booked" && !appt.telehealth && !open;
          return (
            <Stack>
              <TransportNeedSwitch patientId={appt.patientId} need={r.need} />
              {mine.length ? <RidesTable rides={mine} label="Rides to this appointment" /> : null}
              {canRide && r.need.needed ? <RequestRide appt={appt} /> : null}
              {canRide && !r.need.needed ? (
                <Text size="sm" c="dimmed">
                  Switch on the transport need to request a ride to this appointment.
                </Text>
              ) : null}
            </Stack>
          );
        }}
      </QueryView>
    </Paper>
  );
}

function RequestRide({ appt }: { appt: Appointment }) {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const [from, setFrom] = useState<string>("home");
  // the patient's earlier visits the same day at another location: a ride may leave from there
  const sameDay = useQuery({
    queryKey: ["appointments", "patient", appt.patientId, "day", appt.local.date],
    queryFn: () =>
      api.get<Page<Appointment>>("/api/v1/appointments", { patientId: appt.patientId, limit: 200 }),
  });
  const earlier = (sameDay.data?.items ?? []).filter(
    (a) =>
      a.id !== appt.id &&
      a.local.date === appt.local.date &&
      a.locationId !== appt.locationId &&
      a.end <= appt.start &&
      (a.status === "booked" || a.status === "checked_in"),
  );
  const request = useMutation({
    mutationFn: () =>
      api.post<Ride>(
        `/api/v1/appointments/${appt.id}/rides`,
        from === "home" ? { origin: "home" } : { origin: "location", fromAppointmentId: from },
      ),
    onSuccess: (ride) => {
      void client.invalidateQueries({ queryKey: ["rides"] });
      notifications.show({
        color: "green",
        message: `Ride requested: pickup ${ride.pickupLocal.replace("T", " ")}`,
      });
    },
  });
  const errors = fieldErrorsOf(request.error);
  return (
    <Stack gap="xs">
      <ErrorAlert
        error={request.error}
        title="The ride was not requested"
        shownFields={["origin", "fromAppointmentId"]}
      />
      <Group align="end" gap="xs" wrap="wrap">
        <Select
          label="Pick up from"
          data={[
            { value: "home", label: "Home (the patient's address)" },
            ...earlier.map((a) => ({
              value: a.id,
              label: `${locations.get(a.locationId)?.name ?? "Earlier visit"}, after the visit at ${formatTime(a.start, a.local.timeZone)}`,
            })),
          ]}
          value={from}
          onChange={(v) => setFrom(v ?? "home")}
          allowDeselect={false}
          error={errors.origin ?? errors.fromAppointmentId}
        />
        <Button onClick={() => request.mutate()} loading={request.isPending}>
          Request a ride
        </Button>
      </Group>
    </Stack>
  );
}
