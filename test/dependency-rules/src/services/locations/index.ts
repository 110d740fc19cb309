import type { Executor } from "../../platform/db.js";
// breach: locations imports physicians, which sits above it
import type { Physician } from "../physicians/index.js";

export type Location = { id: string; db?: Executor; physician?: Physician };
