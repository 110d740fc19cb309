/** The reports' figures from summed daily counters: pure, so the fixtures can check them by hand. */
import type { DailyCounters } from "./facts.js";

const ratio = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
const mean = (sum: number, count: number, unit = 1): number | null =>
  count > 0 ? Math.round((sum / count / unit) * 10) / 10 : null;

export function utilisationOf(c: DailyCounters) {
  return {
    appointments: c.appointments,
    bookedMinutes: c.bookedMinutes,
    completedMinutes: c.completedMinutes,
    noShowMinutes: c.noShowMinutes,
    cancelledMinutes: c.cancelledMinutes,
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
