/**
 * Capacity planning for department heads (their specialties) and administrators: propose the next
 * weeks' assignments of a specialty's physicians (the server solves it), compare the proposal with
 * today's plan (figures in a table, the same in a bar chart, per-location figures and the
 * per-physician/day assignments), list saved proposals and apply one with a rescheduling policy.
 */
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import {
  Alert,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { CapacityPlanDto } from "../../../src/services/analytics/capacity/schema.js";
import { api, fieldErrorsOf, type Page } from "./api.js";
import { useLocations, usePhysicianNames, useSpecialties } from "./queries.js";
import type { Me } from "./types.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "./ui.js";

type Policy = "offer" | "auto_move" | "staff";
const POLICIES: { value: Policy; label: string }[] = [
  { value: "offer", label: "Offer displaced patients new times" },
  { value: "auto_move", label: "Move displaced appointments automatically" },
  { value: "staff", label: "Leave displaced appointments to staff" },
];
const WEEKDAYS = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The next Monday after today (UTC calendar), as the API's ISO date. */
function nextMonday(): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== 1);
  return d.toISOString().slice(0, 10);
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const hours = (v: number) => v.toFixed(1);

export function CapacityPage({ me }: { me: Me }) {
  const specialties = useSpecialties();
  const own = me.role === "department_head";
  const choices = own
    ? me.specialties.map((code) => ({
        value: code,
        label: specialties.data?.items.find((s) => s.code === code)?.name ?? humanize(code),
      }))
    : (specialties.data?.items ?? []).map((s) => ({ value: s.code, label: s.name }));
  const [picked, setPicked] = useState<string | null>(null);
  const specialty = picked ?? choices[0]?.value ?? null;
  const [startDate, setStartDate] = useState(nextMonday());
  const [weeks, setWeeks] = useState<number | string>(4);
  const [shownId, setShownId] = useState<string | null>(null);
  const client = useQueryClient();

  const plans = useQuery({
    queryKey: ["capacity-plans", specialty],
    queryFn: () => api.get<Page<CapacityPlanDto>>("/api/v1/capacity-plans", { specialty, limit: 20 }),
    enabled: !!specialty,
  });
  const propose = useMutation({
    mutationFn: () =>
      api.post<CapacityPlanDto>("/api/v1/capacity-plans", { specialty, startDate, weeks: Number(weeks) }),
    onSuccess: (plan) => {
      setShownId(plan.id);
      client.setQueryData(["capacity-plan", plan.id], plan);
      void client.invalidateQueries({ queryKey: ["capacity-plans", specialty] });
    },
  });
  const errors = fieldErrorsOf(propose.error);
  const items = plans.data?.items ?? [];
  const shown = items.find((p) => p.id === shownId) ?? (propose.data?.id === shownId ? propose.data : null);

  return (
    <>
      <PageTitle description="Propose the next weeks' assignments of a specialty's physicians and compare them with today's plan before applying them.">
        Capacity planning
      </PageTitle>
      <Stack gap="md">
        <Paper
          withBorder
          p="md"
          component="form"
          aria-label="New proposal"
          onSubmit={(e) => {
            e.preventDefault();
            propose.mutate();
          }}
        >
          <Group align="end" wrap="wrap">
            <Select
              label="Specialty"
              data={choices}
              value={specialty}
              allowDeselect={false}
              searchable={!own}
              onChange={(v) => {
                setPicked(v);
                setShownId(null);
              }}
              error={errors.specialty}
            />
            <TextInput
              type="date"
              label="Start Monday"
              value={startDate}
              onChange={(e) => setStartDate(e.currentTarget.value)}
              error={errors.startDate}
            />
            <NumberInput
              label="Weeks"
              min={1}
              max={8}
              value={weeks}
              onChange={setWeeks}
              error={errors.weeks}
              w={100}
            />
            <Button type="submit" loading={propose.isPending} disabled={!specialty}>
              Propose
            </Button>
          </Group>
          {propose.isPending && (
            <Text size="sm" mt="xs" role="status">
              Solving the plan…
            </Text>
          )}
          <ErrorAlert error={propose.error} shownFields={["specialty", "startDate", "weeks"]} />
        </Paper>
        {shown && <Proposal key={shown.id} plan={shown} onApplied={() => void plans.refetch()} />}
        <Paper withBorder p="md" component="section" aria-labelledby="saved-title">
          <Title order={2} size="h4" id="saved-title" mb="xs">
            Saved proposals
          </Title>
          <QueryView query={plans} label="Loading proposals…">
            {(page) =>
              page.items.length === 0 ? (
                <Text>No proposals for this specialty yet.</Text>
              ) : (
                <Table.ScrollContainer minWidth={520}>
                  <Table aria-label="Saved proposals" striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Starts</Table.Th>
                        <Table.Th scope="col">Weeks</Table.Th>
                        <Table.Th scope="col">Coverage (today → proposed)</Table.Th>
                        <Table.Th scope="col">Status</Table.Th>
                        <Table.Th scope="col">
                          <VisuallyHidden>Actions</VisuallyHidden>
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {page.items.map((p) => (
                        <Table.Tr key={p.id}>
                          <Table.Th scope="row">{p.startDate}</Table.Th>
                          <Table.Td>{p.weeks}</Table.Td>
                          <Table.Td>
                            {pct(p.today.figures.coverage)} → {pct(p.proposed.figures.coverage)}
                          </Table.Td>
                          <Table.Td>
                            <Badge color={p.status === "applied" ? "teal" : "blue"} variant="outline">
                              {p.status}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Button
                              size="xs"
                              variant="light"
                              onClick={() => setShownId(p.id)}
                              aria-label={`Show the proposal starting ${p.startDate}`}
                              aria-pressed={p.id === shownId}
                            >
                              Show
                            </Button>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )
            }
          </QueryView>
        </Paper>
      </Stack>
    </>
  );
}

function Proposal({ plan, onApplied }: { plan: CapacityPlanDto; onApplied: () => void }) {
  const { byId } = useLocations();
  const [current, setCurrent] = useState(plan);
  const [policy, setPolicy] = useState<Policy>("offer");
  const apply = useMutation({
    mutationFn: () => api.post<CapacityPlanDto>(`/api/v1/capacity-plans/${plan.id}/apply`, { policy }),
    onSuccess: (p) => {
      setCurrent(p);
      onApplied();
    },
  });
  const t = current.today.figures;
  const p = current.proposed.figures;
  const rows: [string, number, number, (v: number) => string][] = [
    ["Coverage", t.coverage, p.coverage, pct],
    ["Short hours per week", t.shortHours, p.shortHours, hours],
    ["Waiting list hours per week left uncovered", t.waitlistShortHours, p.waitlistShortHours, hours],
    ["Idle hours per week", t.idleHours, p.idleHours, hours],
    ["Travel minutes per week", t.travelMinutes, p.travelMinutes, (v) => v.toFixed(0)],
  ];
  const chart = [
    { figure: "Short hours", today: round1(t.shortHours), proposed: round1(p.shortHours) },
    { figure: "Idle hours", today: round1(t.idleHours), proposed: round1(p.idleHours) },
    { figure: "Travel (hours)", today: round1(t.travelMinutes / 60), proposed: round1(p.travelMinutes / 60) },
  ];
  const locationName = (id: string) => byId.get(id)?.name ?? "Location";
  const todayByLocation = new Map(t.locations.map((l) => [l.locationId, l]));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="proposal-title">
      <Title order={2} size="h4" id="proposal-title" mb="xs">
        Proposal from {current.startDate} ({current.weeks} weeks) against today's plan
      </Title>
      <Text size="sm" mb="sm">
        Solved in {current.solveMs} ms. Status: {current.status}
        {current.appliedAt ? `, applied ${new Date(current.appliedAt).toLocaleString()}` : ""}.
      </Text>
      <Table aria-label="Today's plan and the proposal" striped mb="md">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Figure</Table.Th>
            <Table.Th scope="col">Today's plan</Table.Th>
            <Table.Th scope="col">Proposed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(([label, a, b, show]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td>{show(a)}</Table.Td>
              <Table.Td>{show(b)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {/* the tables carry the same figures for assistive technology; the chart takes no focus */}
      <div aria-hidden="true" data-testid="capacity-chart">
        <BarChart
          barChartProps={{ accessibilityLayer: false }}
          h={220}
          data={chart}
          dataKey="figure"
          withLegend
          series={[
            { name: "today", label: "Today's plan", color: "gray.7" },
            { name: "proposed", label: "Proposed", color: "blue.8" },
          ]}
        />
      </div>
      <Title order={3} size="h5" mt="md" mb="xs">
        Per location
      </Title>
      <Table.ScrollContainer minWidth={680}>
        <Table aria-label="Per location: today and proposed" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Location</Table.Th>
              <Table.Th scope="col">Demand (h/week)</Table.Th>
              <Table.Th scope="col">Of which waiting list (uncovered today → proposed)</Table.Th>
              <Table.Th scope="col">Planned today → proposed (h)</Table.Th>
              <Table.Th scope="col">Coverage today → proposed</Table.Th>
              <Table.Th scope="col">Expected wait today → proposed (days)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {p.locations.map((l) => {
              const was = todayByLocation.get(l.locationId);
              return (
                <Table.Tr key={l.locationId}>
                  <Table.Th scope="row">{locationName(l.locationId)}</Table.Th>
                  <Table.Td>{hours(l.demandHours)}</Table.Td>
                  <Table.Td>
                    {hours(l.waitlistHours)} ({was ? hours(was.waitlistShortHours) : "—"} →{" "}
                    {hours(l.waitlistShortHours)})
                  </Table.Td>
                  <Table.Td>
                    {was ? hours(was.plannedHours) : "—"} → {hours(l.plannedHours)}
                  </Table.Td>
                  <Table.Td>
                    {was ? pct(was.coverage) : "—"} → {pct(l.coverage)}
                  </Table.Td>
                  <Table.Td>
                    {was ? was.expectedWaitDays.toFixed(1) : "—"} → {l.expectedWaitDays.toFixed(1)}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Assignments plan={current} locationName={locationName} />
      {current.status === "proposed" ? (
        <Group align="end" mt="md" wrap="wrap">
          <Select
            label="Displaced appointments"
            data={POLICIES}
            value={policy}
            allowDeselect={false}
            onChange={(v) => setPolicy((v as Policy) ?? "offer")}
            w={340}
          />
          <Button onClick={() => apply.mutate()} loading={apply.isPending}>
            Apply
          </Button>
        </Group>
      ) : (
        <Alert color="teal" mt="md" title="Applied">
          {current.reschedulePlanIds.length === 0
            ? "No physician's week changed: nothing to reschedule."
            : `${current.reschedulePlanIds.length} rescheduling plan${current.reschedulePlanIds.length === 1 ? "" : "s"} made, one per physician whose week changed; follow them under Rescheduling reports.`}
        </Alert>
      )}
      <ErrorAlert error={apply.error} />
    </Paper>
  );
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Per physician and weekday: where they work today and in the proposal (changes marked). */
function Assignments({
  plan,
  locationName,
}: {
  plan: CapacityPlanDto;
  locationName: (id: string) => string;
}) {
  const ids = [
    ...new Set([...plan.today.assignments, ...plan.proposed.assignments].map((a) => a.physicianId)),
  ];
  const names = usePhysicianNames(ids);
  const days = [
    ...new Set([...plan.today.assignments, ...plan.proposed.assignments].map((a) => a.weekday)),
  ].sort();
  const at = (list: CapacityPlanDto["today"]["assignments"], physicianId: string, weekday: number) =>
    list
      .filter((a) => a.physicianId === physicianId && a.weekday === weekday)
      .map((a) => locationName(a.locationId))
      .sort()
      .join(", ");
  return (
    <>
      <Title order={3} size="h5" mt="md" mb="xs">
        Assignments per physician and day
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Assignments per physician and day" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Physician</Table.Th>
              {days.map((d) => (
                <Table.Th scope="col" key={d}>
                  {WEEKDAYS[d]}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ids
              .map((id) => ({ id, name: names.get(id) ?? "Physician" }))
              .sort((a, b) => a.name.localeCompare(b.name))
              .map(({ id, name }) => (
                <Table.Tr key={id}>
                  <Table.Th scope="row">{name}</Table.Th>
                  {days.map((d) => {
                    const before = at(plan.today.assignments, id, d);
                    const after = at(plan.proposed.assignments, id, d);
                    return (
                      <Table.Td key={d}>
                        {before === after ? (
                          after || "—"
                        ) : (
                          <Text size="sm" fw={700}>
                            {after || "off"}{" "}
                            <Text span size="xs" fw={400}>
                              (was {before || "off"})
                            </Text>
                          </Text>
                        )}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
