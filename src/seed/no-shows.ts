/** The demo history's no-show pattern, which the no-show model is trained to find. */

/**
 * The demo history's no-shows follow patterns a model can find (about 8 % overall): more often when
 * booked far ahead, on Mondays and by the one patient in eight who often misses; less often by video.
 */
export function noShowChance(v: {
  leadDays: number;
  oftenMisses: boolean;
  monday: boolean;
  telehealth: boolean;
}): number {
  const z =
    -3.5 + 0.05 * v.leadDays + (v.oftenMisses ? 1.8 : 0) + (v.monday ? 0.4 : 0) - (v.telehealth ? 0.6 : 0);
  return 1 / (1 + Math.exp(-z));
}

/** One patient in eight often misses visits (by their index, so the draw sequence is unchanged). */
export const oftenMisses = (patient: number): boolean => Math.imul(patient + 1, 2654435761) >>> 29 === 0;
