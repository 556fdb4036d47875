export interface GeoPosition {
  latitude: number;
  longitude: number;
}

export type GeoFailure = 'denied' | 'unavailable';

/** The browser's position, rejecting with a GeoFailure when it is refused or cannot be had. */
export function locate(geolocation: Geolocation | undefined = navigator.geolocation): Promise<GeoPosition> {
  return new Promise((resolve, reject) => {
    if (!geolocation) {
      reject('unavailable' satisfies GeoFailure);
      return;
    }
    geolocation.getCurrentPosition(
      ({ coords }) => resolve({ latitude: coords.latitude, longitude: coords.longitude }),
      (error) => reject((error.code === error.PERMISSION_DENIED ? 'denied' : 'unavailable') satisfies GeoFailure),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 600_000 },
    );
  });
}
