/** How to get there: address, directions, parking, public transport, access and opening hours. */
import { Anchor, List, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { weekdayName } from "./time.js";
import type { Address, Location } from "./types.js";
import { humanize, money } from "./ui.js";

/** OpenStreetMap directions, from home when the patient's home is known. */
export function directionsUrl(location: Location, home: Address | null): string | null {
  if (location.latitude === null || location.longitude === null) return null;
  const to = `${location.latitude},${location.longitude}`;
  const from = home?.latitude != null && home.longitude != null ? `${home.latitude},${home.longitude}` : "";
  return `https://www.openstreetmap.org/directions?route=${encodeURIComponent(`${from};${to}`)}`;
}

export function fullAddress(l: Location): string {
  return [l.addressLine, l.city, [l.region, l.postalCode].filter(Boolean).join(" ")]
    .filter(Boolean)
    .join(", ");
}

export function LocationDetails({
  location,
  home,
  weekday,
}: {
  location: Location;
  home: Address | null;
  /** Highlights the opening hours of the appointment's day. */
  weekday?: number;
}) {
  const directions = directionsUrl(location, home);
  const hours = location.openingHours.filter((h) => weekday === undefined || h.weekday === weekday);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg" data-testid="location-details">
      <Stack gap={6}>
        <Title order={3} size="h4">
          Address and directions
        </Title>
        <Text>{location.name}</Text>
        {location.kind !== "virtual" ? <Text>{fullAddress(location) || "Address not recorded"}</Text> : null}
        {location.phone ? <Text size="sm">Phone: {location.phone}</Text> : null}
        {directions ? (
          <Anchor href={directions} target="_blank" rel="noopener noreferrer">
            Directions to {location.name} (opens OpenStreetMap)
          </Anchor>
        ) : null}
        {location.publicTransport ? (
          <Text size="sm">
            <strong>Public transport:</strong> {location.publicTransport}
          </Text>
        ) : null}
        {hours.length ? (
          <Text size="sm">
            <strong>Open{weekday ? " that day" : ""}:</strong>{" "}
            {hours.map((h) => `${weekdayName(h.weekday)} ${h.opens}–${h.closes}`).join("; ")}
          </Text>
        ) : null}
      </Stack>
      <Stack gap={6}>
        <Title order={3} size="h4">
          Parking and access
        </Title>
        {location.parking.spaces > 0 ? (
          <Text size="sm">
            {location.parking.spaces} spaces, {money(location.parking.costCentsPerHour)}
            {location.parking.costCentsPerHour ? " per hour" : ""};{" "}
            {location.parking.accessibleSpaces > 0
              ? `${location.parking.accessibleSpaces} accessible spaces`
              : "no accessible spaces on site"}
            .
          </Text>
        ) : (
          <Text size="sm">No parking on site.</Text>
        )}
        {location.parking.notes ? <Text size="sm">{location.parking.notes}</Text> : null}
        {location.accessibilityFeatures.length ? (
          <List size="sm" aria-label="Accessibility">
            {location.accessibilityFeatures.map((f) => (
              <List.Item key={f}>{humanize(f)}</List.Item>
            ))}
          </List>
        ) : null}
      </Stack>
    </SimpleGrid>
  );
}
