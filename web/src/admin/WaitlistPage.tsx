/** The network's waitlists, one location at a time, for administrators (the policy lets them manage any). */
import { useLocations } from "../shared/queries.js";
import { PageTitle } from "../shared/ui.js";
import { WaitlistDesk } from "../shared/WaitlistDesk.js";

export function AdminWaitlistPage() {
  const { locations, isPending } = useLocations();
  return (
    <>
      <PageTitle description="Any location's waiting patients, the times offered to them and how quickly freed slots are filled.">
        Waitlist
      </PageTitle>
      {isPending ? null : <WaitlistDesk locationIds={locations.filter((l) => l.active).map((l) => l.id)} />}
    </>
  );
}
