/** The administrator's screens (and the compliance officer's audit log). */

import { ReportsPage } from "../reports/ReportsPage.js";
import { CapacityPage } from "../shared/CapacityPage.js";
import { ContractsPage } from "../shared/ContractsPage.js";
import { FeeSchedulePage } from "../shared/FeeSchedulePage.js";
import { MobileEquipmentPage } from "../shared/MobileEquipmentPage.js";
import { Routes } from "../shared/router.js";
import { SurveyResultsPage } from "../shared/SurveyResultsPage.js";
import type { Me } from "../shared/types.js";
import { NotFound } from "../shared/ui.js";
import { AppointmentTypesPage } from "./AppointmentTypesPage.js";
import { AuditPage } from "./AuditPage.js";
import { BillingPage } from "./BillingPage.js";
import { CompliancePage } from "./CompliancePage.js";
import { FhirClientsPage } from "./FhirClientsPage.js";
import { Hl7MessagesPage } from "./Hl7MessagesPage.js";
import { IncidentPage, IncidentsPage } from "./IncidentsPage.js";
import { LocationPage } from "./LocationPage.js";
import { LocationsPage } from "./LocationsPage.js";
import { NoShowModelPage } from "./NoShowModelPage.js";
import { PricingPage } from "./PricingPage.js";
import { ResidencyPage } from "./ResidencyPage.js";
import { TravelPage } from "./TravelPage.js";
import { UsersPage } from "./UsersPage.js";
import { AdminWaitlistPage } from "./WaitlistPage.js";

/**
 * Incident response and data residency: compliance officers and administrators alike (unlocking is
 * the administrator's).
 */
const incidentRoutes = (me: Me) => [
  { path: "/admin/audit/incidents", render: () => <IncidentsPage /> },
  { path: "/admin/audit/residency", render: () => <ResidencyPage /> },
  {
    path: "/admin/audit/incidents/:id",
    render: ({ id }: Record<string, string>) => (
      <IncidentPage key={id} id={id!} isAdmin={me.role === "admin"} />
    ),
  },
];

export default function AdminArea({ me }: { me: Me }) {
  // compliance officers see the audit trail and nothing else
  const routes =
    me.role === "compliance"
      ? [
          { path: "/admin/audit", render: () => <AuditPage /> },
          { path: "/admin/audit/monitoring", render: () => <CompliancePage /> },
          ...incidentRoutes(me),
        ]
      : [
          { path: "/admin", render: () => <LocationsPage /> },
          {
            path: "/admin/locations/:id",
            render: ({ id }: Record<string, string>) => <LocationPage key={id} id={id!} />,
          },
          { path: "/admin/travel", render: () => <TravelPage /> },
          { path: "/admin/equipment", render: () => <MobileEquipmentPage me={me} /> },
          { path: "/admin/users", render: () => <UsersPage /> },
          { path: "/admin/appointment-types", render: () => <AppointmentTypesPage /> },
          { path: "/admin/audit", render: () => <AuditPage /> },
          { path: "/admin/waitlist", render: () => <AdminWaitlistPage /> },
          { path: "/admin/no-show-model", render: () => <NoShowModelPage /> },
          { path: "/admin/fhir-clients", render: () => <FhirClientsPage /> },
          { path: "/admin/surveys", render: () => <SurveyResultsPage me={me} /> },
          { path: "/admin/audit/monitoring", render: () => <CompliancePage /> },
          { path: "/admin/capacity", render: () => <CapacityPage me={me} /> },
          { path: "/admin/contracts", render: () => <ContractsPage me={me} /> },
          { path: "/admin/pricing", render: () => <PricingPage /> },
          { path: "/admin/fees", render: () => <FeeSchedulePage editable /> },
          { path: "/admin/hl7", render: () => <Hl7MessagesPage /> },
          ...incidentRoutes(me),
          { path: "/admin/billing", render: () => <BillingPage /> },
          {
            path: "/admin/reports",
            render: () => (
              <ReportsPage description="Every location side by side, from pre-aggregated daily figures." />
            ),
          },
        ];
  return <Routes fallback={<NotFound />} routes={routes} />;
}
