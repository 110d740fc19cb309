/** The one booking step, whatever the location: the time is held while the patient confirms. */
import { Alert, Badge, Button, Group, Paper, Progress, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { bookInput } from "../../../src/services/scheduling/appointments.schema.js";
import { api, fieldErrorsOf, idempotencyKey, validate } from "../shared/api.js";
import { physicianName, useAppointmentTypes, useLocations, usePhysician } from "../shared/queries.js";
import { ButtonLink, navigate } from "../shared/router.js";
import { countdown } from "../shared/time.js";
import type { Appointment } from "../shared/types.js";
import { ErrorAlert, LocationBadge, PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";
import { Copay } from "./copay.js";

export function HoldPage({ id }: { id: string }) {
  const appt = useQuery({
    queryKey: ["appointment", id],
    queryFn: () => api.get<Appointment>(`/api/v1/appointments/${id}`),
  });
  return (
    <>
      <PageTitle>Confirm your appointment</PageTitle>
      <QueryView query={appt} label="Loading your held time…">
        {(a) => <HoldDetails appt={a} />}
      </QueryView>
    </>
  );
}

function HoldDetails({ appt }: { appt: Appointment }) {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const types = useAppointmentTypes();
  const physician = usePhysician(appt.physicianId);
  const location = locations.get(appt.locationId);
  const [reason, setReason] = useState("");
  const [key] = useState(idempotencyKey);
  const [now, setNow] = useState(Date.now());
  const expiresAt = appt.holdExpiresAt ? Date.parse(appt.holdExpiresAt) : 0;
  const total = expiresAt - Date.parse(appt.createdAt);
  const left = expiresAt - now;
  const expired = appt.status === "held" && left <= 0;

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const book = useMutation({
    mutationFn: (body: { holdId: string; patientId: string; reason?: string }) =>
      api.post<Appointment>("/api/v1/appointments", body, { "idempotency-key": key }),
    onSuccess: (booked) => {
      client.setQueryData(["appointment", booked.id], booked);
      void client.invalidateQueries({ queryKey: ["appointments"] });
      navigate(`/patient/appointments/${booked.id}?booked=true`, { replace: true });
    },
  });
  const release = useMutation({
    mutationFn: () => api.del(`/api/v1/holds/${appt.id}`),
    onSuccess: () => navigate("/patient"),
  });
  const [clientError, setClientError] = useState<string | undefined>();
  const reasonError = clientError ?? fieldErrorsOf(book.error).reason;

  function confirm() {
    const body = {
      holdId: appt.id,
      patientId: appt.patientId,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    };
    const checked = validate(bookInput, body);
    if (!checked.ok) {
      setClientError(checked.errors.reason ?? Object.values(checked.errors)[0]);
      return;
    }
    setClientError(undefined);
    book.mutate(body);
  }

  if (appt.status !== "held")
    return (
      <Alert color={appt.status === "booked" ? "green" : "yellow"} title="This time is no longer held">
        <Stack gap="xs" align="start">
          <Text>It is now {appt.status.replace("_", " ")}.</Text>
          <ButtonLink to={appt.status === "booked" ? `/patient/appointments/${appt.id}` : "/patient"}>
            {appt.status === "booked" ? "See the appointment" : "Search again"}
          </ButtonLink>
        </Stack>
      </Alert>
    );

  return (
    <Stack maw={640}>
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Text fw={600} size="lg">
            {types.byId.get(appt.appointmentTypeId)?.name ?? "Appointment"}
          </Text>
          <Text>
            <ZonedDateTime iso={appt.start} zone={appt.local.timeZone} />
          </Text>
          <Text>{physician.data ? physicianName(physician.data) : "…"}</Text>
          <Group gap="xs">
            <LocationBadge location={location} />
            {appt.telehealth ? <Badge variant="outline">Video visit</Badge> : null}
            {appt.extraSeat ? (
              <Badge variant="outline" color="orange.9" style={{ textTransform: "none" }}>
                Extra seat
              </Badge>
            ) : null}
          </Group>
          {appt.extraSeat ? (
            <Text size="sm" data-testid="extra-seat">
              An extra seat: this session is expected to have missed visits, so the slot is shared with
              another patient. If both of you come, you may wait a little.
            </Text>
          ) : null}
          {appt.telehealth ? (
            <Text size="sm">
              A video visit: no travel. Once you confirm, your appointment page and confirmation carry the
              link to join.
            </Text>
          ) : location?.addressLine ? (
            <Text size="sm" c="dimmed">
              {[location.addressLine, location.city, location.postalCode].filter(Boolean).join(", ")}
            </Text>
          ) : null}
        </Stack>
      </Paper>
      <Copay holdId={appt.id} patientId={appt.patientId} appointmentTypeId={appt.appointmentTypeId} />
      <div role="timer" aria-live="off" aria-label="Time left to confirm" data-testid="hold-countdown">
        {expired ? (
          <Alert color="red" title="The hold has expired">
            <Stack gap="xs" align="start">
              <Text>Someone else may book this time now. Search again to pick another.</Text>
              <ButtonLink to="/patient">Search again</ButtonLink>
            </Stack>
          </Alert>
        ) : (
          <Stack gap={4}>
            <Text>
              We are holding this time for you for <strong>{countdown(left)}</strong> more.
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
        label="Reason for the visit (optional)"
        description="Helps the team prepare; up to 1000 characters."
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        maxLength={1000}
        autosize
        minRows={2}
        error={reasonError}
      />
      <ErrorAlert error={book.error} title="The appointment was not booked" shownFields={["reason"]} />
      <ErrorAlert error={release.error} title="The hold could not be released" />
      <Group>
        <Button onClick={confirm} loading={book.isPending} disabled={expired}>
          Confirm booking
        </Button>
        <Button variant="default" onClick={() => release.mutate()} loading={release.isPending}>
          Release this time
        </Button>
      </Group>
    </Stack>
  );
}
