/** The API's own types, inferred from its zod schemas: the browser never re-declares a shape. */
import type { z } from "zod";
import type { auditEvent } from "../../../src/platform/audit/routes.js";
import type { breakGlassGrant, me } from "../../../src/platform/identity/schema.js";
import type { schedule, scheduleEntry } from "../../../src/services/scheduling/schedule.service.js";

export type { Role } from "../../../src/platform/access.js";
export type { User } from "../../../src/platform/identity/schema.js";
export type { AppointmentRisk, ModelAnswer, RiskAnswer } from "../../../src/services/analytics/schema.js";
export type {
  FamilyAppointments,
  FamilySearchResult,
  FamilyTrip,
} from "../../../src/services/family/schema.js";
export type { Department, EquipmentItem, Location, Room } from "../../../src/services/locations/schema.js";
export type { Address, Family, Patient, Relative } from "../../../src/services/patients/schema.js";
export type {
  AssignmentOverride,
  AssignmentTemplate,
  Physician,
  PlannedAssignments,
  Specialty,
  TimeOff,
} from "../../../src/services/physicians/schema.js";
export type { Referral } from "../../../src/services/referrals/schema.js";
export type { ReschedulePlan } from "../../../src/services/rescheduling/schema.js";
export type {
  Appointment,
  EquipmentInUse,
  SlotOptionDto,
} from "../../../src/services/scheduling/appointments.schema.js";
export type { AppointmentType } from "../../../src/services/scheduling/catalog.schema.js";
export type {
  MobileEquipmentItem,
  MobileEquipmentList,
} from "../../../src/services/scheduling/mobile-equipment.schema.js";
export type { SuggestionsResult } from "../../../src/services/scheduling/suggestions.schema.js";
export type {
  Entry as WaitlistEntry,
  Offer as WaitlistOffer,
  OfferLink as WaitlistOfferLink,
  Stats as WaitlistStats,
} from "../../../src/services/waitlist/schema.js";

export type Me = z.infer<typeof me>;
export type Schedule = z.infer<typeof schedule>;
export type ScheduleEntry = z.infer<typeof scheduleEntry>;
export type AuditEvent = z.infer<typeof auditEvent>;
export type BreakGlassGrant = z.infer<typeof breakGlassGrant>;
export type AvailabilityResult = z.infer<
  typeof import("../../../src/services/scheduling/appointments.schema.js").availabilityResult
>;
export type TravelMatrix = z.infer<typeof import("../../../src/services/locations/schema.js").travelMatrix>;
export type { AppointmentRoute, MapSummary } from "../../../src/services/wayfinding/schema.js";
