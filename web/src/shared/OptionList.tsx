import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { BroughtEquipment } from "./equipment.js";
import type { Location, SlotOptionDto } from "./types.js";
import { LocationBadge, networkPalette, ZonedDateTime } from "./ui.js";

const PAGE = 10;

export type SortOrder = "earliest" | "nearest" | "preferred";

/** Earliest first; nearest by distance from home; preferred locations first — each then by time. */
export function sortOptions(
  options: SlotOptionDto[],
  order: SortOrder,
  preferredLocationIds: string[],
): SlotOptionDto[] {
  const byStart = (a: SlotOptionDto, b: SlotOptionDto) => a.start.localeCompare(b.start);
  const sorted = [...options];
  if (order === "earliest") return sorted.sort(byStart);
  if (order === "nearest")
    return sorted.sort(
      (a, b) =>
        (a.telehealth ? 0 : (a.distanceKm ?? Number.POSITIVE_INFINITY)) -
          (b.telehealth ? 0 : (b.distanceKm ?? Number.POSITIVE_INFINITY)) || byStart(a, b),
    );
  const rank = (o: SlotOptionDto) => {
    const i = preferredLocationIds.indexOf(o.locationId);
    return i === -1 ? preferredLocationIds.length : i;
  };
  return sorted.sort((a, b) => rank(a) - rank(b) || byStart(a, b));
}

export function OptionList({
  options,
  locations,
  grouped,
  onChoose,
  busyId,
  actionLabel,
}: {
  options: SlotOptionDto[];
  locations: Map<string, Location>;
  grouped: boolean;
  onChoose: (o: SlotOptionDto) => void;
  busyId: string | undefined;
  actionLabel: string;
}) {
  const palette = networkPalette([...locations.values()]);
  // a long list is shown a page at a time; the sort order decides what comes first
  const [shown, setShown] = useState(PAGE);
  const more = (hidden: number) =>
    hidden > 0 ? (
      <Button variant="default" onClick={() => setShown(shown + PAGE)}>
        Show more times ({hidden} not shown)
      </Button>
    ) : null;
  const card = (o: SlotOptionDto) => (
    <OptionCard
      key={o.id}
      option={o}
      location={locations.get(o.locationId)}
      color={palette.get(o.locationId)}
      onChoose={onChoose}
      busy={busyId === o.id}
      disabled={busyId !== undefined}
      actionLabel={actionLabel}
    />
  );
  if (!grouped)
    return (
      <Stack gap="sm" align="stretch">
        <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }} aria-label="Available times">
          {options.slice(0, shown).map(card)}
        </Stack>
        <Group>{more(options.length - shown)}</Group>
      </Stack>
    );
  const groups = new Map<string, SlotOptionDto[]>();
  for (const o of options) groups.set(o.locationId, [...(groups.get(o.locationId) ?? []), o]);
  const perGroup = Math.max(3, Math.ceil(shown / groups.size));
  const hidden = [...groups.values()].reduce((n, l) => n + Math.max(0, l.length - perGroup), 0);
  return (
    <Stack gap="lg">
      {[...groups.entries()].map(([locationId, list]) => (
        <section key={locationId} aria-labelledby={`group-${locationId}`}>
          <Title order={3} size="h4" mb="xs" id={`group-${locationId}`}>
            {locations.get(locationId)?.name ?? list[0]!.locationName}
          </Title>
          <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
            {list.slice(0, perGroup).map(card)}
          </Stack>
        </section>
      ))}
      <Group>{more(hidden)}</Group>
    </Stack>
  );
}

function OptionCard({
  option: o,
  location,
  color,
  onChoose,
  busy,
  disabled,
  actionLabel,
}: {
  option: SlotOptionDto;
  location: Location | undefined;
  color: string | undefined;
  onChoose: (o: SlotOptionDto) => void;
  busy: boolean;
  disabled: boolean;
  actionLabel: string;
}) {
  return (
    <Card withBorder padding="sm" component="li" data-testid="slot-option">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Text fw={600}>
            <ZonedDateTime iso={o.start} zone={o.local.timeZone} />
          </Text>
          <Text size="sm">{o.physicianName}</Text>
          <Group gap={6}>
            <LocationBadge location={location} name={o.locationName} color={color} />
            {o.telehealth ? (
              <>
                <Badge variant="outline">Video visit</Badge>
                <Text size="xs" c="dimmed">
                  no travel
                </Text>
              </>
            ) : null}
            {o.distanceKm !== null && !o.telehealth ? (
              <Text size="xs" c="dimmed">
                {o.distanceKm.toFixed(1)} km from home
              </Text>
            ) : null}
          </Group>
          <BroughtEquipment equipment={o.equipment} />
          {o.extraSeat ? (
            <Group gap={6} wrap="nowrap" align="flex-start" data-testid="extra-seat">
              <Badge color="orange.9" variant="outline" style={{ flexShrink: 0, textTransform: "none" }}>
                Extra seat
              </Badge>
              <Text size="xs">{o.extraSeat.explanation}</Text>
            </Group>
          ) : null}
          {o.reasons.length ? (
            <Text size="xs" c="dimmed">
              Why: {o.reasons.join(" · ")}
            </Text>
          ) : null}
        </Stack>
        <Button
          onClick={() => onChoose(o)}
          loading={busy}
          disabled={disabled && !busy}
          aria-label={`${actionLabel}: ${o.extraSeat ? "extra seat, " : ""}${o.local.date} ${o.local.time} ${o.telehealth ? "video visit" : `at ${o.locationName}`} with ${o.physicianName}`}
        >
          {actionLabel}
        </Button>
      </Group>
    </Card>
  );
}
