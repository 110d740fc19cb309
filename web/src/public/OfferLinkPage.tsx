/**
 * The page a waitlist offer's email or SMS links to (`/waitlist/offer/<token>`): the time kept for
 * the patient, in the location's zone, with Accept and Decline. The link is its own credential, so
 * it works signed in or not; it shows the slot and never the patient. A link used again, or after
 * the offer expired, says so plainly and changes nothing.
 */
import { Alert, Button, Container, Group, Paper, Stack, Text } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api } from "../shared/api.js";
import { useMe } from "../shared/queries.js";
import { ButtonLink } from "../shared/router.js";
import { formatDate, formatTime, zoneAbbreviation } from "../shared/time.js";
import type { WaitlistOfferLink } from "../shared/types.js";
import { ErrorAlert, Loading, PageTitle } from "../shared/ui.js";
import { timeLeft, useNow } from "../shared/waitlist.js";

/** "Tue 8 Dec 2026, 09:00 EST (America/New_York)": always with the zone, the reader may be anywhere. */
const at = (iso: string, zone: string) =>
  `${formatDate(iso, zone)}, ${formatTime(iso, zone)} ${zoneAbbreviation(iso, zone)} (${zone})`;

type Outcome = "accepted" | "declined";

export function OfferLinkPage({ token }: { token: string }) {
  const me = useMe();
  const now = useNow();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const view = useQuery({
    queryKey: ["waitlist", "link", token],
    queryFn: () => api.get<WaitlistOfferLink>(`/api/v1/waitlist/links/${encodeURIComponent(token)}`),
    retry: false,
  });
  const answer = useMutation({
    mutationFn: (action: "accept" | "decline") =>
      api.post<WaitlistOfferLink>(`/api/v1/waitlist/links/${encodeURIComponent(token)}/${action}`),
    onSuccess: (_link, action) => {
      setOutcome(action === "accept" ? "accepted" : "declined");
      void view.refetch();
    },
    // answered meanwhile, or expired: the page shows where the offer stands now
    onError: () => void view.refetch(),
  });

  const signedIn = me.data?.role === "patient";
  const home = signedIn ? (
    <ButtonLink to="/patient/appointments" variant="light">
      Open my appointments
    </ButtonLink>
  ) : (
    <ButtonLink to="/" variant="light">
      Sign in to Rounds
    </ButtonLink>
  );

  let body: React.ReactNode;
  if (view.error instanceof ApiError && view.error.status === 404)
    body = (
      <>
        <PageTitle>This link is not valid</PageTitle>
        <Text>
          It may have been mistyped or cut short. Open the link from your message again, or sign in to see the
          times offered to you.
        </Text>
        <Group>{home}</Group>
      </>
    );
  else if (view.error) body = <ErrorAlert error={view.error} title="The offer could not be shown" />;
  else if (!view.data) body = <Loading label="Opening the offer…" />;
  else {
    const o = view.data;
    const zone = o.location.timeZone;
    const left = timeLeft(o.expiresAt, now);
    const status = o.status === "offered" && !left ? "expired" : o.status;
    const title =
      status === "offered"
        ? "A time is kept for you"
        : status === "accepted"
          ? "You are booked"
          : status === "declined"
            ? "You let this time go"
            : "This offer has expired";
    body = (
      <>
        {/* a new heading takes the focus, so the answer is announced where the buttons were */}
        <PageTitle key={status}>{title}</PageTitle>
        <ErrorAlert
          error={answer.error}
          title={
            answer.error instanceof ApiError && answer.error.status === 410 ? "Too late" : "Already answered"
          }
        />
        <Paper withBorder p="md" component="section" aria-label="The time offered">
          <Stack gap={4}>
            <Text fw={600}>
              {o.appointmentType} with {o.physicianName}
            </Text>
            <Text>
              <time dateTime={o.start}>{at(o.start, zone)}</time>
            </Text>
            <Text>
              {o.telehealth
                ? "Online video visit"
                : [o.location.name, o.location.address].filter(Boolean).join(", ")}
            </Text>
          </Stack>
        </Paper>
        {status === "offered" ? (
          <>
            <Text>
              We keep this time for you until {at(o.expiresAt, zone)}: {left}. If you do not answer, it goes
              to the next patient and you stay on the waitlist.
            </Text>
            <Group>
              <Button
                loading={answer.isPending && answer.variables === "accept"}
                disabled={answer.isPending}
                onClick={() => answer.mutate("accept")}
              >
                Accept this time
              </Button>
              <Button
                variant="default"
                loading={answer.isPending && answer.variables === "decline"}
                disabled={answer.isPending}
                onClick={() => answer.mutate("decline")}
              >
                Decline
              </Button>
            </Group>
          </>
        ) : (
          <Alert
            color={status === "accepted" ? "green" : "gray"}
            role="status"
            title={
              status === "expired"
                ? "Expired"
                : outcome === status
                  ? status === "accepted"
                    ? "Your appointment is booked"
                    : "Declined"
                  : "This link was already used"
            }
          >
            {status === "accepted"
              ? outcome === "accepted"
                ? "You will get a confirmation. Sign in to Rounds to see the appointment, change it or cancel it."
                : "This time was accepted and the appointment is booked. Nothing has changed."
              : status === "declined"
                ? "This time has gone to the next patient. You are still on the waitlist: we will tell you when another time that fits frees up."
                : "It was kept for you until the time above and has gone to the next patient. You are still on the waitlist: we will tell you when another time that fits frees up."}
          </Alert>
        )}
        <Group>{home}</Group>
      </>
    );
  }

  return (
    <Container size={640} py="xl">
      <Text fw={700} size="lg" c="blue.8" mb="md">
        Rounds
      </Text>
      <Stack component="main" gap="md">
        {body}
      </Stack>
    </Container>
  );
}
