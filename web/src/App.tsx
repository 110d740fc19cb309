/** Who is signed in decides the screens: each role has its own area, loaded when first needed. */
import { lazy, Suspense, useEffect } from "react";
import { Layout, type NavItem } from "./shared/Layout.js";
import { useMe } from "./shared/queries.js";
import { navigate, useLocation } from "./shared/router.js";
import { SignIn } from "./shared/SignIn.js";
import type { Me, Role } from "./shared/types.js";
import { ErrorAlert, Loading } from "./shared/ui.js";

const PatientArea = lazy(() => import("./patient/index.js"));
const PhysicianArea = lazy(() => import("./physician/index.js"));
const StaffArea = lazy(() => import("./staff/index.js"));
const DepartmentArea = lazy(() => import("./department/index.js"));
const AdminArea = lazy(() => import("./admin/index.js"));
const PublicArea = lazy(() => import("./public/index.js"));

/** A waitlist offer's link works for anyone who holds it, signed in or not (web/src/public/). */
const isPublic = (pathname: string) =>
  pathname.startsWith("/waitlist/offer/") || pathname.startsWith("/survey/");
/** A video visit's page (web/src/visit/): its link is its own credential. */
const VisitArea = lazy(() => import("./visit/index.js"));

interface Area {
  prefix: string;
  nav: NavItem[];
  element: (me: Me) => React.ReactNode;
}

const AREAS: Record<Role, Area> = {
  patient: {
    prefix: "/patient",
    nav: [
      { to: "/patient", label: "Find care" },
      { to: "/patient/family", label: "Family visits" },
      { to: "/patient/appointments", label: "My appointments" },
      { to: "/patient/messages", label: "Messages" },
      { to: "/patient/prescriptions", label: "Prescriptions and rides" },
      { to: "/patient/referrals", label: "Referrals" },
      { to: "/patient/waitlist", label: "Waitlist" },
      { to: "/patient/preferences", label: "Preferences" },
    ],
    element: (me) => <PatientArea me={me} />,
  },
  physician: {
    prefix: "/physician",
    nav: [
      { to: "/physician", label: "My schedule" },
      { to: "/physician/time-off", label: "Time off" },
      { to: "/physician/referrals", label: "Referrals" },
    ],
    element: (me) => <PhysicianArea me={me} />,
  },
  location_staff: {
    prefix: "/staff",
    nav: [
      { to: "/staff", label: "Today at my location" },
      { to: "/staff/book", label: "Book for a patient" },
      { to: "/staff/referrals", label: "Referrals" },
      { to: "/staff/waitlist", label: "Waitlist" },
      { to: "/staff/rescheduling", label: "Rescheduling" },
      { to: "/staff/equipment", label: "Mobile equipment" },
      { to: "/staff/surveys", label: "Quality" },
      { to: "/staff/facilities", label: "Rooms and equipment" },
      { to: "/staff/imaging", label: "Imaging worklist" },
      { to: "/staff/rides", label: "Rides" },
      { to: "/staff/reports", label: "Reports" },
    ],
    element: (me) => <StaffArea me={me} />,
  },
  department_head: {
    prefix: "/department",
    nav: [
      { to: "/department", label: "Department schedules" },
      { to: "/department/surveys", label: "Quality" },
      { to: "/department/reports", label: "Reports" },
      { to: "/department/capacity", label: "Capacity planning" },
      { to: "/department/fees", label: "Fee schedule" },
      { to: "/department/contracts", label: "Physician contracts" },
    ],
    element: (me) => <DepartmentArea me={me} />,
  },
  admin: {
    prefix: "/admin",
    nav: [
      { to: "/admin", label: "Locations" },
      { to: "/admin/travel", label: "Travel times" },
      { to: "/admin/equipment", label: "Mobile equipment" },
      { to: "/admin/users", label: "Users and scopes" },
      { to: "/admin/appointment-types", label: "Appointment types" },
      { to: "/admin/waitlist", label: "Waitlist" },
      { to: "/admin/audit", label: "Audit log" },
      { to: "/admin/no-show-model", label: "No-show model" },
      { to: "/admin/fhir-clients", label: "FHIR clients" },
      { to: "/admin/surveys", label: "Quality" },
      { to: "/admin/audit/monitoring", label: "Compliance" },
      { to: "/admin/audit/incidents", label: "Security incidents" },
      { to: "/admin/audit/residency", label: "Data residency" },
      { to: "/admin/hl7", label: "HL7 messages" },
      { to: "/admin/reports", label: "Reports" },
      { to: "/admin/capacity", label: "Capacity planning" },
      { to: "/admin/contracts", label: "Physician contracts" },
      { to: "/admin/pricing", label: "Copays" },
      { to: "/admin/fees", label: "Fee schedule" },
      { to: "/admin/billing", label: "Billing" },
    ],
    element: (me) => <AdminArea me={me} />,
  },
  compliance: {
    prefix: "/admin/audit",
    nav: [
      { to: "/admin/audit", label: "Audit log" },
      { to: "/admin/audit/monitoring", label: "Compliance monitoring" },
      { to: "/admin/audit/incidents", label: "Security incidents" },
      { to: "/admin/audit/residency", label: "Data residency" },
    ],
    element: (me) => <AdminArea me={me} />,
  },
};

export const homeOf = (role: Role): string => AREAS[role].prefix;

export function App() {
  const { pathname } = useLocation();
  // a video visit's link is its own credential: its page needs no sign-in
  if (pathname.startsWith("/visit/"))
    return (
      <Suspense fallback={<Loading />}>
        <VisitArea />
      </Suspense>
    );
  return <SignedIn pathname={pathname} />;
}

function SignedIn({ pathname }: { pathname: string }) {
  const me = useMe();
  const area = me.data ? AREAS[me.data.role] : undefined;
  const outside =
    !!area && pathname !== area.prefix && !pathname.startsWith(`${area.prefix}/`) && !isPublic(pathname);

  useEffect(() => {
    // the root, the sign-in page and other roles' areas lead to this role's home
    if (me.data && outside) navigate(homeOf(me.data.role), { replace: true });
  }, [me.data, outside]);

  if (isPublic(pathname))
    return (
      <Suspense fallback={<Loading />}>
        <PublicArea />
      </Suspense>
    );
  if (me.isPending) return <Loading label="Starting Rounds…" />;
  if (me.error) return <ErrorAlert error={me.error} title="Rounds could not start" />;
  if (!me.data) return <SignIn />;
  if (!area || outside) return <Loading />;
  return (
    <Layout me={me.data} nav={area.nav}>
      <Suspense fallback={<Loading />}>{area.element(me.data)}</Suspense>
    </Layout>
  );
}
