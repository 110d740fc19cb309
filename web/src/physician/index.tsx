/** The physician's screens: the unified schedule, patient records, time off. */
import { Routes } from "../shared/router.js";
import type { Me } from "../shared/types.js";
import { NotFound } from "../shared/ui.js";
import { PatientRecord } from "./PatientRecord.js";
import { PhysicianReferralsPage } from "./ReferralsPage.js";
import { SchedulePage } from "./SchedulePage.js";
import { TimeOffPage } from "./TimeOffPage.js";

export default function PhysicianArea({ me }: { me: Me }) {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        { path: "/physician", render: () => <SchedulePage me={me} /> },
        {
          path: "/physician/patients/:id",
          render: ({ id }) => <PatientRecord key={id} id={id!} backTo="/physician" me={me} />,
        },
        { path: "/physician/time-off", render: () => <TimeOffPage me={me} /> },
        { path: "/physician/referrals", render: () => <PhysicianReferralsPage /> },
      ]}
    />
  );
}
