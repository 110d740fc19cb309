/**
 * The copay of a held time, before the patient confirms: priced by the server from the signed
 * option the search handed out (kept for the hold in this tab's session storage), never from a
 * price the browser holds.
 */
import { Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { InsurerCopay } from "../../../src/integrations/eligibility/schema.js";
import type { Quote } from "../../../src/services/analytics/pricing/schema.js";
import { api } from "../shared/api.js";
import { money } from "../shared/ui.js";

const key = (holdId: string) => `rounds.heldOption.${holdId}`;

export function rememberHeldOption(holdId: string, optionId: string): void {
  try {
    sessionStorage.setItem(key(holdId), optionId);
  } catch {
    // storage unavailable (private mode): the hold page shows no copay
  }
}

function heldOption(holdId: string): string | null {
  try {
    return sessionStorage.getItem(key(holdId));
  } catch {
    return null;
  }
}

/** Why the copay is what it is, in the patient's words. */
export function copayReason(q: Quote): string {
  switch (q.reason) {
    case "urgent_care":
      return "urgent care is always the standard copay";
    case "financial_assistance":
      return "you have financial assistance, so you pay the standard copay";
    case "no_rule":
    case "no_cap":
      return "the standard copay for this visit";
    case "adjusted":
    case "capped":
      return q.adjustmentCents < 0
        ? `${money(-q.adjustmentCents)} off the standard ${money(q.baseCents)}: a quieter time${q.reason === "capped" ? ", up to your plan's limit" : ""}`
        : `${money(q.adjustmentCents)} above the standard ${money(q.baseCents)}: a busy time${q.reason === "capped" ? ", limited by your plan" : ""}`;
  }
}

export function Copay({
  holdId,
  patientId,
  appointmentTypeId,
}: {
  holdId: string;
  patientId: string;
  appointmentTypeId: string;
}) {
  const optionId = heldOption(holdId);
  // a recent answer from the patient's insurer (X12 271) for this kind of visit is what they pay
  const insurer = useQuery({
    queryKey: ["insurer-copay", patientId, appointmentTypeId],
    queryFn: () =>
      api.get<InsurerCopay>(`/api/v1/patients/${patientId}/insurer-copay`, { appointmentTypeId }),
    staleTime: 60_000,
    retry: false,
  });
  const quote = useQuery({
    queryKey: ["copay", holdId],
    queryFn: () => api.get<Quote>("/api/v1/pricing-rules/quote", { optionId, patientId }),
    enabled: !!optionId,
    staleTime: 60_000,
    retry: false,
  });
  const fromInsurer = insurer.data?.copay;
  if (fromInsurer)
    return (
      <Text data-testid="copay">
        Your copay: <strong>{fromInsurer.copayCents === 0 ? "$0" : money(fromInsurer.copayCents)}</strong>{" "}
        (from your insurer{fromInsurer.payerName ? `, ${fromInsurer.payerName}` : ""})
      </Text>
    );
  if (!optionId || quote.isError) return null;
  if (!quote.data) return <Text size="sm">Working out your copay…</Text>;
  return (
    <Text data-testid="copay">
      Your copay: <strong>{quote.data.priceCents === 0 ? "$0" : money(quote.data.priceCents)}</strong> (
      {copayReason(quote.data)})
    </Text>
  );
}
