/**
 * System clients of the FHIR API (SMART backend services): who may call it on their own behalf,
 * with which scopes, acting as staff of which locations. A client secret is shown once; a mutual
 * TLS client is named by what its certificate carries (RFC 8705).
 */
import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { TlsSubjectKind } from "../../../src/integrations/fhir/clients/mtls.js";
import { fhirClientInput } from "../../../src/integrations/fhir/clients/schema.js";
import { KNOWN_SCOPES } from "../../../src/integrations/fhir/clients/scopes.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { SearchableMultiSelect } from "../shared/SearchablePickers.js";
import { ErrorAlert, PageTitle, QueryView } from "../shared/ui.js";

type AuthMethod = "client_secret" | "private_key_jwt" | "tls_client_auth";

const AUTH_METHOD_NAMES: Record<AuthMethod, string> = {
  client_secret: "Client secret",
  private_key_jwt: "Signed JWT",
  tls_client_auth: "TLS certificate",
};

const SUBJECT_KINDS: Array<{ value: TlsSubjectKind; label: string }> = [
  { value: "subject_dn", label: "Subject DN (e.g. CN=pacs-gateway,O=Radiology)" },
  { value: "san_dns", label: "DNS name (subjectAltName)" },
  { value: "san_uri", label: "URI (subjectAltName)" },
  { value: "san_ip", label: "IP address (subjectAltName)" },
  { value: "san_email", label: "Email (subjectAltName)" },
];

interface FhirClient {
  id: string;
  name: string;
  authMethod: AuthMethod;
  tlsSubject: { kind: TlsSubjectKind; value: string } | null;
  scopes: string[];
  locationIds: string[];
  active: boolean;
}

export function FhirClientsPage() {
  const client = useQueryClient();
  const { byId: locations } = useLocations();
  const [adding, setAdding] = useState(false);
  const [issued, setIssued] = useState<{ id: string; secret: string } | null>(null);
  const clients = useQuery({
    queryKey: ["fhir-clients"],
    queryFn: () => api.get<{ items: FhirClient[] }>("/api/v1/fhir-clients"),
  });
  const toggle = useMutation({
    mutationFn: (c: FhirClient) =>
      api.patch<FhirClient>(`/api/v1/fhir-clients/${c.id}`, { active: !c.active }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["fhir-clients"] }),
  });
  return (
    <>
      <PageTitle description="Systems that call the FHIR API with their own credentials: each token lasts five minutes and reaches only its scopes, as staff of the client's locations.">
        FHIR system clients
      </PageTitle>
      {issued ? (
        <Alert
          color="yellow"
          title="Copy the client secret now"
          mb="md"
          withCloseButton
          onClose={() => setIssued(null)}
        >
          <Text size="sm">
            client_id <Code>{issued.id}</Code>
          </Text>
          <Text size="sm">
            client_secret <Code>{issued.secret}</Code>
          </Text>
          <Text size="sm">Rounds keeps only its hash: it cannot be shown again.</Text>
        </Alert>
      ) : null}
      <Group justify="flex-end" mb="md">
        <Button onClick={() => setAdding(true)}>Register a client</Button>
      </Group>
      <ErrorAlert error={toggle.error} title="Not changed" />
      <QueryView query={clients} label="Loading clients…">
        {(p) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label="FHIR system clients">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>client_id</Table.Th>
                  <Table.Th>Signs in with</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Locations</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>
                      <Code>{c.id}</Code>
                    </Table.Td>
                    <Table.Td>
                      {AUTH_METHOD_NAMES[c.authMethod]}
                      {c.tlsSubject ? <Code ml="xs">{c.tlsSubject.value}</Code> : null}
                    </Table.Td>
                    <Table.Td>{c.scopes.join(" ")}</Table.Td>
                    <Table.Td>{c.locationIds.map((id) => locations.get(id)?.code ?? id).join(", ")}</Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600} c={c.active ? "green.9" : "dimmed"}>
                        {c.active ? "Active" : "Deactivated"}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="light"
                        loading={toggle.isPending && toggle.variables?.id === c.id}
                        onClick={() => toggle.mutate(c)}
                        aria-label={`${c.active ? "Deactivate" : "Reactivate"} ${c.name}`}
                      >
                        {c.active ? "Deactivate" : "Reactivate"}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      {adding ? (
        <RegisterDialog
          onClose={() => setAdding(false)}
          onSecret={(id, secret) => setIssued({ id, secret })}
        />
      ) : null}
    </>
  );
}

