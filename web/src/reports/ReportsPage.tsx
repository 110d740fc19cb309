/**
 * Cross-location reports for administrators, department heads and staff: a date range, rows per
 * location (or per location and physician/specialty), a chart with the same figures in a table
 * beside it (the table is what assistive technology reads), and a CSV download of each report.
 */
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import {
  Anchor,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ResponsiveContainer, Sankey, Tooltip } from "recharts";
import { api, queryString } from "../shared/api.js";
import { money, PageTitle, QueryView } from "../shared/ui.js";

type Kind = "utilisation" | "revenue" | "efficiency" | "flow";
type By = "location" | "physician" | "specialty";
type Row = Record<string, string | number | null>;
interface Answer {
  from: string;
  to: string;
  rows: Row[];
}

const KINDS: { value: Kind; label: string }[] = [
  { value: "utilisation", label: "Utilisation" },
  { value: "revenue", label: "Revenue" },
  { value: "efficiency", label: "Wait times and efficiency" },
  { value: "flow", label: "Patient flow" },
];

/** The columns of each report's table: field, heading, how to show it. */
const COLUMNS: Record<Exclude<Kind, "flow">, [string, string, (v: number | null) => string][]> = {
  utilisation: [
    ["appointments", "Appointments", String],
    ["bookedMinutes", "Booked minutes", String],
    ["completedMinutes", "Completed minutes", String],
    ["noShowMinutes", "Lost to no-shows", String],
    ["cancelledMinutes", "Freed by cancellations", String],
    ["plannedMinutes", "Planned minutes", String],
    ["availableMinutes", "Free minutes", String],
    ["blockedMinutes", "Blocked (time off)", String],
    ["travelMinutes", "Travel minutes", String],
    ["fillableGaps", "Fillable gaps", String],
    ["fillableGapMinutes", "Fillable gap minutes", String],
    ["utilisationRate", "Utilisation", pct],
  ],
  revenue: [
    ["appointments", "Booked", String],
    ["bookedCents", "Booked value", (v) => money(v ?? 0)],
    ["realisedCents", "Realised (completed)", (v) => money(v ?? 0)],
    ["noShowCents", "Lost to no-shows", (v) => money(v ?? 0)],
    ["cancelledCents", "Cancelled", (v) => money(v ?? 0)],
    ["unpriced", "Without a fee", String],
    ["bookedPatientCents", "Patients' share (copays)", (v) => money(v ?? 0)],
    ["bookedPayerCents", "Payers' share", (v) => money(v ?? 0)],
    ["realisedPayerCents", "Payers' share, realised", (v) => money(v ?? 0)],
    ["withoutCopay", "Without a copay", String],
  ],
  efficiency: [
    ["appointments", "Appointments", String],
    ["leadDays", "Booking to visit (days)", (v) => (v === null ? "—" : v.toFixed(1))],
    ["checkInToStartMinutes", "Check-in to start (min)", (v) => (v === null ? "—" : v.toFixed(1))],
    ["noShowRate", "No-show rate", pct],
    ["lateCancellationRate", "Late cancellations", pct],
    ["cancellationRate", "All cancellations", pct],
    ["thirdNextAvailableDays", "Third next available slot (days)", (v) => (v === null ? "—" : v.toFixed(1))],
    ["waitlistFilled", "Filled from the waitlist", (v) => (v === null ? "—" : String(v))],
    ["waitlistFillHours", "Waitlist fill (median hours)", (v) => (v === null ? "—" : v.toFixed(1))],
  ],
};
/** The series each chart draws (a subset of the table's columns on one scale). */
const SERIES: Record<Exclude<Kind, "flow">, { name: string; label: string; color: string }[]> = {
  utilisation: [
    { name: "bookedMinutes", label: "Booked", color: "teal.8" },
    { name: "availableMinutes", label: "Free", color: "blue.3" },
    { name: "blockedMinutes", label: "Time off", color: "gray.6" },
    { name: "travelMinutes", label: "Travel", color: "orange.7" },
  ],
  revenue: [
    { name: "booked", label: "Booked value", color: "blue.8" },
    { name: "realised", label: "Realised", color: "teal.8" },
  ],
  efficiency: [
    { name: "noShowPct", label: "No-show rate (%)", color: "red.8" },
    { name: "latePct", label: "Late cancellations (%)", color: "orange.9" },
  ],
};

