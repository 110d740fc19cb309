/** The physician's referrals: the ones they made, with their state, and those naming them. */
import { ReferralsScreen } from "../shared/referrals.js";
import { PageTitle } from "../shared/ui.js";

export function PhysicianReferralsPage() {
  return (
    <>
      <PageTitle description="Refer a patient from their record; the receiving location books the visit.">
        Referrals
      </PageTitle>
      <ReferralsScreen />
    </>
  );
}
