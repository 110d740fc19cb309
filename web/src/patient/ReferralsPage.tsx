/** The patient's referrals, and booking one from its link (`/patient/referrals/:id`). */
import { Alert, Button, Group, Paper, Select, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../shared/api.js";
import { OptionList, sortOptions } from "../shared/OptionList.js";
import { useAppointmentTypes, useLocations } from "../shared/queries.js";
import { UrgencyBadge, useReferrals } from "../shared/referrals.js";
import { Link } from "../shared/router.js";
import { searchNetwork } from "../shared/search.js";
import { addDays, todayIn, viewerZone } from "../shared/time.js";
import type { Referral, SlotOptionDto } from "../shared/types.js";
import { ErrorAlert, humanize, Loading, PageTitle, QueryView } from "../shared/ui.js";

export function MyReferrals() {
  const referrals = useReferrals({});
  const { byId: locations } = useLocations();
  return (
    <>
      <PageTitle description="When a physician refers you to another location, you can book the visit here.">
        My referrals
      </PageTitle>
      <QueryView query={referrals} what="referrals">
        {(page) =>
          page.items.length === 0 ? (
            <Text>You have no referrals.</Text>
          ) : (
            <Stack>
              {page.items.map((r) => (
                <Paper withBorder p="md" key={r.id}>
                  <Group justify="space-between">
                    <div>
                      <Text fw={600}>
                        {humanize(r.specialty)} at {locations.get(r.toLocationId)?.name ?? "another location"}
                      </Text>
                      <Text size="sm">
                        For {r.patientName} · {humanize(r.status)}
                      </Text>
                    </div>
                    <Link to={r.bookingPath}>
                      {r.status === "sent" || r.status === "accepted" ? "Book this referral" : "Open"}
                    </Link>
                  </Group>
                </Paper>
              ))}
            </Stack>
          )
        }
      </QueryView>
    </>
  );
}

export function ReferralPage({ id }: { id: string }) {
  const referral = useQuery({
    queryKey: ["referrals", id],
    queryFn: () => api.get<Referral>(`/api/v1/referrals/${id}`),
  });
  return (
    <>
      <PageTitle>Your referral</PageTitle>
      <QueryView
        query={referral}
        what="referral"
        back={{ to: "/patient/referrals", label: "Back to my referrals" }}
      >
        {(r) => <BookReferral referral={r} />}
      </QueryView>
    </>
  );
}

function BookReferral({ referral: r }: { referral: Referral }) {
  const { byId: locations } = useLocations();
  const types = useAppointmentTypes(r.specialty);
  const client = useQueryClient();
  const place = locations.get(r.toLocationId);
  const today = todayIn(place?.timeZone ?? viewerZone);
  const [typeId, setTypeId] = useState<string | null>(null);
  const [search, setSearch] = useState<string | null>(null);
  const open = r.status === "sent" || r.status === "accepted";
  const results = useQuery({
    queryKey: ["availability", "referral", r.id, search],
    enabled: search !== null,
    queryFn: () =>
      searchNetwork({
        appointmentTypeId: search!,
        specialty: r.specialty,
        physicianId: r.toPhysicianId,
        locationIds: [r.toLocationId],
        patientId: r.patientId,
        from: today,
        to: addDays(today, 28),
        stepFree: false,
        telehealth: false,
      }),
  });
  const book = useMutation({
    mutationFn: (o: SlotOptionDto) =>
      api.post<Referral>(`/api/v1/referrals/${r.id}/book`, { optionId: o.id }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["referrals"] }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (typeId) setSearch(typeId);
  }
  return (
    <Stack>
      <Paper withBorder p="md">
        <Group gap="xs">
          <Title order={2} size="h3">
            {humanize(r.specialty)} at {place?.name ?? "another location"}
          </Title>
          <UrgencyBadge urgency={r.urgency} />
        </Group>
        <Text mt="xs">{r.reason}</Text>
        <Text size="sm" mt="xs">
          For {r.patientName} · {humanize(r.status)}
          {r.statusNote ? ` · ${r.statusNote}` : ""}
        </Text>
      </Paper>
      {r.appointmentId ? (
        <Alert color="green" role="status" title="Booked">
          <Link to={`/patient/appointments/${r.appointmentId}`}>Open the appointment</Link>
        </Alert>
      ) : null}
      {open ? (
        <Paper withBorder p="md">
          <form onSubmit={submit} noValidate aria-label="Find a time for this referral">
            <Group align="flex-end">
              <Select
                label="Type of visit"
                required
                data={types.types.map((t) => ({ value: t.id, label: t.name }))}
                value={typeId}
                onChange={setTypeId}
              />
              <Button type="submit" loading={results.isFetching} disabled={!typeId}>
                Find times
              </Button>
            </Group>
          </form>
        </Paper>
      ) : null}
      <ErrorAlert error={results.error} title="The search did not work" />
      <ErrorAlert error={book.error} title="Not booked" />
      {search && results.isPending ? <Loading label="Searching…" /> : null}
      {open && results.data ? (
        results.data.length === 0 ? (
          <Text>No times in the next four weeks. Call the location to be booked.</Text>
        ) : (
          <OptionList
            options={sortOptions(results.data, "earliest", [])}
            locations={locations}
            grouped={false}
            onChoose={(o) => book.mutate(o)}
            busyId={book.isPending ? book.variables?.id : undefined}
            actionLabel="Book"
          />
        )
      ) : null}
    </Stack>
  );
}
