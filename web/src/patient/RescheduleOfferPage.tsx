/**
 * An offer of a new time, where the message's link leads: the appointment that cannot take place,
 * the time held for the patient until the offer ends, and the three answers — accept it, choose
 * another time of the same kind, or decline (the front desk then calls). An offer answered before,
 * or past its time, says so and changes nothing.
 */
import { Alert, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RescheduleOffer } from "../../../src/services/rescheduling/schema.js";
import { api, type Page } from "../shared/api.js";
import { OptionList } from "../shared/OptionList.js";
import { useAppointmentTypes, useLocations } from "../shared/queries.js";
import { Link } from "../shared/router.js";
import { addDays, todayIn, viewerZone, zonedInstant } from "../shared/time.js";
import type { AvailabilityResult, SlotOptionDto } from "../shared/types.js";
import { ErrorAlert, PageTitle, QueryView, ZonedDateTime } from "../shared/ui.js";

export function RescheduleOfferPage({ id }: { id: string }) {
  const offer = useQuery({
    queryKey: ["reschedule-offer", id],
    queryFn: () => api.get<RescheduleOffer>(`/api/v1/reschedule-offers/${id}`),
  });
  return (
    <>
      <PageTitle>A new time for your appointment</PageTitle>
      <QueryView query={offer} label="Loading the offer…" what="offer">
        {(o) => <OfferDetails offer={o} />}
      </QueryView>
    </>
  );
}

function OfferDetails({ offer }: { offer: RescheduleOffer }) {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const [choosing, setChoosing] = useState(false);
  const zoneOf = (locationId: string) => locations.get(locationId)?.timeZone ?? viewerZone;
  const type = types.get(offer.appointmentTypeId);
  const answered = (o: RescheduleOffer) => {
    client.setQueryData(["reschedule-offer", o.id], o);
    void client.invalidateQueries({ queryKey: ["reschedule-offers"] });
    void client.invalidateQueries({ queryKey: ["appointments"] });
    setChoosing(false);
  };
  const accept = useMutation({
    mutationFn: (optionId?: string) =>
      api.post<RescheduleOffer>(`/api/v1/reschedule-offers/${offer.id}/accept`, optionId ? { optionId } : {}),
    onSuccess: answered,
  });
  const decline = useMutation({
    mutationFn: () => api.post<RescheduleOffer>(`/api/v1/reschedule-offers/${offer.id}/decline`),
    onSuccess: answered,
  });
  const today = todayIn(viewerZone);
  const search = useQuery({
    queryKey: ["reschedule-offer-options", offer.id],
    enabled: choosing && !!type,
    queryFn: () =>
      api.get<AvailabilityResult>("/api/v1/availability", {
        appointmentTypeId: offer.appointmentTypeId,
        specialty: type?.specialty,
        patientId: offer.patientId,
        from: new Date().toISOString(),
        to: zonedInstant(addDays(today, 21), "23:59", viewerZone),
        limit: 30,
      }),
  });
  const held = offer.held;
  const error = accept.error ?? decline.error;

  return (
    <Stack maw={760}>
      <Text>
        Your {type?.name ?? "appointment"} on{" "}
        <ZonedDateTime iso={offer.start} zone={zoneOf(offer.locationId)} /> at{" "}
        {locations.get(offer.locationId)?.name ?? "the clinic"} can no longer take place: the physician's
        schedule changed.
      </Text>
      <ErrorAlert error={error} title="Nothing was changed" />
      {offer.status === "accepted" ? (
        <Alert color="green" title="Your appointment is moved" data-testid="offer-answer">
          <Text size="sm" mb="xs">
            You will get a confirmation with the new time and directions.
          </Text>
          {offer.newAppointmentId ? (
            <Link to={`/patient/appointments/${offer.newAppointmentId}`}>Open the new appointment</Link>
          ) : null}
        </Alert>
      ) : offer.status === "declined" ? (
        <Alert color="blue" title="You declined the offered time" data-testid="offer-answer">
          The front desk will contact you to find a time that suits you. Your appointment stays booked until
          then.
        </Alert>
      ) : offer.status === "expired" ? (
        <Alert color="orange" title="This offer has expired" data-testid="offer-answer">
          The held time has been released. The front desk will contact you to find a new time.
        </Alert>
      ) : (
        <>
          <Card withBorder padding="md" component="section" aria-labelledby="held-time">
            <Title order={2} size="h4" id="held-time" mb="xs">
              Held for you
            </Title>
            <Text fw={600}>
              <ZonedDateTime iso={held.start} zone={zoneOf(held.locationId)} />
            </Text>
            <Text size="sm">
              {held.physicianName ? `With ${held.physicianName}` : ""}
              {held.telehealth ? " by video" : held.locationName ? ` at ${held.locationName}` : ""}
            </Text>
            <Text size="sm" c="dimmed" mt="xs">
              We keep this time for you until <ZonedDateTime iso={offer.expiresAt} zone={viewerZone} />.
            </Text>
            <Group mt="sm">
              <Button
                onClick={() => accept.mutate(undefined)}
                loading={accept.isPending && !accept.variables}
              >
                Accept this time
              </Button>
              <Button variant="light" onClick={() => setChoosing(true)} disabled={choosing}>
                Choose another time
              </Button>
              <Button
                variant="subtle"
                color="red"
                onClick={() => decline.mutate()}
                loading={decline.isPending}
              >
                None of these suit me
              </Button>
            </Group>
          </Card>
          {choosing ? (
            <section aria-labelledby="other-times">
              <Title order={2} size="h4" id="other-times" mb="xs">
                Other times for the same kind of appointment
              </Title>
              <QueryView query={search} label="Looking for other times…">
                {(found) =>
                  found.options.length ? (
                    <OptionList
                      options={found.options as SlotOptionDto[]}
                      locations={locations}
                      grouped={false}
                      onChoose={(o) => accept.mutate(o.id)}
                      busyId={accept.isPending ? accept.variables : undefined}
                      actionLabel="Move my appointment here"
                    />
                  ) : (
                    <Text size="sm">
                      No other time in the next three weeks; the held time is still yours.
                    </Text>
                  )
                }
              </QueryView>
            </section>
          ) : null}
        </>
      )}
    </Stack>
  );
}

/** The patient's open offers, as a notice wherever their appointments are listed. */
export function OpenOffers() {
  const offers = useQuery({
    queryKey: ["reschedule-offers"],
    queryFn: () =>
      api.get<Page<RescheduleOffer>>("/api/v1/reschedule-offers", { status: "offered", limit: 20 }),
  });
  const open = offers.data?.items.filter((o) => Date.parse(o.expiresAt) > Date.now()) ?? [];
  if (!open.length) return null;
  return (
    <Alert color="orange" title="An appointment has to move" mb="md" data-testid="open-offers">
      <Stack gap={4}>
        {open.map((o) => (
          <Text size="sm" key={o.id}>
            Your appointment on <ZonedDateTime iso={o.start} zone={viewerZone} />:{" "}
            <Link to={`/patient/reschedule-offers/${o.id}`} underline="always">
              see the time we are holding for you
            </Link>
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
