import { distanceKm } from './geo-distance.ts';

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/**
 * How long a technician needs to drive from one place to another, in minutes. Synchronous so the
 * slot finder stays pure: a routing engine (OSRM's or Valhalla's table service, by URL) would
 * fetch the matrix of the day's places first and answer from it.
 */
export interface TravelEstimator {
  minutes(from: GeoPoint, to: GeoPoint): number;
}

export interface StraightLineTravel {
  /** Road distance ÷ straight-line distance, about 1.3 in towns. */
  circuityFactor: number;
  averageSpeedKmh: number;
  /** Parking, finding the door: added to every trip between two places. */
  bufferMinutes: number;
}

/** Straight-line distance × circuity ÷ speed, plus the buffer; staying put costs nothing. */
export function straightLineTravel(p: StraightLineTravel): TravelEstimator {
  if (!(p.circuityFactor >= 1) || !(p.averageSpeedKmh > 0) || !(p.bufferMinutes >= 0)) {
    throw new RangeError('straightLineTravel: circuity ≥ 1, speed > 0 and buffer ≥ 0 are required');
  }
  return {
    minutes(from, to) {
      const km = distanceKm(from, to);
      if (km < 0.05) return 0;
      return (km * p.circuityFactor / p.averageSpeedKmh) * 60 + p.bufferMinutes;
    },
  };
}