function RegisterDialog({
  onClose,
  onSecret,
}: {
  onClose: () => void;
  onSecret: (id: string, secret: string) => void;
}) {
  const client = useQueryClient();
  const { locations } = useLocations();
  const [form, setForm] = useState({
    name: "",
    authMethod: "client_secret" as AuthMethod,
    scopes: ["system/Slot.read"] as string[],
    locationIds: [] as string[],
    publicJwk: "",
    subjectKind: "subject_dn" as TlsSubjectKind,
    subject: "",
  });
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) =>
      api.post<{ client: FhirClient; clientSecret?: string }>("/api/v1/fhir-clients", body),
    onSuccess: (made) => {
      void client.invalidateQueries({ queryKey: ["fhir-clients"] });
      if (made.clientSecret) onSecret(made.client.id, made.clientSecret);
      onClose();
    },
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };

  function submit() {
    let publicJwk: unknown;
    if (form.authMethod === "private_key_jwt") {
      try {
        publicJwk = JSON.parse(form.publicJwk);
      } catch {
        return setClientErrors({ publicJwk: "must be a JSON Web Key" });
      }
    }
    const checked = validate(fhirClientInput, {
      name: form.name,
      authMethod: form.authMethod,
      scopes: form.scopes,
      locationIds: form.locationIds,
      ...(publicJwk !== undefined ? { publicJwk } : {}),
      ...(form.authMethod === "tls_client_auth"
        ? { tlsSubject: { kind: form.subjectKind, value: form.subject } }
        : {}),
    });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }

  return (
    <Modal opened onClose={onClose} title="Register a FHIR system client" size="lg">
      <Stack>
        <ErrorAlert error={save.error} title="Not registered" shownFields={Object.keys(errors)} />
        <TextInput
          label="Name"
          required
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          error={errors.name}
        />
        <Select
          label="Signs in with"
          data={[
            { value: "client_secret", label: "A client secret (shown once)" },
            { value: "private_key_jwt", label: "A signed JWT (private_key_jwt)" },
            { value: "tls_client_auth", label: "Its TLS client certificate (mutual TLS)" },
          ]}
          value={form.authMethod}
          onChange={(v) => v && setForm({ ...form, authMethod: v as typeof form.authMethod })}
          allowDeselect={false}
          error={errors.authMethod}
        />
        {form.authMethod === "private_key_jwt" ? (
          <Textarea
            label="Public key (JWK)"
            description="The client's public RSA or EC key as JSON; never its private key"
            required
            autosize
            minRows={3}
            value={form.publicJwk}
            onChange={(e) => setForm({ ...form, publicJwk: e.currentTarget.value })}
            error={errors.publicJwk}
          />
        ) : null}
        {form.authMethod === "tls_client_auth" ? (
          <>
            <Select
              label="Its certificate is named by"
              description="The certificate must also chain to the CA in ROUNDS_TLS_CLIENT_CA; tokens work only with it"
              data={SUBJECT_KINDS}
              value={form.subjectKind}
              onChange={(v) => v && setForm({ ...form, subjectKind: v as TlsSubjectKind })}
              allowDeselect={false}
              error={errors["tlsSubject.kind"]}
            />
            <TextInput
              label="Certificate subject"
              required
              value={form.subject}
              onChange={(e) => setForm({ ...form, subject: e.currentTarget.value })}
              error={errors["tlsSubject.value"] ?? errors.tlsSubject}
            />
          </>
        ) : null}
        <SearchableMultiSelect
          label="Scopes"
          required
          data={KNOWN_SCOPES.map((s) => ({ value: s, label: s }))}
          value={form.scopes}
          onChange={(v) => setForm({ ...form, scopes: v })}
          error={errors.scopes}
        />
        <SearchableMultiSelect
          label="Acts as staff of"
          required
          data={locations.map((l) => ({ value: l.id, label: l.name }))}
          value={form.locationIds}
          onChange={(v) => setForm({ ...form, locationIds: v })}
          error={errors.locationIds}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending}>
            Register
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