function pct(v: number | null): string {
  return v === null ? "—" : `${(v * 100).toFixed(1)} %`;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function groupLabel(r: Row): string {
  const extra = r.physicianName ?? r.specialty;
  return extra ? `${r.locationName} · ${extra}` : String(r.locationName);
}

export function ReportsPage({ description }: { description: string }) {
  const today = new Date();
  const [kind, setKind] = useState<Kind>("utilisation");
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 30 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [by, setBy] = useState<By>("location");
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const query = { from, to, by: kind === "flow" ? undefined : by };
  const report = useQuery({
    queryKey: ["report", kind, from, to, by],
    queryFn: () => api.get<Answer>(`/api/v1/analytics/reports/${kind}`, query),
    enabled: valid,
  });
  const title = KINDS.find((k) => k.value === kind)!.label;
  return (
    <>
      <PageTitle description={description}>Reports</PageTitle>
      <Stack gap="md">
        <SegmentedControl
          aria-label="Report"
          data={KINDS}
          value={kind}
          onChange={(v) => setKind(v as Kind)}
          orientation="horizontal"
          fullWidth
          styles={{ root: { flexWrap: "wrap" } }}
        />
        <Group align="end" wrap="wrap">
          <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput
            type="date"
            label="To"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={valid ? undefined : "Choose a start on or before the end"}
          />
          {kind !== "flow" && (
            <Select
              label="Rows per"
              value={by}
              allowDeselect={false}
              onChange={(v) => setBy((v as By) ?? "location")}
              data={[
                { value: "location", label: "Location" },
                { value: "physician", label: "Location and physician" },
                { value: "specialty", label: "Location and specialty" },
              ]}
            />
          )}
          {valid && (
            <Anchor
              href={`/api/v1/analytics/reports/${kind}${queryString({ ...query, format: "csv" })}`}
              download
            >
              Download {title.toLowerCase()} as CSV
            </Anchor>
          )}
        </Group>
        {valid && (
          <QueryView query={report} label="Loading the report…">
            {(a) =>
              a.rows.length === 0 ? (
                <Text>No appointments in this range.</Text>
              ) : kind === "flow" ? (
                <FlowReport rows={a.rows} />
              ) : (
                <FiguresReport kind={kind} title={title} rows={a.rows} />
              )
            }
          </QueryView>
        )}
      </Stack>
    </>
  );
}

function FiguresReport({ kind, title, rows }: { kind: Exclude<Kind, "flow">; title: string; rows: Row[] }) {
  const data = rows.map((r) => ({
    ...r,
    group: groupLabel(r),
    booked: Math.round(Number(r.bookedCents ?? 0) / 100),
    realised: Math.round(Number(r.realisedCents ?? 0) / 100),
    noShowPct: r.noShowRate === null ? 0 : Math.round(Number(r.noShowRate) * 1000) / 10,
    latePct: r.lateCancellationRate === null ? 0 : Math.round(Number(r.lateCancellationRate) * 1000) / 10,
  }));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="report-title">
      <Title order={2} size="h4" id="report-title" mb="xs">
        {title}, side by side
      </Title>
      {/* the table below carries the same figures for assistive technology; the chart takes no focus */}
      <div aria-hidden="true" data-testid="report-chart">
        <BarChart
          barChartProps={{ accessibilityLayer: false }}
          h={Math.max(220, data.length * 36)}
          data={data}
          dataKey="group"
          orientation="vertical"
          type={kind === "utilisation" ? "stacked" : "default"}
          yAxisProps={{ width: 180 }}
          withLegend
          series={SERIES[kind]}
        />
      </div>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label={`${title} per row`} mt="sm" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Location</Table.Th>
              {COLUMNS[kind].map(([field, heading]) => (
                <Table.Th scope="col" key={field}>
                  {heading}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={`${r.locationId}-${r.physicianId}-${r.specialty}`}>
                <Table.Th scope="row">{groupLabel(r)}</Table.Th>
                {COLUMNS[kind].map(([field, , show]) => (
                  <Table.Td key={field}>{show(r[field] as number | null)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

const FLOW_KINDS = [
  { value: "all", label: "All flows" },
  { value: "reschedule", label: "Rescheduled from another location" },
  { value: "referral", label: "Referred from another location" },
  { value: "follow_up", label: "Followed up after a visit elsewhere" },
  { value: "home_area", label: "From home areas" },
];

/** A flow's source as the chart and the table name it: a home area, or the location left or referring. */
const SOURCE_PREFIX: Record<string, string> = {
  area: "",
  location: "moved from ",
  referral: "referred from ",
  follow_up: "followed up from ",
};
const SOURCE_SUFFIX: Record<string, string> = {
  area: "(home area)",
  location: "(rescheduled from)",
  referral: "(referred from)",
  follow_up: "(followed up from)",
};

function FlowReport({ rows: all }: { rows: Row[] }) {
  const [flowKind, setFlowKind] = useState("all");
  const rows = flowKind === "all" ? all : all.filter((r) => r.kind === flowKind);
  // sources and destinations are separate nodes, so a location patients left and reached stays acyclic
  const sourceOf = (r: Row) => `${SOURCE_PREFIX[String(r.sourceKind)] ?? ""}${r.sourceName}`;
  const sources = [...new Set(rows.map(sourceOf))];
  const targets = [...new Set(rows.map((r) => String(r.locationName)))];
  const nodes = [...sources, ...targets].map((name) => ({ name }));
  const links = rows.map((r) => ({
    source: sources.indexOf(sourceOf(r)),
    target: sources.length + targets.indexOf(String(r.locationName)),
    value: Number(r.visits),
  }));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="flow-title">
      <Title order={2} size="h4" id="flow-title" mb="xs">
        Where patients came from
      </Title>
      <Text size="sm" mb="sm">
        Home areas, the location that referred the patient, and, for visits moved by rescheduling, the
        location they left, to the location of the visit.
      </Text>
      <Select
        label="Flow kind"
        value={flowKind}
        allowDeselect={false}
        onChange={(v) => setFlowKind(v ?? "all")}
        data={FLOW_KINDS}
        mb="sm"
        maw={360}
      />
      {rows.length === 0 && <Text>No visits of this kind in this range.</Text>}
      {/* no scrolling box and no focusable chart: hidden from assistive technology, it must hold
          nothing a keyboard reaches (the table below has the same figures) */}
      <div aria-hidden="true" data-testid="report-chart">
        <ResponsiveContainer width="100%" height={Math.max(240, nodes.length * 28)}>
          <Sankey
            accessibilityLayer={false}
            data={{ nodes, links }}
            nodePadding={16}
            margin={{ left: 8, right: 160, top: 8, bottom: 8 }}
            link={{ stroke: "#1c7ed6", strokeOpacity: 0.35 }}
            node={{ fill: "#1864ab" }}
          >
            <Tooltip />
          </Sankey>
        </ResponsiveContainer>
      </div>
      <Table.ScrollContainer minWidth={420}>
        <Table aria-label="Patient flow" mt="sm" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">From</Table.Th>
              <Table.Th scope="col">To</Table.Th>
              <Table.Th scope="col">Visits</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={`${r.sourceKind}-${r.source}-${r.locationId}`}>
                <Table.Th scope="row">
                  {`${r.sourceName} ${SOURCE_SUFFIX[String(r.sourceKind)] ?? ""}`}
                </Table.Th>
                <Table.Td>{r.locationName}</Table.Td>
                <Table.Td>{r.visits}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
