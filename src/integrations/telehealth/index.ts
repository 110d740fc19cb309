/**
 * Telehealth: the provider interface (`provider.ts`), the built-in provider, the links issued per
 * video visit and the page a built-in link opens. The only file other modules may import.
 */
import type { TelehealthConfig } from "../../platform/config.js";
import { builtInProvider } from "./builtin.js";
import type { TelehealthProvider } from "./provider.js";

export { builtInProvider, visitPageUrl } from "./builtin.js";
export type { IssuedLink, TelehealthProvider, VisitRequest } from "./provider.js";
export { telehealthRoutes } from "./routes.js";
export { ROOM_CLOSES_MINUTES, ROOM_OPENS_MINUTES, type VisitPage } from "./schema.js";
export {
  createTelehealthLinks,
  createVisitPages,
  type TelehealthLinks,
  type TelehealthVisit,
  telehealthLinks,
  type VisitFacts,
  type VisitPages,
} from "./service.js";

/** The provider the configuration names. */
export function telehealthProvider(config: TelehealthConfig): TelehealthProvider {
  switch (config.provider) {
    case "builtin":
      return builtInProvider(config.publicUrl);
  }
}
