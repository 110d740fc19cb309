// breach: notifications imports analytics, its sibling
import { analytics } from "../analytics/index.js";
import type { Patient } from "../patients/index.js";
import { appointmentTypeCatalog } from "../scheduling/index.js";

export type Recipient = Patient;
export const notifications = { analytics, appointmentTypeCatalog };
