/** The physician's unified dashboard: every location on one calendar, and the day's patients. */
import {
  Anchor,
  Badge,
  Grid,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../shared/api.js";
import { broughtLines } from "../shared/equipment.js";
import { patientName, useAppointmentTypes, useLocations, usePatientNames } from "../shared/queries.js";
import { RiskBadge, useNoShowRisk } from "../shared/risk.js";
import { Link, useLocation } from "../shared/router.js";
import {
  type CalendarRange,
  displayZone,
  LocationLegend,
  ScheduleCalendar,
  scheduleLocationIds,
} from "../shared/ScheduleCalendar.js";
import { addDays, formatPlainDate, formatTime, todayIn, viewerZone, zonedInstant } from "../shared/time.js";
import type { Me, Schedule, ScheduleEntry } from "../shared/types.js";
import { UnavailableToday } from "../shared/UnavailableToday.js";
import {
  ErrorAlert,
  Loading,
  LocationBadge,
  locationPalette,
  PageTitle,
  StatusBadge,
  ZonedRange,
} from "../shared/ui.js";

type AppointmentEntry = Extract<ScheduleEntry, { kind: "appointment" }>;

export function useSchedule(
  physicianId: string | null,
  range: CalendarRange | null,
  locationId: string | null,
) {
  return useQuery({
    queryKey: ["schedule", physicianId, range, locationId],
    enabled: !!physicianId && !!range,
    queryFn: () =>
      api.get<Schedule>(`/api/v1/physicians/${physicianId}/schedule`, {
        from: range!.from,
        to: range!.to,
        locationId: locationId ?? undefined,
      }),
    placeholderData: keepPreviousData,
  });
}

export function SchedulePage({ me }: { me: Me }) {
  const { search } = useLocation();
  const physicianId = me.physicianId;
  const { byId: locations } = useLocations();
  const [range, setRange] = useState<CalendarRange | null>(null);
  const [locationId, setLocationId] = useState<string | null>(null);
  // the legend and the filter list every location of the range, even while filtered to one
  const all = useSchedule(physicianId, range, null);
  const schedule = useSchedule(physicianId, range, locationId);
  const entries = schedule.data?.entries ?? [];
  const allIds = scheduleLocationIds(all.data?.entries ?? []);
  const palette = locationPalette(allIds);
  const zone = displayZone(all.data?.entries ?? [], viewerZone);
  const appts = entries.filter((e): e is AppointmentEntry => e.kind === "appointment");
  const names = usePatientNames(appts.flatMap((a) => (a.patientId ? [a.patientId] : [])));

  if (!physicianId) return <ErrorAlert error={new Error("This account is not linked to a physician.")} />;
  return (
    <>
      <PageTitle description="Every location you work at, on one calendar.">My schedule</PageTitle>
      <Stack gap="md">
        <Group align="end" justify="space-between">
          <Select
            label="Location"
            placeholder="All locations"
            clearable
            data={allIds.map((id) => ({ value: id, label: locations.get(id)?.name ?? id }))}
            value={locationId}
            onChange={setLocationId}
            w={280}
          />
          {schedule.isFetching ? (
            <Text size="sm" role="status">
              Updating…
            </Text>
          ) : null}
        </Group>
        <LocationLegend locationIds={allIds} locations={locations} palette={palette} zone={zone} />
        <ErrorAlert error={schedule.error} title="The schedule could not be loaded" />
        <Paper withBorder p="xs" data-testid="physician-calendar">
          <ScheduleCalendar
            entries={entries}
            zone={zone}
            locations={locations}
            palette={palette}
            initialDate={search.get("date") ?? undefined}
            focusDate={search.get("date") ?? undefined}
            initialView={search.get("view") ?? undefined}
            onRange={setRange}
            appointmentLabel={(e) => {
              const p = e.patientId ? names.get(e.patientId) : undefined;
              return [p ? patientName(p) : "Booked", ...broughtLines(e.equipment)].join(" · ");
            }}
            appointmentLink={(e) => (e.patientId ? `/physician/patients/${e.patientId}` : null)}
          />
        </Paper>
        <DayPatients
          key={search.get("date") ?? "today"}
          physicianId={physicianId}
          zone={zone}
          palette={palette}
          initialDay={search.get("date")}
        />
        <UnavailableToday physicianId={physicianId} who="you" />
      </Stack>
    </>
  );
}

function DayPatients({
  physicianId,
  zone,
  palette,
  initialDay,
}: {
  physicianId: string;
  zone: string;
  palette: Map<string, string>;
  initialDay: string | null;
}) {
  const [day, setDay] = useState<string>(() => initialDay ?? todayIn(zone));
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const schedule = useSchedule(physicianId, { from: day, to: day }, null);
  const appts = (schedule.data?.entries ?? []).filter((e): e is AppointmentEntry => e.kind === "appointment");
  const names = usePatientNames(appts.flatMap((a) => (a.patientId ? [a.patientId] : [])));
  const risk = useNoShowRisk(
    { physicianId },
    zonedInstant(day, "00:00", zone),
    zonedInstant(addDays(day, 1), "00:00", zone),
  );

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="day-patients">
      <Grid align="end" mb="sm">
        <Grid.Col span={{ base: 12, sm: 8 }}>
          <Title order={2} size="h3" id="day-patients">
            Patients on {formatPlainDate(day)}
          </Title>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <DateInput
            label="Day"
            value={day}
            onChange={(v) => v && setDay(String(v))}
            valueFormat="YYYY-MM-DD"
          />
        </Grid.Col>
      </Grid>
      <ErrorAlert error={schedule.error} />
      {schedule.isPending ? <Loading /> : null}
      {schedule.data && appts.length === 0 ? <Text>No appointments that day.</Text> : null}
      {appts.length ? (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label="The day's patients">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Visit</Table.Th>
                <Table.Th>Location</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>No-show risk</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {appts.map((a) => {
                const p = a.patientId ? names.get(a.patientId) : undefined;
                return (
                  <Table.Tr key={a.id ?? a.start}>
                    <Table.Td>
                      <ZonedRange start={a.start} end={a.end} zone={a.local.timeZone} />
                    </Table.Td>
                    <Table.Td>
                      {a.patientId ? (
                        <Link to={`/physician/patients/${a.patientId}`}>
                          {p ? patientName(p) : "Patient record"}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </Table.Td>
                    <Table.Td>
                      {a.appointmentTypeId ? (types.get(a.appointmentTypeId)?.name ?? "") : ""}
                      {a.telehealth ? (
                        <Group gap={6} mt={2}>
                          <Badge variant="outline" size="sm">
                            Video visit
                          </Badge>
                          {a.joinUrl ? (
                            <Anchor href={a.joinUrl} target="_blank" rel="noopener noreferrer" size="sm">
                              Join
                              <VisuallyHidden>
                                {" "}
                                the video visit at {formatTime(a.start, a.local.timeZone)}
                              </VisuallyHidden>
                            </Anchor>
                          ) : null}
                        </Group>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <LocationBadge
                        location={locations.get(a.locationId)}
                        color={palette.get(a.locationId)}
                      />
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={a.status} />
                    </Table.Td>
                    <Table.Td>
                      <RiskBadge risk={a.id ? risk.get(a.id) : undefined} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Paper>
  );
}
