/** Locations side by side: distance, parking, access, amenities, transport and the earliest time. */
import { Button, Chip, Group, List, Paper, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { distanceKm } from "../../../src/platform/geo.js";
import type { Address, Location, SlotOptionDto } from "../shared/types.js";
import { humanize, LocationBadge, money, networkPalette, ZonedDateTime } from "../shared/ui.js";

const MAX_COMPARED = 3;

export const stepFreeAt = (l: Location): boolean => l.accessibilityFeatures.includes("step_free_access");

export function LocationComparison({
  options,
  locations,
  home,
  onBook,
  busy,
  actionLabel,
}: {
  options: SlotOptionDto[];
  locations: Map<string, Location>;
  home: Address | null;
  onBook: (o: SlotOptionDto) => void;
  busy: boolean;
  actionLabel: string;
}) {
  const earliest = new Map<string, SlotOptionDto>();
  for (const o of [...options].sort((a, b) => a.start.localeCompare(b.start)))
    if (!earliest.has(o.locationId)) earliest.set(o.locationId, o);
  const ids = [...earliest.keys()];
  const [chosen, setChosen] = useState<string[]>(() => ids.slice(0, 2));
  const compared = chosen.filter((id) => earliest.has(id));
  const palette = networkPalette([...locations.values()]);
  const columns = compared.map((id) => ({ id, location: locations.get(id), first: earliest.get(id)! }));

  if (ids.length < 2) return null;
  const row = (label: string, cell: (c: (typeof columns)[number]) => React.ReactNode) => (
    <Table.Tr>
      <Table.Th scope="row">{label}</Table.Th>
      {columns.map((c) => (
        <Table.Td key={c.id}>{c.location ? cell(c) : "—"}</Table.Td>
      ))}
    </Table.Tr>
  );

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="compare-heading">
      <Title order={3} size="h4" id="compare-heading" mb="xs">
        Compare locations
      </Title>
      <Chip.Group multiple value={compared} onChange={(v) => setChosen(v.slice(-MAX_COMPARED))}>
        <Group gap="xs" mb="sm" role="group" aria-label={`Choose up to ${MAX_COMPARED} locations to compare`}>
          {ids.map((id) => (
            <Chip key={id} value={id} size="sm">
              {locations.get(id)?.name ?? earliest.get(id)!.locationName}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      {columns.length === 0 ? (
        <Text size="sm">Choose locations above to compare them.</Text>
      ) : (
        <Table.ScrollContainer minWidth={columns.length * 220 + 140}>
          <Table
            withColumnBorders
            verticalSpacing="xs"
            aria-label="Location comparison"
            data-testid="comparison"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">
                  <Text size="sm" fw={600}>
                    Location
                  </Text>
                </Table.Th>
                {columns.map((c) => (
                  <Table.Th key={c.id} scope="col">
                    <LocationBadge
                      location={c.location}
                      name={c.first.locationName}
                      color={palette.get(c.id)}
                    />
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {row("Earliest time", (c) => (
                <ZonedDateTime iso={c.first.start} zone={c.first.local.timeZone} />
              ))}
              {row("Distance from home", (c) =>
                c.location!.kind === "virtual"
                  ? "Video visit, no travel"
                  : distanceText(c.first.distanceKm ?? distanceFrom(home, c.location!)),
              )}
              {row(
                "Address",
                (c) =>
                  [c.location!.addressLine, c.location!.city, c.location!.postalCode]
                    .filter(Boolean)
                    .join(", ") || "—",
              )}
              {row("Parking", (c) =>
                c.location!.parking.spaces === 0
                  ? "No parking"
                  : `${c.location!.parking.spaces} spaces, ${money(c.location!.parking.costCentsPerHour)}${
                      c.location!.parking.costCentsPerHour ? " per hour" : ""
                    }`,
              )}
              {row("Accessible parking", (c) =>
                c.location!.parking.accessibleSpaces > 0 ? (
                  `Yes, ${c.location!.parking.accessibleSpaces} accessible spaces`
                ) : (
                  <Text span c="red.8" size="sm" fw={600}>
                    None on site
                  </Text>
                ),
              )}
              {row("Step-free access", (c) => (stepFreeAt(c.location!) ? "Yes" : "No — stairs"))}
              {row("Amenities", (c) =>
                c.location!.amenities.length ? (
                  <List size="sm" spacing={0}>
                    {c.location!.amenities.map((a) => (
                      <List.Item key={a}>{humanize(a)}</List.Item>
                    ))}
                  </List>
                ) : (
                  "—"
                ),
              )}
              {row("Public transport", (c) => c.location!.publicTransport ?? "—")}
              <Table.Tr>
                <Table.Th scope="row">
                  <Text size="sm" fw={600}>
                    Book
                  </Text>
                </Table.Th>
                {columns.map((c) => (
                  <Table.Td key={c.id}>
                    <Button
                      size="xs"
                      onClick={() => onBook(c.first)}
                      disabled={busy}
                      aria-label={`${actionLabel}: ${c.first.locationName}`}
                    >
                      {actionLabel}
                    </Button>
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

const distanceText = (km: number | null): string => (km === null ? "Unknown" : `${km.toFixed(1)} km`);

function distanceFrom(home: Address | null, l: Location): number | null {
  if (
    !home ||
    home.latitude === null ||
    home.longitude === null ||
    l.latitude === null ||
    l.longitude === null
  )
    return null;
  return distanceKm(
    { latitude: home.latitude, longitude: home.longitude },
    { latitude: l.latitude, longitude: l.longitude },
  );
}
