/**
 * Billing: export the completed visits of a date range as claims (X12 837P or FHIR Claims), the
 * batches exported so far with their documents, and each location's billing identity (place of
 * service, facility NPI, tax id, billing address), edited one location at a time.
 */
import {
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  type Batch,
  type BillingIdentityDto,
  batchRequest,
  type IdentityInput,
  identityInput,
} from "../../../src/integrations/billing/schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { formatDateTime, todayIn, viewerZone } from "../shared/time.js";
import { ErrorAlert, humanize, money, PageTitle, QueryView } from "../shared/ui.js";

const FORMATS = [
  { value: "x12-837p", label: "X12 837P (005010X222A1)" },
  { value: "fhir-claim", label: "FHIR R4 Claims (Bundle)" },
];

export function BillingPage() {
  return (
    <>
      <PageTitle description="Completed visits become claims with their location's coding: place of service, facility NPI and tax id, the visit type's CPT/HCPCS code and modifiers (95 and the telehealth place of service on video visits), and the fee schedule's amount. A range is exported once per format; exporting it again returns the same batch. Every export and download is audited.">
        Billing
      </PageTitle>
      <Stack gap="lg">
        <ExportForm />
        <Batches />
        <Identities />
      </Stack>
    </>
  );
}

function ExportForm() {
  const client = useQueryClient();
  const today = todayIn(viewerZone);
  const [format, setFormat] = useState<string>("x12-837p");
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<Batch | null>(null);
  const run = useMutation({
    mutationFn: (body: unknown) => api.post<Batch>("/api/v1/billing/batches", body),
    onSuccess: (b) => {
      setDone(b);
      void client.invalidateQueries({ queryKey: ["billing-batches"] });
    },
    onError: (err) => setErrors(fieldErrorsOf(err)),
  });
  const submit = () => {
    const checked = validate(batchRequest, { format, from, to });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    setDone(null);
    run.mutate(checked.data);
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="billing-export">
      <Title order={2} size="h4" id="billing-export" mb="sm">
        Export claims
      </Title>
      <Group align="end" wrap="wrap">
        <Select
          label="Format"
          data={FORMATS}
          value={format}
          onChange={(v) => v && setFormat(v)}
          allowDeselect={false}
          error={errors.format}
        />
        <TextInput
          type="date"
          label="First service date"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={errors.from}
        />
        <TextInput
          type="date"
          label="Last service date"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          error={errors.to}
        />
        <Button onClick={submit} loading={run.isPending}>
          Export
        </Button>
      </Group>
      <ErrorAlert error={run.error} title="Nothing was exported" />
      {done && (
        <Text mt="sm" role="status">
          {done.created
            ? `Exported ${done.claimCount} claims (${money(done.totalCents)}).`
            : "This range was exported before: here is the same batch, unchanged."}{" "}
          {done.skipped.length > 0 && `${done.skipped.length} completed visits could not be billed yet.`}
        </Text>
      )}
    </Paper>
  );
}

