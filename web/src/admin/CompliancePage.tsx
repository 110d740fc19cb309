/**
 * Compliance monitoring (Reports → Compliance), for compliance officers and administrators:
 * open alerts to acknowledge and resolve with a note, resolved alerts (ComplianceAlerts.tsx), break-the-glass accesses not reviewed in time, refused
 * accesses per account, the audit chain's status per location, staff whose scope changed, and
 * the thresholds that raise alerts.
 */
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ComplianceOverview } from "../../../src/services/analytics/quality/schema.js";
import { api, fieldErrorsOf } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { PageTitle, QueryView } from "../shared/ui.js";
import { AlertSubscriptionForm, ComplianceAlerts } from "./ComplianceAlerts.js";

type Thresholds = ComplianceOverview["thresholds"];
const when = (iso: string) => formatDateTime(iso, viewerZone);
const short = (id: string | null) => (id ? id.slice(0, 8) : "—");

export function CompliancePage() {
  const overview = useQuery({
    queryKey: ["compliance"],
    queryFn: () => api.get<ComplianceOverview>("/api/v1/analytics/compliance"),
    refetchInterval: 60_000,
  });
  const { byId } = useLocations();
  return (
    <>
      <PageTitle description="Checked every 15 minutes and whenever this page opens, over the audit events recorded since the last check; each crossed threshold raises one alert, flagged in the audit log and announced by email and in the app.">
        Compliance monitoring
      </PageTitle>
      <QueryView query={overview} label="Checking the audit trail…">
        {(o) => (
          <Stack gap="md">
            <ComplianceAlerts overview={o} />

            <Paper withBorder p="md" component="section" aria-labelledby="chain-title">
              <Title order={2} size="h4" id="chain-title" mb="xs">
                Audit chain
              </Title>
              <Text mb="xs">
                {o.auditChain.ok
                  ? `Intact: ${o.auditChain.checked} events checked against their hashes and the signed checkpoints, each once, last ${o.auditChain.lastVerifiedAt ? when(o.auditChain.lastVerifiedAt) : "never"}.`
                  : `Broken at chain ${o.auditChain.brokenAt?.chain ?? "?"}, event ${o.auditChain.brokenAt?.seq ?? "?"}: ${o.auditChain.brokenAt?.reason ?? ""}`}
                {o.auditChain.upToDate ? "" : " Newer events are still being verified."}
              </Text>
              <Text size="sm" mb="xs">
                Per location: the events that record the location. A break in one of them marks that location;
                a removed event or a checkpoint that does not match has no location and marks every one.
              </Text>
              <Table.ScrollContainer minWidth={560}>
                <Table aria-labelledby="chain-title">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Location</Table.Th>
                      <Table.Th>Events</Table.Th>
                      <Table.Th>Last event</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>First break</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {o.locations.map((l) => (
                      <Table.Tr key={l.locationId}>
                        <Table.Td>{byId.get(l.locationId)?.name ?? short(l.locationId)}</Table.Td>
                        <Table.Td>{l.events}</Table.Td>
                        <Table.Td>{l.lastEventAt ? when(l.lastEventAt) : "—"}</Table.Td>
                        <Table.Td>
                          <Badge color={l.status === "intact" ? "green.9" : "red.9"}>{l.status}</Badge>
                        </Table.Td>
                        <Table.Td>
                          {l.firstBreak
                            ? `${l.firstBreak.scope === "trail" ? "Trail-wide: " : ""}chain ${l.firstBreak.chain ?? "?"}, event ${l.firstBreak.seq ?? "?"} (${when(l.firstBreak.foundAt)}): ${l.firstBreak.reason}`
                            : "—"}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>

            <Paper withBorder p="md" component="section" aria-labelledby="glass-title">
              <Title order={2} size="h4" id="glass-title" mb="xs">
                Break-the-glass accesses not reviewed in time
              </Title>
              {o.breakGlassOverdue.length === 0 ? (
                <Text>
                  None: every access was reviewed within {o.thresholds.breakGlassReviewHours} hours.
                </Text>
              ) : (
                <Table.ScrollContainer minWidth={420}>
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Account</Table.Th>
                        <Table.Th>Patient</Table.Th>
                        <Table.Th>Opened</Table.Th>
                        <Table.Th>Review was due</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {o.breakGlassOverdue.map((g) => (
                        <Table.Tr key={g.id}>
                          <Table.Td>{short(g.userId)}</Table.Td>
                          <Table.Td>{short(g.patientId)}</Table.Td>
                          <Table.Td>{when(g.grantedAt)}</Table.Td>
                          <Table.Td>{when(g.reviewDue)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Paper>

            <Paper withBorder p="md" component="section" aria-labelledby="refusals-title">
              <Title order={2} size="h4" id="refusals-title" mb="xs">
                Refused accesses per account since {when(o.refusalWindowStart)}
              </Title>
              {o.refusalsByAccount.length === 0 ? (
                <Text>No refused accesses in this window.</Text>
              ) : (
                <>
                  <BarChart
                    h={200}
                    dataKey="account"
                    data={o.refusalsByAccount
                      .slice(0, 15)
                      .map((r) => ({ account: short(r.userId), refused: r.count }))}
                    series={[{ name: "refused", label: "Refused", color: "red.9" }]}
                    referenceLines={[
                      { y: o.thresholds.refusalsPerAccount, label: "Alert threshold", color: "gray.8" },
                    ]}
                  />
                  <Text size="sm" mt="xs">
                    {o.refusalsByAccount.map((r) => `${short(r.userId)}: ${r.count}`).join(" · ")}
                  </Text>
                </>
              )}
            </Paper>

            <Paper withBorder p="md" component="section" aria-labelledby="scope-title">
              <Title order={2} size="h4" id="scope-title" mb="xs">
                Staff whose scope changed (last 30 days)
              </Title>
              {o.scopeChanges.length === 0 ? <Text>No changes.</Text> : null}
              <Stack gap={4} component="ul" style={{ paddingLeft: 18, margin: 0 }}>
                {o.scopeChanges.map((c) => (
                  <li key={`${c.userId}-${c.at}`}>
                    <Text size="sm">
                      {when(c.at)}: account {short(c.userId)}{" "}
                      {c.locationIds
                        ? `locations ${names(c.previousLocationIds, byId)} → ${names(c.locationIds, byId)}`
                        : `departments ${(c.previousDepartmentIds ?? []).length} → ${(c.departmentIds ?? []).length}`}
                      , by {short(c.changedBy)}
                    </Text>
                  </li>
                ))}
              </Stack>
            </Paper>

            <ThresholdsForm current={o.thresholds} />
            <AlertSubscriptionForm current={o.subscription} />
          </Stack>
        )}
      </QueryView>
    </>
  );
}

const names = (ids: string[] | null, byId: Map<string, { name: string }>) =>
  (ids ?? []).map((id) => byId.get(id)?.name ?? short(id)).join(", ") || "none";

function ThresholdsForm({ current }: { current: Thresholds }) {
  const client = useQueryClient();
  const [t, setT] = useState<Thresholds>(current);
  useEffect(() => setT(current), [current]);
  const save = useMutation({
    mutationFn: () => api.put<Thresholds>("/api/v1/analytics/compliance/thresholds", t),
    onSuccess: () => client.invalidateQueries({ queryKey: ["compliance"] }),
  });
  const fields = fieldErrorsOf(save.error);
  const num = (key: keyof Thresholds) => (v: string | number) => setT({ ...t, [key]: Number(v) || 0 });
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-labelledby="thresholds-title"
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Title order={2} size="h4" id="thresholds-title" mb="xs">
        Alert thresholds
      </Title>
      <Group align="flex-start" wrap="wrap">
        <NumberInput
          label="Review break-the-glass within (hours)"
          min={1}
          max={720}
          value={t.breakGlassReviewHours}
          onChange={num("breakGlassReviewHours")}
          error={fields["body.breakGlassReviewHours"]}
        />
        <NumberInput
          label="Refusals per account that raise an alert"
          min={1}
          max={10000}
          value={t.refusalsPerAccount}
          onChange={num("refusalsPerAccount")}
          error={fields["body.refusalsPerAccount"]}
        />
        <NumberInput
          label="Counted over (hours)"
          min={1}
          max={720}
          value={t.refusalWindowHours}
          onChange={num("refusalWindowHours")}
          error={fields["body.refusalWindowHours"]}
        />
      </Group>
      <Group mt="sm">
        <Button type="submit" loading={save.isPending}>
          Save thresholds
        </Button>
        {save.isSuccess ? <Text size="sm">Saved.</Text> : null}
      </Group>
    </Paper>
  );
}
