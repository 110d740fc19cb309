export { type Physician, physicianService } from "./service.js";
