/**
 * A schedule change as the server sees it before saving: the appointments it would make
 * impossible, each with its alternatives, and what to do with them on saving (move automatically,
 * offer the best alternative to the patient, or hand to the front desk). Saving applies the plan;
 * a plan the facts have overtaken is refused and asked again. Once applied, the report shows where
 * every affected appointment ended.
 */
import { Alert, Button, Group, List, SegmentedControl, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { PlanInput } from "../../../src/services/rescheduling/schema.js";
import { api } from "./api.js";
import { useLocations } from "./queries.js";
import { formatDateTime, viewerZone } from "./time.js";
import type { ReschedulePlan } from "./types.js";
import { ErrorAlert } from "./ui.js";

type Policy = "auto_move" | "offer" | "staff";
type Outcome = NonNullable<ReschedulePlan["affected"][number]["outcome"]>;

/** Asks the server what the change would do; nothing is changed until the plan is applied. */
export function useServerPreview(change: PlanInput | null) {
  return useQuery({
    queryKey: ["reschedule-plan", change],
    enabled: !!change,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    queryFn: () => api.post<ReschedulePlan>("/api/v1/reschedule-plans", change),
  });
}

const POLICIES: Array<{ value: Policy; label: string }> = [
  { value: "auto_move", label: "Moved to the best alternative" },
  { value: "offer", label: "Offered to the patient" },
  { value: "staff", label: "Handed to the front desk" },
];

export function ReschedulePreview({
  plan,
  saveLabel,
  onSaved,
}: {
  plan: ReschedulePlan;
  saveLabel: string;
  onSaved: (applied: ReschedulePlan) => void;
}) {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const [policy, setPolicy] = useState<Policy>("auto_move");
  const apply = useMutation({
    mutationFn: () => api.post<ReschedulePlan>(`/api/v1/reschedule-plans/${plan.id}/apply`, { policy }),
    onSuccess: (applied) => {
      for (const key of ["schedule", "assignments", "templates", "overrides", "time-off", "reschedule-plans"])
        void client.invalidateQueries({ queryKey: [key, plan.physicianId] });
      onSaved(applied);
    },
  });
  const { affected } = plan;
  const where = (id: string) => locations.get(id)?.name ?? "another location";
  const zoneOf = (id: string) => locations.get(id)?.timeZone ?? viewerZone;
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
      <ErrorAlert error={apply.error} title="Not saved" />
      {affected.length ? (
        <>
          <List size="sm" mb="xs" aria-label="Affected appointments">
            {affected.map((a) => {
              const [best, ...others] = a.alternatives;
              const when = formatDateTime(a.start, zoneOf(a.locationId));
              return (
                <List.Item key={a.appointmentId}>
                  {when} at {where(a.locationId)}
                  {" — "}
                  {best
                    ? `best alternative: ${formatDateTime(best.start, best.local.timeZone)} with ${best.physicianName} at ${best.locationName}`
                    : "no alternative found: the front desk rebooks it"}
                  {others.length ? (
                    <List size="sm" withPadding aria-label={`Other alternatives for ${when}`}>
                      {others.map((o) => (
                        <List.Item key={o.id}>
                          then {formatDateTime(o.start, o.local.timeZone)} with {o.physicianName} at{" "}
                          {o.locationName}
                        </List.Item>
                      ))}
                    </List>
                  ) : null}
                </List.Item>
              );
            })}
          </List>
          <SegmentedControl
            aria-label="On saving, affected appointments are"
            mb="xs"
            value={policy}
            onChange={(v) => setPolicy(v as Policy)}
            data={POLICIES}
          />
          <Text size="sm" mb="xs">
            {policy === "offer"
              ? "Each patient is asked to accept the best alternative (held for them for up to two days), choose another time or decline; unanswered or declined offers go to the front desk."
              : "Patients are told when they are moved; an appointment no alternative fits goes to its front desk."}{" "}
            Nobody is cancelled without a new time or a hand-over.
          </Text>
        </>
      ) : null}
      <Group>
        <Button
          onClick={() => apply.mutate()}
          loading={apply.isPending}
          color={affected.length ? "orange" : "blue"}
        >
          {saveLabel}
        </Button>
      </Group>
    </Alert>
  );
}

/** Where an affected appointment ended, in words. */
export function outcomeText(o: Outcome | null, zone: string): string {
  if (!o) return "not applied yet";
  switch (o.state) {
    case "moved":
      return "moved to the best alternative; the patient was told";
    case "offered":
      return `offered to the patient, held until ${o.offerExpiresAt ? formatDateTime(o.offerExpiresAt, zone) : "?"}`;
    case "accepted":
      return o.answer === "chose_another"
        ? "the patient chose another time"
        : "the patient accepted the offered time";
    default:
      return `handed to the front desk${o.note ? `: ${o.note}` : ""}`;
  }
}

/** The report of an applied plan: every affected appointment and where it ended. */
export function PlanReport({ plan }: { plan: ReschedulePlan }) {
  const { byId: locations } = useLocations();
  const zoneOf = (id: string) => locations.get(id)?.timeZone ?? viewerZone;
  const counts = new Map<string, number>();
  for (const a of plan.affected) {
    const state = a.outcome?.state ?? "proposed";
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const summary = [
    ["moved", "moved"],
    ["offered", "offered"],
    ["accepted", "accepted"],
    ["needs_attention", "handed to the front desk"],
  ]
    .filter(([k]) => counts.get(k!))
    .map(([k, label]) => `${counts.get(k!)} ${label}`)
    .join(", ");
  return (
    <section aria-label="Report of the change" data-testid="plan-report">
      <Text size="sm" mb="xs">
        {plan.affected.length
          ? `${plan.affected.length} affected appointment${plan.affected.length === 1 ? "" : "s"}: ${summary}.`
          : "No booked appointment was affected."}
      </Text>
      {plan.affected.length ? (
        <Table.ScrollContainer minWidth={480}>
          <Table striped aria-label="Affected appointments and where they ended">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Appointment</Table.Th>
                <Table.Th>Location</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {plan.affected.map((a) => (
                <Table.Tr key={a.appointmentId}>
                  <Table.Td>{formatDateTime(a.start, zoneOf(a.locationId))}</Table.Td>
                  <Table.Td>{locations.get(a.locationId)?.name ?? ""}</Table.Td>
                  <Table.Td>{outcomeText(a.outcome, zoneOf(a.locationId))}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </section>
  );
}
