/** A location's departments and rooms (equipment in `Equipment.tsx`): lists with a small create form each. */
import { Badge, Checkbox, Grid, NumberInput, Select, Stack, Table, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { departmentInput, roomInput, roomKinds } from "../../../src/services/locations/schema.js";
import { api, type Page } from "../shared/api.js";
import { OutOfServicePanel, ServiceAction, ServiceState } from "../shared/OutOfService.js";
import { useLocations, useSpecialties } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { viewerZone } from "../shared/time.js";
import type { Department, Room } from "../shared/types.js";
import { humanize, QueryView } from "../shared/ui.js";
import { CreateForm, useCreate } from "./CreateForm.js";

export { Equipment } from "./Equipment.js";

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
