/**
 * The fictional geography of the demo network: metro regions (each in one IANA time zone) and how
 * many facilities of each kind a scale puts in each.
 */
import type { LocationKind } from "./tables.js";

const list = (text: string): string[] => text.split(", ");

export interface Region {
  /** Upper-case prefix of every location code in the region. */
  prefix: string;
  metro: string;
  state: string;
  timeZone: string;
  dataResidency: string;
  areaCode: string;
  /** First three digits of the region's postal codes. */
  zip3: string;
  center: { latitude: number; longitude: number };
  /** Towns in the order facilities are named after them; the first word of each is unique. */
  towns: string[];
  transit: { agency: string; rail: string | null } | null;
}

export const RIVERTON: Region = {
  prefix: "RIV",
  metro: "Riverton",
  state: "FL",
  timeZone: "America/New_York",
  dataResidency: "us-east",
  areaCode: "850",
  zip3: "323",
  center: { latitude: 30.4426, longitude: -84.2811 },
  towns: list(
    "Harbor Point, Linden Park, Millbrook, Stonebridge, Fairhaven, Oak Hollow, Cypress Landing, Bayview Heights, Willow Creek, Magnolia Springs, Pelican Bay, Kingsport Crossing, Eastgate, Red Hills, Ashford",
  ),
  transit: { agency: "Riverton Transit", rail: "Riverton Light Rail Green Line" },
};

export const GULF_VALLEY: Region = {
  prefix: "GLF",
  metro: "Gulf Valley",
  state: "FL",
  timeZone: "America/Chicago",
  dataResidency: "us-central",
  areaCode: "850",
  zip3: "324",
  center: { latitude: 30.6912, longitude: -85.1284 },
  towns: list(
    "Cedar Ford, Gulf Pines, Marlow, Sandhill, Bluff Springs, Caney Branch, Holloway, Juniper Bend, Greenwood Mill, Dogwood Corners, Lake Corrin, Westbrook, Timberline",
  ),
  transit: null,
};

export const FRONT_RANGE: Region = {
  prefix: "FRG",
  metro: "Front Range",
  state: "CO",
  timeZone: "America/Denver",
  dataResidency: "us-west",
  areaCode: "720",
  zip3: "802",
  center: { latitude: 39.7392, longitude: -104.9903 },
  towns: list(
    "Aspen Ridge, Elk Meadow, Juniper Mesa, Red Rock Crossing, Clear Creek Park, Highline, Pinecliff, Bluestem, Larkspur Hills, Copper Gulch, Sage Valley, Foothill Commons, Alder Point, Summit View",
  ),
  transit: { agency: "Front Range Regional Transit", rail: "Front Range Rail W Line" },
};

export const PACIFIC_VISTA: Region = {
  prefix: "PAC",
  metro: "Pacific Vista",
  state: "CA",
  timeZone: "America/Los_Angeles",
  dataResidency: "us-west",
  areaCode: "213",
  zip3: "900",
  center: { latitude: 34.0522, longitude: -118.2437 },
  towns: list(
    "Seabright, Palmetto Grove, Coral Heights, Mission Terrace, Sunset Bluffs, Olive Park, Canyon Vista, Harborlight, Laurel Glen, Citrus Point, Marisol, Del Arroyo, Sierra Oaks, Bay Crest",
  ),
  transit: { agency: "Pacific Vista Metro", rail: "Metro Coast Line" },
};

export type KindCounts = Record<LocationKind, number>;

export interface Scale {
  regions: Array<{ region: Region; counts: KindCounts }>;
  physicians: number;
  patients: number;
  /** Share of physicians who work at two or more locations each week. */
  multiSiteShare: number;
  /** Physical location pairs farther apart than this get no configured travel time. */
  maxConfiguredKm: number;
}

const counts = (
  main_campus: number,
  satellite: number,
  outpatient_clinic: number,
  specialty_center: number,
  virtual: number,
): KindCounts => ({ main_campus, satellite, outpatient_clinic, specialty_center, virtual });

export const SCALES: Record<"small" | "large", Scale> = {
  small: {
    regions: [
      { region: RIVERTON, counts: counts(1, 4, 1, 2, 1) },
      { region: GULF_VALLEY, counts: counts(0, 0, 2, 0, 0) },
    ],
    physicians: 96,
    patients: 5400,
    multiSiteShare: 0.42,
    maxConfiguredKm: 200,
  },
  large: {
    regions: [
      { region: RIVERTON, counts: counts(1, 7, 4, 2, 1) },
      { region: GULF_VALLEY, counts: counts(1, 5, 4, 1, 1) },
      { region: FRONT_RANGE, counts: counts(1, 6, 4, 2, 1) },
      { region: PACIFIC_VISTA, counts: counts(1, 7, 4, 2, 1) },
    ],
    physicians: 2200,
    patients: 200_000,
    multiSiteShare: 0.42,
    maxConfiguredKm: 200,
  },
};
