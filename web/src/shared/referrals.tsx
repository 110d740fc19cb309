/** Referrals on screen: the lists (the receiving desk's queue, the referrer's list) and the refer form. */
import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { urgencies } from "../../../src/services/referrals/schema.js";
import { api, fieldErrorsOf, type Page } from "./api.js";
import { useLocations, useSpecialties } from "./queries.js";
import { ButtonLink } from "./router.js";
import { SpecialtyField } from "./SearchFields.js";
import { formatDateTime, viewerZone } from "./time.js";
import type { Referral } from "./types.js";
import { ErrorAlert, humanize, QueryView, StatusBadge } from "./ui.js";

const URGENCY_COLOR: Record<string, string> = { urgent: "red", soon: "orange", routine: "gray" };

export function UrgencyBadge({ urgency }: { urgency: string }) {
  return (
    // dark text on the light tint keeps AA contrast whatever the tint
    <Badge color={URGENCY_COLOR[urgency] ?? "gray"} variant="light" c="dark.7">
      {humanize(urgency)}
    </Badge>
  );
}

export function useReferrals(query: Record<string, string | undefined>) {
  return useQuery({
    queryKey: ["referrals", query],
    queryFn: () => api.get<Page<Referral>>("/api/v1/referrals", { ...query, limit: 200 }),
  });
}

/**
 * A table of referrals. `receiving`: the desk's queue, with accept, decline and book;
 * otherwise the referrer's list with withdraw.
 */
