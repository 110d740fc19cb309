import { auditService } from "../../platform/audit/index.js";
// breach: telehealth sits below scheduling (the booking path calls it), so it may not import it
import { appointmentTypeCatalog } from "../../services/scheduling/index.js";

export const telehealthLinks = { auditService, appointmentTypeCatalog };
