/** The front desk's screens: the location's day, one appointment, booking, referrals and mobile equipment, rooms and equipment in service, rides. */

import { ReportsPage } from "../reports/ReportsPage.js";
import { MobileEquipmentPage } from "../shared/MobileEquipmentPage.js";
import { Routes } from "../shared/router.js";
import { SurveyResultsPage } from "../shared/SurveyResultsPage.js";
import type { Me } from "../shared/types.js";
import { NotFound } from "../shared/ui.js";
import { StaffAppointmentPage } from "./AppointmentPage.js";
import { BookPage } from "./BookPage.js";
import { DayPage } from "./DayPage.js";
import { FacilitiesPage } from "./FacilitiesPage.js";
import { ImagingPage } from "./ImagingPage.js";
import { StaffReferralsPage } from "./ReferralsPage.js";
import { ReschedulingPage } from "./ReschedulingPage.js";
import { RidesPage } from "./RidesPage.js";
import { StaffWaitlistPage } from "./WaitlistPage.js";

export default function StaffArea({ me }: { me: Me }) {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        { path: "/staff", render: () => <DayPage me={me} /> },
        {
          path: "/staff/appointments/:id",
          render: ({ id }) => <StaffAppointmentPage key={id} id={id!} />,
        },
        { path: "/staff/book", render: () => <BookPage key={window.location.search} me={me} /> },
        { path: "/staff/referrals", render: () => <StaffReferralsPage /> },
        { path: "/staff/waitlist", render: () => <StaffWaitlistPage me={me} /> },
        { path: "/staff/rescheduling", render: () => <ReschedulingPage me={me} /> },
        { path: "/staff/equipment", render: () => <MobileEquipmentPage me={me} /> },
        { path: "/staff/surveys", render: () => <SurveyResultsPage me={me} /> },
        { path: "/staff/facilities", render: () => <FacilitiesPage me={me} /> },
        { path: "/staff/imaging", render: () => <ImagingPage me={me} /> },
        { path: "/staff/rides", render: () => <RidesPage me={me} /> },
        {
          path: "/staff/reports",
          render: () => <ReportsPage description="The figures of your own locations." />,
        },
      ]}
    />
  );
}
