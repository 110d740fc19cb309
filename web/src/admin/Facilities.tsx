/** A location's departments, rooms and equipment: lists with a small create form each. */
import {
  Badge,
  Button,
  Checkbox,
  Grid,
  type GridColProps,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import {
  departmentInput,
  equipmentInput,
  roomInput,
  roomKinds,
} from "../../../src/services/locations/schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "../shared/api.js";
import { OutOfServicePanel, ServiceAction, ServiceState } from "../shared/OutOfService.js";
import { useLocations, useSpecialties } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { viewerZone } from "../shared/time.js";
import type { Department, EquipmentItem, Room } from "../shared/types.js";
import { ErrorAlert, humanize, QueryView } from "../shared/ui.js";

/** A small create form: validate with the API's schema, post, refresh the list. */
function useCreate<T>(path: string, listKey: unknown[]) {
  const client = useQueryClient();
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<T>(path, body),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
  return {
    create,
    errors: { ...fieldErrorsOf(create.error), ...clientErrors },
    submit: (schema: Parameters<typeof validate>[0], value: unknown, done: () => void) => {
      const checked = validate(schema, value);
      if (!checked.ok) return setClientErrors(checked.errors);
      setClientErrors({});
      create.mutate(checked.data, { onSuccess: done });
    },
  };
}

/** The "Add …" form under a list: its title, what the server refused, the fields, and an Add button. */
function CreateForm({
  title,
  onSubmit,
  error,
  shownFields,
  pending,
  buttonSpan,
  children,
}: {
  title: string;
  onSubmit: (e: FormEvent) => void;
  error: unknown;
  shownFields: readonly string[];
  pending: boolean;
  buttonSpan: GridColProps["span"];
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="sm">
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Title order={3} size="h5" mb="xs">
          {title}
        </Title>
        <ErrorAlert error={error} shownFields={shownFields} />
        <Grid align="end">
          {children}
          <Grid.Col span={buttonSpan}>
            <Button type="submit" fullWidth loading={pending}>
              Add
            </Button>
          </Grid.Col>
        </Grid>
      </form>
    </Paper>
  );
}

export function Departments({ locationId }: { locationId: string }) {
  const key = ["departments", locationId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ items: Department[] }>(`/api/v1/locations/${locationId}/departments`),
  });
  const specialties = useSpecialties();
  const [form, setForm] = useState({ specialty: null as string | null, name: "", phone: "" });
  const { create, errors, submit } = useCreate<Department>(
    `/api/v1/locations/${locationId}/departments`,
    key,
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit(
      departmentInput,
      { specialty: form.specialty ?? "", name: form.name, phone: form.phone.trim() || null },
      () => setForm({ specialty: null, name: "", phone: "" }),
    );
  };
  return (
    <Stack>
      <QueryView query={list}>
        {(d) => (
          <Table striped aria-label="Departments">
            <Table.Tbody>
              {d.items.map((x) => (
                <Table.Tr key={x.id}>
                  <Table.Td>{x.name}</Table.Td>
                  <Table.Td>{x.specialty}</Table.Td>
                  <Table.Td>{x.phone ?? ""}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <CreateForm
        title="Add a department"
        onSubmit={onSubmit}
        error={create.error}
        shownFields={["specialty", "name", "phone"]}
        pending={create.isPending}
        buttonSpan={{ base: 12, sm: 2 }}
      >
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <SearchableSelect
            label="Specialty"
            data={(specialties.data?.items ?? []).map((s) => ({ value: s.code, label: s.name }))}
            value={form.specialty}
            onChange={(v) => setForm({ ...form, specialty: v })}
            error={errors.specialty}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            error={errors.name}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 2 }}>
          <TextInput
            label="Phone"
            value={form.phone}
            onChange={(e) => setForm({ ...form, phone: e.currentTarget.value })}
            error={errors.phone}
          />
        </Grid.Col>
      </CreateForm>
    </Stack>
  );
}

export function Rooms({ locationId }: { locationId: string }) {
  const key = ["rooms", locationId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api.get<Page<Room>>(`/api/v1/locations/${locationId}/rooms`, { limit: 500 }),
  });
  const zone = useLocations().byId.get(locationId)?.timeZone ?? viewerZone;
  // out of service goes through the server's what-if: the appointments booked in it then move
  const [retiring, setRetiring] = useState<Room | null>(null);
  const [form, setForm] = useState({ code: "", name: "", kind: "exam", floor: 0, stepFree: true });
  const { create, errors, submit } = useCreate<Room>(`/api/v1/locations/${locationId}/rooms`, key);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit(roomInput, form, () => setForm({ code: "", name: "", kind: "exam", floor: 0, stepFree: true }));
  };
  return (
    <Stack>
      <QueryView query={list}>
        {(page) => (
          <Table.ScrollContainer minWidth={560}>
            <Table striped aria-label="Rooms">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Code</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Floor</Table.Th>
                  <Table.Th>Step-free</Table.Th>
                  <Table.Th>Service</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>{r.code}</Table.Td>
                    <Table.Td>{r.name}</Table.Td>
                    <Table.Td>{humanize(r.kind)}</Table.Td>
                    <Table.Td>{r.floor}</Table.Td>
                    <Table.Td>{r.stepFree ? "Yes" : <Badge color="orange">Stairs</Badge>}</Table.Td>
                    <Table.Td>
                      <Stack gap={4}>
                        <ServiceState facility={r} zone={zone} />
                        <ServiceAction
                          kind="room"
                          facility={r}
                          label={`room ${r.code}`}
                          listKey={key}
                          onTakeOut={() => setRetiring(r)}
                        />
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      {retiring ? (
        <OutOfServicePanel
          key={retiring.id}
          kind="room"
          facility={retiring}
          label={`room ${retiring.code}`}
          zone={zone}
          listKey={key}
          onClose={() => setRetiring(null)}
        />
      ) : null}
      <CreateForm
        title="Add a room"
        onSubmit={onSubmit}
        error={create.error}
        shownFields={["code", "name", "kind", "floor"]}
        pending={create.isPending}
        buttonSpan={{ base: 6, sm: 1.5 }}
      >
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <TextInput
            label="Code"
            value={form.code}
            onChange={(e) => setForm({ ...form, code: e.currentTarget.value })}
            error={errors.code}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}>
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            error={errors.name}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <Select
            label="Kind"
            data={roomKinds.map((k) => ({ value: k, label: humanize(k) }))}
            value={form.kind}
            onChange={(v) => v && setForm({ ...form, kind: v })}
            allowDeselect={false}
            error={errors.kind}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 1 }}>
          <NumberInput
            label="Floor"
            value={form.floor}
            onChange={(v) => setForm({ ...form, floor: Number(v) || 0 })}
            error={errors.floor}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 1.5 }}>
          <Checkbox
            label="Step-free"
            checked={form.stepFree}
            onChange={(e) => setForm({ ...form, stepFree: e.currentTarget.checked })}
            mb={8}
          />
        </Grid.Col>
      </CreateForm>
    </Stack>
  );
}

