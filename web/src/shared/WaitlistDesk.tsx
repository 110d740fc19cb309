/**
 * A location's waitlist as a desk sees it (front desks for their locations, administrators for
 * any): the figures (offers sent, accepted, expired, median time to fill a freed slot), the
 * waiting patients with filters, urgency and withdrawal, and the offers made there.
 */
import { Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { urgencies } from "../../../src/services/waitlist/schema.js";
import { api } from "./api.js";
import { patientName, useLocations, usePatientNames, usePhysicianNames } from "./queries.js";
import { formatDateTime, viewerZone } from "./time.js";
import type { WaitlistEntry } from "./types.js";
import { ErrorAlert, humanize, QueryView } from "./ui.js";
import {
  useNeedText,
  useWaitlistEntries,
  useWaitlistOffers,
  useWaitlistStats,
  WaitlistStatus,
  WaitlistUrgency,
} from "./waitlist.js";

/** The waitlist of one of `locationIds` (a picker when there are several). */
export function WaitlistDesk({ locationIds }: { locationIds: readonly string[] }) {
  const { byId: locations } = useLocations();
  const [chosen, setChosen] = useState<string | null>(null);
  const locationId = chosen ?? locationIds[0] ?? "";
  return (
    <Stack gap="lg">
      {locationIds.length > 1 ? (
        <Select
          label="Location"
          maw={360}
          searchable
          data={locationIds.map((id) => ({ value: id, label: locations.get(id)?.name ?? id }))}
          value={locationId}
          onChange={(v) => setChosen(v ?? locationId)}
          allowDeselect={false}
        />
      ) : null}
      {locationId ? (
        <>
          <Figures locationId={locationId} />
          <Entries locationId={locationId} />
          <Offers locationId={locationId} />
        </>
      ) : (
        <Text>You are not assigned to a location.</Text>
      )}
    </Stack>
  );
}

const SHOW = {
  open: { label: "Waiting or offered", status: "waiting,offered" },
  booked: { label: "Booked", status: "booked" },
  closed: { label: "Withdrawn or expired", status: "withdrawn,expired" },
  all: { label: "All", status: undefined },
} as const;
type Show = keyof typeof SHOW;

function minutes(m: number | null): string {
  if (m === null) return "—";
  if (m < 60) return `${Math.round(m)} min`;
  return `${Math.floor(m / 60)} h ${Math.round(m % 60)} min`;
}

function Figures({ locationId }: { locationId: string }) {
  const stats = useWaitlistStats(locationId);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="waitlist-figures">
      <Title order={2} size="h3" id="waitlist-figures" mb="sm">
        The last 30 days
      </Title>
      <QueryView query={stats} what="figures">
        {(s) => (
          <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} data-testid="waitlist-figures">
            {[
              ["Offers sent", String(s.offersSent)],
              ["Accepted", String(s.accepted)],
              ["Declined", String(s.declined)],
              ["Expired", String(s.expired)],
              ["Open now", String(s.open)],
              ["Median time to fill", minutes(s.medianMinutesToFill)],
            ].map(([label, value]) => (
              <div key={label}>
                <Text size="sm" c="dimmed">
                  {label}
                </Text>
                <Text fw={700} size="xl">
                  {value}
                </Text>
              </div>
            ))}
          </SimpleGrid>
        )}
      </QueryView>
    </Paper>
  );
}

