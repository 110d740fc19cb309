/** One appointment at the staff member's location: check in, no-show, cancel, reschedule. */
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { usePendingChange } from "../offline/state.js";
import { useChange } from "../offline/useChange.js";
import { VisitNotes } from "../offline/VisitNotes.js";
import { api } from "../shared/api.js";
import { CancelDialog } from "../shared/CancelDialog.js";
import { CoverageForm, EligibilityPanel } from "../shared/Eligibility.js";
import { equipmentSummary } from "../shared/equipment.js";
import {
  patientName,
  physicianName,
  useAppointmentTypes,
  useLocations,
  usePatient,
  usePhysician,
} from "../shared/queries.js";
import { ButtonLink, Link } from "../shared/router.js";
import { formatDateTime } from "../shared/time.js";
import type { Appointment } from "../shared/types.js";
import {
  ErrorAlert,
  humanize,
  LocationBadge,
  PageTitle,
  QueryView,
  StatusBadge,
  ZonedDateTime,
} from "../shared/ui.js";
import { RouteToRoom } from "../shared/Wayfinding.js";
import { ClaimState } from "./ClaimState.js";
import { TransportPanel } from "./TransportPanel.js";

export function StaffAppointmentPage({ id }: { id: string }) {
  const appt = useQuery({
    queryKey: ["appointment", id],
    queryFn: () => api.get<Appointment>(`/api/v1/appointments/${id}`),
  });
  return (
    <>
      <PageTitle>Appointment</PageTitle>
      <QueryView query={appt} what="appointment" back={{ to: "/staff", label: "Back to today" }}>
        {(a) => <Details appt={a} />}
      </QueryView>
    </>
  );
}

function Details({ appt }: { appt: Appointment }) {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const patient = usePatient(appt.patientId);
  const physician = usePhysician(appt.physicianId);
  const [cancelling, setCancelling] = useState(false);
  const checkIn = useChange();
  const pending = usePendingChange(appt.id);
  const who = patient.data ? patientName(patient.data) : "the patient";
  const transition = useMutation({
    mutationFn: (status: "checked_in" | "in_progress" | "completed" | "no_show") =>
      api.post<Appointment>(`/api/v1/appointments/${appt.id}/status`, { status }),
    onSuccess: (updated) => {
      client.setQueryData(["appointment", updated.id], updated);
      void client.invalidateQueries({ queryKey: ["appointments"] });
    },
  });
  const type = types.get(appt.appointmentTypeId);
  const active = appt.status === "booked" || appt.status === "held";
  const rebook = new URLSearchParams({
    reschedule: appt.id,
    patient: appt.patientId,
    type: appt.appointmentTypeId,
    physician: appt.physicianId,
    ...(type ? { specialty: type.specialty } : {}),
  });

  return (
    <Stack maw={860}>
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between">
            <Text fw={600} size="lg">
              {type?.name ?? "Appointment"}
            </Text>
            <StatusBadge status={appt.status} />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <div>
              <Text size="xs" c="dimmed">
                When
              </Text>
              <ZonedDateTime iso={appt.start} zone={appt.local.timeZone} />
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Where
              </Text>
              <LocationBadge location={locations.get(appt.locationId)} />
              {appt.telehealth ? (
                <Group gap={6} mt={4}>
                  <Badge variant="outline">Video visit</Badge>
                  {appt.joinUrl ? (
                    <Anchor href={appt.joinUrl} target="_blank" rel="noopener noreferrer" size="sm">
                      Join video visit
                    </Anchor>
                  ) : null}
                </Group>
              ) : null}
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Patient
              </Text>
              <Text>{patient.data ? `${patientName(patient.data)} · MRN ${patient.data.mrn}` : "…"}</Text>
              {patient.data?.accessibilityNeeds.length ? (
                <Group gap={4} mt={4}>
                  {patient.data.accessibilityNeeds.map((n) => (
                    <Badge key={n} variant="outline" color="grape" style={{ textTransform: "none" }}>
                      {humanize(n)}
                    </Badge>
                  ))}
                </Group>
              ) : null}
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Physician
              </Text>
              <Text>{physician.data ? physicianName(physician.data) : "…"}</Text>
            </div>
            {appt.equipment.length ? (
              <div>
                <Text size="xs" c="dimmed">
                  Equipment
                </Text>
                <Text data-testid="appointment-equipment">{equipmentSummary(appt.equipment)}</Text>
              </div>
            ) : null}
          </SimpleGrid>
          {appt.reason ? <Text size="sm">Reason: {appt.reason}</Text> : null}
          {appt.cancelReason ? <Text size="sm">Cancelled: {appt.cancelReason}</Text> : null}
          <ErrorAlert error={transition.error} title="The status did not change" />
          <ErrorAlert error={checkIn.error} title="The patient was not checked in" />
          <Group gap="xs">
            {pending ? (
              <Text size="sm" fw={600} c="yellow.9" data-testid="pending-change">
                {pending.state === "queued"
                  ? `${humanize(pending.kind)} waiting to be sent`
                  : "A change needs your decision (top of the page)"}
              </Text>
            ) : null}
            {appt.status === "booked" && !pending ? (
              <Button
                onClick={() =>
                  checkIn.mutate({
                    kind: "check_in",
                    appointment: appt,
                    body: { status: "checked_in" },
                    label: `Check in ${who}, ${formatDateTime(appt.start, appt.local.timeZone)}`,
                  })
                }
                loading={checkIn.isPending}
              >
                Check in
              </Button>
            ) : null}
            {appt.status === "booked" || appt.status === "checked_in" ? (
              <Button variant="light" color="red" onClick={() => transition.mutate("no_show")}>
                Mark no-show
              </Button>
            ) : null}
            {active ? (
              <>
                <ButtonLink variant="light" to={`/staff/book?${rebook.toString()}`}>
                  Reschedule
                </ButtonLink>
                <Button variant="light" color="red" onClick={() => setCancelling(true)}>
                  Cancel
                </Button>
              </>
            ) : null}
          </Group>
        </Stack>
      </Paper>
      {appt.status === "held" ? null : (
        <EligibilityPanel
          appointmentId={appt.id}
          canCheck={appt.status === "booked" || appt.status === "checked_in"}
        />
      )}
      <CoverageForm patientId={appt.patientId} />
      {appt.status === "completed" ? <ClaimState appointmentId={appt.id} /> : null}
      <VisitNotes appt={appt} who={who} />
      {appt.telehealth ? null : <RouteToRoom appointmentId={appt.id} />}
      {appt.status === "held" ? null : <TransportPanel appt={appt} />}
      <Link to={`/staff?date=${appt.local.date}&location=${appt.locationId}`}>Back to that day</Link>
      <CancelDialog appt={appt} opened={cancelling} onClose={() => setCancelling(false)} />
    </Stack>
  );
}