export function Equipment({ locationId }: { locationId: string }) {
  const key = ["equipment", locationId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api.get<Page<EquipmentItem>>(`/api/v1/locations/${locationId}/equipment`, { limit: 500 }),
  });
  const rooms = useQuery({
    queryKey: ["rooms", locationId],
    queryFn: () => api.get<Page<Room>>(`/api/v1/locations/${locationId}/rooms`, { limit: 500 }),
  });
  const roomName = new Map((rooms.data?.items ?? []).map((r) => [r.id, `${r.code} ${r.name}`]));
  const zone = useLocations().byId.get(locationId)?.timeZone ?? viewerZone;
  const [retiring, setRetiring] = useState<EquipmentItem | null>(null);
  const [form, setForm] = useState({
    kind: "",
    name: "",
    assetTag: "",
    roomId: null as string | null,
    mobile: false,
    travels: false,
  });
  const { create, errors, submit } = useCreate<EquipmentItem>(
    `/api/v1/locations/${locationId}/equipment`,
    key,
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit(equipmentInput, form, () =>
      setForm({ kind: "", name: "", assetTag: "", roomId: null, mobile: false, travels: false }),
    );
  };
  return (
    <Stack>
      <QueryView query={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text size="sm">No equipment recorded.</Text>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table striped aria-label="Equipment">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Asset tag</Table.Th>
                    <Table.Th>Where</Table.Th>
                    <Table.Th>Service</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((x) => (
                    <Table.Tr key={x.id}>
                      <Table.Td>{x.kind}</Table.Td>
                      <Table.Td>{x.name}</Table.Td>
                      <Table.Td>{x.assetTag}</Table.Td>
                      <Table.Td>
                        {x.travels
                          ? "Mobile, lent to other locations"
                          : x.mobile
                            ? "Mobile"
                            : (roomName.get(x.roomId ?? "") ?? "—")}
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={4}>
                          <ServiceState facility={x} zone={zone} />
                          <ServiceAction
                            kind="equipment"
                            facility={x}
                            label={`${x.name} (${x.assetTag})`}
                            listKey={key}
                            onTakeOut={() => setRetiring(x)}
                          />
                        </Stack>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
      {retiring ? (
        <OutOfServicePanel
          key={retiring.id}
          kind="equipment"
          facility={retiring}
          label={`${retiring.name} (${retiring.assetTag})`}
          zone={zone}
          listKey={key}
          onClose={() => setRetiring(null)}
        />
      ) : null}
      <CreateForm
        title="Add equipment"
        onSubmit={onSubmit}
        error={create.error}
        shownFields={["kind", "name", "assetTag", "roomId", "travels"]}
        pending={create.isPending}
        buttonSpan={{ base: 6, sm: 1 }}
      >
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <TextInput
            label="Kind"
            placeholder="ecg"
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}
            error={errors.kind}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            error={errors.name}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <TextInput
            label="Asset tag"
            value={form.assetTag}
            onChange={(e) => setForm({ ...form, assetTag: e.currentTarget.value })}
            error={errors.assetTag}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 3 }}>
          <SearchableSelect
            label="Room"
            clearable
            data={(rooms.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.code} ${r.name}` }))}
            value={form.roomId}
            onChange={(v) => setForm({ ...form, roomId: v })}
            error={errors.roomId}
            disabled={form.mobile}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 2 }}>
          <Checkbox
            label="Mobile"
            checked={form.mobile}
            onChange={(e) =>
              setForm({
                ...form,
                mobile: e.currentTarget.checked,
                travels: form.travels && e.currentTarget.checked,
                roomId: null,
              })
            }
            mb={8}
          />
          <Checkbox
            label="Lent to other locations"
            checked={form.travels}
            disabled={!form.mobile}
            onChange={(e) => setForm({ ...form, travels: e.currentTarget.checked })}
            error={errors.travels}
            mb={8}
          />
        </Grid.Col>
      </CreateForm>
    </Stack>
  );
}
