/**
 * The policy table's rows for prescriptions (src/integrations/pharmacy) and patient transport
 * (src/integrations/transport), spread in place at the end of policy.rules.ts.
 */
import { type AnyRule, allow } from "./policy.types.js";

export const pharmacyTransportRules: readonly AnyRule[] = [
  allow(
    "physician",
    "prescribe",
    "appointment",
    "care",
    "a physician prescribes during their own visits, at any of their locations",
    (_db, a, r) => a.physicianId === r.physicianId,
  ),
  allow(
    "admin",
    ["read_prescriptions", "set_transport_need"],
    "patient",
    "admin",
    "administrators see every patient's prescriptions and set anyone's transport need",
  ),
  allow(
    "patient",
    ["read_prescriptions", "set_transport_need"],
    "patient",
    "own",
    "patients follow their own prescriptions and say whether they need transport",
    (_db, a, p) => a.patientId === p.id,
  ),
  allow(
    "patient",
    ["read_prescriptions", "set_transport_need"],
    "patient",
    "guardian",
    "guardians follow their dependents' prescriptions and say whether they need transport",
    (_db, a, p) => a.patientIds.includes(p.id),
  ),
  allow(
    "physician",
    "read_prescriptions",
    "patient",
    "care",
    "a physician follows the prescriptions of patients with a standing appointment with them",
    (db, a, p, facts) => a.physicianId !== null && facts.physicianCares(db, a.physicianId, p.id),
  ),
  allow(
    "location_staff",
    "set_transport_need",
    "patient",
    "location",
    "staff flag patients registered at, or with a standing appointment at, one of their locations as needing transport",
    (db, a, p, facts) => facts.atLocations(db, a.locationIds, p.id),
  ),
  allow(
    "admin",
    "request_transport",
    "appointment",
    "admin",
    "administrators book a ride to any appointment",
  ),
  allow(
    "patient",
    "request_transport",
    "appointment",
    "own",
    "patients book a ride to their own and their dependents' appointments",
    (_db, a, r) => a.patientIds.includes(r.patientId),
  ),
  allow(
    "location_staff",
    "request_transport",
    "appointment",
    "location",
    "staff book a ride to the appointments at their locations",
    (_db, a, r) => a.locationIds.includes(r.locationId),
  ),
  allow("admin", "read_rides", "location", "admin", "administrators see every location's rides"),
  allow(
    "location_staff",
    "read_rides",
    "location",
    "location",
    "staff see the rides to and from their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
];
