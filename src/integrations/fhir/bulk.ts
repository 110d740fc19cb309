/**
 * SMART Scheduling Links (`$bulk-publish`): public, as the specification expects — a manifest
 * naming three NDJSON files: every Location, every Schedule (a physician at a location), and the
 * free Slots of the coming days for each active appointment type, each Slot carrying a booking deep
 * link into the web app's search (its specialty, type, physician and day). Nothing in them names a
 * patient. The files are computed together and served from memory; once older than
 * PUBLICATION_MAX_AGE_MS the next request starts computing their successor while the old ones are
 * still served. The manifest's transactionTime is when the files it names were computed.
 */
import type { Resource, Slot } from "@medplum/fhirtypes";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { problems } from "../../platform/errors.js";
import { baseUrl, type FhirDeps, hidden, networkReader, pub } from "./context.js";
import { one, type Query } from "./params.js";
import { toFhirLocation, toSchedule } from "./resources.js";
import { PUBLIC_ACTOR, slotReader } from "./slots.js";

export const BOOKING_DEEP_LINK =
  "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link";
const FILES = ["Location", "Schedule", "Slot"] as const;
type FileType = (typeof FILES)[number];
/** Free Slots per appointment type in one file: the availability search's own page limit. */
const SLOTS_PER_TYPE = 200;
/** How old a publication may be before the next request computes it again. */
export const PUBLICATION_MAX_AGE_MS = 2 * 60_000;
/** Publications kept at once (one per base URL and `days`). */
const KEPT = 8;
const NDJSON = "application/fhir+ndjson; charset=utf-8";

type Req = FastifyRequest<{ Params: { file: string }; Querystring: Query }>;

interface Publication {
  computedAt: number;
  files: Record<FileType, string>;
}

/** How many days ahead the Slot file covers (`days`, 1 to 14, a week by default). */
function daysOf(q: Query): number {
  const days = one(q, "days");
  if (days === undefined) return 7;
  if (!/^([1-9]|1[0-4])$/.test(days))
    throw problems.badRequest("days", "must be a whole number from 1 to 14");
  return Number(days);
}

const ndjson = (resources: Resource[]): string =>
  resources.map((r) => JSON.stringify(r)).join("\n") + (resources.length ? "\n" : "");

export function bulkPublishRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { scheduling, clock, publicUrl } = deps;
  const network = networkReader(deps);
  const slots = slotReader(deps);
  const kept = new Map<
    string,
    { at: number; publication: Promise<Publication>; next?: Promise<Publication> }
  >();

  async function compute(days: number): Promise<Publication> {
    const computedAt = clock.now().getTime();
    const to = new Date(computedAt + days * 86_400_000);
    const [locations, roles, types] = await Promise.all([
      network.allLocations(),
      network.roles({}),
      scheduling.catalog.list({ active: true, limit: 500, offset: 0 }),
    ]);
    const free: Slot[] = [];
    for (const t of types.items) {
      const { options } = await scheduling.appointments.searchAvailability(PUBLIC_ACTOR, {
        appointmentTypeId: t.id,
        from: new Date(computedAt).toISOString(),
        to: to.toISOString(),
        telehealth: false,
        limit: SLOTS_PER_TYPE,
      });
      for (const o of options) {
        const link = new URL(`${publicUrl}/patient`);
        link.search = new URLSearchParams({
          specialty: t.specialty,
          type: t.id,
          physician: o.physicianId,
          from: o.local.date,
        }).toString();
        const { identifier: _signedOption, ...slot } = slots.freeSlot(o, t.name);
        free.push({ ...slot, extension: [{ url: BOOKING_DEEP_LINK, valueUrl: link.toString() }] });
      }
    }
    return {
      computedAt,
      files: {
        Location: ndjson(locations.map(toFhirLocation)),
        Schedule: ndjson(roles.map(({ physician, locationId }) => toSchedule(physician, locationId))),
        Slot: ndjson(free),
      },
    };
  }

  /**
   * The publication for these days: the kept one while young enough; an older one is still served
   * while its successor is computed (once, however many ask), so only the very first request of a
   * process waits for the files.
   */
  function publication(days: number): Promise<Publication> {
    const key = String(days);
    const now = clock.now().getTime();
    const hit = kept.get(key);
    if (hit && (now - hit.at < PUBLICATION_MAX_AGE_MS || hit.next)) return hit.publication;
    const fresh = compute(days);
    if (hit) {
      // stale: answer the kept files until the new ones are ready
      hit.next = fresh;
      fresh.then(
        (p) => kept.set(key, { at: p.computedAt, publication: Promise.resolve(p) }),
        () => kept.get(key)?.next === fresh && delete kept.get(key)!.next,
      );
      return hit.publication;
    }
    kept.set(key, { at: now, publication: fresh });
    fresh.catch(() => kept.get(key)?.publication === fresh && kept.delete(key));
    if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    return fresh;
  }

  const cacheFor = (reply: FastifyReply, p: Publication) =>
    reply.header(
      "cache-control",
      `public, max-age=${Math.max(0, Math.round((p.computedAt + PUBLICATION_MAX_AGE_MS - clock.now().getTime()) / 1000))}`,
    );

  fhir.get("/$bulk-publish", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const days = daysOf(req.query);
    const base = baseUrl(req);
    const p = await publication(days);
    return cacheFor(reply, p)
      .type("application/json")
      .send({
        transactionTime: new Date(p.computedAt).toISOString(),
        request: `${base}/$bulk-publish${days === 7 ? "" : `?days=${days}`}`,
        output: FILES.map((type) => ({
          type,
          url: `${base}/$bulk-publish/${type}.ndjson${type === "Slot" && days !== 7 ? `?days=${days}` : ""}`,
        })),
        error: [],
      });
  });

  fhir.get("/$bulk-publish/:file", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const type = /^(Location|Schedule|Slot)\.ndjson$/.exec(req.params.file)?.[1] as FileType | undefined;
    if (!type) throw problems.notFound("$bulk-publish file");
    const p = await publication(daysOf(req.query));
    return cacheFor(reply, p).type(NDJSON).send(p.files[type]);
  });
}
