/**
 * The front desk's rooms and equipment at their location: which are in service, which are out of
 * service and until when, and taking one out of service (previewed by the server, then the report)
 * or putting it back.
 */
import { Select, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Page } from "../shared/api.js";
import { type FacilityKind, OutOfServicePanel, ServiceAction, ServiceState } from "../shared/OutOfService.js";
import { OverbookingRule } from "../shared/OverbookingRule.js";
import { useLocations } from "../shared/queries.js";
import { viewerZone } from "../shared/time.js";
import type { EquipmentItem, Me, Room } from "../shared/types.js";
import { humanize, PageTitle, QueryView } from "../shared/ui.js";

type Row = (Room | EquipmentItem) & { label: string; what: string };

function FacilityList({ kind, locationId, zone }: { kind: FacilityKind; locationId: string; zone: string }) {
  // a key of its own: the day's screen keeps the location's rooms under ["rooms", id] as a page
  const key = ["facility-service", kind, locationId];
  const list = useQuery({
    queryKey: key,
    queryFn: async (): Promise<Row[]> =>
      kind === "room"
        ? (await api.get<Page<Room>>(`/api/v1/locations/${locationId}/rooms`, { limit: 500 })).items.map(
            (r) => ({
              ...r,
              label: `room ${r.code}`,
              what: `${r.code} ${r.name} (${humanize(r.kind)})`,
            }),
          )
        : (
            await api.get<Page<EquipmentItem>>(`/api/v1/locations/${locationId}/equipment`, { limit: 500 })
          ).items.map((e) => ({
            ...e,
            label: `${e.name} (${e.assetTag})`,
            what: `${e.name} (${e.kind}, ${e.assetTag})`,
          })),
  });
  const [retiring, setRetiring] = useState<Row | null>(null);
  const title = kind === "room" ? "Rooms" : "Equipment";
  return (
    <Stack>
      <Title order={2} size="h4">
        {title}
      </Title>
      <QueryView query={list}>
        {(rows) =>
          rows.length === 0 ? (
            <Text size="sm">None recorded.</Text>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table striped aria-label={title}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{kind === "room" ? "Room" : "Item"}</Table.Th>
                    <Table.Th>Service</Table.Th>
                    <Table.Th>Action</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{r.what}</Table.Td>
                      <Table.Td>
                        <ServiceState facility={r} zone={zone} />
                      </Table.Td>
                      <Table.Td>
                        <ServiceAction
                          kind={kind}
                          facility={r}
                          label={r.label}
                          listKey={key}
                          onTakeOut={() => setRetiring(r)}
                        />
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
          kind={kind}
          facility={retiring}
          label={retiring.label}
          zone={zone}
          listKey={key}
          onClose={() => setRetiring(null)}
        />
      ) : null}
    </Stack>
  );
}

export function FacilitiesPage({ me }: { me: Me }) {
  const { byId } = useLocations();
  const [locationId, setLocationId] = useState<string | null>(me.locationIds[0] ?? null);
  const zone = (locationId && byId.get(locationId)?.timeZone) || viewerZone;
  return (
    <>
      <PageTitle description="The overbooking rule; take a room or an item out of service (its appointments move first), or put it back.">
        Rooms and equipment
      </PageTitle>
      {me.locationIds.length > 1 ? (
        <Select
          label="Location"
          data={me.locationIds.map((id) => ({ value: id, label: byId.get(id)?.name ?? id }))}
          value={locationId}
          onChange={setLocationId}
          allowDeselect={false}
          mb="md"
          maw={360}
        />
      ) : null}
      {locationId ? (
        <Stack gap="xl">
          <OverbookingRule key={`overbooking-${locationId}`} locationId={locationId} />
          <FacilityList key={`room-${locationId}`} kind="room" locationId={locationId} zone={zone} />
          <FacilityList
            key={`equipment-${locationId}`}
            kind="equipment"
            locationId={locationId}
            zone={zone}
          />
        </Stack>
      ) : (
        <Text>No location is assigned to you.</Text>
      )}
    </>
  );
}
