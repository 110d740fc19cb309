/**
 * A schedule change as the server sees it before saving: the appointments it would make
 * impossible, each with the best alternative, and what to do with them on saving (move
 * automatically, or hand to the front desk). Saving applies the plan; a plan the facts have
 * overtaken is refused and asked again.
 */
import { Alert, Button, Group, List, SegmentedControl, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { PlanInput } from "../../../src/services/rescheduling/schema.js";
import { api } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import type { ReschedulePlan } from "../shared/types.js";
import { ErrorAlert } from "../shared/ui.js";

type Policy = "auto_move" | "staff";

/** Asks the server what the change would do; nothing is changed until the plan is applied. */
export function useServerPreview(change: PlanInput | null) {
  return useQuery({
    queryKey: ["reschedule-plan", change],
    enabled: !!change,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => api.post<ReschedulePlan>("/api/v1/reschedule-plans", change),
  });
}

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
      for (const key of ["schedule", "assignments", "templates", "overrides", "time-off"])
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
              const best = a.alternatives[0];
              return (
                <List.Item key={a.appointmentId}>
                  {formatDateTime(a.start, zoneOf(a.locationId))} at {where(a.locationId)}
                  {" — "}
                  {best
                    ? `best alternative: ${formatDateTime(best.start, best.local.timeZone)} with ${best.physicianName} at ${best.locationName}`
                    : "no alternative found: the front desk rebooks it"}
                </List.Item>
              );
            })}
          </List>
          <SegmentedControl
            aria-label="On saving, affected appointments are"
            mb="xs"
            value={policy}
            onChange={(v) => setPolicy(v as Policy)}
            data={[
              { value: "auto_move", label: "Moved to the best alternative" },
              { value: "staff", label: "Handed to the front desk" },
            ]}
          />
          <Text size="sm" mb="xs">
            Patients are told when they are moved; an appointment no alternative fits goes to its front desk.
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
