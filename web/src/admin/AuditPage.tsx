/** The audit trail for compliance: who did what to which record, where, and whether it was allowed. */
import {
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Pagination,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, Fragment, useState } from "react";
import { api, fieldErrorsOf, type Page } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { addDays, formatDateTime, viewerZone, zonedInstant } from "../shared/time.js";
import type { AuditEvent } from "../shared/types.js";
import { ErrorAlert, humanize, Loading, PageTitle } from "../shared/ui.js";

const PAGE = 50;

interface Filters {
  action: string;
  patientId: string;
  userId: string;
  locationId: string | null;
  outcome: string | null;
  flagged: boolean;
  from: string | null;
  to: string | null;
}

const EMPTY: Filters = {
  action: "",
  patientId: "",
  userId: "",
  locationId: null,
  outcome: null,
  flagged: false,
  from: null,
  to: null,
};

export function AuditPage() {
  const { locations, byId } = useLocations();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const events = useQuery({
    queryKey: ["audit", filters, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<Page<AuditEvent>>("/api/v1/audit-events", {
        action: filters.action.trim() || undefined,
        patientId: filters.patientId.trim() || undefined,
        userId: filters.userId.trim() || undefined,
        locationId: filters.locationId ?? undefined,
        outcome: filters.outcome ?? undefined,
        flagged: filters.flagged ? "true" : undefined,
        from: filters.from ? zonedInstant(filters.from, "00:00", viewerZone) : undefined,
        to: filters.to ? zonedInstant(addDays(filters.to, 1), "00:00", viewerZone) : undefined,
        limit: PAGE,
        offset: (page - 1) * PAGE,
      }),
  });
  const errors = fieldErrorsOf(events.error);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    setFilters(draft);
  };

  return (
    <>
      <PageTitle description="Every read and change of patient data, across all locations. Flagged events (such as break-the-glass access) need review.">
        Audit log
      </PageTitle>
      <form onSubmit={apply} noValidate aria-label="Filter the audit log">
        <Grid align="end" mb="md">
          <Grid.Col span={{ base: 12, sm: 4, md: 3 }}>
            <TextInput
              label="Action"
              placeholder="e.g. patient.read"
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })}
              error={errors.action}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4, md: 3 }}>
            <TextInput
              label="Patient id"
              value={draft.patientId}
              onChange={(e) => setDraft({ ...draft, patientId: e.currentTarget.value })}
              error={errors.patientId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4, md: 3 }}>
            <TextInput
              label="User id"
              value={draft.userId}
              onChange={(e) => setDraft({ ...draft, userId: e.currentTarget.value })}
              error={errors.userId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4, md: 3 }}>
            <SearchableSelect
              label="Location"
              clearable
              data={locations.map((l) => ({ value: l.id, label: l.name }))}
              value={draft.locationId}
              onChange={(v) => setDraft({ ...draft, locationId: v })}
              error={errors.locationId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
            <Select
              label="Outcome"
              clearable
              data={["success", "denied", "failure"]}
              value={draft.outcome}
              onChange={(v) => setDraft({ ...draft, outcome: v })}
              error={errors.outcome}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
            <DateInput
              label="From"
              clearable
              value={draft.from}
              onChange={(v) => setDraft({ ...draft, from: v ? String(v) : null })}
              valueFormat="YYYY-MM-DD"
              error={errors.from}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
            <DateInput
              label="Until"
              clearable
              value={draft.to}
              onChange={(v) => setDraft({ ...draft, to: v ? String(v) : null })}
              valueFormat="YYYY-MM-DD"
              error={errors.to}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
            <Switch
              label="Flagged only"
              checked={draft.flagged}
              onChange={(e) => setDraft({ ...draft, flagged: e.currentTarget.checked })}
              mb={8}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Group>
              <Button type="submit" loading={events.isFetching}>
                Search
              </Button>
              <Button
                variant="subtle"
                onClick={() => {
                  setDraft(EMPTY);
                  setFilters(EMPTY);
                  setPage(1);
                }}
              >
                Clear
              </Button>
            </Group>
          </Grid.Col>
        </Grid>
      </form>
      <ErrorAlert error={events.error} shownFields={Object.keys(errors)} />
      {events.isPending ? <Loading label="Loading the audit log…" /> : null}
      {events.data ? (
        <Stack>
          <Table.ScrollContainer minWidth={900}>
            <Table striped aria-label="Audit events" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Record</Table.Th>
                  <Table.Th>Location</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.data.items.map((e) => (
                  <Fragment key={e.id}>
                    <Table.Tr>
                      <Table.Td>{formatDateTime(e.occurredAt, viewerZone)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.role ? humanize(e.role) : "system"}</Text>
                        {e.userId ? (
                          <Text size="xs" c="dimmed" title={e.userId}>
                            {e.userId.slice(0, 8)}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        <Code>{e.action}</Code> {e.flagged ? <Badge color="red">flagged</Badge> : null}
                      </Table.Td>
                      <Table.Td>
                        {e.resourceType}
                        {e.patientId ? (
                          <Text size="xs" c="dimmed" title={e.patientId}>
                            patient {e.patientId.slice(0, 8)}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        {e.locationId ? (byId.get(e.locationId)?.code ?? e.locationId.slice(0, 8)) : "—"}
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={e.outcome === "success" ? "green" : "red"}>
                          {e.outcome}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setOpen(open === e.id ? null : e.id)}
                          aria-expanded={open === e.id}
                        >
                          {open === e.id ? "Hide" : "Details"}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                    {open === e.id ? (
                      <Table.Tr>
                        <Table.Td colSpan={7}>
                          <Code block>
                            {JSON.stringify(
                              {
                                requestId: e.requestId,
                                clientAddress: e.clientAddress,
                                actingFor: e.actingFor,
                                resourceId: e.resourceId,
                                detail: e.detail,
                              },
                              null,
                              2,
                            )}
                          </Code>
                        </Table.Td>
                      </Table.Tr>
                    ) : null}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Text size="sm">{events.data.total} events</Text>
            <Pagination
              total={Math.max(1, Math.ceil(events.data.total / PAGE))}
              value={page}
              onChange={setPage}
              size="sm"
            />
          </Group>
        </Stack>
      ) : null}
    </>
  );
}
