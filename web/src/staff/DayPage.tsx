/** The location's day at a glance: one row per room or per physician, check-in from the row. */
import {
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { dayQuery } from "../offline/prefetch.js";
import { usePendingChange } from "../offline/state.js";
import { useChange } from "../offline/useChange.js";
import { api, type Page } from "../shared/api.js";
import { broughtLines } from "../shared/equipment.js";
import {
  patientName,
  useAppointmentTypes,
  useLocations,
  usePatientNames,
  usePhysicianNames,
} from "../shared/queries.js";
import { RiskBadge, useNoShowRisk } from "../shared/risk.js";
import { Link, navigate, useLocation } from "../shared/router.js";
import { addDays, formatPlainDate, formatTime, todayIn, zonedInstant, zoneLabel } from "../shared/time.js";
import type { Appointment, AppointmentRisk, Me, Room } from "../shared/types.js";
import { ErrorAlert, humanize, Loading, PageTitle } from "../shared/ui.js";
import { ExtraSeats } from "./ExtraSeats.js";
import { Handovers } from "./Handovers.js";

type Rows = "room" | "physician";

export function DayPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const { byId: locations } = useLocations();
  const locationId = search.get("location") ?? me.locationIds[0] ?? "";
  const location = locations.get(locationId);
  const zone = location?.timeZone ?? "UTC";
  const day = search.get("date") ?? todayIn(zone);
  const [rows, setRows] = useState<Rows>("room");

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    next.set(key, value);
    navigate(`/staff?${next.toString()}`, { replace: true });
  };

  const appts = useQuery({
    queryKey: ["appointments", "day", locationId, day],
    enabled: !!locationId,
    queryFn: () => api.get<Page<Appointment>>("/api/v1/appointments", dayQuery(locationId, day)),
  });
  const rooms = useQuery({
    queryKey: ["rooms", locationId],
    enabled: !!locationId,
    queryFn: () => api.get<Page<Room>>(`/api/v1/locations/${locationId}/rooms`, { limit: 500 }),
    staleTime: 5 * 60_000,
  });
  const risk = useNoShowRisk(
    locationId ? { locationId } : null,
    zonedInstant(day, "00:00", zone),
    zonedInstant(addDays(day, 1), "00:00", zone),
  );
  const items = appts.data?.items ?? [];
  const counts = new Map<string, number>();
  for (const a of items) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);

  return (
    <>
      <PageTitle>
        {day === todayIn(zone) ? "Today" : formatPlainDate(day)} at {location?.name ?? "your location"}
      </PageTitle>
      <Stack>
        <Group align="end" gap="md" wrap="wrap">
          {me.locationIds.length > 1 ? (
            <Select
              label="Location"
              data={me.locationIds.map((id) => ({ value: id, label: locations.get(id)?.name ?? id }))}
              value={locationId}
              onChange={(v) => v && setParam("location", v)}
              allowDeselect={false}
            />
          ) : null}
          <DateInput
            label="Day"
            value={day}
            onChange={(v) => v && setParam("date", String(v))}
            valueFormat="YYYY-MM-DD"
          />
          <SegmentedControl
            aria-label="Rows"
            value={rows}
            onChange={(v) => setRows(v as Rows)}
            data={[
              { value: "room", label: "By room" },
              { value: "physician", label: "By physician" },
            ]}
          />
        </Group>
        <Handovers locationId={locationId} zone={zone} />
        {locationId ? <ExtraSeats locationId={locationId} day={day} zone={zone} /> : null}
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" aria-label="The day in numbers">
          {[
            ["Appointments", items.length],
            ["Waiting to arrive", counts.get("booked") ?? 0],
            ["Checked in", (counts.get("checked_in") ?? 0) + (counts.get("in_progress") ?? 0)],
            ["No-shows", counts.get("no_show") ?? 0],
          ].map(([label, n]) => (
            <Paper key={label} withBorder p="xs">
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <Text fw={700} size="xl">
                {n}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
        <ErrorAlert error={appts.error} title="The day could not be loaded" />
        {appts.isPending ? <Loading label="Loading the day…" /> : null}
        {appts.data && items.length === 0 ? <Text>No appointments on this day.</Text> : null}
        {items.length ? (
          <DayGrid appointments={items} rooms={rooms.data?.items ?? []} rows={rows} zone={zone} risk={risk} />
        ) : null}
      </Stack>
    </>
  );
}

const hourOf = (iso: string, zone: string) => Number(formatTime(iso, zone).slice(0, 2));

function DayGrid({
  appointments,
  rooms,
  rows,
  zone,
  risk,
}: {
  appointments: Appointment[];
  rooms: Room[];
  rows: Rows;
  zone: string;
  /** The no-show risk of the booked appointments, by id. */
  risk: Map<string, AppointmentRisk>;
}) {
  const narrow = useMediaQuery("(max-width: 700px)");
  const physicians = usePhysicianNames(appointments.map((a) => a.physicianId));
  const patients = usePatientNames(appointments.map((a) => a.patientId));
  const { byId: types } = useAppointmentTypes();
  const roomName = new Map(rooms.map((r) => [r.id, `${r.code} · ${r.name}`]));
  const keyOf = (a: Appointment) => (rows === "room" ? (a.roomId ?? "none") : a.physicianId);
  const labelOf = (key: string) =>
    rows === "room"
      ? key === "none"
        ? "No room (video or desk)"
        : (roomName.get(key) ?? "Room")
      : (physicians.get(key) ?? "Physician");
  const groups = new Map<string, Appointment[]>();
  for (const a of appointments) groups.set(keyOf(a), [...(groups.get(keyOf(a)) ?? []), a]);
  const sorted = [...groups.entries()].sort((a, b) => labelOf(a[0]).localeCompare(labelOf(b[0])));
  const first = Math.min(...appointments.map((a) => hourOf(a.start, zone)));
  const last = Math.max(...appointments.map((a) => hourOf(a.start, zone)));
  const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const chip = (a: Appointment) => {
    const p = patients.get(a.patientId);
    return (
      <AppointmentChip
        key={a.id}
        appt={a}
        zone={zone}
        patient={p ? patientName(p) : "…"}
        needs={p?.accessibilityNeeds ?? []}
        risk={risk.get(a.id)}
        detail={[
          types.get(a.appointmentTypeId)?.name ?? "",
          rows === "room" ? (physicians.get(a.physicianId) ?? "") : (roomName.get(a.roomId ?? "") ?? ""),
          ...broughtLines(a.equipment),
        ].join(" · ")}
      />
    );
  };

  if (narrow)
    return (
      <Stack data-testid="day-grid">
        {sorted.map(([key, list]) => (
          <Paper key={key} withBorder p="xs" component="section" aria-label={labelOf(key)}>
            <Text fw={700} size="sm" mb={4}>
              {labelOf(key)}
            </Text>
            <Stack gap={4}>{list.map(chip)}</Stack>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={180 + hours.length * 112}>
      <Table
        withColumnBorders
        withTableBorder
        verticalSpacing={4}
        horizontalSpacing={4}
        aria-label={rows === "room" ? "Appointments by room and hour" : "Appointments by physician and hour"}
        data-testid="day-grid"
        style={{ tableLayout: "fixed" }}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={170}>
              {rows === "room" ? "Room" : "Physician"}
            </Table.Th>
            {hours.map((h) => (
              <Table.Th key={h} scope="col">
                {String(h).padStart(2, "0")}:00
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map(([key, list]) => (
            <Table.Tr key={key}>
              <Table.Th scope="row" style={{ verticalAlign: "top" }}>
                <Text size="xs" fw={700}>
                  {labelOf(key)}
                </Text>
              </Table.Th>
              {hours.map((h) => (
                <Table.Td key={h} style={{ verticalAlign: "top" }}>
                  <Stack gap={4}>{list.filter((a) => hourOf(a.start, zone) === h).map(chip)}</Stack>
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const DOT: Record<string, string> = {
  held: "yellow",
  booked: "blue",
  checked_in: "teal",
  in_progress: "grape",
  completed: "green",
  no_show: "red",
};

function AppointmentChip({
  appt,
  zone,
  patient,
  needs,
  risk,
  detail,
}: {
  appt: Appointment;
  zone: string;
  patient: string;
  needs: string[];
  risk: AppointmentRisk | undefined;
  detail: string;
}) {
  const checkIn = useChange();
  const pending = usePendingChange(appt.id);
  const when = `${formatTime(appt.start, zone)}${zoneLabel(appt.start, zone)}`;
  return (
    <Paper withBorder p={4} radius="sm" data-testid="day-appointment" title={detail}>
      <Group gap={6} wrap="wrap">
        <Text size="xs" fw={700}>
          {when}
        </Text>
        <Text size="xs" fw={600} c={`${DOT[appt.status] ?? "gray"}.9`}>
          {appt.status.replace("_", " ")}
        </Text>
        <RiskBadge risk={risk} />
        {appt.extraSeat ? (
          <Badge size="xs" variant="outline" color="orange.9" style={{ textTransform: "none" }}>
            extra seat
          </Badge>
        ) : null}
      </Group>
      <Link
        to={`/staff/appointments/${appt.id}`}
        size="xs"
        fw={600}
        style={{ display: "block", lineHeight: 1.3 }}
      >
        {patient}
      </Link>
      {appt.telehealth ? (
        <Text size="xs" fw={600}>
          Video visit
        </Text>
      ) : null}
      {needs.length ? (
        <Text size="xs" c="grape.8">
          {needs.map(humanize).join(", ")}
        </Text>
      ) : null}
      {pending ? (
        <Text size="xs" fw={600} c="yellow.9" data-testid="pending-change">
          {pending.state === "queued"
            ? `${humanize(pending.kind)} waiting to be sent`
            : "Needs your decision"}
        </Text>
      ) : appt.status === "booked" ? (
        <Button
          size="compact-xs"
          variant="light"
          fullWidth
          mt={2}
          loading={checkIn.isPending}
          onClick={() =>
            checkIn.mutate({
              kind: "check_in",
              appointment: appt,
              body: { status: "checked_in" },
              label: `Check in ${patient}, ${when}`,
            })
          }
          aria-label={`Check in ${patient}, ${when}`}
        >
          Check in
        </Button>
      ) : null}
      {checkIn.error ? (
        <Text size="xs" c="red" role="alert">
          {checkIn.error.message}
        </Text>
      ) : null}
    </Paper>
  );
}
