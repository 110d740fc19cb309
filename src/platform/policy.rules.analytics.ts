/**
 * The access policy's table, its analytics rows (no-show risk, survey results, reports, copays and
 * capacity planning): spread at the end of the table in policy.rules.ts, in this order.
 */
import { type AnyRule, allow } from "./policy.types.js";

export const analyticsRules: readonly AnyRule[] = [
  // ── no-show risk (patients never see their own) ──
  allow(
    "admin",
    "read_no_show_risk",
    "location",
    "admin",
    "administrators see the no-show risk of upcoming appointments at every location",
  ),
  allow(
    "location_staff",
    "read_no_show_risk",
    "location",
    "location",
    "staff see the no-show risk of upcoming appointments at their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow(
    "admin",
    "read_no_show_risk",
    "physician",
    "admin",
    "administrators see the no-show risk of every physician's upcoming appointments",
  ),
  allow(
    "physician",
    "read_no_show_risk",
    "physician",
    "own",
    "physicians see the no-show risk of their own upcoming appointments",
    (_db, a, r) => a.physicianId === r.id,
  ),

  // ── satisfaction survey results ──
  allow(
    "admin",
    "read_surveys",
    "location",
    "admin",
    "administrators read the satisfaction survey results of every location",
  ),
  allow(
    "location_staff",
    "read_surveys",
    "location",
    "location",
    "staff read the satisfaction survey results of their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow(
    "admin",
    "read_surveys",
    "physician",
    "admin",
    "administrators read the satisfaction survey results of every physician",
  ),
  allow(
    "department_head",
    "read_surveys",
    "physician",
    "department",
    "department heads read the satisfaction survey results of their departments' physicians, across locations",
    async (_db, a, r) => (await r.specialties()).some((s) => a.specialties.includes(s)),
  ),
  // ── reports (department heads see their departments' specialties in every location's rows) ──
  allow(
    "admin",
    ["read_reports", "manage_fees"],
    "location",
    "admin",
    "administrators read every location's reports and edit its fee schedule",
  ),
  allow(
    "admin",
    "manage_billing",
    "location",
    "admin",
    "administrators set a location's billing identity and export its completed visits as claims",
  ),
  allow(
    "department_head",
    "read_reports",
    "location",
    "department",
    "department heads read any location's reports, limited to their departments' specialties",
  ),
  allow(
    "location_staff",
    "read_reports",
    "location",
    "location",
    "staff read the reports of their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow("admin", "read_reports", "physician", "admin", "administrators read every physician's reports"),
  allow(
    "department_head",
    "read_reports",
    "physician",
    "department",
    "department heads read the reports of their departments' physicians",
    async (_db, a, r) => (await r.specialties()).some((s) => a.specialties.includes(s)),
  ),
  allow(
    "physician",
    "read_reports",
    "physician",
    "own",
    "physicians read their own reports",
    (_db, a, r) => a.physicianId === r.id,
  ),

  // ── demand-based copays and capacity planning ──
  allow(
    "admin",
    "manage_pricing",
    "location",
    "admin",
    "administrators set a location's copay rules and the caps per plan",
  ),
  allow(
    "admin",
    "plan_capacity",
    "specialty",
    "admin",
    "administrators plan and apply every specialty's capacity",
  ),
  allow(
    "department_head",
    "plan_capacity",
    "specialty",
    "department",
    "department heads plan and apply the capacity of their departments' specialties, across locations",
    (_db, a, r) => a.specialties.includes(r.id),
  ),
];
