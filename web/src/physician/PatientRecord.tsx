/** A patient's record as their physician sees it, wherever in the network they were booked. */
import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, type Page } from "../shared/api.js";
import { patientName, useAppointmentTypes, useLocations, usePatient } from "../shared/queries.js";
import { ReferForm } from "../shared/referrals.js";
import { formatPlainDate } from "../shared/time.js";
import type { Appointment, Me, Patient } from "../shared/types.js";
import {
  humanize,
  LocationBadge,
  locationPalette,
  PageTitle,
  QueryView,
  StatusBadge,
  ZonedDateTime,
} from "../shared/ui.js";
import { EmrRecords } from "./EmrRecords.js";
import { PatientPrescriptions } from "./Prescriptions.js";

export function PatientRecord({ id, backTo, me }: { id: string; backTo: string; me: Me }) {
  const patient = usePatient(id);
  return (
    <>
      <PageTitle>{patient.data ? patientName(patient.data) : "Patient record"}</PageTitle>
      <QueryView query={patient} what="patient record" back={{ to: backTo, label: "Back to the schedule" }}>
        {(p) => <Record patient={p} physicianId={me.physicianId} />}
      </QueryView>
    </>
  );
}

function Record({ patient: p, physicianId }: { patient: Patient; physicianId: string | null }) {
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const appts = useQuery({
    queryKey: ["appointments", "patient", p.id],
    queryFn: () => api.get<Page<Appointment>>("/api/v1/appointments", { patientId: p.id, limit: 200 }),
  });
  const items = appts.data?.items ?? [];
  const palette = locationPalette(items.map((a) => a.locationId));
  const fact = (label: string, value: React.ReactNode) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value || "—"}</Text>
    </div>
  );
  return (
    <Stack>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
          {fact("MRN", p.mrn)}
          {fact("Born", formatPlainDate(p.birthDate))}
          {fact("Sex", humanize(p.sex))}
          {fact("Phone", p.phone)}
          {fact("Email", p.email)}
          {fact("Preferred language", p.preferredLanguage)}
          {fact("Insurance", p.insurance ? `${p.insurance.payer} (${p.insurance.memberId})` : null)}
          {fact(
            "Accessibility needs",
            p.accessibilityNeeds.length ? (
              <Group gap={4} component="span">
                {p.accessibilityNeeds.map((n) => (
                  <Badge key={n} variant="light" style={{ textTransform: "none" }}>
                    {humanize(n)}
                  </Badge>
                ))}
              </Group>
            ) : null,
          )}
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="visits">
        <Title order={2} size="h3" id="visits" mb="sm">
          Visits with you, at every location
        </Title>
        <QueryView query={appts}>
          {() => (
            <Table.ScrollContainer minWidth={520}>
              <Table striped aria-label="Visits">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Visit</Table.Th>
                    <Table.Th>Location</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>
                        <ZonedDateTime iso={a.start} zone={a.local.timeZone} />
                      </Table.Td>
                      <Table.Td>{types.get(a.appointmentTypeId)?.name ?? ""}</Table.Td>
                      <Table.Td>
                        <LocationBadge
                          location={locations.get(a.locationId)}
                          color={palette.get(a.locationId)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={a.status} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryView>
      </Paper>
      {appts.data ? (
        <PatientPrescriptions patientId={p.id} physicianId={physicianId} appointments={items} />
      ) : null}
      <EmrRecords patientId={p.id} physicianId={physicianId} />
      <ReferForm patientId={p.id} />
    </Stack>
  );
}
