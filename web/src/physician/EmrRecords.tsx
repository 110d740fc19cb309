/**
 * The patient's record from the EMR (problems, allergies, medications, recent encounters, lab
 * results), read when the physician opens it and audited with the location they say they are at
 * (one of their own: the server checks). The EMR's patient is found by MRN; where its name, date of
 * birth or sex differ from Rounds' record, the difference is shown before anything else.
 */
import { Alert, Badge, Group, List, Paper, Select, Table, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import type { patientRecords } from "../../../src/integrations/emr/schema.js";
import { api, type Page } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { formatPlainDate } from "../shared/time.js";
import { humanize, QueryView } from "../shared/ui.js";

type PatientRecords = z.infer<typeof patientRecords>;

const dateOf = (s: string | null) => (s ? formatPlainDate(s.slice(0, 10)) : "—");
const MISMATCH_LABEL = { name: "Name", birthDate: "Date of birth", sex: "Sex" } as const;
const FLAG_COLOR = { low: "blue", high: "red", abnormal: "orange", normal: "gray" } as const;

function flagBadge(flag: PatientRecords["labResults"][number]["flag"]) {
  if (!flag) return "—";
  return (
    <Badge color={FLAG_COLOR[flag]} variant="light">
      {flag}
    </Badge>
  );
}

function Rows({ label, head, rows }: { label: string; head: string[]; rows: React.ReactNode[][] }) {
  if (!rows.length) return <Text c="dimmed">None recorded.</Text>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {head.map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((cells, i) => (
            // rows are the EMR's in the order it gave them
            // biome-ignore lint/suspicious/noArrayIndexKey: the rows have no other stable key
            <Table.Tr key={i}>
              {cells.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                <Table.Td key={j}>{c}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function EmrRecords({ patientId, physicianId }: { patientId: string; physicianId: string | null }) {
  const { byId: locations } = useLocations();
  const templates = useQuery({
    queryKey: ["physician-templates", physicianId],
    enabled: physicianId !== null,
    queryFn: () =>
      api.get<Page<{ locationId: string }>>(`/api/v1/physicians/${physicianId}/templates`, { limit: 500 }),
  });
  const mine = [...new Set((templates.data?.items ?? []).map((t) => t.locationId))];
  const [chosen, setChosen] = useState<string | null>(null);
  const at = chosen ?? mine[0] ?? null;
  const records = useQuery({
    queryKey: ["patient-records", patientId, at],
    enabled: !templates.isPending || physicianId === null,
    queryFn: () =>
      api.get<PatientRecords>(`/api/v1/patients/${patientId}/records`, at ? { locationId: at } : {}),
    staleTime: 0,
    retry: false,
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="emr-records">
      <Group justify="space-between" align="end" mb="sm">
        <Title order={2} size="h3" id="emr-records">
          Records from the EMR
        </Title>
        {mine.length > 1 && (
          <Select
            label="You are at"
            description="Recorded with this view in the audit trail"
            data={mine.map((id) => ({ value: id, label: locations.get(id)?.name ?? "Location" }))}
            value={at}
            onChange={setChosen}
            allowDeselect={false}
            w={260}
          />
        )}
      </Group>
      <QueryView query={records} label="Reading the EMR" what="patient record">
        {(r) => (
          <>
            <Text size="sm" c="dimmed" mb="sm">
              {r.withheld
                ? "The EMR was not asked: it does not serve this location's data residency region. Lab results received here are shown."
                : r.demographics
                  ? `EMR: ${r.demographics.name}, born ${r.demographics.birthDate ? formatPlainDate(r.demographics.birthDate) : "—"}, ${humanize(r.demographics.gender ?? "unknown")}`
                  : "The EMR has no record of this patient."}
              {r.source === "simulator" ? " (demo EMR simulator)" : ""}
            </Text>
            {r.demographics?.mismatches.length ? (
              <Alert color="orange" title="The EMR's details differ from Rounds'" mb="sm">
                <Text size="sm">Check that this is the same person before relying on the record.</Text>
                <List size="sm">
                  {r.demographics.mismatches.map((m) => (
                    <List.Item key={m.field}>
                      {MISMATCH_LABEL[m.field]}: Rounds has{" "}
                      {m.field === "birthDate" ? formatPlainDate(m.rounds) : humanize(m.rounds)}, the EMR has{" "}
                      {m.field === "birthDate" && /^\d{4}-\d{2}-\d{2}$/.test(m.emr)
                        ? formatPlainDate(m.emr)
                        : humanize(m.emr)}
                    </List.Item>
                  ))}
                </List>
              </Alert>
            ) : null}
            <Tabs defaultValue="labs" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="labs">Lab results ({r.labResults.length})</Tabs.Tab>
                <Tabs.Tab value="problems">Problems ({r.problems.length})</Tabs.Tab>
                <Tabs.Tab value="allergies">Allergies ({r.allergies.length})</Tabs.Tab>
                <Tabs.Tab value="medications">Medications ({r.medications.length})</Tabs.Tab>
                <Tabs.Tab value="encounters">Encounters ({r.encounters.length})</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="labs" pt="sm">
                <Rows
                  label="Lab results"
                  head={["Date", "Test", "Result", "Reference range", "Flag", "Source"]}
                  rows={r.labResults.map((l) => [
                    dateOf(l.effective),
                    l.name,
                    l.value,
                    l.referenceRange ?? "—",
                    flagBadge(l.flag),
                    l.source === "local" ? "Received by Rounds" : "EMR",
                  ])}
                />
              </Tabs.Panel>
              <Tabs.Panel value="problems" pt="sm">
                <Rows
                  label="Problems"
                  head={["Problem", "Status", "Since"]}
                  rows={r.problems.map((p) => [p.name, humanize(p.status ?? "—"), dateOf(p.onset)])}
                />
              </Tabs.Panel>
              <Tabs.Panel value="allergies" pt="sm">
                <Rows
                  label="Allergies"
                  head={["Substance", "Criticality", "Reactions"]}
                  rows={r.allergies.map((a) => [
                    a.substance,
                    humanize(a.criticality ?? "—"),
                    a.reactions.join(", ") || "—",
                  ])}
                />
              </Tabs.Panel>
              <Tabs.Panel value="medications" pt="sm">
                <Rows
                  label="Medications"
                  head={["Medication", "Dosage", "Status", "Ordered"]}
                  rows={r.medications.map((m) => [
                    m.name,
                    m.dosage ?? "—",
                    humanize(m.status),
                    dateOf(m.authoredOn),
                  ])}
                />
              </Tabs.Panel>
              <Tabs.Panel value="encounters" pt="sm">
                <Rows
                  label="Recent encounters"
                  head={["Date", "Encounter", "Class", "Status"]}
                  rows={r.encounters.map((e) => [
                    dateOf(e.start),
                    e.type,
                    e.class ?? "—",
                    humanize(e.status),
                  ])}
                />
              </Tabs.Panel>
            </Tabs>
          </>
        )}
      </QueryView>
    </Paper>
  );
}
