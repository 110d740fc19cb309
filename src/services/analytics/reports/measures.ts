/** The reports' figures from summed daily counters: pure, so the fixtures can check them by hand. */
import type { DailyCounters } from "./facts.js";
import type { PlannedTotals } from "./planned.repository.js";

const ratio = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
const mean = (sum: number, count: number, unit = 1): number | null =>
  count > 0 ? Math.round((sum / count / unit) * 10) / 10 : null;

export const NO_PLANNED_TIME: PlannedTotals = {
  plannedMinutes: 0,
  timeOffMinutes: 0,
  travelMinutes: 0,
  availableMinutes: 0,
  gapMinutes: 0,
  gaps: 0,
};

export function utilisationOf(c: DailyCounters, p: PlannedTotals = NO_PLANNED_TIME) {
  return {
    appointments: c.appointments,
    bookedMinutes: c.bookedMinutes,
    completedMinutes: c.completedMinutes,
    noShowMinutes: c.noShowMinutes,
    cancelledMinutes: c.cancelledMinutes,
    plannedMinutes: p.plannedMinutes,
    blockedMinutes: p.timeOffMinutes,
    travelMinutes: p.travelMinutes,
    availableMinutes: p.availableMinutes,
    fillableGapMinutes: p.gapMinutes,
    fillableGaps: p.gaps,
    utilisationRate:
      p.plannedMinutes > 0 ? ratio(c.bookedMinutes, c.bookedMinutes + p.availableMinutes) : null,
  };
}

export function efficiencyOf(c: DailyCounters) {
  return {
    appointments: c.appointments,
    leadDays: mean(c.leadMinutesSum, c.leadCount, 1440),
    checkInToStartMinutes: mean(c.waitMinutesSum, c.waitCount),
    noShowRate: ratio(c.noShows, c.completed + c.noShows),
    lateCancellationRate: ratio(c.lateCancelled, c.appointments),
    cancellationRate: ratio(c.cancelled + c.lateCancelled, c.appointments),
  };
}
