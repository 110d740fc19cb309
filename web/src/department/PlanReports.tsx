/** A physician's schedule changes that affected booked appointments, each with its report. */
import { Button, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PlanSummary } from "../../../src/services/rescheduling/schema.js";
import { api, type Page } from "../shared/api.js";
import { PlanReport } from "../shared/ReschedulePreview.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import type { ReschedulePlan } from "../shared/types.js";
import { QueryView } from "../shared/ui.js";

const CHANGES: Record<string, string> = {
  add_template: "weekly block added",
  remove_template: "weekly block removed",
  add_override: "rotation or temporary assignment",
  remove_override: "rotation or temporary assignment ended",
  time_off: "time off",
};

export function describePlan(p: Pick<PlanSummary, "cause" | "change">): string {
  if (p.cause === "unavailable_today") return "unavailable for the rest of the day";
  return CHANGES[String(p.change.change)] ?? String(p.change.change);
}

export function PlanReports({ physicianId }: { physicianId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const plans = useQuery({
    queryKey: ["reschedule-plans", physicianId],
    queryFn: () => api.get<Page<PlanSummary>>("/api/v1/reschedule-plans", { physicianId, limit: 50 }),
  });
  const report = useQuery({
    queryKey: ["reschedule-plan-report", open],
    enabled: !!open,
    queryFn: () => api.get<ReschedulePlan>(`/api/v1/reschedule-plans/${open}`),
  });
  return (
    <QueryView query={plans} label="Loading the reports…">
      {(page) => {
        const applied = page.items.filter((p) => p.status === "applied");
        if (!applied.length)
          return <Text size="sm">No saved change has affected a booked appointment yet.</Text>;
        return (
          <>
            <Table.ScrollContainer minWidth={560}>
              <Table striped aria-label="Saved changes and their reports">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Saved</Table.Th>
                    <Table.Th>Change</Table.Th>
                    <Table.Th>Affected</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {applied.map((p) => (
                    <Table.Tr key={p.id}>
                      <Table.Td>{formatDateTime(p.appliedAt ?? p.createdAt, viewerZone)}</Table.Td>
                      <Table.Td>{describePlan(p)}</Table.Td>
                      <Table.Td>
                        {p.affected} ({p.states.moved} moved, {p.states.offered} offered, {p.states.accepted}{" "}
                        accepted, {p.states.needs_attention} with the front desk)
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="light"
                          onClick={() => setOpen(open === p.id ? null : p.id)}
                          aria-expanded={open === p.id}
                          aria-label={`${open === p.id ? "Hide" : "Open"} report of the ${describePlan(p)} saved ${formatDateTime(p.appliedAt ?? p.createdAt, viewerZone)}`}
                        >
                          {open === p.id ? "Hide report" : "Open report"}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {open ? (
              <QueryView query={report} label="Loading the report…">
                {(plan) => <PlanReport plan={plan} />}
              </QueryView>
            ) : null}
          </>
        );
      }}
    </QueryView>
  );
}
