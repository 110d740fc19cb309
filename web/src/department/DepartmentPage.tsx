/** The department head's desk: a physician's assignments on a calendar, and the changes to them. */
import { Paper, Stack, Tabs, Text } from "@mantine/core";
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PlanInput } from "../../../src/services/rescheduling/schema.js";
import { api, type Page } from "../shared/api.js";
import { physicianName, useLocations } from "../shared/queries.js";
import { navigate, useLocation } from "../shared/router.js";
import {
  type CalendarRange,
  displayZone,
  LocationLegend,
  ScheduleCalendar,
  scheduleLocationIds,
} from "../shared/ScheduleCalendar.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { viewerZone, wallClock } from "../shared/time.js";
import type {
  AssignmentOverride,
  AssignmentTemplate,
  Me,
  Physician,
  Schedule,
  TimeOff,
} from "../shared/types.js";
import { UnavailableToday } from "../shared/UnavailableToday.js";
import { ErrorAlert, Loading, locationPalette, PageTitle, QueryView } from "../shared/ui.js";
import { OverridesPanel, TemplatesPanel } from "./Assignments.js";
import { MoveWeekday } from "./MoveWeekday.js";
import { PlanReports } from "./PlanReports.js";
import { TimeOffPanel } from "./TimeOffPanel.js";
import type { OnPreview, PreviewRange, ServerAffected } from "./usePending.js";

export function DepartmentPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const lists = useQueries({
    queries: me.specialties.map((specialty) => ({
      queryKey: ["physicians", { specialty }],
      queryFn: () =>
        api.get<Page<Physician>>("/api/v1/physicians", { specialty, limit: 500, active: "true" }),
      staleTime: 5 * 60_000,
    })),
  });
  const physicians = [
    ...new Map(lists.flatMap((l) => l.data?.items ?? []).map((p) => [p.id, p])).values(),
  ].sort((a, b) => a.familyName.localeCompare(b.familyName));
  const physicianId = search.get("physician") ?? physicians[0]?.id ?? null;

  return (
    <>
      <PageTitle
        description={`Physicians of ${me.specialties.join(", ") || "your departments"}, at every location.`}
      >
        Department schedules
      </PageTitle>
      {lists.some((l) => l.isPending) ? <Loading /> : null}
      <ErrorAlert error={lists.find((l) => l.error)?.error} />
      <SearchableSelect
        label="Physician"
        data={physicians.map((p) => ({ value: p.id, label: physicianName(p) }))}
        value={physicianId}
        onChange={(v) => v && navigate(`/department?physician=${v}`, { replace: true })}
        allowDeselect={false}
        maw={420}
        mb="md"
      />
      {physicianId ? (
        <PhysicianSchedule key={physicianId} physicianId={physicianId} initialDate={search.get("date")} />
      ) : null}
    </>
  );
}

function PhysicianSchedule({
  physicianId,
  initialDate,
}: {
  physicianId: string;
  initialDate: string | null;
}) {
  const { byId: locations } = useLocations();
  const [range, setRange] = useState<CalendarRange | null>(null);
  const [previewing, setPreviewing] = useState<{
    change: PlanInput;
    range: PreviewRange;
    /** What the server's "what if" found, once it answered. */
    affected?: ServerAffected | undefined;
  } | null>(null);
  const schedule = useQuery({
    queryKey: ["schedule", physicianId, range, null],
    enabled: !!range,
    queryFn: () => api.get<Schedule>(`/api/v1/physicians/${physicianId}/schedule`, { ...range! }),
    placeholderData: keepPreviousData,
  });
  const templates = useQuery({
    queryKey: ["templates", physicianId],
    queryFn: () =>
      api.get<Page<AssignmentTemplate>>(`/api/v1/physicians/${physicianId}/templates`, { limit: 500 }),
  });
  const overrides = useQuery({
    queryKey: ["overrides", physicianId],
    queryFn: () =>
      api.get<Page<AssignmentOverride>>(`/api/v1/physicians/${physicianId}/overrides`, { limit: 500 }),
  });
  const timeOff = useQuery({
    queryKey: ["time-off", physicianId],
    queryFn: () => api.get<Page<TimeOff>>(`/api/v1/physicians/${physicianId}/time-off`, { limit: 200 }),
  });
  const entries = schedule.data?.entries ?? [];
  const ids = [
    ...new Set([
      ...scheduleLocationIds(entries),
      ...(templates.data?.items ?? []).map((t) => t.locationId),
      ...(previewing?.change.change === "add_override" ? [previewing.change.locationId] : []),
    ]),
  ];
  const palette = locationPalette(ids);
  const zone = displayZone(entries, viewerZone);
  const affectedKeys = new Set(
    (previewing?.affected ?? []).map((a) => `${Date.parse(a.start)}|${a.locationId}`),
  );
  const onPreview: OnPreview = (change, r, affected) =>
    setPreviewing(change && r ? { change, range: r, affected } : null);
  const first = previewing?.affected?.[0];
  const firstAffected = first ? wallClock(first.start, zone).slice(0, 10) : previewing?.range.from;

  return (
    <Stack>
      <LocationLegend locationIds={ids} locations={locations} palette={palette} zone={zone} />
      {previewing ? (
        <Text size="sm" role="status">
          Previewing a change: the appointments it would affect are outlined in red and marked “affected”.
        </Text>
      ) : null}
      <ErrorAlert error={schedule.error} />
      <Paper withBorder p="xs" data-testid="department-calendar">
        <ScheduleCalendar
          entries={entries}
          zone={zone}
          locations={locations}
          palette={palette}
          initialDate={initialDate ?? undefined}
          onRange={setRange}
          appointmentLabel={() => "Booked"}
          isAffected={(e) => affectedKeys.has(`${Date.parse(e.start)}|${e.locationId}`)}
          focusDate={firstAffected}
        />
      </Paper>
      <QueryView query={templates} label="Loading the weekly template…">
        {(t) => (
          <Tabs defaultValue="move" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="move">Move a weekday</Tabs.Tab>
              <Tabs.Tab value="templates">Weekly template</Tabs.Tab>
              <Tabs.Tab value="rotations">Rotations</Tabs.Tab>
              <Tabs.Tab value="time-off">Time off</Tabs.Tab>
              <Tabs.Tab value="unavailable">Unavailable today</Tabs.Tab>
              <Tabs.Tab value="reports">Rescheduling reports</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="move" pt="md">
              <MoveWeekday physicianId={physicianId} templates={t.items} onPreview={onPreview} />
            </Tabs.Panel>
            <Tabs.Panel value="templates" pt="md">
              <TemplatesPanel physicianId={physicianId} templates={t.items} onPreview={onPreview} />
            </Tabs.Panel>
            <Tabs.Panel value="rotations" pt="md">
              <QueryView query={overrides}>
                {(o) => (
                  <OverridesPanel physicianId={physicianId} overrides={o.items} onPreview={onPreview} />
                )}
              </QueryView>
            </Tabs.Panel>
            <Tabs.Panel value="time-off" pt="md">
              <QueryView query={timeOff}>
                {(o) => <TimeOffPanel physicianId={physicianId} timeOff={o.items} onPreview={onPreview} />}
              </QueryView>
            </Tabs.Panel>
            <Tabs.Panel value="unavailable" pt="md">
              <UnavailableToday physicianId={physicianId} />
            </Tabs.Panel>
            <Tabs.Panel value="reports" pt="md">
              <PlanReports physicianId={physicianId} />
            </Tabs.Panel>
          </Tabs>
        )}
      </QueryView>
    </Stack>
  );
}
