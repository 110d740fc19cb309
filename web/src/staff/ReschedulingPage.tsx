/**
 * The front desk's rescheduling: report a physician who works here today unavailable for the rest
 * of the day (the server's what-if, then moves, offers or hand-overs), and the report of every
 * appointment here a schedule change affected, with where it ended.
 */
import { Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { LocationOutcome } from "../../../src/services/rescheduling/schema.js";
import { api, type Page } from "../shared/api.js";
import {
  patientName,
  physicianName,
  useLocations,
  usePatientNames,
  usePhysicians,
} from "../shared/queries.js";
import { outcomeText } from "../shared/ReschedulePreview.js";
import { Link } from "../shared/router.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { formatDateTime } from "../shared/time.js";
import type { Me } from "../shared/types.js";
import { UnavailableToday } from "../shared/UnavailableToday.js";
import { PageTitle, QueryView } from "../shared/ui.js";

export function ReschedulingPage({ me }: { me: Me }) {
  const { byId: locations } = useLocations();
  const [locationId, setLocationId] = useState(me.locationIds[0] ?? "");
  const [physicianId, setPhysicianId] = useState<string | null>(null);
  const zone = locations.get(locationId)?.timeZone ?? "UTC";
  const physicians = usePhysicians({ locationId });
  const report = useQuery({
    queryKey: ["reschedule-outcomes", locationId],
    enabled: !!locationId,
    queryFn: () => api.get<Page<LocationOutcome>>("/api/v1/reschedule-outcomes", { locationId, limit: 100 }),
  });
  const patients = usePatientNames((report.data?.items ?? []).map((o) => o.patientId));

  return (
    <>
      <PageTitle description="Physicians called away today, and where every affected appointment went.">
        Rescheduling at {locations.get(locationId)?.name ?? "your location"}
      </PageTitle>
      <Stack>
        {me.locationIds.length > 1 ? (
          <Select
            label="Location"
            data={me.locationIds.map((id) => ({ value: id, label: locations.get(id)?.name ?? id }))}
            value={locationId}
            onChange={(v) => {
              if (!v) return;
              setLocationId(v);
              setPhysicianId(null);
            }}
            allowDeselect={false}
            maw={420}
          />
        ) : null}
        <SearchableSelect
          label="Physician unavailable for the rest of today"
          placeholder="Choose a physician who works here today"
          data={(physicians.data?.items ?? []).map((p) => ({ value: p.id, label: physicianName(p) }))}
          value={physicianId}
          onChange={setPhysicianId}
          maw={420}
        />
        {physicianId ? <UnavailableToday key={physicianId} physicianId={physicianId} /> : null}
        <Paper withBorder p="sm" component="section" aria-labelledby="reschedule-report">
          <Title order={2} size="h4" id="reschedule-report" mb="xs">
            Report: appointments here that schedule changes affected
          </Title>
          <QueryView query={report} label="Loading the report…">
            {(page) =>
              page.items.length ? (
                <Table.ScrollContainer minWidth={600}>
                  <Table striped aria-label="Affected appointments and where they ended">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Appointment</Table.Th>
                        <Table.Th>Patient</Table.Th>
                        <Table.Th>Outcome</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {page.items.map((o) => {
                        const p = patients.get(o.patientId);
                        return (
                          <Table.Tr key={o.id}>
                            <Table.Td>
                              <Link to={`/staff/appointments/${o.newAppointmentId ?? o.appointmentId}`}>
                                {formatDateTime(o.start, zone)}
                              </Link>
                            </Table.Td>
                            <Table.Td>{p ? patientName(p) : ""}</Table.Td>
                            <Table.Td>{outcomeText(o, zone)}</Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              ) : (
                <Text size="sm">No appointment here has been affected by a schedule change.</Text>
              )
            }
          </QueryView>
        </Paper>
      </Stack>
    </>
  );
}
