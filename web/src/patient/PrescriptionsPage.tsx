/**
 * Prescriptions and rides, for the patient and each dependent: prescriptions with the pharmacy's
 * status, the pharmacy chosen for each location, whether they need transport, and their rides.
 */
import { Button, Group, Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { PatientPharmacy, Pharmacy } from "../../../src/integrations/pharmacy/schema.js";
import { api, fieldErrorsOf, type Page } from "../shared/api.js";
import {
  PrescriptionsTable,
  RidesTable,
  TransportNeedSwitch,
  usePatientRides,
  usePrescriptions,
} from "../shared/care.js";
import { useLocations, usePatient } from "../shared/queries.js";
import type { Appointment, Me } from "../shared/types.js";
import { ErrorAlert, PageTitle, QueryView } from "../shared/ui.js";
import { usePeople } from "./people.js";

export function PrescriptionsPage({ me }: { me: Me }) {
  const { people } = usePeople(me);
  const [personId, setPersonId] = useState(me.patientId ?? "");
  return (
    <>
      <PageTitle description="Follow your prescriptions to the pharmacy, choose where they go, and get a ride to your appointments.">
        Prescriptions and rides
      </PageTitle>
      {people.length > 1 ? (
        <Select
          label="For whom"
          data={people.map((p) => ({
            value: p.patientId,
            label: p.relation === "you" ? `${p.name} (you)` : p.name,
          }))}
          value={personId}
          onChange={(v) => setPersonId(v ?? personId)}
          allowDeselect={false}
          maw={360}
          mb="md"
        />
      ) : null}
      {personId ? <Person key={personId} patientId={personId} /> : null}
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function Person({ patientId }: { patientId: string }) {
  const prescriptions = usePrescriptions(patientId);
  const rides = usePatientRides(patientId);
  return (
    <Stack gap="lg">
      <Section id="rx" title="Prescriptions">
        <QueryView query={prescriptions} label="Loading prescriptions…">
          {(items) => <PrescriptionsTable items={items} label="Prescriptions" />}
        </QueryView>
      </Section>
      <Section id="pharmacies" title="Pharmacies">
        <PharmacyChoices patientId={patientId} />
      </Section>
      <Section id="rides" title="Rides">
        <QueryView query={rides} label="Loading rides…">
          {(r) => (
            <Stack>
              <TransportNeedSwitch patientId={patientId} need={r.need} />
              <Text size="sm" c="dimmed">
                With transport needed, the front desk can book you a ride to a booked appointment.
              </Text>
              <RidesTable rides={r.rides} label="Your rides" />
            </Stack>
          )}
        </QueryView>
      </Section>
    </Stack>
  );
}

/** The locations the patient is seen at (their visits, preferred locations, earlier choices), each with its pharmacy. */
function PharmacyChoices({ patientId }: { patientId: string }) {
  const { byId: locations } = useLocations();
  const patient = usePatient(patientId);
  const chosen = useQuery({
    queryKey: ["pharmacies", "patient", patientId],
    queryFn: () => api.get<PatientPharmacy[]>(`/api/v1/patients/${patientId}/pharmacies`),
  });
  const pharmacies = useQuery({
    queryKey: ["pharmacies"],
    queryFn: () => api.get<Pharmacy[]>("/api/v1/pharmacies"),
    staleTime: 5 * 60_000,
  });
  const appts = useQuery({
    queryKey: ["appointments", "patient", patientId],
    queryFn: () => api.get<Page<Appointment>>("/api/v1/appointments", { patientId, limit: 200 }),
  });
  const ids = [
    ...new Set([
      ...(chosen.data ?? []).map((c) => c.locationId),
      ...(patient.data?.preferredLocationIds ?? []),
      ...(appts.data?.items ?? []).map((a) => a.locationId),
    ]),
  ];
  return (
    <Stack>
      <Text size="sm">
        Prescriptions from a visit go to the pharmacy you chose for that visit's location.
      </Text>
      <ErrorAlert error={pharmacies.error} title="The pharmacy list is not available right now" />
      <QueryView query={chosen} label="Loading your pharmacies…">
        {(choices) =>
          ids.length ? (
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label="Pharmacy per location">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Location</Table.Th>
                    <Table.Th>Pharmacy</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {ids.map((id) => (
                    <Table.Tr key={id}>
                      <Table.Td>{locations.get(id)?.name ?? "Location"}</Table.Td>
                      <Table.Td>
                        <ChoosePharmacy
                          patientId={patientId}
                          locationId={id}
                          locationName={locations.get(id)?.name ?? "this location"}
                          current={choices.find((c) => c.locationId === id)}
                          pharmacies={pharmacies.data ?? []}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : (
            <Text c="dimmed">No location yet: book an appointment first.</Text>
          )
        }
      </QueryView>
    </Stack>
  );
}

function ChoosePharmacy({
  patientId,
  locationId,
  locationName,
  current,
  pharmacies,
}: {
  patientId: string;
  locationId: string;
  locationName: string;
  current: PatientPharmacy | undefined;
  pharmacies: Pharmacy[];
}) {
  const client = useQueryClient();
  const [value, setValue] = useState<string | null>(current?.pharmacy.id ?? null);
  const save = useMutation({
    mutationFn: (pharmacyId: string) =>
      api.put<PatientPharmacy>(`/api/v1/patients/${patientId}/pharmacies/${locationId}`, { pharmacyId }),
    onSuccess: (c) => {
      void client.invalidateQueries({ queryKey: ["pharmacies", "patient", patientId] });
      notifications.show({ color: "green", message: `${c.pharmacy.name} chosen for ${locationName}` });
    },
  });
  const errors = fieldErrorsOf(save.error);
  // the current choice stays listed even when the network's list is not available
  const data = pharmacies.length
    ? pharmacies.map((p) => ({ value: p.id, label: p.address ? `${p.name} — ${p.address}` : p.name }))
    : current
      ? [{ value: current.pharmacy.id, label: current.pharmacy.name }]
      : [];
  return (
    <Stack gap={4}>
      <Group align="end" gap="xs" wrap="wrap">
        <Select
          label={`Pharmacy for ${locationName}`}
          placeholder="Choose a pharmacy"
          data={data}
          value={value}
          onChange={setValue}
          error={errors.pharmacyId}
          miw={220}
          style={{ flex: 1 }}
        />
        <Button
          variant="light"
          aria-label={`Save the pharmacy for ${locationName}`}
          disabled={!value || value === current?.pharmacy.id}
          loading={save.isPending}
          onClick={() => value && save.mutate(value)}
        >
          Save
        </Button>
      </Group>
      <ErrorAlert error={save.error} title="The pharmacy was not saved" shownFields={["pharmacyId"]} />
    </Stack>
  );
}
