/**
 * Equipment that travels between locations: where each item is now, and its uses and moves over
 * the next days. Administrators see the whole network; a front desk sees its location's own items
 * and the ones coming to or leaving it.
 */
import { Badge, Group, Paper, SegmentedControl, Select, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "./api.js";
import { useLocations } from "./queries.js";
import { formatDateTime, formatTime, viewerZone } from "./time.js";
import type { Location, Me, MobileEquipmentItem, MobileEquipmentList } from "./types.js";
import { LocationBadge, networkPalette, PageTitle, QueryView } from "./ui.js";

const DAY = 86_400_000;
const ALL = "all";

export function MobileEquipmentPage({ me }: { me: Me }) {
  const { locations, byId } = useLocations();
  const choices =
    me.role === "admin" ? locations.filter((l) => l.kind !== "virtual").map((l) => l.id) : me.locationIds;
  const [locationId, setLocationId] = useState<string>(ALL);
  const [days, setDays] = useState("7");
  // the window starts on the hour, so the query key stays put while the page is open
  const [from] = useState(() => Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const to = from + Number(days) * DAY;
  const list = useQuery({
    queryKey: ["mobile-equipment", locationId, from, days],
    queryFn: () =>
      api.get<MobileEquipmentList>("/api/v1/mobile-equipment", {
        ...(locationId === ALL ? {} : { locationId }),
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      }),
    placeholderData: keepPreviousData,
  });
  const palette = networkPalette(locations);
  return (
    <>
      <PageTitle
        description={
          me.role === "admin"
            ? "Portable equipment shared across the network: where each item is, when it is in use and when it moves."
            : "Your location's portable equipment, and the items other locations bring to you or take away."
        }
      >
        Mobile equipment
      </PageTitle>
      <Stack>
        <Group align="end" gap="md" wrap="wrap">
          {choices.length > 1 ? (
            <Select
              label="Location"
              data={[
                { value: ALL, label: me.role === "admin" ? "All locations" : "All my locations" },
                ...choices.map((id) => ({ value: id, label: byId.get(id)?.name ?? id })),
              ]}
              value={locationId}
              onChange={(v) => v && setLocationId(v)}
              allowDeselect={false}
            />
          ) : null}
          <SegmentedControl
            aria-label="Days shown"
            value={days}
            onChange={setDays}
            data={[
              { value: "1", label: "Today" },
              { value: "7", label: "7 days" },
              { value: "14", label: "14 days" },
            ]}
          />
        </Group>
        <QueryView query={list} label="Loading the equipment…">
          {(l) =>
            l.items.length === 0 ? (
              <Text>No equipment that travels between locations is here or on its way.</Text>
            ) : (
              <Stack gap="md">
                {l.items.map((item) => (
                  <ItemCard key={item.id} item={item} locations={byId} palette={palette} />
                ))}
              </Stack>
            )
          }
        </QueryView>
      </Stack>
    </>
  );
}

/** Where the item is now, in a sentence. */
function nowLine(item: MobileEquipmentItem, zoneOf: (id: string) => string): string {
  const n = item.now;
  if (n.state === "in_use")
    return `In use at ${n.locationName} until ${formatTime(n.until, zoneOf(n.locationId))}`;
  if (n.state === "moving")
    return `On its way from ${n.fromLocationName} to ${n.toLocationName}, arriving ${formatTime(n.until, zoneOf(n.toLocationId))}`;
  return n.locationId === item.home.locationId
    ? `At home at ${n.locationName}`
    : `Waiting at ${n.locationName}`;
}

function ItemCard({
  item,
  locations,
  palette,
}: {
  item: MobileEquipmentItem;
  locations: Map<string, Location>;
  palette: Map<string, string>;
}) {
  const zoneOf = (id: string) => locations.get(id)?.timeZone ?? viewerZone;
  const headingId = `equipment-${item.id}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId} data-testid="mobile-equipment">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} size="h4" id={headingId}>
            {item.name}{" "}
            <Text span c="dimmed" size="sm">
              {item.assetTag}
            </Text>
          </Title>
          <Group gap={6}>
            <Text size="sm">Home:</Text>
            <LocationBadge
              location={locations.get(item.home.locationId)}
              name={item.home.locationName}
              color={palette.get(item.home.locationId)}
            />
          </Group>
        </Group>
        <Text size="sm" data-testid="equipment-now">
          {nowLine(item, zoneOf)}
        </Text>
        {item.timeline.length === 0 ? (
          <Text size="sm" c="dimmed">
            Not booked in these days.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={420}>
            <Table aria-label={`Uses and moves of ${item.name} ${item.assetTag}`} verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {item.timeline.map((e) =>
                  e.kind === "use" ? (
                    <Table.Tr key={`use-${e.start}`}>
                      <Table.Td>
                        {formatDateTime(e.start, zoneOf(e.locationId))}–
                        {formatTime(e.end, zoneOf(e.locationId))}
                      </Table.Td>
                      <Table.Td>In use at {e.locationName}</Table.Td>
                    </Table.Tr>
                  ) : (
                    <Table.Tr key={`move-${e.start}-${e.toLocationId}`} data-testid="equipment-move">
                      <Table.Td>
                        {formatDateTime(e.start, zoneOf(e.fromLocationId))}–
                        {formatTime(e.end, zoneOf(e.toLocationId))}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6}>
                          <Badge variant="light" color="gray" style={{ textTransform: "none" }}>
                            Moves
                          </Badge>
                          <Text size="sm">
                            {e.fromLocationName} to {e.toLocationName}
                          </Text>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ),
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
