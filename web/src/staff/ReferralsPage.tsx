/** The front desk's referral queue: referrals to its location to accept, decline and book, and those it sent. */
import { ReferralsScreen } from "../shared/referrals.js";
import type { Referral } from "../shared/types.js";
import { PageTitle } from "../shared/ui.js";

/** Booking a referral is the normal booking screen, preset with the patient and specialty. */
const bookPath = (r: Referral) =>
  `/staff/book?referral=${r.id}&patient=${r.patientId}&specialty=${encodeURIComponent(r.specialty)}`;

export function StaffReferralsPage() {
  return (
    <>
      <PageTitle description="Referrals to your location, most urgent first, and the ones your desk sent.">
        Referrals
      </PageTitle>
      <ReferralsScreen bookPath={bookPath} />
    </>
  );
}
