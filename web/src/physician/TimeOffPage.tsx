/** Time off: request it, see which booked patients it would touch first, and follow its status. */
import { Alert, Button, Grid, Group, List, Paper, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { timeOffInput } from "../../../src/services/physicians/schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import {
  addDays,
  earlierDate,
  formatDateTime,
  viewerZone,
  zoneAbbreviation,
  zonedInstant,
} from "../shared/time.js";
import type { Me, ScheduleEntry, TimeOff } from "../shared/types.js";

type AppointmentEntry = Extract<ScheduleEntry, { kind: "appointment" }>;

import { ErrorAlert, PageTitle, QueryView, StatusBadge, ZonedDateTime } from "../shared/ui.js";
import { useSchedule } from "./SchedulePage.js";

const toInstant = (v: string | null): string | null =>
  v ? zonedInstant(v.slice(0, 10), v.slice(11, 16), viewerZone) : null;

export function TimeOffPage({ me }: { me: Me }) {
  const physicianId = me.physicianId!;
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const list = useQuery({
    queryKey: ["time-off", physicianId],
    queryFn: () => api.get<Page<TimeOff>>(`/api/v1/physicians/${physicianId}/time-off`, { limit: 200 }),
  });
  const [start, setStart] = useState<string | null>(null);
  const [end, setEnd] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const startsAt = toInstant(start);
  const endsAt = toInstant(end);
  const range =
    start && end && end >= start
      ? {
          from: start.slice(0, 10),
          to: earlierDate(end.slice(0, 10), addDays(start.slice(0, 10), 91)),
        }
      : null;
  const schedule = useSchedule(physicianId, range, null);
  // a request changes nothing yet: this only lists the booked patients inside the time asked for
  // (once approved, the department head's what-if finds their alternatives)
  const affected =
    range && startsAt && endsAt && schedule.data
      ? schedule.data.entries.filter(
          (e): e is AppointmentEntry =>
            e.kind === "appointment" &&
            (e.status === "booked" || e.status === "held" || e.status === null) &&
            Date.parse(e.start) > Date.now() &&
            Date.parse(e.start) < Date.parse(endsAt) &&
            Date.parse(e.end) > Date.parse(startsAt),
        )
      : [];

  const request = useMutation({
    mutationFn: (body: unknown) => api.post<TimeOff>(`/api/v1/physicians/${physicianId}/time-off`, body),
    onSuccess: () => {
      notifications.show({
        color: "green",
        title: "Requested",
        message: "Your department head will review it.",
      });
      setStart(null);
      setEnd(null);
      setReason("");
      void client.invalidateQueries({ queryKey: ["time-off", physicianId] });
      void client.invalidateQueries({ queryKey: ["schedule", physicianId] });
    },
  });
  const errors = { ...fieldErrorsOf(request.error), ...clientErrors };

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!start || !end) {
      setClientErrors({
        ...(start ? {} : { startsAt: "choose the day and time it starts" }),
        ...(end ? {} : { endsAt: "choose the day and time it ends" }),
      });
      return;
    }
    const checked = validate(timeOffInput, {
      startsAt: startsAt ?? "",
      endsAt: endsAt ?? "",
      reason: reason.trim() || null,
      status: "requested",
    });
    if (!checked.ok) {
      setClientErrors(checked.errors);
      return;
    }
    setClientErrors({});
    request.mutate(checked.data);
  }

  return (
    <>
      <PageTitle
        description={`Times in your zone, ${viewerZone} (${zoneAbbreviation(new Date().toISOString(), viewerZone)}).`}
      >
        Time off
      </PageTitle>
      <Stack>
        <Paper withBorder p="md" maw={760}>
          <form onSubmit={submit} noValidate aria-label="Request time off">
            <Stack>
              <Title order={2} size="h3">
                Request time off
              </Title>
              <ErrorAlert
                error={request.error}
                title="Not requested"
                shownFields={["startsAt", "endsAt", "reason"]}
              />
              <Grid>
                <Grid.Col span={{ base: 12, sm: 6 }}>
                  <DateTimePicker
                    label="From"
                    required
                    value={start}
                    onChange={(v) => setStart(v ? String(v) : null)}
                    valueFormat="YYYY-MM-DD HH:mm"
                    error={errors.startsAt}
                  />
                </Grid.Col>
                <Grid.Col span={{ base: 12, sm: 6 }}>
                  <DateTimePicker
                    label="Until"
                    required
                    value={end}
                    onChange={(v) => setEnd(v ? String(v) : null)}
                    valueFormat="YYYY-MM-DD HH:mm"
                    error={errors.endsAt}
                  />
                </Grid.Col>
              </Grid>
              <Textarea
                label="Reason (optional)"
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                maxLength={1000}
                error={errors.reason}
              />
              {range && schedule.isFetching ? <Text size="sm">Checking your booked patients…</Text> : null}
              {range && schedule.data ? (
                affected.length ? (
                  <Alert
                    color="orange"
                    title={`${affected.length} booked appointments fall in this time`}
                    data-testid="preview"
                  >
                    <List size="sm">
                      {affected.map((a) => (
                        <List.Item key={a.id ?? a.start}>
                          {formatDateTime(a.start, a.local.timeZone)} at{" "}
                          {locations.get(a.locationId)?.name ?? a.locationName}
                        </List.Item>
                      ))}
                    </List>
                    <Text size="sm" mt="xs">
                      They stay booked until the clinic moves them; your department head sees this list too.
                    </Text>
                  </Alert>
                ) : (
                  <Alert color="green" data-testid="preview">
                    No booked appointments fall in this time.
                  </Alert>
                )
              ) : null}
              <Group>
                <Button type="submit" loading={request.isPending}>
                  Request time off
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
        <Paper withBorder p="md" component="section" aria-labelledby="time-off-list">
          <Title order={2} size="h3" id="time-off-list" mb="sm">
            Your time off
          </Title>
          <QueryView query={list}>
            {(page) =>
              page.items.length === 0 ? (
                <Text>None recorded.</Text>
              ) : (
                <Table.ScrollContainer minWidth={480}>
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>From</Table.Th>
                        <Table.Th>Until</Table.Th>
                        <Table.Th>Reason</Table.Th>
                        <Table.Th>Status</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {page.items.map((t) => (
                        <Table.Tr key={t.id}>
                          <Table.Td>
                            <ZonedDateTime iso={t.startsAt} zone={viewerZone} />
                          </Table.Td>
                          <Table.Td>
                            <ZonedDateTime iso={t.endsAt} zone={viewerZone} />
                          </Table.Td>
                          <Table.Td>{t.reason ?? ""}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={t.status} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )
            }
          </QueryView>
        </Paper>
      </Stack>
    </>
  );
}
