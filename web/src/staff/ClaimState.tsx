/** Whether a completed visit went out as a claim: in which batch, with which code, place of service and amount. */
import { Paper, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ChargeState } from "../../../src/integrations/billing/schema.js";
import { api } from "../shared/api.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { money } from "../shared/ui.js";

const FORMAT: Record<string, string> = { "x12-837p": "X12 837P", "fhir-claim": "FHIR Claim" };

export function ClaimState({ appointmentId }: { appointmentId: string }) {
  const state = useQuery({
    queryKey: ["appointment-billing", appointmentId],
    queryFn: () => api.get<ChargeState>(`/api/v1/appointments/${appointmentId}/billing`),
  });
  if (!state.data) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="claim-state">
      <Title order={2} size="h5" id="claim-state" mb="xs">
        Billing
      </Title>
      {state.data.exports.length === 0 ? (
        <Text size="sm">Not exported as a claim yet.</Text>
      ) : (
        state.data.exports.map((e) => (
          <Text size="sm" key={`${e.format}:${e.batchId}`}>
            {FORMAT[e.format] ?? e.format}, exported {formatDateTime(e.exportedAt, viewerZone)}:{" "}
            {[e.procedureCode, ...e.modifiers].join("-")}, place of service {e.placeOfService},{" "}
            {money(e.amountCents)}
          </Text>
        ))
      )}
    </Paper>
  );
}
