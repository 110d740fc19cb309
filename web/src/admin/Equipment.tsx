/** A location's equipment: the list with where each item is and its service state, and a create form. */
import { Checkbox, Grid, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { equipmentInput } from "../../../src/services/locations/schema.js";
import { api, type Page } from "../shared/api.js";
import { OutOfServicePanel, ServiceAction, ServiceState } from "../shared/OutOfService.js";
import { useLocations } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { viewerZone } from "../shared/time.js";
import type { EquipmentItem, Room } from "../shared/types.js";
import { QueryView } from "../shared/ui.js";
import { CreateForm, useCreate } from "./CreateForm.js";

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
