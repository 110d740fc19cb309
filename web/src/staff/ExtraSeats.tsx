/**
 * The extra seats the location's overbooking rule opens on the desk's day: each session expected to
 * miss more visits than the threshold offers one slot for a second patient. Shown only while there
 * is one; the desk books a patient into it here (the API re-decides it under the booking's locks).
 */
import { Alert, Badge, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { OpenSeatsDto } from "../../../src/services/scheduling/overbooking.schema.js";
import { api, fieldErrorsOf } from "../shared/api.js";
import { patientName, usePhysicianNames } from "../shared/queries.js";
import { addDays, formatTime, zonedInstant, zoneLabel } from "../shared/time.js";
import type { Patient } from "../shared/types.js";
import { ErrorAlert } from "../shared/ui.js";
import { PatientFinder } from "./PatientFinder.js";

type Seat = OpenSeatsDto["seats"][number];

export function ExtraSeats({ locationId, day, zone }: { locationId: string; day: string; zone: string }) {
  const open = useQuery({
    queryKey: ["extra-seats", locationId, day],
    queryFn: () =>
      api.get<OpenSeatsDto>(`/api/v1/locations/${locationId}/extra-seats`, {
        from: zonedInstant(day, "00:00", zone),
        to: zonedInstant(addDays(day, 1), "00:00", zone),
      }),
  });
  const seats = open.data?.seats ?? [];
  const physicians = usePhysicianNames(seats.map((s) => s.physicianId));
  if (!seats.length) return null;
  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-labelledby="extra-seats-title"
      data-testid="extra-seats"
    >
      <Title order={2} size="h4" id="extra-seats-title">
        Extra seats open
      </Title>
      <Text size="sm" mb="xs">
        {open.data?.explanation}
      </Text>
      <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
        {seats.map((s) => (
          <SeatRow
            key={s.doubles}
            seat={s}
            zone={zone}
            physician={physicians.get(s.physicianId) ?? "Physician"}
            locationId={locationId}
          />
        ))}
      </Stack>
    </Paper>
  );
}

function SeatRow({
  seat,
  zone,
  physician,
  locationId,
}: {
  seat: Seat;
  zone: string;
  physician: string;
  locationId: string;
}) {
  const client = useQueryClient();
  const [booking, setBooking] = useState(false);
  const [chosen, setChosen] = useState<Patient | null>(null);
  const when = `${formatTime(seat.start, zone)}${zoneLabel(seat.start, zone)}`;
  const book = useMutation({
    mutationFn: (p: Patient) =>
      api.post<{ appointmentId: string }>(`/api/v1/appointments/${seat.doubles}/extra-seat`, {
        patientId: p.id,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["appointments"] });
      void client.invalidateQueries({ queryKey: ["extra-seats", locationId] });
    },
  });
  return (
    <Paper withBorder p="xs" component="li" data-testid="extra-seat-open">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Stack gap={2}>
          <Group gap={6}>
            <Text fw={700} size="sm">
              {when}
            </Text>
            <Badge size="sm" variant="outline" color="orange.9" style={{ textTransform: "none" }}>
              Extra seat
            </Badge>
          </Group>
          <Text size="sm">{physician}</Text>
          <Text size="xs">
            Why: this session is expected to miss {seat.expectedNoShows} visits, more than the threshold of{" "}
            {seat.threshold}.
          </Text>
        </Stack>
        {!booking ? (
          <Button
            size="xs"
            onClick={() => setBooking(true)}
            aria-label={`Book the extra seat at ${when} with ${physician}`}
          >
            Book this seat
          </Button>
        ) : null}
      </Group>
      {booking && !book.isSuccess ? (
        <Stack gap="xs" mt="xs">
          <PatientFinder onChoose={setChosen} error={fieldErrorsOf(book.error).patientId} />
          {chosen ? (
            <Group>
              <Button onClick={() => book.mutate(chosen)} loading={book.isPending}>
                Book {patientName(chosen)} into the extra seat
              </Button>
              <Button variant="default" onClick={() => setBooking(false)}>
                Cancel
              </Button>
            </Group>
          ) : null}
          <ErrorAlert error={book.error} title="The extra seat was not booked" shownFields={["patientId"]} />
        </Stack>
      ) : null}
      {book.isSuccess && chosen ? (
        <Alert color="green" mt="xs" role="status" title="Booked">
          {patientName(chosen)} has the extra seat at {when}. Their confirmation says they may wait a little.
        </Alert>
      ) : null}
    </Paper>
  );
}
