/**
 * The X12 service type code (EQ01 of the 270, EB03 of the 271) an appointment type is asked about:
 * pure, from what the catalogue says of the type. 30 (health benefit plan coverage) when nothing
 * more precise fits, as payers answer 30 for every plan.
 */
export interface TypeFacts {
  specialty: string;
  roomKind: string | null;
  equipmentKinds: readonly string[];
  visitKind: "new" | "follow_up" | "procedure";
}

export const DEFAULT_SERVICE_TYPE = "30";

/** Names of the codes Rounds asks about, as staff and patients see them. */
export const SERVICE_TYPE_NAMES: Record<string, string> = {
  "30": "Health benefit plan coverage",
  "98": "Professional (physician) visit – office",
  "62": "MRI/CAT scan",
  "4": "Diagnostic X-ray",
  "5": "Diagnostic lab",
  MH: "Mental health",
  PT: "Physical therapy",
  AL: "Vision (optometry)",
};

export function serviceTypeFor(t: TypeFacts): string {
  if (t.roomKind === "imaging" || t.specialty === "radiology")
    return t.equipmentKinds.some((k) => k === "mri" || k === "ct") ? "62" : "4";
  if (t.roomKind === "lab") return "5";
  if (t.specialty === "psychiatry") return "MH";
  if (t.specialty === "physical_therapy" || t.roomKind === "therapy") return "PT";
  if (t.specialty === "ophthalmology") return "AL";
  if (
    t.visitKind !== "procedure" &&
    (t.roomKind === "exam" || t.roomKind === "consult" || t.roomKind === "telehealth")
  )
    return "98";
  return DEFAULT_SERVICE_TYPE;
}
