/** What the FHIR routes share: the services they call, the base URL, answering in FHIR JSON. */
import type { Resource } from "@medplum/fhirtypes";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import type { Clock } from "../../platform/clock.js";
import { ProblemError, problems } from "../../platform/errors.js";
import type { Attempt } from "../../platform/policy.js";
import type { Location, Locations } from "../../services/locations/index.js";
import type { Patients } from "../../services/patients/index.js";
import type { Physicians, Placement, PlacementQuery } from "../../services/physicians/index.js";
import type { Scheduling } from "../../services/scheduling/index.js";
import { searchBundle } from "./bundle.js";
import type { FhirClients } from "./clients/service.js";
import { isUuid } from "./ids.js";
import type { Query } from "./params.js";
import type { SlotIds } from "./slot-ids.js";

/** The services the FHIR endpoint calls: every read and change goes through their operations. */
export interface FhirDeps {
  locations: Locations;
  physicians: Physicians;
  patients: Patients;
  scheduling: Scheduling;
  /** The system clients (SMART backend services) and their tokens. */
  clients: FhirClients;
  /** Records a refused access (as the HTTP layer does for a refusal that fails the request). */
  auditRefusal(actor: Actor, attempt: Attempt, route: string | null): Promise<void>;
  version: string;
  /** Reads "now" for the `$bulk-publish` window and manifest. */
  clock: Clock;
  /** Where patients reach the web app: the booking deep links of published Slots. */
  publicUrl: string;
  /** Signs and opens Slot ids (a Slot is computed, so its id says what it is). */
  slotIds: SlotIds;
}

export const FHIR_BASE = "/fhir/R4";
export const FHIR_JSON = "application/fhir+json; charset=utf-8";

export const baseUrl = (req: FastifyRequest): string => `${req.protocol}://${req.host}${FHIR_BASE}`;

/** The search's own absolute URL without its paging parameters. */
export function searchUrl(req: FastifyRequest): URL {
  const url = new URL(req.url, `${req.protocol}://${req.host}`);
  url.searchParams.delete("_count");
  url.searchParams.delete("_offset");
  return url;
}

export function send(reply: FastifyReply, resource: Resource, status = 200): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(resource);
}

/** A not-found answer turned into "nothing": a search naming what does not exist finds nothing. */
export async function orNone<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof ProblemError && err.status === 404) return undefined;
    throw err;
  }
}

/** One page of an in-memory list, and whether more follows. */
export function pageOfList<T>(items: T[], count: number, offset: number): { items: T[]; more: boolean } {
  return { items: items.slice(offset, offset + count), more: items.length > offset + count };
}

const PAGE = 500;

/**
 * The network as reference data: every location, and the physicians whose templates or rotations
 * place them at a location (a Schedule and a PractitionerRole each), read in one query a page.
 */
export function networkReader({ locations, physicians }: Pick<FhirDeps, "locations" | "physicians">) {
  async function allLocations(): Promise<Location[]> {
    const out: Location[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await locations.list({ limit: PAGE, offset });
      out.push(...page.items);
      if (out.length >= page.total || page.items.length === 0) return out;
    }
  }
  return {
    allLocations,
    /** A page of physicians at locations, narrowed to a physician, a location or a specialty when asked. */
    placements: (filter: PlacementQuery) => physicians.placements(filter),
    /** Every physician at every location (narrowed as asked). */
    async roles(filter: Omit<PlacementQuery, "limit" | "offset">): Promise<Placement[]> {
      const out: Placement[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await physicians.placements({ ...filter, limit: PAGE, offset });
        out.push(...page.items);
        if (out.length >= page.total || page.items.length === 0) return out;
      }
    },
  };
}

/** A read by id: an id that cannot be ours is simply not found. */
export function requireUuid(id: string, type: string): string {
  const lower = id.toLowerCase();
  if (!isUuid(lower)) throw problems.notFound(type);
  return lower;
}

/** FHIR routes stay out of the OpenAPI document: the CapabilityStatement describes them. */
export const hidden = { hide: true } as const;
export const pub = { allow: "public" } as const;

export type Req = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/** A page of a search as a Bundle linked to its own URL's pages. */
export const pageBundle = (
  req: FastifyRequest,
  page: { count: number; offset: number },
  matches: Resource[],
  opts: Parameters<typeof searchBundle>[3],
) => searchBundle(baseUrl(req), { url: searchUrl(req), ...page }, matches, opts);
