/** Small building blocks every screen uses: titles, loading and error states, location badges. */
import { Alert, Badge, Center, ColorSwatch, Group, Loader, Stack, Text, Title, Tooltip } from "@mantine/core";
import { type ReactNode, useEffect, useRef } from "react";
import { ApiError, generalErrorOf } from "./api.js";
import { ButtonLink } from "./router.js";
import { formatDateTime, formatTimeRange, zoneAbbreviation } from "./time.js";
import type { Location } from "./types.js";

/** The page's heading; it takes focus on arrival so screen readers announce the new page. */
export function PageTitle({ children, description }: { children: ReactNode; description?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <Stack gap={4} mb="md">
      <Title order={1} size="h2" ref={ref} tabIndex={-1} style={{ outline: "none" }}>
        {children}
      </Title>
      {description ? (
        <Text c="dimmed" size="sm">
          {description}
        </Text>
      ) : null}
    </Stack>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text size="sm">{label}</Text>
      </Group>
    </Center>
  );
}

export function ErrorAlert({
  error,
  title = "Something went wrong",
  shownFields,
}: {
  error: unknown;
  title?: string;
  shownFields?: readonly string[];
}) {
  const message = generalErrorOf(error, shownFields);
  if (!message) return null;
  return (
    <Alert color="red" title={title} role="alert" mb="md">
      {message}
    </Alert>
  );
}

/** Shown for addresses that lead nowhere and for records outside the viewer's scope alike. */
export function NotFound({ what = "page", back }: { what?: string; back?: { to: string; label: string } }) {
  return (
    <Alert color="gray" title={`This ${what} was not found`} data-testid="not-found" role="alert">
      <Stack gap="xs" align="start">
        <Text>It may have been removed, or it is not one you have access to.</Text>
        {back ? <ButtonLink to={back.to}>{back.label}</ButtonLink> : null}
      </Stack>
    </Alert>
  );
}

/** Loading, not found, error, or the content — for any react-query result. */
export function QueryView<T>({
  query,
  label,
  what,
  back,
  children,
}: {
  query: { data: T | undefined; isPending: boolean; error: unknown };
  label?: string;
  /** Names the record in the "not found" message. */
  what?: string;
  back?: { to: string; label: string };
  children: (data: T) => ReactNode;
}) {
  if (query.error instanceof ApiError && query.error.status === 404)
    return <NotFound what={what} back={back} />;
  if (query.error) return <ErrorAlert error={query.error} />;
  if (query.isPending || query.data === undefined) return <Loading label={label} />;
  return <>{children(query.data)}</>;
}

/** Colours for locations; always paired with the location's name, never the only signal. */
/** Each at least 4.5:1 against white text, so labels on coloured events stay readable. */
export const LOCATION_COLORS = [
  "#1864ab",
  "#c2410c",
  "#087f5b",
  "#9c36b5",
  "#c2255c",
  "#0b7285",
  "#9a4a00",
  "#5f3dc4",
  "#495057",
  "#a61e4d",
] as const;

export function locationPalette(locationIds: readonly string[]): Map<string, string> {
  return new Map(
    [...new Set(locationIds)].sort().map((id, i) => [id, LOCATION_COLORS[i % LOCATION_COLORS.length]!]),
  );
}

/** One colour per location for the whole network, so a location looks the same on every list. */
export function networkPalette(locations: readonly Location[]): Map<string, string> {
  return new Map(
    [...locations]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((l, i) => [l.id, LOCATION_COLORS[i % LOCATION_COLORS.length]!]),
  );
}

export function LocationBadge({
  location,
  color,
  name,
}: {
  location?: Location | undefined;
  color?: string | undefined;
  name?: string;
}) {
  const label = location?.name ?? name ?? "Unknown location";
  return (
    <Badge
      variant="light"
      color={color ?? "gray"}
      // the tint and the swatch carry the colour; the name stays dark, readable on any tint or striped row
      c="dark.9"
      leftSection={color ? <ColorSwatch color={color} size={10} aria-hidden /> : undefined}
      style={{ textTransform: "none" }}
      title={location ? `${location.name} (${location.code})` : label}
    >
      {location ? `${location.code} · ${location.name}` : label}
    </Badge>
  );
}

/** A time at a location, labelled with the location's zone when it is not the viewer's. */
export function ZonedDateTime({ iso, zone }: { iso: string; zone: string }) {
  return (
    <Tooltip label={`${zone} (${zoneAbbreviation(iso, zone)})`} withArrow>
      <time dateTime={iso}>{formatDateTime(iso, zone)}</time>
    </Tooltip>
  );
}

export function ZonedRange({ start, end, zone }: { start: string; end: string; zone: string }) {
  return <time dateTime={start}>{formatTimeRange(start, end, zone)}</time>;
}

const STATUS_COLORS: Record<string, string> = {
  held: "yellow",
  booked: "blue",
  checked_in: "teal",
  in_progress: "grape",
  completed: "green",
  cancelled: "gray",
  no_show: "red",
  expired: "gray",
  requested: "yellow",
  approved: "green",
  declined: "red",
};

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return (
    <Badge color={STATUS_COLORS[status] ?? "gray"} variant="outline" style={{ textTransform: "none" }}>
      {status.replace("_", " ")}
    </Badge>
  );
}

export const money = (cents: number): string =>
  cents === 0 ? "free" : `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;

export const humanize = (code: string): string => {
  const s = code.replaceAll("_", " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
};
