/**
 * A physician's schedule across every location on one calendar (FullCalendar's standard views):
 * working blocks shaded per location, appointments coloured AND labelled with the location,
 * travel between locations as hatched gaps, time off greyed out, and a legend naming each colour.
 */
import type { DatesSetArg, EventClickArg, EventContentArg, EventInput } from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import listPlugin from "@fullcalendar/list";
import FullCalendar from "@fullcalendar/react";
import timeGridPlugin from "@fullcalendar/timegrid";
import { Box, ColorSwatch, Group, Paper, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useEffect, useRef } from "react";
import { navigate } from "./router.js";
import { differsFromViewer, wallClock, zoneAbbreviation } from "./time.js";
import type { Location, ScheduleEntry } from "./types.js";
import { humanize, locationPalette } from "./ui.js";

export interface CalendarRange {
  from: string;
  to: string;
}

/** The zone the calendar's clock shows: the zone most of the physician's locations use. */
export function displayZone(entries: ScheduleEntry[], fallback: string): string {
  const counts = new Map<string, number>();
  for (const e of entries)
    if (e.kind === "assignment" || e.kind === "appointment")
      counts.set(e.local.timeZone, (counts.get(e.local.timeZone) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? fallback;
}

export function scheduleLocationIds(entries: ScheduleEntry[]): string[] {
  return [
    ...new Set(
      entries.flatMap((e) =>
        e.kind === "assignment" || e.kind === "appointment"
          ? [e.locationId]
          : e.kind === "travel"
            ? [e.fromLocationId, e.toLocationId]
            : [],
      ),
    ),
  ];
}

export function ScheduleCalendar({
  entries,
  zone,
  locations,
  palette,
  initialDate,
  initialView,
  onRange,
  appointmentLabel,
  appointmentLink,
  extraEvents = [],
  isAffected,
  focusDate,
}: {
  entries: ScheduleEntry[];
  zone: string;
  locations: Map<string, Location>;
  palette: Map<string, string>;
  initialDate?: string | undefined;
  initialView?: string | undefined;
  onRange: (range: CalendarRange) => void;
  /** What an appointment says besides its location (a patient's name, or "Booked"). */
  appointmentLabel: (e: Extract<ScheduleEntry, { kind: "appointment" }>) => string;
  appointmentLink?: (e: Extract<ScheduleEntry, { kind: "appointment" }>) => string | null;
  extraEvents?: EventInput[];
  isAffected?: (e: Extract<ScheduleEntry, { kind: "appointment" }>) => boolean;
  /** Moves the calendar to this date when it changes (e.g. to a preview's first affected day). */
  focusDate?: string | undefined;
}) {
  // read once before the first render: the calendar picks its initial view only on mount
  const narrow = useMediaQuery("(max-width: 600px)", window.matchMedia("(max-width: 600px)").matches, {
    getInitialValueInEffect: false,
  });
  const calendar = useRef<FullCalendar>(null);
  useEffect(() => {
    if (focusDate) calendar.current?.getApi().gotoDate(focusDate);
  }, [focusDate]);
  const code = (id: string) => locations.get(id)?.code ?? "";
  const name = (id: string) => locations.get(id)?.name ?? "another location";
  const events: EventInput[] = entries.map((e, i): EventInput => {
    const start = wallClock(e.start, zone);
    const end = wallClock(e.end, zone);
    switch (e.kind) {
      case "assignment":
        return {
          id: `a${i}`,
          start,
          end,
          display: "background",
          backgroundColor: palette.get(e.locationId),
          title: `${e.locationName} (${humanize(e.source)})`,
        };
      case "appointment": {
        const affected = isAffected?.(e) ?? false;
        return {
          id: e.id ?? `p${i}`,
          start,
          end,
          title: `${code(e.locationId)} · ${appointmentLabel(e)}${e.telehealth ? " · video visit" : ""}`,
          backgroundColor: palette.get(e.locationId),
          borderColor: affected ? "#c92a2a" : palette.get(e.locationId),
          url: appointmentLink?.(e) ?? undefined,
          classNames: affected ? ["affected"] : [],
          extendedProps: {
            kind: "appointment",
            location: e.locationName,
            code: code(e.locationId),
            status: e.status,
            zoneNote: differsFromViewer(e.local.timeZone) ? zoneAbbreviation(e.start, e.local.timeZone) : "",
            affected,
          },
        };
      }
      case "travel":
        return {
          id: `t${i}`,
          start,
          end,
          title: `Travel ${e.minutes} min: ${name(e.fromLocationId)} → ${name(e.toLocationId)}`,
          classNames: ["travel-gap"],
          textColor: "#3d2600",
          borderColor: "#e67700",
          extendedProps: { kind: "travel" },
        };
      case "time_off":
        return {
          id: `o${i}`,
          start,
          end,
          title: `Time off${e.status !== "approved" ? ` (${e.status})` : ""}${e.reason ? `: ${e.reason}` : ""}`,
          classNames: ["time-off"],
          textColor: "#212529",
          borderColor: "#868e96",
          extendedProps: { kind: "time_off" },
        };
      default:
        return e satisfies never;
    }
  });

  function datesSet(arg: DatesSetArg) {
    // the calendar runs on UTC wall-clock strings, so its dates are the displayed dates
    const from = arg.start.toISOString().slice(0, 10);
    const to = new Date(arg.end.getTime() - 1).toISOString().slice(0, 10);
    onRange({ from, to });
  }

  function eventClick(arg: EventClickArg) {
    if (!arg.event.url) return;
    arg.jsEvent.preventDefault();
    navigate(arg.event.url);
  }

  return (
    <Box>
      <FullCalendar
        ref={calendar}
        plugins={[timeGridPlugin, dayGridPlugin, listPlugin]}
        timeZone="UTC"
        initialView={initialView ?? (narrow ? "timeGridDay" : "timeGridWeek")}
        initialDate={initialDate}
        firstDay={1}
        headerToolbar={{
          left: "prev,next today",
          center: "title",
          right: "timeGridDay,timeGridWeek,listWeek,dayGridMonth",
        }}
        // words, not icon fonts: FullCalendar's chevrons are unnamed images to a screen reader
        buttonIcons={false}
        buttonText={{
          prev: "‹ Previous",
          next: "Next ›",
          today: "Today",
          day: "Day",
          week: "Week",
          list: "List",
          month: "Month",
        }}
        buttonHints={{ prev: "Previous $0", next: "Next $0", today: "This $0" }}
        slotDuration="00:15:00"
        slotLabelInterval="01:00"
        slotMinTime="07:00:00"
        slotMaxTime="20:00:00"
        scrollTime="07:00:00"
        allDaySlot={false}
        nowIndicator
        height="auto"
        expandRows
        eventTimeFormat={{ hour: "2-digit", minute: "2-digit", hour12: false }}
        displayEventEnd={false}
        slotLabelFormat={{ hour: "2-digit", minute: "2-digit", hour12: false }}
        events={[...events, ...extraEvents]}
        datesSet={datesSet}
        eventClick={eventClick}
        eventContent={renderEvent}
      />
    </Box>
  );
}

function renderEvent(arg: EventContentArg) {
  const p = arg.event.extendedProps as { kind?: string; zoneNote?: string; affected?: boolean };
  if (arg.event.display === "background") return null;
  const time = `${arg.timeText}${p.zoneNote ? ` ${p.zoneNote}` : ""}`;
  const text = `${time} ${arg.event.title}${p.affected ? " (affected)" : ""}`;
  return (
    // kept inside the event's own box (a narrow phone column would push wrapped text out of it,
    // onto the pale location shading behind, where white text cannot be read)
    <div
      title={text}
      style={{ overflow: "hidden", height: "100%", fontSize: 12, lineHeight: 1.2, whiteSpace: "normal" }}
    >
      <strong>{time}</strong> {p.affected ? "⚠ affected · " : ""}
      {arg.event.title}
    </div>
  );
}

/** Names every colour on the calendar: colour is never the only way to tell locations apart. */
export function LocationLegend({
  locationIds,
  locations,
  palette,
  zone,
}: {
  locationIds: string[];
  locations: Map<string, Location>;
  palette: Map<string, string>;
  zone: string;
}) {
  return (
    <Paper withBorder p="xs" component="section" aria-label="Calendar legend" data-testid="legend">
      <Group gap="md" wrap="wrap">
        {locationIds.map((id) => (
          <Group key={id} gap={6} wrap="nowrap">
            <ColorSwatch color={palette.get(id) ?? "#868e96"} size={14} aria-hidden />
            <Text size="sm">
              <strong>{locations.get(id)?.code ?? ""}</strong> {locations.get(id)?.name ?? "Location"}
            </Text>
          </Group>
        ))}
        <Group gap={6} wrap="nowrap">
          <Box
            className="travel-gap-swatch"
            w={14}
            h={14}
            style={{ border: "1px dashed #e67700", background: "#ffe066" }}
          />
          <Text size="sm">Travel between locations</Text>
        </Group>
        <Group gap={6} wrap="nowrap">
          <Box w={14} h={14} style={{ background: "#dee2e6" }} />
          <Text size="sm">Time off</Text>
        </Group>
        {differsFromViewer(zone) ? (
          <Text size="sm" c="dimmed">
            Times shown in {zone} ({zoneAbbreviation(new Date().toISOString(), zone)})
          </Text>
        ) : null}
      </Group>
    </Paper>
  );
}

export { locationPalette };
