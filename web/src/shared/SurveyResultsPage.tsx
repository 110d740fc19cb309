/**
 * Satisfaction survey results (Reports → Quality): average, count and distribution of ratings for
 * a location's or a physician's visits in a period, with the patients' comments. Staff pick one of
 * their locations, department heads one of their department's physicians, administrators either.
 */
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import {
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { SurveyResults } from "../../../src/services/analytics/quality/schema.js";
import { api } from "./api.js";
import { physicianName, useLocations, usePhysicianNames, usePhysicians } from "./queries.js";
import { formatDateTime, viewerZone } from "./time.js";
import type { Me } from "./types.js";
import { PageTitle, QueryView } from "./ui.js";

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function SurveyResultsPage({ me }: { me: Me }) {
  const staff = me.role === "location_staff";
  const head = me.role === "department_head";
  const [by, setBy] = useState<"location" | "physician">(head ? "physician" : "location");
  const { locations, byId } = useLocations();
  const mine = staff ? locations.filter((l) => me.locationIds.includes(l.id)) : locations;
  const physicians = usePhysicians();
  const eligible = (physicians.data?.items ?? []).filter(
    (p) => !head || p.specialties.some((s) => me.specialties.includes(s)),
  );
  const [locationId, setLocationId] = useState<string | null>(null);
  const [physicianId, setPhysicianId] = useState<string | null>(null);
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 90 * 86_400_000)));
  const [to, setTo] = useState(isoDay(new Date(today.getTime() + 86_400_000)));
  const chosenLocation = by === "location" ? (locationId ?? mine[0]?.id ?? null) : null;
  const chosenPhysician = by === "physician" ? (physicianId ?? eligible[0]?.id ?? null) : null;
  const validPeriod = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from < to;
  const results = useQuery({
    queryKey: ["survey-results", chosenLocation, chosenPhysician, from, to],
    queryFn: () =>
      api.get<SurveyResults>("/api/v1/surveys/results", {
        ...(chosenLocation ? { locationId: chosenLocation } : {}),
        ...(chosenPhysician ? { physicianId: chosenPhysician } : {}),
        from: `${from}T00:00:00Z`,
        to: `${to}T00:00:00Z`,
      }),
    enabled: validPeriod && !!(chosenLocation || chosenPhysician),
  });
  const names = usePhysicianNames(results.data?.byPhysician.map((p) => p.physicianId) ?? []);

  return (
    <>
      <PageTitle description="After a completed visit each patient is asked, once, to rate it from 1 to 5 and may add a comment.">
        Quality: patient satisfaction
      </PageTitle>
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end" wrap="wrap">
          {!staff && !head ? (
            <SegmentedControl
              aria-label="Results of"
              value={by}
              onChange={(v) => setBy(v as "location" | "physician")}
              data={[
                { value: "location", label: "A location" },
                { value: "physician", label: "A physician" },
              ]}
            />
          ) : null}
          {by === "location" ? (
            <Select
              label="Location"
              data={mine.map((l) => ({ value: l.id, label: l.name }))}
              value={chosenLocation}
              onChange={setLocationId}
              allowDeselect={false}
            />
          ) : (
            <Select
              label="Physician"
              searchable
              data={eligible.map((p) => ({ value: p.id, label: physicianName(p) }))}
              value={chosenPhysician}
              onChange={setPhysicianId}
              allowDeselect={false}
            />
          )}
          <TextInput
            label="Visits from"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
          />
          <TextInput
            label="to (not including)"
            type="date"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={validPeriod ? undefined : "The end must be after the start"}
          />
        </Group>
      </Paper>
      <QueryView query={results} label="Loading the results…">
        {(r) => (
          <Stack gap="md">
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs" aria-label="Overall">
              <Figure
                label="Average rating"
                value={r.overall.average === null ? "—" : r.overall.average.toFixed(2)}
              />
              <Figure label="Answers" value={String(r.overall.count)} />
              <Figure label="Comments" value={String(r.comments.length)} />
            </SimpleGrid>
            <Paper withBorder p="md" component="section" aria-labelledby="distribution-title">
              <Title order={2} size="h4" id="distribution-title" mb="xs">
                How patients rated their visits
              </Title>
              <BarChart
                h={220}
                dataKey="rating"
                data={r.overall.distribution.map((n, i) => ({ rating: `${i + 1}`, answers: n }))}
                series={[{ name: "answers", label: "Answers", color: "blue.8" }]}
                xAxisLabel="Rating"
                yAxisLabel="Answers"
              />
              <Text size="sm" mt="xs">
                {r.overall.distribution.map((n, i) => `${i + 1}: ${n}`).join(" · ")}
              </Text>
            </Paper>
            <Paper withBorder p="md" component="section" aria-labelledby="breakdown-title">
              <Title order={2} size="h4" id="breakdown-title" mb="xs">
                {by === "location" ? "Per physician" : "Per location"}
              </Title>
              <Table.ScrollContainer minWidth={420}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{by === "location" ? "Physician" : "Location"}</Table.Th>
                      <Table.Th>Average</Table.Th>
                      <Table.Th>Answers</Table.Th>
                      <Table.Th>1 · 2 · 3 · 4 · 5</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {(by === "location"
                      ? r.byPhysician.map((p) => ({
                          key: p.physicianId,
                          name: names.get(p.physicianId) ?? "…",
                          ...p,
                        }))
                      : r.byLocation.map((l) => ({
                          key: l.locationId,
                          name: byId.get(l.locationId)?.name ?? "…",
                          ...l,
                        }))
                    ).map((row) => (
                      <Table.Tr key={row.key}>
                        <Table.Td>{row.name}</Table.Td>
                        <Table.Td>{row.average?.toFixed(2) ?? "—"}</Table.Td>
                        <Table.Td>{row.count}</Table.Td>
                        <Table.Td>{row.distribution.join(" · ")}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
            <Paper withBorder p="md" component="section" aria-labelledby="comments-title">
              <Title order={2} size="h4" id="comments-title" mb="xs">
                Comments
              </Title>
              {r.comments.length === 0 ? <Text>No comments in this period.</Text> : null}
              <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {r.comments.map((c) => (
                  <li key={`${c.answeredAt}-${c.comment}`}>
                    <Text fw={600} size="sm">
                      Rated {c.rating} of 5 · {formatDateTime(c.answeredAt, viewerZone)}
                    </Text>
                    <Text>{c.comment}</Text>
                  </li>
                ))}
              </Stack>
            </Paper>
          </Stack>
        )}
      </QueryView>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="xs">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
    </Paper>
  );
}
