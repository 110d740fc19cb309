/** Before a schedule change is saved: the appointments it would leave outside working time. */
import { Alert, Button, Group, List, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { type AppointmentEntry, affectedAppointments, type ScheduleChange } from "../shared/preview.js";
import { useLocations } from "../shared/queries.js";
import { addDays, earlierDate, formatDateTime } from "../shared/time.js";
import type { PlannedAssignments, Schedule } from "../shared/types.js";

/** The API answers at most 92 days of assignments or schedule at a time. */
const MAX_DAYS = 91;

export interface PreviewRange {
  from: string;
  to: string;
}

export function clampRange(from: string, to: string): PreviewRange {
  const last = addDays(from, MAX_DAYS);
  return { from, to: earlierDate(to, last) };
}

export function useChangePreview(
  physicianId: string,
  change: ScheduleChange | null,
  range: PreviewRange | null,
) {
  const enabled = !!change && !!range && range.to >= range.from;
  const blocks = useQuery({
    queryKey: ["assignments", physicianId, range],
    enabled,
    queryFn: () =>
      api.get<PlannedAssignments>(`/api/v1/physicians/${physicianId}/assignments`, {
        from: range!.from,
        to: range!.to,
      }),
  });
  const schedule = useQuery({
    queryKey: ["schedule", physicianId, range, null],
    enabled,
    queryFn: () =>
      api.get<Schedule>(`/api/v1/physicians/${physicianId}/schedule`, { from: range!.from, to: range!.to }),
  });
  const affected =
    enabled && blocks.data && schedule.data
      ? affectedAppointments(schedule.data.entries, blocks.data.assignments, change!, range!.from, range!.to)
      : null;
  return {
    affected,
    blocks: blocks.data?.assignments ?? [],
    isFetching: blocks.isFetching || schedule.isFetching,
    error: blocks.error ?? schedule.error,
  };
}

export function AffectedList({
  affected,
  range,
  onSave,
  saving,
  saveLabel,
}: {
  affected: AppointmentEntry[] | null;
  range: PreviewRange | null;
  onSave: () => void;
  saving: boolean;
  saveLabel: string;
}) {
  const { byId: locations } = useLocations();
  if (affected === null) return null;
  return (
    <Alert
      color={affected.length ? "orange" : "green"}
      title={
        affected.length
          ? `${affected.length} booked appointment${affected.length === 1 ? "" : "s"} would be affected`
          : "No booked appointment would be affected"
      }
      data-testid="change-preview"
      role="status"
    >
      {range ? (
        <Text size="sm" mb="xs">
          Checked {range.from} to {range.to}.
        </Text>
      ) : null}
      {affected.length ? (
        <>
          <List size="sm" mb="xs" aria-label="Affected appointments">
            {affected.map((a) => (
              <List.Item key={`${a.start}-${a.locationId}`}>
                {formatDateTime(a.start, a.local.timeZone)} at{" "}
                {locations.get(a.locationId)?.name ?? a.locationName}
              </List.Item>
            ))}
          </List>
          <Text size="sm" mb="xs">
            These patients keep their bookings until the front desk moves them; saving does not cancel anyone.
          </Text>
        </>
      ) : null}
      <Group>
        <Button onClick={onSave} loading={saving} color={affected.length ? "orange" : "blue"}>
          {saveLabel}
        </Button>
      </Group>
    </Alert>
  );
}
