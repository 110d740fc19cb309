/** The no-show risk of upcoming appointments, as staff and physicians see it (never patients). */
import { Badge, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "./api.js";
import type { AppointmentRisk, RiskAnswer } from "./types.js";

/** The risk of each booked appointment of a location or a physician in [from, to), by appointment id. */
export function useNoShowRisk(
  scope: { locationId: string } | { physicianId: string } | null,
  from: string,
  to: string,
): Map<string, AppointmentRisk> {
  const risk = useQuery({
    queryKey: ["no-show-risk", scope, from, to],
    enabled: !!scope,
    queryFn: () => api.get<RiskAnswer>("/api/v1/analytics/no-show-risk", { ...scope, from, to }),
    staleTime: 5 * 60_000,
  });
  return new Map((risk.data?.items ?? []).map((r) => [r.appointmentId, r]));
}

const COLORS = { low: "gray", medium: "orange", high: "red" } as const;

export const percent = (p: number): string => `${Math.round(p * 100)} %`;

/** A small badge: the level shown, the probability on hover and in its accessible text. */
export function RiskBadge({ risk }: { risk: AppointmentRisk | undefined }) {
  if (!risk) return null;
  const words = `No-show risk ${risk.level}: ${percent(risk.probability)} chance the patient does not come`;
  return (
    <Badge
      size="xs"
      variant="outline"
      color={COLORS[risk.level]}
      title={words}
      style={{ textTransform: "none" }}
      data-testid="no-show-risk"
    >
      <span aria-hidden="true">{risk.level} risk</span>
      <VisuallyHidden>{words}</VisuallyHidden>
    </Badge>
  );
}
