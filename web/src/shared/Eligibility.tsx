/**
 * Insurance: a patient's coverage form (the patient for themself and their dependents, the front
 * desk for patients they reach), and an appointment's eligibility as the payer answered it, with
 * "Check now" for staff.
 */
import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Coverage, EligibilityDto } from "../../../src/integrations/eligibility/schema.js";
import { coverageInput } from "../../../src/integrations/eligibility/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "./api.js";
import { ErrorAlert, money, QueryView } from "./ui.js";

const STATE: Record<EligibilityDto["status"], { label: string; color: string }> = {
  none: { label: "Not checked", color: "gray" },
  pending: { label: "Checking with the insurer", color: "blue" },
  verified_active: { label: "Coverage active", color: "green" },
  inactive: { label: "Coverage inactive", color: "red" },
  not_found: { label: "Member not found", color: "red" },
  not_verified: { label: "Not verified", color: "orange" },
  withheld: { label: "Not sent: other region", color: "gray" },
};

/** An appointment's eligibility; staff (`canCheck`) may ask the payer again now. */
export function EligibilityPanel({
  appointmentId,
  canCheck = false,
}: {
  appointmentId: string;
  canCheck?: boolean;
}) {
  const client = useQueryClient();
  const key = ["eligibility", appointmentId];
  const state = useQuery({
    queryKey: key,
    queryFn: () => api.get<EligibilityDto>(`/api/v1/appointments/${appointmentId}/eligibility`),
    // a check made at booking lands within seconds
    refetchInterval: (q) => (q.state.data?.status === "pending" ? 3000 : false),
  });
  const check = useMutation({
    mutationFn: () => api.post<EligibilityDto>(`/api/v1/appointments/${appointmentId}/eligibility-checks`),
    onSuccess: (e) => client.setQueryData(key, e),
  });
  return (
    <Paper withBorder p="md" aria-labelledby={`eligibility-${appointmentId}`}>
      <Stack gap="xs">
        <Text fw={600} id={`eligibility-${appointmentId}`}>
          Insurance
        </Text>
        <QueryView query={state} label="Loading insurance eligibility…">
          {(e) => (
            <Stack gap={4} data-testid="eligibility">
              <Group gap="xs">
                <Badge color={STATE[e.status].color} variant="light">
                  {STATE[e.status].label}
                </Badge>
                {e.payerName ? (
                  <Text size="sm">
                    {e.payerName}
                    {e.planName ? `, ${e.planName}` : ""}
                  </Text>
                ) : null}
              </Group>
              {e.copayCents !== null ? (
                <Text size="sm">
                  Copay for {e.serviceTypeName?.toLowerCase() ?? "this visit"}:{" "}
                  <strong>{money(e.copayCents)}</strong>
                </Text>
              ) : null}
              {e.deductibleCents !== null ? (
                <Text size="sm">
                  Deductible: {money(e.deductibleCents)}
                  {e.deductibleRemainingCents !== null
                    ? `, ${money(e.deductibleRemainingCents)} still to meet`
                    : ""}
                </Text>
              ) : null}
              {e.reason ? <Text size="sm">{e.reason}</Text> : null}
              {e.checkedAt ? (
                <Text size="xs" c="dimmed">
                  Checked {new Date(e.checkedAt).toLocaleString()}
                  {e.nextAttemptAt ? `; tried again ${new Date(e.nextAttemptAt).toLocaleTimeString()}` : ""}
                </Text>
              ) : null}
            </Stack>
          )}
        </QueryView>
        <ErrorAlert error={check.error} title="Not checked" />
        {canCheck ? (
          <Group>
            <Button variant="light" loading={check.isPending} onClick={() => check.mutate()}>
              Check now
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}

type Draft = {
  payerCode: string;
  payerName: string;
  memberNumber: string;
  groupNumber: string;
  planName: string;
};
const draftOf = (c: Coverage | null): Draft => ({
  payerCode: c?.payerCode ?? "",
  payerName: c?.payerName ?? "",
  memberNumber: c?.memberNumber ?? "",
  groupNumber: c?.groupNumber ?? "",
  planName: c?.planName ?? "",
});

/** The coverage on file for one patient, edited in place. */
export function CoverageForm({ patientId }: { patientId: string }) {
  const coverage = useQuery({
    queryKey: ["coverage", patientId],
    queryFn: () => api.get<{ coverage: Coverage | null }>(`/api/v1/patients/${patientId}/coverage`),
  });
  return (
    <QueryView query={coverage} label="Loading insurance…">
      {(c) => (
        <CoverageFields key={c.coverage?.updatedAt ?? "none"} patientId={patientId} coverage={c.coverage} />
      )}
    </QueryView>
  );
}

function CoverageFields({ patientId, coverage }: { patientId: string; coverage: Coverage | null }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(draftOf(coverage));
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const done = (message: string) => (next: Coverage | null) => {
    client.setQueryData(["coverage", patientId], { coverage: next });
    void client.invalidateQueries({ queryKey: ["eligibility"] });
    notifications.show({ color: "green", title: "Saved", message });
  };
  const save = useMutation({
    mutationFn: (body: unknown) => api.put<Coverage>(`/api/v1/patients/${patientId}/coverage`, body),
    onSuccess: done("Insurance saved: upcoming appointments are checked with it."),
  });
  const remove = useMutation({
    mutationFn: () => api.del(`/api/v1/patients/${patientId}/coverage`),
    onSuccess: () => done("Insurance removed.")(null),
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };
  const field = (name: keyof Draft) => ({
    value: draft[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setDraft({ ...draft, [name]: e.currentTarget.value }),
    error: errors[name],
  });

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = validate(coverageInput, {
      ...draft,
      groupNumber: draft.groupNumber.trim() || null,
      planName: draft.planName.trim() || null,
    });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }

  return (
    <Paper withBorder p="md" maw={760}>
      <form onSubmit={submit} noValidate aria-label="Insurance">
        <Stack>
          <Text fw={600}>Insurance</Text>
          <ErrorAlert error={save.error ?? remove.error} title="Not saved" shownFields={Object.keys(draft)} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Insurer (payer) name" required {...field("payerName")} />
            <TextInput
              label="Payer code"
              description="On the back of the card"
              required
              {...field("payerCode")}
            />
            <TextInput label="Member number" required {...field("memberNumber")} />
            <TextInput label="Group number" {...field("groupNumber")} />
            <TextInput label="Plan" {...field("planName")} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save insurance
            </Button>
            {coverage ? (
              <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                Remove insurance
              </Button>
            ) : null}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