function Entries({ locationId }: { locationId: string }) {
  const [show, setShow] = useState<Show>("open");
  const [urgency, setUrgency] = useState<string | null>(null);
  const entries = useWaitlistEntries({ locationId, status: SHOW[show].status });
  const items = (entries.data?.items ?? []).filter((e) => !urgency || e.urgency === urgency);
  const names = usePatientNames(items.map((e) => e.patientId));
  const physicians = usePhysicianNames(items.flatMap((e) => (e.physicianId ? [e.physicianId] : [])));
  const needText = useNeedText();
  const client = useQueryClient();
  const nameOf = (id: string) => {
    const p = names.get(id);
    return p ? patientName(p) : "A patient registered elsewhere";
  };
  const change = useMutation({
    mutationFn: ({ e, to }: { e: WaitlistEntry; to: string | null }) =>
      to === null
        ? api.del<WaitlistEntry>(`/api/v1/waitlist/entries/${e.id}`)
        : api.patch<WaitlistEntry>(`/api/v1/waitlist/entries/${e.id}`, { urgency: to }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["waitlist"] }),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="waitlist-entries">
      <Group justify="space-between" align="end" mb="sm">
        <Title order={2} size="h3" id="waitlist-entries">
          Waiting patients
        </Title>
        <Group>
          <Select
            label="Show"
            data={Object.entries(SHOW).map(([value, s]) => ({ value, label: s.label }))}
            value={show}
            onChange={(v) => setShow((v as Show) ?? "open")}
            allowDeselect={false}
          />
          <Select
            label="Urgency"
            placeholder="Any"
            clearable
            data={urgencies.map((u) => ({ value: u, label: humanize(u) }))}
            value={urgency}
            onChange={setUrgency}
          />
        </Group>
      </Group>
      <ErrorAlert error={change.error} title="Not changed" />
      <QueryView query={entries} what="waitlist">
        {() =>
          items.length === 0 ? (
            <Text>Nobody is waiting here.</Text>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped aria-label="Waiting patients">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Patient</Table.Th>
                    <Table.Th>Waiting for</Table.Th>
                    <Table.Th>Since</Table.Th>
                    <Table.Th>Urgency</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((e) => {
                    const name = nameOf(e.patientId);
                    const open = e.status === "waiting" || e.status === "offered";
                    return (
                      <Table.Tr key={e.id}>
                        <Table.Td>{name}</Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {e.physicianId
                              ? (physicians.get(e.physicianId) ?? "A named physician")
                              : "Any physician"}
                          </Text>
                          <Text size="xs">{needText(e)}</Text>
                          {e.note ? <Text size="xs">Note: {e.note}</Text> : null}
                        </Table.Td>
                        <Table.Td>{formatDateTime(e.createdAt, viewerZone)}</Table.Td>
                        <Table.Td>
                          {open ? (
                            <Select
                              aria-label={`Urgency of ${name}`}
                              size="xs"
                              w={120}
                              data={urgencies.map((u) => ({ value: u, label: humanize(u) }))}
                              value={e.urgency}
                              onChange={(to) => to && to !== e.urgency && change.mutate({ e, to })}
                              allowDeselect={false}
                            />
                          ) : (
                            <WaitlistUrgency urgency={e.urgency} />
                          )}
                        </Table.Td>
                        <Table.Td>
                          <WaitlistStatus status={e.status} />
                        </Table.Td>
                        <Table.Td>
                          {open ? (
                            <Button
                              size="xs"
                              variant="default"
                              loading={change.isPending && change.variables?.e.id === e.id}
                              onClick={() => change.mutate({ e, to: null })}
                              aria-label={`Withdraw ${name} from the waitlist`}
                            >
                              Withdraw
                            </Button>
                          ) : null}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Paper>
  );
}

function Offers({ locationId }: { locationId: string }) {
  const offers = useWaitlistOffers({ locationId, limit: 20 });
  const items = offers.data?.items ?? [];
  const names = usePatientNames(items.map((o) => o.patientId));
  const physicians = usePhysicianNames(items.map((o) => o.physicianId));
  const { byId: locations } = useLocations();
  const zone = locations.get(locationId)?.timeZone ?? viewerZone;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="waitlist-offers">
      <Title order={2} size="h3" id="waitlist-offers" mb="sm">
        Recent offers
      </Title>
      <QueryView query={offers} what="offers">
        {() =>
          items.length === 0 ? (
            <Text>No time has been offered here yet.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label="Recent offers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Patient</Table.Th>
                    <Table.Th>Time offered</Table.Th>
                    <Table.Th>Physician</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Answered or expires</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((o) => {
                    const p = names.get(o.patientId);
                    return (
                      <Table.Tr key={o.id}>
                        <Table.Td>{p ? patientName(p) : "A patient registered elsewhere"}</Table.Td>
                        <Table.Td>{formatDateTime(o.start, zone)}</Table.Td>
                        <Table.Td>{physicians.get(o.physicianId) ?? ""}</Table.Td>
                        <Table.Td>
                          <WaitlistStatus status={o.status} />
                        </Table.Td>
                        <Table.Td>{formatDateTime(o.respondedAt ?? o.expiresAt, zone)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Paper>
  );
}
