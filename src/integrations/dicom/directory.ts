/**
 * The worklist's AE titles: which location (or the whole network) a called AE title selects, and
 * which calling AE titles are known stations. Read from the database on each association, so an
 * administrator's change applies to the next one, on every replica.
 */
import type { Executor } from "../../platform/db.js";
import { networkSnapshot } from "../../services/locations/index.js";
import { dicomRepository as repo } from "./repository.js";
import { defaultLocationAeTitle } from "./worklist.js";

export interface AeDirectory {
  /** The AE title each location answers to. */
  titleOf: Map<string, string>;
  /** Called AE title → location id, or null for the network-wide title. */
  byTitle: Map<string, string | null>;
  /** Every location's id and IANA zone. */
  zones: Map<string, string>;
}

export async function readDirectory(ex: Executor, networkAeTitle: string): Promise<AeDirectory> {
  const [snapshot, stored] = await Promise.all([networkSnapshot(ex), repo.locationAeTitles(ex)]);
  const titleOf = new Map<string, string>();
  const byTitle = new Map<string, string | null>([[networkAeTitle, null]]);
  // titles an administrator set come first; a derived default taken by another is not answered
  for (const [locationId, title] of stored) {
    titleOf.set(locationId, title);
    if (!byTitle.has(title)) byTitle.set(title, locationId);
  }
  for (const l of snapshot.locations) {
    if (titleOf.has(l.id)) continue;
    const title = defaultLocationAeTitle(l.code);
    titleOf.set(l.id, title);
    if (!byTitle.has(title)) byTitle.set(title, l.id);
  }
  return { titleOf, byTitle, zones: new Map(snapshot.locations.map((l) => [l.id, l.timeZone])) };
}

/** Who is on the other end of an association, once accepted. */
export interface Peer {
  callingAeTitle: string;
  calledAeTitle: string;
  /** The location the called AE title selects; null: the whole network. */
  locationId: string | null;
  address: string;
}

export type Admission = { ok: true; peer: Peer } | { ok: false; reason: "called" | "calling" };

/**
 * An association is accepted when the called AE title is the network's or a location's, and the
 * calling AE title is a registered station (at that location, for a location's title).
 */
export async function admit(
  ex: Executor,
  networkAeTitle: string,
  calling: string,
  called: string,
  address: string,
): Promise<Admission> {
  const dir = await readDirectory(ex, networkAeTitle);
  const locationId = dir.byTitle.get(called.trim());
  if (locationId === undefined) return { ok: false, reason: "called" };
  const station = await repo.stationByAeTitle(ex, calling.trim());
  if (!station || (locationId !== null && station.location_id !== locationId))
    return { ok: false, reason: "calling" };
  return {
    ok: true,
    peer: { callingAeTitle: calling.trim(), calledAeTitle: called.trim(), locationId, address },
  };
}
