/** HL7 SIU messages to the EMR: what was sent, what the EMR answered, and a resend for failed ones. */
import { Badge, Button, Code, Group, Pagination, Select, Table, Text, VisuallyHidden } from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import type { OutboundMessage } from "../../../src/integrations/hl7/schema.js";
import { api, type Page } from "../shared/api.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { ErrorAlert, PageTitle, QueryView } from "../shared/ui.js";

const PAGE = 50;

const TRIGGERS: Record<string, string> = {
  S12: "New",
  S13: "Rescheduled",
  S14: "Modified",
  S15: "Cancelled",
  S17: "Deleted",
  S26: "No-show",
};

// dark shades: white badge text stays above 4.5:1
const STATUS_COLOR: Record<string, string> = {
  acknowledged: "green.9",
  pending: "yellow.9",
  failed: "red.9",
};

export function Hl7MessagesPage() {
  const client = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const messages = useQuery({
    queryKey: ["hl7-messages", status, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<Page<OutboundMessage>>("/api/v1/hl7/messages", {
        status: status ?? undefined,
        limit: PAGE,
        offset: (page - 1) * PAGE,
      }),
  });
  const resend = useMutation({
    mutationFn: (id: string) => api.post<OutboundMessage>(`/api/v1/hl7/messages/${id}/resend`, {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["hl7-messages"] }),
  });

  return (
    <>
      <PageTitle description="Scheduling messages (HL7 v2 SIU) sent to the EMR over MLLP. Pending messages are retried with growing pauses; a failed one holds back the later messages of its appointment until it is resent.">
        HL7 messages
      </PageTitle>
      <Group mb="md" align="end">
        <Select
          label="Status"
          clearable
          placeholder="Any"
          data={[
            { value: "pending", label: "Pending" },
            { value: "acknowledged", label: "Acknowledged" },
            { value: "failed", label: "Failed" },
          ]}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
        />
      </Group>
      <ErrorAlert error={resend.error} title="The message was not resent" />
      <QueryView query={messages} label="Loading messages…">
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">
              No messages. Set ROUNDS_HL7_TARGETS to the EMR's MLLP endpoints to send scheduling changes.
            </Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={800}>
                <Table striped aria-label="HL7 messages" fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Created</Table.Th>
                      <Table.Th>Event</Table.Th>
                      <Table.Th>Endpoint</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Answer</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((m) => (
                      <Fragment key={m.id}>
                        <Table.Tr>
                          <Table.Td>{formatDateTime(m.createdAt, viewerZone)}</Table.Td>
                          <Table.Td>
                            <Code>SIU^{m.trigger}</Code> {TRIGGERS[m.trigger]}
                          </Table.Td>
                          <Table.Td>{m.target}</Table.Td>
                          <Table.Td>
                            <Badge color={STATUS_COLOR[m.status] ?? "gray.8"}>{m.status}</Badge>
                            <Text span fz="xs" ml="xs">
                              {m.attempts === 1 ? "1 attempt" : `${m.attempts} attempts`}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            {m.ackCode ? <Code>{m.ackCode}</Code> : null} {m.lastError ?? ""}
                          </Table.Td>
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button
                                size="xs"
                                variant="default"
                                aria-expanded={open === m.id}
                                onClick={() => setOpen(open === m.id ? null : m.id)}
                              >
                                {open === m.id ? "Hide" : "Show"} message
                              </Button>
                              {m.status === "failed" ? (
                                <Button
                                  size="xs"
                                  loading={resend.isPending && resend.variables === m.id}
                                  onClick={() => resend.mutate(m.id)}
                                >
                                  Resend
                                </Button>
                              ) : null}
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                        {open === m.id ? (
                          <Table.Tr>
                            <Table.Td colSpan={6}>
                              <Code block aria-label={`Message ${m.controlId}`}>
                                {m.body.replace(/\r/g, "\n")}
                              </Code>
                            </Table.Td>
                          </Table.Tr>
                        ) : null}
                      </Fragment>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {data.total > PAGE ? (
                <Pagination mt="md" total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} />
              ) : null}
            </>
          )
        }
      </QueryView>
    </>
  );
}
