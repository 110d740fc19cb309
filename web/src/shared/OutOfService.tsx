/**
 * Taking a room or an item of equipment out of service, as the admin's Facilities tab and the front
 * desk's facilities screen do it: for good or until a time on the location's clock (DST-correct),
 * previewed by the server (the appointments that use it then, each with alternatives) before
 * saving, then the report of where each ended; and putting it back in service.
 */
import { Badge, Button, Grid, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "./api.js";
import { PlanReport, ReschedulePreview } from "./ReschedulePreview.js";
import { formatDateTime, zonedInstant } from "./time.js";
import type { EquipmentItem, ReschedulePlan, Room } from "./types.js";
import { ErrorAlert } from "./ui.js";

export type FacilityKind = "room" | "equipment";
type Facility = Pick<Room | EquipmentItem, "id" | "active" | "outOfService">;

const path = (kind: FacilityKind, id: string) => `/api/v1/${kind === "room" ? "rooms" : "equipment"}/${id}`;

/** Whether it is in service, and if not since and until when (on the location's clock). */
export function ServiceState({ facility, zone }: { facility: Facility; zone: string }) {
  const period = facility.outOfService;
  if (!period && facility.active) return <Text size="sm">In service</Text>;
  if (!period) return <Badge color="gray">Out of service</Badge>;
  const started = Date.parse(period.from) <= Date.now();
  const until = period.until ? formatDateTime(period.until, zone) : null;
  const text = started
    ? until
      ? `Out of service until ${until}`
      : "Out of service"
    : `Out of service from ${formatDateTime(period.from, zone)}${until ? ` until ${until}` : ""}`;
  return (
    <Stack gap={2}>
      <Badge color={started ? "red" : "orange"} style={{ whiteSpace: "normal", height: "auto" }}>
        {text}
      </Badge>
      {period.reason ? <Text size="xs">{period.reason}</Text> : null}
    </Stack>
  );
}

/** The row's action: take it out of service (opens the panel), or put it back. */
export function ServiceAction({
  kind,
  facility,
  label,
  onTakeOut,
  listKey,
}: {
  kind: FacilityKind;
  facility: Facility;
  label: string;
  onTakeOut: () => void;
  listKey: unknown[];
}) {
  const client = useQueryClient();
  const back = useMutation({
    mutationFn: () => api.post(`${path(kind, facility.id)}/back-in-service`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
  if (facility.active && !facility.outOfService)
    return (
      <Button size="compact-sm" variant="default" onClick={onTakeOut}>
        Take {label} out of service
      </Button>
    );
  return (
    <Stack gap={4}>
      <ErrorAlert error={back.error} />
      <Button size="compact-sm" variant="default" loading={back.isPending} onClick={() => back.mutate()}>
        Put {label} back in service
      </Button>
    </Stack>
  );
}

/**
 * The panel under the list: when it comes back (blank: put back by hand) and why, the server's
 * preview of what that does to the appointments using it, saving, and the report.
 */
export function OutOfServicePanel({
  kind,
  facility,
  label,
  zone,
  listKey,
  onClose,
}: {
  kind: FacilityKind;
  facility: Facility;
  label: string;
  zone: string;
  listKey: unknown[];
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [form, setForm] = useState({ date: "", time: "", reason: "" });
  const [report, setReport] = useState<ReschedulePlan | null>(null);
  const preview = useMutation({
    mutationFn: () =>
      api.post<ReschedulePlan>(`${path(kind, facility.id)}/out-of-service`, {
        reason: form.reason.trim() || null,
        until: form.date ? zonedInstant(form.date, form.time || "00:00", zone) : null,
      }),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    preview.mutate();
  };
  const title = `Take ${label} out of service`;
  if (report)
    return (
      <Stack>
        <PlanReport plan={report} />
        <Button variant="default" onClick={onClose} style={{ alignSelf: "start" }}>
          Close the report
        </Button>
      </Stack>
    );
  return (
    <Paper withBorder p="sm" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <form onSubmit={onSubmit} noValidate aria-label={`${title}: when and why`}>
        <ErrorAlert error={preview.error} title={`${label} could not be taken out of service`} />
        <Grid align="end">
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <TextInput
              type="date"
              label="Back in service on (optional)"
              description={`Location time (${zone}); blank: until put back`}
              value={form.date}
              onChange={(e) => setForm({ ...form, date: e.currentTarget.value })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 2 }}>
            <TextInput
              type="time"
              label="at"
              value={form.time}
              disabled={!form.date}
              onChange={(e) => setForm({ ...form, time: e.currentTarget.value })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput
              label="Reason"
              value={form.reason}
              onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <Button type="submit" fullWidth loading={preview.isPending}>
              Preview
            </Button>
          </Grid.Col>
        </Grid>
      </form>
      {preview.data ? (
        <Stack mt="sm" data-testid="out-of-service-preview">
          <ReschedulePreview
            plan={preview.data}
            saveLabel={title}
            onSaved={(applied) => {
              setReport(applied);
              void client.invalidateQueries({ queryKey: listKey });
            }}
          />
        </Stack>
      ) : null}
      <Button variant="default" mt="xs" onClick={onClose}>
        Keep {label} in service
      </Button>
    </Paper>
  );
}
