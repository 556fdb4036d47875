import type { GeoPosition } from '../geolocation.ts';

/**
 * The contract between widget.js and widget-map.js (Leaflet, loaded only when a pin card is shown):
 * the map bundle puts a PinMapFactory on `window[PIN_MAP_GLOBAL]`.
 */
export const PIN_MAP_GLOBAL = '__rendezvousPinMap';

export interface PinMapOptions {
  /** The box the map fills; Leaflet's stylesheet goes into its root (the widget's shadow root). */
  box: HTMLElement;
  start: GeoPosition;
  tileUrl: string;
  attribution: string;
  title: string;
  /** The pin was dragged or the map clicked. */
  onMove(position: GeoPosition): void;
  /** The first tile did not load (offline, blocked): the fields still move the pin. */
  onTilesFailed(): void;
}

export interface PinMap {
  moveTo(position: GeoPosition): void;
}

export type PinMapFactory = (options: PinMapOptions) => PinMap;
