// allowed: the other integrations sit on top and may import scheduling, and telehealth below it
import { appointmentTypeCatalog } from "../../services/scheduling/index.js";
import { telehealthLinks } from "../telehealth/index.js";

export const fhir = { appointmentTypeCatalog, telehealthLinks };
