/** Appointments a physician's schedule change handed to this desk: each links to its page to rebook. */
import { Paper, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { Handover } from "../../../src/services/rescheduling/schema.js";
import { api, type Page } from "../shared/api.js";
import { Link } from "../shared/router.js";
import { formatDateTime } from "../shared/time.js";

export function Handovers({ locationId, zone }: { locationId: string; zone: string }) {
  const handovers = useQuery({
    queryKey: ["reschedule-handovers", locationId],
    enabled: !!locationId,
    queryFn: () => api.get<Page<Handover>>("/api/v1/reschedule-handovers", { locationId, limit: 100 }),
  });
  const items = handovers.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="handovers-title" data-testid="handovers">
      <Title order={2} size="h4" id="handovers-title" mb="xs">
        Needs attention: {handovers.data!.total} appointment{handovers.data!.total === 1 ? "" : "s"} to rebook
      </Title>
      <Text size="sm" mb="xs">
        A physician's schedule changed and no alternative was taken for these; open one to move or cancel it.
      </Text>
      <Table aria-label="Appointments to rebook">
        <Table.Tbody>
          {items.map((h) => (
            <Table.Tr key={`${h.planId}-${h.appointmentId}`}>
              <Table.Td>
                <Link to={`/staff/appointments/${h.appointmentId}`}>{formatDateTime(h.start, zone)}</Link>
              </Table.Td>
              <Table.Td>{h.note ?? ""}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
