/**
 * "Unavailable for the rest of today": a physician taken ill or called away. The server says which
 * of today's appointments that leaves without a physician and the same-day alternatives (another
 * physician of the specialty at the same location, or by video); saving moves, offers or hands
 * them over like any other schedule change, and the report shows where each went.
 */
import { Button, Group, Paper, Text, TextInput, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "./api.js";
import { PlanReport, ReschedulePreview } from "./ReschedulePreview.js";
import type { ReschedulePlan } from "./types.js";
import { ErrorAlert } from "./ui.js";

export function UnavailableToday({
  physicianId,
  who = "the physician",
}: {
  physicianId: string;
  who?: string;
}) {
  const [reason, setReason] = useState("");
  const [report, setReport] = useState<ReschedulePlan | null>(null);
  const propose = useMutation({
    mutationFn: () =>
      api.post<ReschedulePlan>(`/api/v1/physicians/${physicianId}/unavailable-today`, {
        reason: reason.trim() || null,
      }),
    onMutate: () => setReport(null),
  });
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={`unavailable-${physicianId}`}>
      <Title order={2} size="h4" id={`unavailable-${physicianId}`} mb="xs">
        Unavailable for the rest of today
      </Title>
      <Text size="sm" mb="xs">
        When {who} cannot see patients from now until the end of today, see which appointments are affected
        and their same-day alternatives before anything changes.
      </Text>
      <Group align="end" mb="xs">
        <TextInput
          label="Reason (optional)"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          maw={360}
        />
        <Button variant="light" color="orange" onClick={() => propose.mutate()} loading={propose.isPending}>
          Preview: unavailable from now
        </Button>
      </Group>
      <ErrorAlert error={propose.error} title="The preview could not be computed" />
      {propose.data && !report ? (
        <ReschedulePreview
          plan={propose.data}
          saveLabel="Mark unavailable and reschedule"
          onSaved={(applied) => {
            propose.reset();
            setReport(applied);
          }}
        />
      ) : null}
      {report ? <PlanReport plan={report} /> : null}
    </Paper>
  );
}
