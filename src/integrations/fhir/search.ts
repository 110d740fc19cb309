/**
 * Reverse includes (`_revinclude`) and reverse chains (`_has`) each search serves, as data: the
 * routes read them, the CapabilityStatement lists them, and a hook refuses the rest with a 400
 * naming the parameter (a search never silently ignores a filter it was asked for).
 */
import type { FastifyRequest } from "fastify";
import { problems } from "../../platform/errors.js";
import type { Query } from "./params.js";

export interface SearchExtras {
  revinclude: readonly string[];
  /** `_has` chains without the prefix: `PractitionerRole:practitioner:location`. */
  has: readonly string[];
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** FHIR searches: the `_revinclude` and `_has` this route serves (none unless said). */
    fhirSearch?: SearchExtras;
  }
}

export const SEARCH = {
  Practitioner: {
    revinclude: ["PractitionerRole:practitioner"],
    has: ["PractitionerRole:practitioner:location", "PractitionerRole:practitioner:specialty"],
  },
  Location: { revinclude: [], has: ["PractitionerRole:location:practitioner"] },
  PractitionerRole: { revinclude: [], has: [] },
  Schedule: { revinclude: ["Slot:schedule"], has: [] },
} as const satisfies Record<string, SearchExtras>;

/** What each `_has` and `_revinclude` of a request must be: one its route serves. */
export function checkSearchExtras(req: FastifyRequest): void {
  const q = (req.query ?? {}) as Query;
  const served = req.routeOptions.config?.fhirSearch ?? { revinclude: [], has: [] };
  for (const key of Object.keys(q)) {
    if (key === "_has" || key.startsWith("_has:")) {
      const chain = key.slice("_has:".length);
      if (!served.has.includes(chain))
        throw problems.badRequest(
          // the parameter as asked, when it is one a client could have meant
          /^[A-Za-z0-9:_.-]{1,100}$/.test(key) ? key : "_has",
          served.has.length
            ? `this reverse chain is not supported here; supported: ${served.has.map((h) => `_has:${h}`).join(", ")}`
            : "reverse chains (_has) are not supported on this search",
        );
    }
  }
  const values = q._revinclude === undefined ? [] : [q._revinclude].flat();
  for (const v of values.flatMap((v) => v.split(",")))
    if (!served.revinclude.includes(v))
      throw problems.badRequest(
        "_revinclude",
        served.revinclude.length
          ? `supported here: ${served.revinclude.join(", ")}`
          : "_revinclude is not supported on this search",
      );
}
