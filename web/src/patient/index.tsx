/** The patient's screens: find care, hold and book (alone or as a family), appointments, prescriptions and rides, preferences. */
import { Routes } from "../shared/router.js";
import type { Me } from "../shared/types.js";
import { NotFound } from "../shared/ui.js";
import { AppointmentPage } from "./AppointmentPage.js";
import { FamilyPage } from "./FamilyPage.js";
import { FamilyBooked } from "./FamilyTrips.js";
import { FindCare } from "./FindCare.js";
import { HoldPage } from "./HoldPage.js";
import { Messages } from "./Messages.js";
import { MyAppointments } from "./MyAppointments.js";
import { Preferences } from "./Preferences.js";
import { PrescriptionsPage } from "./PrescriptionsPage.js";
import { MyReferrals, ReferralPage } from "./ReferralsPage.js";
import { RescheduleOfferPage } from "./RescheduleOfferPage.js";
import { WaitlistPage } from "./WaitlistPage.js";

export default function PatientArea({ me }: { me: Me }) {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        // the search keeps its state per visit: a new query string starts a fresh search
        { path: "/patient", render: () => <FindCare key={window.location.search} me={me} /> },
        { path: "/patient/hold/:id", render: ({ id }) => <HoldPage key={id} id={id!} /> },
        { path: "/patient/family", render: () => <FamilyPage me={me} /> },
        { path: "/patient/family/booked", render: () => <FamilyBooked me={me} /> },
        { path: "/patient/appointments", render: () => <MyAppointments me={me} /> },
        { path: "/patient/appointments/:id", render: ({ id }) => <AppointmentPage key={id} id={id!} /> },
        { path: "/patient/preferences", render: () => <Preferences me={me} /> },
        { path: "/patient/messages", render: () => <Messages me={me} /> },
        { path: "/patient/prescriptions", render: () => <PrescriptionsPage me={me} /> },
        { path: "/patient/referrals", render: () => <MyReferrals /> },
        { path: "/patient/referrals/:id", render: ({ id }) => <ReferralPage key={id} id={id!} /> },
        { path: "/patient/waitlist", render: () => <WaitlistPage me={me} /> },
        {
          path: "/patient/reschedule-offers/:id",
          render: ({ id }) => <RescheduleOfferPage key={id} id={id!} />,
        },
      ]}
    />
  );
}
