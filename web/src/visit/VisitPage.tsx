/**
 * The page a built-in video visit link opens (`/visit/<token>`), signed in or not: the link is its
 * own credential. It says which visit it is and when the room opens, or that it was cancelled; the
 * video itself is the telehealth provider's.
 */
import { Alert, Container, Paper, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { VisitPage as Visit } from "../../../src/integrations/telehealth/schema.js";
import { api } from "../shared/api.js";
import { Link } from "../shared/router.js";
import { formatDateTime, formatTime } from "../shared/time.js";
import { PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";

export function VisitPage({ token }: { token: string }) {
  const visit = useQuery({
    queryKey: ["visit", token],
    queryFn: () => api.get<Visit>(`/api/v1/visits/${encodeURIComponent(token)}`),
    // the room opens while the page is open
    refetchInterval: 60_000,
  });
  return (
    <Container size={620} py="xl" component="main" id="main">
      <Text c="dimmed" size="sm" mb="xs">
        Rounds
      </Text>
      <PageTitle>Video visit</PageTitle>
      <QueryView query={visit} what="video visit" label="Loading the visit…">
        {(v) => <Details visit={v} />}
      </QueryView>
    </Container>
  );
}

function Details({ visit: v }: { visit: Visit }) {
  return (
    <Stack>
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Title order={2} size="h4">
            {v.appointmentType} with {v.physicianName}
          </Title>
          <Text>
            <ZonedDateTime iso={v.start} zone={v.timeZone} /> to {formatTime(v.end, v.timeZone)}
          </Text>
        </Stack>
      </Paper>
      <State visit={v} />
      {v.state === "waiting" || v.state === "open" ? (
        <Text size="sm">
          Use a device with a camera and microphone, somewhere quiet and private. Keep this link to yourself:
          it opens your visit.
        </Text>
      ) : null}
    </Stack>
  );
}

function State({ visit: v }: { visit: Visit }) {
  switch (v.state) {
    case "waiting":
      return (
        <Alert color="blue" title="The room is not open yet" role="status">
          The room opens at {formatDateTime(v.opensAt, v.timeZone)}, a quarter of an hour before the start.
          This page updates by itself.
        </Alert>
      );
    case "open":
      return (
        <Alert color="green" title="The room is open" role="status">
          Your clinician joins you at {formatTime(v.start, v.timeZone)}.
        </Alert>
      );
    case "ended":
      return (
        <Alert color="gray" title="This visit has ended" role="status">
          Your appointments and messages are in Rounds.
        </Alert>
      );
    case "cancelled":
      return (
        <Alert color="gray" title="This visit was cancelled" role="status">
          <Stack gap="xs" align="start">
            <Text size="sm">
              The link no longer opens a room. If the visit was moved, the new confirmation has its link.
            </Text>
            <Link to="/">Sign in to book another time</Link>
          </Stack>
        </Alert>
      );
  }
}
