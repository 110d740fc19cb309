/** The department head's screens: assignments, rotations and time off with previews. */

import { ReportsPage } from "../reports/ReportsPage.js";
import { CapacityPage } from "../shared/CapacityPage.js";
import { ContractsPage } from "../shared/ContractsPage.js";
import { FeeSchedulePage } from "../shared/FeeSchedulePage.js";
import { Routes } from "../shared/router.js";
import { SurveyResultsPage } from "../shared/SurveyResultsPage.js";
import type { Me } from "../shared/types.js";
import { NotFound } from "../shared/ui.js";
import { DepartmentPage } from "./DepartmentPage.js";

export default function DepartmentArea({ me }: { me: Me }) {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        { path: "/department", render: () => <DepartmentPage me={me} /> },
        { path: "/department/capacity", render: () => <CapacityPage me={me} /> },
        { path: "/department/contracts", render: () => <ContractsPage me={me} /> },
        { path: "/department/surveys", render: () => <SurveyResultsPage me={me} /> },
        { path: "/department/fees", render: () => <FeeSchedulePage editable={false} /> },
        {
          path: "/department/reports",
          render: () => <ReportsPage description="Your departments' specialties at every location." />,
        },
      ]}
    />
  );
}
