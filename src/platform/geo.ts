/**
 * Great-circle distance between two points on the Earth. Pure and dependency-free, so the server
 * (travel estimates, ranking) and the web app (the location comparison) compute the same number.
 */

export interface Point {
  latitude: number;
  longitude: number;
}

/** The mean Earth radius (IUGG). */
const EARTH_RADIUS_KM = 6371.0088;

/** Kilometres along the Earth's surface from one point to another (haversine formula). */
export function distanceKm(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