export function ReferralTable({
  title,
  query,
  receiving,
  answers = false,
  bookPath,
}: {
  title: string;
  query: Record<string, string | undefined>;
  receiving: boolean;
  /** The viewer accepts and declines (the receiving desk; a physician named only reads). */
  answers?: boolean;
  /** Where a referral is booked (the staff's booking screen), when the viewer books. */
  bookPath?: (r: Referral) => string;
}) {
  const referrals = useReferrals(query);
  const { byId: locations } = useLocations();
  const client = useQueryClient();
  const act = useMutation({
    mutationFn: ({ r, action }: { r: Referral; action: "accept" | "decline" | "cancel" }) =>
      api.post<Referral>(
        `/api/v1/referrals/${r.id}/${action}`,
        action === "cancel" ? { reason: "Withdrawn by the referrer" } : {},
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["referrals"] }),
  });
  const id = `referrals-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="sm">
        {title}
      </Title>
      <ErrorAlert error={act.error} title="Not changed" />
      <QueryView query={referrals} what="referrals">
        {(page) =>
          page.items.length === 0 ? (
            <Text>No referrals.</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped aria-label={title}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Patient</Table.Th>
                    <Table.Th>Specialty</Table.Th>
                    <Table.Th>{receiving ? "From" : "To"}</Table.Th>
                    <Table.Th>Urgency</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>Sent</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((r) => {
                    const open = r.status === "sent" || r.status === "accepted";
                    const where = receiving ? r.fromLocationId : r.toLocationId;
                    const busy = act.isPending && act.variables?.r.id === r.id;
                    return (
                      <Table.Tr key={r.id}>
                        <Table.Td>{r.patientName}</Table.Td>
                        <Table.Td>{humanize(r.specialty)}</Table.Td>
                        <Table.Td>{where ? (locations.get(where)?.name ?? "") : "—"}</Table.Td>
                        <Table.Td>
                          <UrgencyBadge urgency={r.urgency} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{r.reason}</Text>
                          {r.attachments.length ? (
                            <Text size="xs">Attachments: {r.attachments.join(", ")}</Text>
                          ) : null}
                        </Table.Td>
                        <Table.Td>{formatDateTime(r.createdAt, viewerZone)}</Table.Td>
                        <Table.Td>
                          <StatusBadge status={r.status} />
                          {r.statusNote ? <Text size="xs">{r.statusNote}</Text> : null}
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            {answers && r.status === "sent" ? (
                              <Button
                                size="xs"
                                variant="light"
                                loading={busy}
                                onClick={() => act.mutate({ r, action: "accept" })}
                                aria-label={`Accept the referral of ${r.patientName}`}
                              >
                                Accept
                              </Button>
                            ) : null}
                            {answers && open ? (
                              <Button
                                size="xs"
                                variant="default"
                                loading={busy}
                                onClick={() => act.mutate({ r, action: "decline" })}
                                aria-label={`Decline the referral of ${r.patientName}`}
                              >
                                Decline
                              </Button>
                            ) : null}
                            {answers && open && bookPath ? (
                              <ButtonLink
                                size="xs"
                                to={bookPath(r)}
                                aria-label={`Book the referral of ${r.patientName}`}
                              >
                                Book
                              </ButtonLink>
                            ) : null}
                            {!receiving && open ? (
                              <Button
                                size="xs"
                                variant="default"
                                loading={busy}
                                onClick={() => act.mutate({ r, action: "cancel" })}
                                aria-label={`Withdraw the referral of ${r.patientName}`}
                              >
                                Withdraw
                              </Button>
                            ) : null}
                          </Group>
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

/** Refers a patient to a specialty at another location (the "refer" action on a patient record). */
export function ReferForm({ patientId }: { patientId: string }) {
  const specialties = useSpecialties();
  const { locations } = useLocations();
  const client = useQueryClient();
  const [specialty, setSpecialty] = useState<string | null>(null);
  const [toLocationId, setTo] = useState<string | null>(null);
  const [urgency, setUrgency] = useState<string | null>("routine");
  const [reason, setReason] = useState("");
  const [attachments, setAttachments] = useState("");
  const refer = useMutation({
    mutationFn: () =>
      api.post<Referral>("/api/v1/referrals", {
        patientId,
        specialty,
        toLocationId,
        urgency,
        reason,
        attachments: attachments
          .split(/[\s,]+/)
          .map((a) => a.trim())
          .filter(Boolean),
      }),
    onSuccess: () => {
      setReason("");
      setAttachments("");
      return client.invalidateQueries({ queryKey: ["referrals"] });
    },
  });
  const errors = fieldErrorsOf(refer.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    refer.mutate();
  }
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="refer">
      <Title order={2} size="h3" id="refer" mb="sm">
        Refer to another location
      </Title>
      {refer.data ? (
        <Alert color="green" role="status" mb="sm" title="Referral sent">
          The receiving front desk sees it in its queue; the patient can book it from their referrals.
        </Alert>
      ) : null}
      <ErrorAlert
        error={refer.error}
        title="Not sent"
        shownFields={["specialty", "toLocationId", "urgency", "reason"]}
      />
      <form onSubmit={submit} noValidate aria-label="Refer the patient">
        <Grid>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <SpecialtyField
              specialties={specialties.data?.items ?? []}
              value={specialty}
              onChange={setSpecialty}
              error={errors.specialty}
              disabled={false}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Select
              label="Location"
              required
              searchable
              data={locations.map((l) => ({ value: l.id, label: l.name }))}
              value={toLocationId}
              onChange={setTo}
              error={errors.toLocationId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Select
              label="Urgency"
              required
              data={urgencies.map((u) => ({ value: u, label: humanize(u) }))}
              value={urgency}
              onChange={setUrgency}
              error={errors.urgency}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              label="Attachments (optional)"
              description="Document ids or https links, separated by commas"
              value={attachments}
              onChange={(e) => setAttachments(e.currentTarget.value)}
              error={Object.entries(errors).find(([k]) => k.startsWith("attachments"))?.[1]}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <Textarea
              label="Reason"
              required
              autosize
              minRows={2}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={errors.reason}
            />
          </Grid.Col>
        </Grid>
        <Group justify="flex-end" mt="md">
          <Button type="submit" loading={refer.isPending}>
            Send referral
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

/**
 * The referrals a staff member or physician deals with: what came in (the desk's queue, most
 * urgent first) and what they sent, with its state.
 */
export function ReferralsScreen({ bookPath }: { bookPath?: (r: Referral) => string }) {
  return (
    <Stack>
      <ReferralTable
        title="Referred to you"
        query={{ direction: "incoming", status: "sent,accepted" }}
        receiving
        answers={bookPath !== undefined}
        {...(bookPath ? { bookPath } : {})}
      />
      <ReferralTable title="Referrals you made" query={{ direction: "sent" }} receiving={false} />
    </Stack>
  );
}
