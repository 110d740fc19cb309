import type { BillingIdentity } from "./coding.js";
import type { IdentityRow } from "./repository.js";

/** A stored billing identity as the charge builder and the writers read it. */
export const identityOf = (r: IdentityRow): BillingIdentity => ({
  locationId: r.location_id,
  placeOfService: r.place_of_service,
  telehealthPlaceOfService: r.telehealth_place_of_service,
  facilityNpi: r.facility_npi,
  ein: r.tax_id,
  billingName: r.billing_name,
  addressLine: r.address_line,
  city: r.city,
  region: r.region,
  postalCode: r.postal_code,
});
