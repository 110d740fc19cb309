/**
 * The patient's waitlist: times offered to them (accept or decline before they expire), their
 * entries (withdraw), and joining for a need (from Find care when nothing suits, or here).
 */
import { Alert, Button, Group, Paper, Select, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../shared/api.js";
import { useAppointmentTypes, useLocations, usePhysicianNames } from "../shared/queries.js";
import { Link, useLocation } from "../shared/router.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import type { Appointment, Me, WaitlistEntry, WaitlistOffer } from "../shared/types.js";
import { ErrorAlert, PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";
import {
  JoinWaitlistForm,
  timeLeft,
  useNeedText,
  useNow,
  useWaitlistEntries,
  useWaitlistOffers,
  WaitlistStatus,
} from "../shared/waitlist.js";
import { usePeople } from "./people.js";

export function WaitlistPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const { people } = usePeople(me);
  const [patientId, setPatientId] = useState(search.get("for") ?? me.patientId ?? "");
  const [joined, setJoined] = useState<WaitlistEntry | null>(null);
  const nameOf = (id: string) => {
    const p = people.find((x) => x.patientId === id);
    return p && p.relation !== "you" ? p.name : null;
  };
  return (
    <>
      <PageTitle description="When a time that fits frees up anywhere in the network, we keep it for you for a while and tell you.">
        Waitlist
      </PageTitle>
      <Stack gap="lg">
        <Offers nameOf={nameOf} />
        <Paper withBorder p="md" component="section" aria-labelledby="waitlist-entries">
          <Title order={2} size="h3" id="waitlist-entries" mb="sm">
            What you are waiting for
          </Title>
          <Entries nameOf={nameOf} />
        </Paper>
        <Paper withBorder p="md" component="section" aria-labelledby="waitlist-join">
          <Title order={2} size="h3" id="waitlist-join" mb="sm">
            Join the waitlist
          </Title>
          {joined ? (
            <Alert color="green" role="status" mb="sm" title="You are on the waitlist">
              We will offer you the first time that fits, from {joined.from.slice(0, 10)} to{" "}
              {joined.to.slice(0, 10)}.
            </Alert>
          ) : null}
          {people.length > 1 ? (
            <Select
              label="Who is it for?"
              mb="sm"
              maw={360}
              data={people.map((p) => ({
                value: p.patientId,
                label: p.relation === "you" ? `${p.name} (you)` : p.name,
              }))}
              value={patientId}
              onChange={(v) => setPatientId(v ?? "")}
              allowDeselect={false}
            />
          ) : null}
          <JoinWaitlistForm
            key={search.toString()}
            patientId={patientId || null}
            staff={false}
            defaults={{
              specialty: search.get("specialty"),
              appointmentTypeId: search.get("type"),
              physicianId: search.get("physician"),
              locationIds: search.get("locations")?.split(",").filter(Boolean) ?? [],
              from: search.get("from"),
              to: search.get("to"),
            }}
            onJoined={setJoined}
          />
        </Paper>
      </Stack>
    </>
  );
}

function Offers({ nameOf }: { nameOf: (patientId: string) => string | null }) {
  const offers = useWaitlistOffers({ limit: 20 });
  const client = useQueryClient();
  const now = useNow();
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const physicians = usePhysicianNames((offers.data?.items ?? []).map((o) => o.physicianId));
  const [booked, setBooked] = useState<Appointment | null>(null);
  const answer = useMutation({
    mutationFn: ({ offer, action }: { offer: WaitlistOffer; action: "accept" | "decline" }) =>
      api.post<{ appointment?: Appointment }>(`/api/v1/waitlist/offers/${offer.id}/${action}`),
    onSuccess: (res) => {
      if (res.appointment) setBooked(res.appointment);
      void client.invalidateQueries({ queryKey: ["waitlist"] });
      void client.invalidateQueries({ queryKey: ["appointments"] });
    },
    // an answer that came too late shows why, and the list shows where the offer stands now
    onError: () => client.invalidateQueries({ queryKey: ["waitlist"] }),
  });
  const describe = (o: WaitlistOffer) => {
    const place = locations.get(o.locationId);
    const when = formatDateTime(o.start, place?.timeZone ?? viewerZone);
    return { place, when, physician: physicians.get(o.physicianId) ?? "a physician" };
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="waitlist-offers">
      <Title order={2} size="h3" id="waitlist-offers" mb="sm">
        Times offered to you
      </Title>
      {booked ? (
        <Alert color="green" role="status" mb="sm" title="Booked">
          <Link to={`/patient/appointments/${booked.id}?booked=true`}>Open the appointment</Link>
        </Alert>
      ) : null}
      <ErrorAlert error={answer.error} title="Not answered" />
      <QueryView query={offers} what="offers">
        {(page) => {
          const open = page.items.filter((o) => o.status === "offered" && timeLeft(o.expiresAt, now));
          const past = page.items.filter((o) => !open.includes(o)).slice(0, 5);
          return (
            <Stack gap="sm">
              {open.length === 0 ? (
                <Text>No time is being kept for you right now.</Text>
              ) : (
                open.map((o) => {
                  const { place, when, physician } = describe(o);
                  const busy = answer.isPending && answer.variables?.offer.id === o.id;
                  const who = nameOf(o.patientId);
                  return (
                    <Paper key={o.id} withBorder p="sm" data-testid="waitlist-offer">
                      <Group justify="space-between" align="start">
                        <div>
                          <Text fw={600}>
                            {types.get(o.appointmentTypeId)?.name ?? "Visit"} with {physician}
                            {who ? ` for ${who}` : ""}
                          </Text>
                          <Text>
                            <ZonedDateTime iso={o.start} zone={place?.timeZone ?? viewerZone} /> ·{" "}
                            {o.telehealth ? "Video visit" : (place?.name ?? "")}
                          </Text>
                          <Text size="sm" c="dimmed">
                            Kept for you: {timeLeft(o.expiresAt, now)}
                          </Text>
                        </div>
                        <Group gap="xs">
                          <Button
                            loading={busy && answer.variables?.action === "accept"}
                            disabled={answer.isPending}
                            onClick={() => answer.mutate({ offer: o, action: "accept" })}
                            aria-label={`Accept ${when} with ${physician}`}
                          >
                            Accept
                          </Button>
                          <Button
                            variant="default"
                            loading={busy && answer.variables?.action === "decline"}
                            disabled={answer.isPending}
                            onClick={() => answer.mutate({ offer: o, action: "decline" })}
                            aria-label={`Decline ${when} with ${physician}`}
                          >
                            Decline
                          </Button>
                        </Group>
                      </Group>
                    </Paper>
                  );
                })
              )}
              {past.length ? (
                <>
                  <Title order={3} size="h5">
                    Earlier offers
                  </Title>
                  {past.map((o) => {
                    const { place, when, physician } = describe(o);
                    return (
                      <Group key={o.id} gap="xs">
                        <WaitlistStatus status={o.status === "offered" ? "expired" : o.status} />
                        <Text size="sm">
                          {when} with {physician}
                          {o.telehealth ? " (video)" : place ? ` at ${place.name}` : ""}
                        </Text>
                        {o.status === "accepted" ? (
                          <Link to={`/patient/appointments/${o.appointmentId}`} size="sm">
                            Open the appointment of {when}
                          </Link>
                        ) : null}
                      </Group>
                    );
                  })}
                </>
              ) : null}
            </Stack>
          );
        }}
      </QueryView>
    </Paper>
  );
}

function Entries({ nameOf }: { nameOf: (patientId: string) => string | null }) {
  const entries = useWaitlistEntries({ status: "waiting,offered" });
  const needText = useNeedText();
  const client = useQueryClient();
  const physicians = usePhysicianNames(
    (entries.data?.items ?? []).flatMap((e) => (e.physicianId ? [e.physicianId] : [])),
  );
  const withdraw = useMutation({
    mutationFn: (e: WaitlistEntry) => api.del<WaitlistEntry>(`/api/v1/waitlist/entries/${e.id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["waitlist"] }),
  });
  return (
    <>
      <ErrorAlert error={withdraw.error} title="Not withdrawn" />
      <QueryView query={entries} what="waitlist entries">
        {(page) =>
          page.items.length === 0 ? (
            <Text>You are not on the waitlist.</Text>
          ) : (
            <Stack gap="xs">
              {page.items.map((e) => {
                const who = nameOf(e.patientId);
                const doctor = e.physicianId ? physicians.get(e.physicianId) : null;
                return (
                  <Group key={e.id} justify="space-between" wrap="nowrap" align="start">
                    <div>
                      <Group gap="xs">
                        <WaitlistStatus status={e.status} />
                        <Text fw={600}>
                          {doctor ? `${doctor}` : "Any physician"}
                          {who ? ` · for ${who}` : ""}
                        </Text>
                      </Group>
                      <Text size="sm">{needText(e)}</Text>
                    </div>
                    <Button
                      size="xs"
                      variant="default"
                      loading={withdraw.isPending && withdraw.variables?.id === e.id}
                      onClick={() => withdraw.mutate(e)}
                      aria-label={`Leave the waitlist: ${needText(e)}`}
                    >
                      Leave
                    </Button>
                  </Group>
                );
              })}
            </Stack>
          )
        }
      </QueryView>
    </>
  );
}
