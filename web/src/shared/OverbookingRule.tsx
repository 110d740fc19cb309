/**
 * A location's overbooking rule (off by default) for its staff and administrators: what it does,
 * in the API's own words, and switching it on or off with its threshold of expected no-shows.
 */
import { Button, Group, NumberInput, Paper, Switch, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { OverbookingRuleDto } from "../../../src/services/scheduling/overbooking.schema.js";
import { api, fieldErrorsOf } from "./api.js";
import { ErrorAlert, QueryView } from "./ui.js";

export function OverbookingRule({ locationId }: { locationId: string }) {
  const rule = useQuery({
    queryKey: ["overbooking-rule", locationId],
    queryFn: () => api.get<OverbookingRuleDto>(`/api/v1/locations/${locationId}/overbooking-rule`),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`overbooking-${locationId}`}>
      <Title order={2} size="h4" id={`overbooking-${locationId}`} mb="xs">
        Overbooking
      </Title>
      <QueryView query={rule} label="Loading the overbooking rule…">
        {(r) => <RuleForm key={r.updatedAt ?? "never"} rule={r} />}
      </QueryView>
    </Paper>
  );
}

function RuleForm({ rule }: { rule: OverbookingRuleDto }) {
  const client = useQueryClient();
  const [enabled, setEnabled] = useState(rule.enabled);
  const [threshold, setThreshold] = useState<number | string>(rule.threshold);
  const [toPatients, setToPatients] = useState(rule.offerToPatients);
  const save = useMutation({
    mutationFn: () =>
      api.put<OverbookingRuleDto>(`/api/v1/locations/${rule.locationId}/overbooking-rule`, {
        enabled,
        threshold: Number(threshold),
        offerToPatients: toPatients,
      }),
    onSuccess: (r) => client.setQueryData(["overbooking-rule", rule.locationId], r),
  });
  const errors = fieldErrorsOf(save.error);
  const changed =
    enabled !== rule.enabled || Number(threshold) !== rule.threshold || toPatients !== rule.offerToPatients;
  return (
    <form
      aria-label="Overbooking rule"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Text size="sm" mb="sm">
        {rule.explanation}
      </Text>
      <Text size="sm" mb="sm" data-testid="overbooking-state">
        {rule.enabled
          ? `On: a session expected to miss more than ${rule.threshold} visits offers one extra seat, ${
              rule.offerToPatients
                ? "to staff and to patients in Find care"
                : "to staff booking for a patient only"
            }.`
          : "Off: nothing is double-booked at this location."}
      </Text>
      <Group align="end" wrap="wrap">
        <Switch
          label="Offer an extra seat"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
          mb={8}
        />
        <NumberInput
          label="Expected no-shows above"
          description="0.1 to 20 per session"
          min={0.1}
          max={20}
          step={0.1}
          decimalScale={1}
          value={threshold}
          onChange={setThreshold}
          error={errors.threshold}
          w={220}
        />
        <Switch
          label="Patients see it in Find care"
          description="Off: only staff booking for a patient are offered the extra seat"
          checked={toPatients}
          onChange={(e) => setToPatients(e.currentTarget.checked)}
          mb={8}
        />
        <Button type="submit" loading={save.isPending} disabled={!changed}>
          Save rule
        </Button>
      </Group>
      <ErrorAlert error={save.error} title="The rule was not saved" shownFields={["threshold"]} />
      {save.isSuccess && !changed ? (
        <Text role="status" size="sm" mt="xs">
          Saved.
        </Text>
      ) : null}
    </form>
  );
}
