/**
 * The alerts part of compliance monitoring: open and acknowledged alerts, each acknowledged or
 * resolved with a note; the latest resolved alerts; and whether the signed-in account receives
 * alert messages (administrators opt in; compliance officers always do) and in which language.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ComplianceOverview } from "../../../src/services/analytics/quality/schema.js";
import { api, fieldErrorsOf } from "../shared/api.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { ErrorAlert } from "../shared/ui.js";

type AlertItem = ComplianceOverview["alerts"][number];
type Subscription = ComplianceOverview["subscription"];
const when = (iso: string | null) => (iso ? formatDateTime(iso, viewerZone) : "—");
const short = (id: string | null) => (id ? id.slice(0, 8) : "—");

export const ALERT_TEXT: Record<string, (d: Record<string, unknown>) => string> = {
  break_glass_unreviewed: (d) =>
    `Break-the-glass access by account ${short(String(d.userId))} to patient ${short(String(d.patientId))} was not reviewed by ${when(String(d.reviewDue))}`,
  refusals: (d) =>
    `Account ${short(String(d.userId))} was refused ${String(d.count)} times since ${when(String(d.windowStart))}`,
  audit_chain_broken: (d) =>
    `The audit chain is broken at chain ${String(d.chain ?? "?")}, event ${String(d.seq ?? "?")}: ${String(d.reason)}`,
};
const describe = (a: AlertItem) => (ALERT_TEXT[a.kind] ?? (() => a.kind))(a.detail);

function OpenAlert({ alert }: { alert: AlertItem }) {
  const client = useQueryClient();
  const [note, setNote] = useState("");
  const done = () => client.invalidateQueries({ queryKey: ["compliance"] });
  const acknowledge = useMutation({
    mutationFn: () =>
      api.post(`/api/v1/analytics/compliance/alerts/${alert.id}/acknowledge`, note.trim() ? { note } : {}),
    onSuccess: () => {
      setNote("");
      return done();
    },
  });
  const resolve = useMutation({
    mutationFn: () => api.post(`/api/v1/analytics/compliance/alerts/${alert.id}/resolve`, { note }),
    onSuccess: done,
  });
  const fields = { ...fieldErrorsOf(acknowledge.error), ...fieldErrorsOf(resolve.error) };
  const acknowledged = alert.status === "acknowledged";
  return (
    <Alert
      color={acknowledged ? "yellow" : "red"}
      variant="light"
      title={`Raised ${when(alert.raisedAt)}`}
      component="article"
      aria-label={`Alert raised ${when(alert.raisedAt)}`}
    >
      <Stack gap="xs">
        <Text size="sm">{describe(alert)}</Text>
        <Group gap="xs">
          <Badge color={acknowledged ? "yellow.9" : "red.9"}>{acknowledged ? "Acknowledged" : "Open"}</Badge>
          {acknowledged ? (
            <Text size="sm">
              {when(alert.acknowledgedAt)}
              {alert.acknowledgeNote ? `: ${alert.acknowledgeNote}` : ""}
            </Text>
          ) : null}
        </Group>
        <Textarea
          label="Note"
          description={
            acknowledged
              ? "How it was resolved (required to resolve)"
              : "What is being done, or how it was resolved"
          }
          autosize
          minRows={2}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={fields["body.note"]}
        />
        <ErrorAlert error={acknowledge.error ?? resolve.error} title="The alert could not be updated" />
        <Group gap="xs" wrap="wrap">
          {acknowledged ? null : (
            <Button
              size="xs"
              variant="default"
              loading={acknowledge.isPending}
              onClick={() => acknowledge.mutate()}
            >
              Acknowledge
            </Button>
          )}
          <Button size="xs" loading={resolve.isPending} onClick={() => resolve.mutate()}>
            Resolve
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function ComplianceAlerts({ overview }: { overview: ComplianceOverview }) {
  const { alerts, resolvedAlerts } = overview;
  return (
    <>
      <Paper withBorder p="md" component="section" aria-labelledby="alerts-title">
        <Title order={2} size="h4" id="alerts-title" mb="xs">
          Open alerts ({alerts.length})
        </Title>
        {alerts.length === 0 ? <Text>No open alerts.</Text> : null}
        <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {alerts.map((a) => (
            <li key={a.id}>
              <OpenAlert alert={a} />
            </li>
          ))}
        </Stack>
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="resolved-title">
        <Title order={2} size="h4" id="resolved-title" mb="xs">
          Resolved alerts ({resolvedAlerts.length})
        </Title>
        {resolvedAlerts.length === 0 ? (
          <Text>No alert has been resolved yet.</Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table aria-labelledby="resolved-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Alert</Table.Th>
                  <Table.Th>Raised</Table.Th>
                  <Table.Th>Resolved</Table.Th>
                  <Table.Th>Note</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {resolvedAlerts.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>{describe(a)}</Table.Td>
                    <Table.Td>{when(a.raisedAt)}</Table.Td>
                    <Table.Td>
                      {when(a.resolvedAt)} by {short(a.resolvedBy)}
                    </Table.Td>
                    <Table.Td>{a.resolutionNote}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </>
  );
}

/** Whether this account is told of new alerts by email and in the app, and in which language. */
export function AlertSubscriptionForm({ current }: { current: Subscription }) {
  const client = useQueryClient();
  const [s, setS] = useState(current);
  useEffect(() => setS(current), [current]);
  const save = useMutation({
    mutationFn: () =>
      api.put<Subscription>("/api/v1/analytics/compliance/subscription", {
        subscribed: s.subscribed,
        language: s.language,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["compliance"] }),
  });
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-labelledby="subscription-title"
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Title order={2} size="h4" id="subscription-title" mb="xs">
        Alert messages
      </Title>
      <Text size="sm" mb="xs">
        New alerts are announced by email and in the app with their counts and a link to this page, never a
        patient's or an account's details.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <Switch
          label={
            current.required ? "Email me new alerts (always, as a compliance officer)" : "Email me new alerts"
          }
          checked={s.subscribed}
          disabled={current.required}
          onChange={(e) => setS({ ...s, subscribed: e.currentTarget.checked })}
        />
        <Select
          label="Language of the messages"
          data={[
            { value: "en", label: "English" },
            { value: "es", label: "Español" },
          ]}
          value={s.language}
          allowDeselect={false}
          onChange={(v) => setS({ ...s, language: v === "es" ? "es" : "en" })}
        />
        <Button type="submit" loading={save.isPending}>
          Save
        </Button>
        {save.isSuccess ? <Text size="sm">Saved.</Text> : null}
      </Group>
      <ErrorAlert error={save.error} title="The choice could not be saved" />
    </Paper>
  );
}