function Batches() {
  const batches = useQuery({
    queryKey: ["billing-batches"],
    queryFn: () => api.get<Page<Batch>>("/api/v1/billing/batches", { limit: 50 }),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="billing-batches">
      <Title order={2} size="h4" id="billing-batches" mb="sm">
        Exported batches
      </Title>
      <QueryView query={batches} label="Loading batches…">
        {(page) =>
          page.items.length === 0 ? (
            <Text c="dimmed">No batch exported yet.</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped aria-label="Exported batches" fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Exported</Table.Th>
                    <Table.Th scope="col">Format</Table.Th>
                    <Table.Th scope="col">Service dates</Table.Th>
                    <Table.Th scope="col">Claims</Table.Th>
                    <Table.Th scope="col">Total</Table.Th>
                    <Table.Th scope="col">Not billable</Table.Th>
                    <Table.Th scope="col">Document</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((b) => (
                    <Table.Tr key={b.id}>
                      <Table.Td>{formatDateTime(b.createdAt, viewerZone)}</Table.Td>
                      <Table.Td>
                        {b.format === "x12-837p" ? `837P #${b.controlNumber}` : "FHIR Claims"}
                      </Table.Td>
                      <Table.Td>
                        {b.from} – {b.to}
                      </Table.Td>
                      <Table.Td>{b.claimCount}</Table.Td>
                      <Table.Td>{money(b.totalCents)}</Table.Td>
                      <Table.Td>
                        {b.skipped.length === 0
                          ? "—"
                          : [...new Set(b.skipped.map((s) => humanize(s.reason)))].join(", ") +
                            ` (${b.skipped.length})`}
                      </Table.Td>
                      <Table.Td>
                        <a href={`/api/v1/billing/batches/${b.id}/document`} download>
                          Download
                          <VisuallyHidden>
                            {" "}
                            batch of {b.from} to {b.to}
                          </VisuallyHidden>
                        </a>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Paper>
  );
}

const EMPTY: IdentityInput = {
  placeOfService: "11",
  telehealthPlaceOfService: "02",
  facilityNpi: "",
  ein: "",
  billingName: "",
  addressLine: "",
  city: "",
  region: "",
  postalCode: "",
};
const FIELDS: { key: Exclude<keyof IdentityInput, "telehealthPlaceOfService">; label: string }[] = [
  { key: "billingName", label: "Billing name" },
  { key: "placeOfService", label: "Place of service (in person)" },
  { key: "facilityNpi", label: "Facility NPI" },
  { key: "ein", label: "Tax id (EIN)" },
  { key: "addressLine", label: "Billing address" },
  { key: "city", label: "City" },
  { key: "region", label: "State" },
  { key: "postalCode", label: "ZIP code" },
];

function Identities() {
  const client = useQueryClient();
  const { locations } = useLocations();
  const identities = useQuery({
    queryKey: ["billing-identities"],
    queryFn: () => api.get<{ items: BillingIdentityDto[] }>("/api/v1/billing/identities"),
  });
  const [locationId, setLocationId] = useState<string | null>(null);
  const chosen = locationId ?? locations[0]?.id ?? null;
  const current = identities.data?.items.find((i) => i.locationId === chosen);
  const [draft, setDraft] = useState<{ for: string | null; value: IdentityInput }>({
    for: null,
    value: EMPTY,
  });
  const value = draft.for === chosen ? draft.value : current ? { ...current } : EMPTY;
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: IdentityInput) =>
      api.put<BillingIdentityDto>(`/api/v1/billing/identities/${chosen}`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["billing-identities"] }),
    onError: (err) => setErrors(fieldErrorsOf(err)),
  });
  const set = (patch: Partial<IdentityInput>) => setDraft({ for: chosen, value: { ...value, ...patch } });
  const submit = () => {
    const checked = validate(identityInput, {
      placeOfService: value.placeOfService,
      telehealthPlaceOfService: value.telehealthPlaceOfService,
      facilityNpi: value.facilityNpi,
      ein: value.ein,
      billingName: value.billingName,
      addressLine: value.addressLine,
      city: value.city,
      region: value.region,
      postalCode: value.postalCode,
    });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    save.mutate(checked.data);
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="billing-identities">
      <Title order={2} size="h4" id="billing-identities" mb="sm">
        Billing identity of a location
      </Title>
      <SearchableSelect
        label="Location"
        data={locations.map((l) => ({ value: l.id, label: l.name }))}
        value={chosen}
        onChange={(v) => {
          if (!v) return;
          setLocationId(v);
          setErrors({});
        }}
        allowDeselect={false}
        maw={360}
        mb="sm"
      />
      {identities.isSuccess && !current && (
        <Text size="sm" mb="sm">
          No billing identity yet: this location's completed visits are not exported until it has one.
        </Text>
      )}
      <Group align="start" wrap="wrap">
        {FIELDS.map((f) => (
          <TextInput
            key={f.key}
            label={f.label}
            value={value[f.key]}
            onChange={(e) => set({ [f.key]: e.currentTarget.value })}
            error={errors[f.key]}
          />
        ))}
        <Select
          label="Place of service (video visits)"
          data={[
            { value: "02", label: "02 – telehealth" },
            { value: "10", label: "10 – telehealth in the patient's home" },
          ]}
          value={value.telehealthPlaceOfService}
          onChange={(v) =>
            v && set({ telehealthPlaceOfService: v as IdentityInput["telehealthPlaceOfService"] })
          }
          allowDeselect={false}
        />
      </Group>
      <Button mt="sm" onClick={submit} loading={save.isPending} disabled={!chosen}>
        Save billing identity
      </Button>
      {save.isSuccess && (
        <Text mt="xs" role="status">
          Saved.
        </Text>
      )}
      <ErrorAlert error={save.error} title="The billing identity was not saved" />
    </Paper>
  );
}
