/** The in-app inbox: confirmations, reminders, cancellations and moves, for the patient and dependents. */
import { Badge, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Notification } from "../../../src/services/notifications/schema.js";
import { api, type Page } from "../shared/api.js";
import { Link } from "../shared/router.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import type { Me } from "../shared/types.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "../shared/ui.js";
import { usePeople } from "./people.js";

/** The patient's messages, newest first; shared with the navigation's unread count. */
export function useInbox() {
  return useQuery({
    queryKey: ["notifications"],
    queryFn: () => api.get<Page<Notification>>("/api/v1/notifications", { limit: 100 }),
    // messages are written by the notification worker a moment after the change that caused them
    refetchInterval: 10_000,
  });
}

export function Messages({ me }: { me: Me }) {
  const inbox = useInbox();
  const { people } = usePeople(me);
  const nameOf = (patientId: string) => {
    const p = people.find((x) => x.patientId === patientId);
    return p ? (p.relation === "you" ? "you" : p.name) : "";
  };
  return (
    <>
      <PageTitle description="What we sent you about your appointments, also by email or text message if you chose those.">
        Messages
      </PageTitle>
      <QueryView query={inbox} label="Loading messages…">
        {(page) =>
          page.items.length === 0 ? (
            <Text c="dimmed">No messages yet. Booking an appointment sends a confirmation here.</Text>
          ) : (
            <Stack gap="sm" maw={760} data-testid="inbox">
              {page.items.map((m) => (
                <MessageCard key={m.id} message={m} forWhom={people.length > 1 ? nameOf(m.patientId) : ""} />
              ))}
            </Stack>
          )
        }
      </QueryView>
    </>
  );
}

function MessageCard({ message: m, forWhom }: { message: Notification; forWhom: string }) {
  const client = useQueryClient();
  const read = useMutation({
    mutationFn: () => api.post<Notification>(`/api/v1/notifications/${m.id}/read`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["notifications"] }),
  });
  const unread = m.readAt === null;
  return (
    <Paper withBorder p="sm" data-testid="inbox-message" aria-label={m.title}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2}>
          <Group gap="xs">
            {unread ? (
              <Badge size="sm" color="blue">
                New
              </Badge>
            ) : null}
            <Badge size="sm" variant="light" color="gray" style={{ textTransform: "none" }}>
              {humanize(m.kind)}
            </Badge>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.createdAt, viewerZone)}
              {forWhom ? ` · for ${forWhom}` : ""}
            </Text>
          </Group>
          <Text fw={unread ? 700 : 500}>{m.title}</Text>
          <Text size="sm" style={{ whiteSpace: "pre-line" }}>
            {m.body}
          </Text>
          {m.appointmentId ? (
            <Link to={`/patient/appointments/${m.appointmentId}`} size="sm">
              Open the appointment
            </Link>
          ) : null}
          <ErrorAlert error={read.error} title="Not marked as read" />
        </Stack>
        {unread ? (
          <Button size="compact-sm" variant="subtle" loading={read.isPending} onClick={() => read.mutate()}>
            Mark as read
          </Button>
        ) : null}
      </Group>
    </Paper>
  );
}
