/**
 * Security incidents (Compliance → Incidents), for compliance officers and administrators: the
 * list with filters, and an incident's page with its timeline and the steps of the runbook:
 * acknowledge, add a note, lock the account (unlock: administrators), resolve with an outcome.
 */
import { Badge, Button, Group, Paper, Select, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Incident, IncidentDetail } from "../../../src/services/analytics/incidents/index.js";
import { api, fieldErrorsOf } from "../shared/api.js";
import { Link } from "../shared/router.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "../shared/ui.js";

const when = (iso: string | null) => (iso ? formatDateTime(iso, viewerZone) : "—");
const SEVERITY_COLOR: Record<string, string> = {
  low: "gray.8",
  medium: "yellow.9",
  high: "red.9",
  critical: "grape.9",
};
const KINDS = [
  "refused_burst",
  "break_glass_unusual",
  "sign_in_spraying",
  "sign_in_failures",
  "mass_read",
  "audit_chain_failure",
];
const option = (v: string) => ({ value: v, label: humanize(v) });
const subjectOf = (i: Incident) =>
  i.account?.email
    ? `${i.account.email}${i.account.locked ? " (locked)" : ""}`
    : `${i.subjectKind} ${i.subject}`;

export function IncidentsPage() {
  const [status, setStatus] = useState<string | null>("open");
  const [kind, setKind] = useState<string | null>(null);
  const [severity, setSeverity] = useState<string | null>(null);
  const query = new URLSearchParams({ limit: "200" });
  if (status) query.set("status", status);
  if (kind) query.set("kind", kind);
  if (severity) query.set("severity", severity);
  const list = useQuery({
    queryKey: ["incidents", status, kind, severity],
    queryFn: () => api.get<{ items: Incident[]; total: number }>(`/api/v1/incidents?${query}`),
    refetchInterval: 60_000,
  });
  return (
    <>
      <PageTitle description="Raised by the detectors over the audit trail (refused accesses, failed sign-ins, mass reads, break-the-glass use, audit chain breaks). Follow docs/incident-response.md.">
        Security incidents
      </PageTitle>
      <Group mb="md" align="flex-end" wrap="wrap">
        <Select
          label="Status"
          clearable
          data={["open", "acknowledged", "resolved"].map(option)}
          value={status}
          onChange={setStatus}
        />
        <Select label="Kind" clearable data={KINDS.map(option)} value={kind} onChange={setKind} />
        <Select
          label="Severity"
          clearable
          data={["low", "medium", "high", "critical"].map(option)}
          value={severity}
          onChange={setSeverity}
        />
      </Group>
      <QueryView query={list} label="Loading incidents…">
        {(page) =>
          page.items.length === 0 ? (
            <Text>No incidents match.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Security incidents">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Incident</Table.Th>
                    <Table.Th>Severity</Table.Th>
                    <Table.Th>Subject</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last signal</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td>
                        <Link to={`/admin/audit/incidents/${i.id}`}>{humanize(i.kind)}</Link>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={SEVERITY_COLOR[i.severity]}>{i.severity}</Badge>
                      </Table.Td>
                      <Table.Td>{subjectOf(i)}</Table.Td>
                      <Table.Td>{humanize(i.status)}</Table.Td>
                      <Table.Td>{when(i.lastSignalAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </>
  );
}

const describeEntry = (e: IncidentDetail["timeline"][number]) => {
  const d = e.detail;
  const note = typeof d.note === "string" ? `: ${d.note}` : "";
  switch (e.kind) {
    case "signal":
      return `Signal: ${String(d.count)} counted (${String(d.severity)}) between ${when(String(d.first))} and ${when(String(d.last))}`;
    case "alert_sent":
      return `Security contacts alerted (${String(d.recipients)})`;
    case "account_locked":
      return `Account locked${d.automatic ? " automatically" : ""}${note}`;
    case "account_unlocked":
      return `Account unlocked${note}`;
    case "resolved":
      return `Resolved as ${humanize(String(d.outcome))}${note}`;
    default:
      return `${humanize(e.kind)}${note}`;
  }
};

export function IncidentPage({ id, isAdmin }: { id: string; isAdmin: boolean }) {
  const client = useQueryClient();
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<string | null>(null);
  const incident = useQuery({
    queryKey: ["incident", id],
    queryFn: () => api.get<IncidentDetail>(`/api/v1/incidents/${id}`),
  });
  const act = useMutation({
    mutationFn: (step: "acknowledge" | "notes" | "lock" | "unlock" | "resolve") =>
      api.post<IncidentDetail>(
        `/api/v1/incidents/${id}/${step}`,
        step === "resolve" ? { outcome, note } : step === "notes" || note.trim() ? { note } : {},
      ),
    onSuccess: (d) => {
      setNote("");
      client.setQueryData(["incident", id], d);
      return client.invalidateQueries({ queryKey: ["incidents"] });
    },
  });
  const fields = fieldErrorsOf(act.error);
  return (
    <QueryView
      query={incident}
      what="incident"
      back={{ to: "/admin/audit/incidents", label: "All incidents" }}
    >
      {(i) => (
        // subjects and timeline entries name accounts and addresses: long words wrap on a phone
        <div style={{ overflowWrap: "anywhere", minWidth: 0 }}>
          <PageTitle
            description={`Opened ${when(i.openedAt)}; ${i.signals} signal(s), the last ${when(i.lastSignalAt)}.`}
          >
            {humanize(i.kind)}: {subjectOf(i)}
          </PageTitle>
          <Stack gap="md">
            <Group gap="xs">
              <Badge color={SEVERITY_COLOR[i.severity]}>{i.severity}</Badge>
              <Badge color="blue.9">{humanize(i.status)}</Badge>
              {i.account ? (
                <Badge color={i.account.locked ? "red.9" : "green.9"}>
                  {i.account.locked ? "Account locked" : "Account can sign in"}
                </Badge>
              ) : null}
            </Group>
            <Paper withBorder p="md" component="section" aria-labelledby="timeline-title">
              <Title order={2} size="h4" id="timeline-title" mb="xs">
                Timeline
              </Title>
              <ol style={{ margin: 0, paddingLeft: "1.2rem" }}>
                {i.timeline.map((e) => (
                  <li key={e.id}>
                    <Text size="sm">
                      {when(e.at)} — {describeEntry(e)}
                      {e.actorId ? ` (by ${e.actorId.slice(0, 8)})` : ""}
                    </Text>
                  </li>
                ))}
              </ol>
            </Paper>
            {i.status === "resolved" ? null : (
              <Paper withBorder p="md" component="section" aria-labelledby="respond-title">
                <Title order={2} size="h4" id="respond-title" mb="xs">
                  Respond
                </Title>
                <Stack gap="xs">
                  <Textarea
                    label="Note"
                    description="What was found, who was told, what evidence was kept (required to add a note or resolve)"
                    autosize
                    minRows={2}
                    maxLength={2000}
                    value={note}
                    onChange={(e) => setNote(e.currentTarget.value)}
                    error={fields["body.note"]}
                  />
                  <Select
                    label="Outcome (to resolve)"
                    data={["confirmed", "contained", "false_positive", "benign"].map(option)}
                    value={outcome}
                    onChange={setOutcome}
                    error={fields["body.outcome"]}
                  />
                  <ErrorAlert
                    error={act.error}
                    title="The incident could not be updated"
                    shownFields={["body.note", "body.outcome"]}
                  />
                  <Group gap="xs" wrap="wrap">
                    {i.status === "open" ? (
                      <Button
                        variant="default"
                        onClick={() => act.mutate("acknowledge")}
                        loading={act.isPending}
                      >
                        Acknowledge
                      </Button>
                    ) : null}
                    <Button variant="default" onClick={() => act.mutate("notes")} loading={act.isPending}>
                      Add note
                    </Button>
                    {i.account && !i.account.locked ? (
                      <Button color="red.9" onClick={() => act.mutate("lock")} loading={act.isPending}>
                        Lock account
                      </Button>
                    ) : null}
                    {i.account?.locked && isAdmin ? (
                      <Button variant="default" onClick={() => act.mutate("unlock")} loading={act.isPending}>
                        Unlock account
                      </Button>
                    ) : null}
                    <Button onClick={() => act.mutate("resolve")} loading={act.isPending}>
                      Resolve
                    </Button>
                  </Group>
                </Stack>
              </Paper>
            )}
            {i.account?.locked && !isAdmin ? (
              <Text size="sm">Only an administrator can unlock the account.</Text>
            ) : null}
          </Stack>
        </div>
      )}
    </QueryView>
  );
}
