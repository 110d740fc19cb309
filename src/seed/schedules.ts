/**
 * Recurring weekly templates: where each physician is on each weekday, morning and afternoon.
 * Blocks of one physician never overlap on a weekday (mornings end at 12:00, afternoons start at
 * 13:00 or later), so the database's exclusion constraint always holds.
 */
import type { Site } from "./network.js";
import { type Clinician, travelMinutes } from "./physicians.js";
import type { Random } from "./random.js";
import type { AppointmentTypeRow, AssignmentTemplateRow } from "./tables.js";

/** Templates start well in the past and stay open, so the network is live whatever today is. */
export const TEMPLATES_EFFECTIVE_FROM = "2025-01-01";

/** Longest drive that still allows a morning at one site and an afternoon at another. */
const SPLIT_DAY_MAX_MINUTES = 60;

interface Block {
  site: Site;
  start: string;
  end: string;
  only?: "follow_up" | "telehealth";
}

const minutesToTime = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

function canSplit(a: Site, b: Site): boolean {
  return a.row.time_zone === b.row.time_zone && travelMinutes(a, b) <= SPLIT_DAY_MAX_MINUTES;
}

/** The weekly pattern of one physician: weekday (1 = Monday) to that day's blocks. */
function weekPlan(rng: Random, c: Clinician): Map<number, Block[]> {
  const amStart = rng.pick(["08:00", "08:00", "08:00", "08:30"]);
  const pmEnd = rng.pick(["17:00", "17:00", "16:30", "16:00"]);
  const morning = (site: Site): Block => ({ site, start: amStart, end: "12:00" });
  const afternoon = (site: Site, start = "13:00"): Block => ({
    site,
    start,
    end: pmEnd,
    ...(site.row.kind !== "virtual" && rng.chance(0.1) ? { only: "follow_up" as const } : {}),
  });
  const fullDay = (site: Site): Block[] => [morning(site), afternoon(site)];
  // After a morning at `a`, lunch plus the drive decides when the afternoon at `b` starts.
  const split = (a: Site, b: Site): Block[] => {
    const gap = Math.max(60, Math.ceil((travelMinutes(a, b) + 15) / 30) * 30);
    return [morning(a), afternoon(b, minutesToTime(12 * 60 + gap))];
  };

  const week = new Map<number, Block[]>();
  const [home, second, third] = c.sites as [Site, Site | undefined, Site | undefined];
  if (!second) {
    const days = [1, 2, 3, 4, 5];
    if (rng.chance(0.15)) days.splice(rng.int(0, 4), 1); // part-time: one weekday off
    for (const d of days) week.set(d, fullDay(home));
    const opensSaturday = home.hours.some(
      (h) => h.weekday === 6 && h.opens <= "09:00" && h.closes >= "13:00",
    );
    if (opensSaturday && home.row.kind === "satellite" && rng.chance(0.4)) {
      week.set(6, [{ site: home, start: "09:00", end: "13:00" }]);
    }
  } else if (third) {
    for (const d of [1, 3, 5]) week.set(d, fullDay(home));
    week.set(2, fullDay(second));
    week.set(4, fullDay(third));
  } else if (second.row.kind === "virtual") {
    for (const d of [1, 2, 3, 4]) week.set(d, fullDay(home));
    week.set(5, rng.chance(0.5) && canSplit(home, second) ? split(home, second) : fullDay(second));
  } else if (travelMinutes(home, second) > 75) {
    // a long outreach drive: one full day a week there
    for (const d of [1, 2, 3, 5]) week.set(d, fullDay(home));
    week.set(4, fullDay(second));
  } else if (canSplit(home, second) && rng.chance(0.55)) {
    if (rng.chance(0.5)) {
      for (const d of [1, 2, 3, 4]) week.set(d, fullDay(home));
      week.set(5, split(home, second));
    } else {
      for (const d of [1, 2, 4]) week.set(d, fullDay(home));
      week.set(3, fullDay(second));
      week.set(5, split(second, home));
    }
  } else {
    for (const d of [1, 3, 5]) week.set(d, fullDay(home));
    for (const d of [2, 4]) week.set(d, fullDay(second));
  }
  return week;
}

export function planTemplates(
  rng: Random,
  clinicians: Clinician[],
  appointmentTypes: AppointmentTypeRow[],
): AssignmentTemplateRow[] {
  const typesOf = (c: Clinician, keep: (t: AppointmentTypeRow) => boolean) =>
    appointmentTypes.filter((t) => c.specialties.includes(t.specialty) && keep(t)).map((t) => t.id);
  const rows: AssignmentTemplateRow[] = [];
  for (const c of clinicians) {
    const telehealthTypes = typesOf(c, (t) => t.telehealth_allowed);
    const followUpTypes = typesOf(c, (t) => t.visit_kind === "follow_up");
    for (const [weekday, blocks] of weekPlan(rng, c)) {
      for (const block of blocks) {
        const virtual = block.site.row.kind === "virtual";
        const followUpOnly = block.only === "follow_up" && followUpTypes.length > 0;
        rows.push({
          id: rng.uuid(),
          physician_id: c.row.id,
          location_id: block.site.row.id,
          weekday,
          start_time: block.start,
          end_time: block.end,
          effective_from: TEMPLATES_EFFECTIVE_FROM,
          effective_to: null,
          appointment_type_ids: virtual ? telehealthTypes : followUpOnly ? followUpTypes : [],
          notes: virtual ? "Video visits only" : followUpOnly ? "Follow-up clinic" : null,
        });
      }
    }
  }
  return rows;
}
