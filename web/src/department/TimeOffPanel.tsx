/** A physician's time off, as the department head records it: the server's what-if first, like any other change. */
import { Button, Grid, Paper, Stack, Table, Textarea } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { timeOffInput } from "../../../src/services/physicians/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { viewerZone, zonedInstant } from "../shared/time.js";
import type { TimeOff } from "../shared/types.js";
import { ErrorAlert, StatusBadge, ZonedDateTime } from "../shared/ui.js";
import { clampRange, type OnPreview, usePending } from "./usePending.js";

export function TimeOffPanel({
  physicianId,
  timeOff,
  onPreview,
}: {
  physicianId: string;
  timeOff: TimeOff[];
  onPreview: OnPreview;
}) {
  const client = useQueryClient();
  const { start, view, saveError } = usePending(onPreview);
  const [from, setFrom] = useState<string | null>(null);
  const [until, setUntil] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const errors = { ...fieldErrorsOf(saveError), ...clientErrors };
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/v1/physicians/${physicianId}/time-off/${id}`),
    onSuccess: () => {
      for (const key of ["schedule", "assignments", "time-off"])
        void client.invalidateQueries({ queryKey: [key, physicianId] });
    },
  });
  const instant = (v: string | null) => (v ? zonedInstant(v.slice(0, 10), v.slice(11, 16), viewerZone) : "");

  function add(e: FormEvent) {
    e.preventDefault();
    if (!from || !until)
      return setClientErrors({
        ...(from ? {} : { startsAt: "choose the day and time it starts" }),
        ...(until ? {} : { endsAt: "choose the day and time it ends" }),
      });
    const checked = validate(timeOffInput, {
      startsAt: instant(from),
      endsAt: instant(until),
      reason: reason.trim() || null,
      status: "approved",
    });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    const body = checked.data;
    start({
      input: {
        change: "time_off",
        physicianId,
        startsAt: body.startsAt,
        endsAt: body.endsAt,
        reason: body.reason ?? null,
      },
      range: clampRange(from!.slice(0, 10), until!.slice(0, 10)),
      label: "Record the time off",
    });
  }

  return (
    <Stack>
      <Table.ScrollContainer minWidth={560}>
        <Table striped aria-label="Time off">
          <Table.Tbody>
            {timeOff.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <ZonedDateTime iso={t.startsAt} zone={viewerZone} /> →{" "}
                  <ZonedDateTime iso={t.endsAt} zone={viewerZone} />
                </Table.Td>
                <Table.Td>{t.reason ?? ""}</Table.Td>
                <Table.Td>
                  <StatusBadge status={t.status} />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(t.id)}
                    loading={remove.isPending && remove.variables === t.id}
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ErrorAlert error={remove.error} title="Not removed" />
      {view}
      <Paper withBorder p="sm">
        <form onSubmit={add} noValidate aria-label="Record time off">
          <Grid align="end">
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <DateTimePicker
                label="From"
                value={from}
                onChange={(v) => setFrom(v ? String(v) : null)}
                valueFormat="YYYY-MM-DD HH:mm"
                error={errors.startsAt}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <DateTimePicker
                label="Until"
                value={until}
                onChange={(v) => setUntil(v ? String(v) : null)}
                valueFormat="YYYY-MM-DD HH:mm"
                error={errors.endsAt}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Textarea
                label="Reason"
                autosize
                minRows={1}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={errors.reason}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <Button type="submit" variant="light">
                Preview this time off
              </Button>
            </Grid.Col>
          </Grid>
        </form>
      </Paper>
    </Stack>
  );
}
