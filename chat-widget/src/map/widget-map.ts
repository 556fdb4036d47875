import L from 'leaflet';
import leafletCss from 'leaflet/dist/leaflet.css';
import { PIN_MAP_GLOBAL, type PinMapFactory } from './pin-map-api.ts';

/** The entry of widget-map.js: Leaflet with its stylesheet, for the widget's pin cards. */
const pinMap: PinMapFactory = ({ box, start, tileUrl, attribution, title, onMove, onTilesFailed }) => {
  // Leaflet's stylesheet does not reach into a shadow root from the page: put it in once per root.
  const root = box.getRootNode();
  const styleHost = root instanceof ShadowRoot ? root : document.head;
  if (!styleHost.querySelector('style[data-rdv-leaflet]')) {
    const style = document.createElement('style');
    style.dataset.rdvLeaflet = '';
    style.textContent = leafletCss;
    styleHost.append(style);
  }
  const map = L.map(box, { center: [start.latitude, start.longitude], zoom: 17 });
  const tiles = L.tileLayer(tileUrl, { maxZoom: 19, attribution }).addTo(map);
  tiles.once('tileerror', onTilesFailed);
  const marker = L.marker([start.latitude, start.longitude], {
    draggable: true, title, icon: L.divIcon({ className: 'rdv-map-pin', iconSize: [24, 24], iconAnchor: [12, 24] }),
  }).addTo(map);
  const moveTo = ({ latitude, longitude }: { latitude: number; longitude: number }) => {
    marker.setLatLng([latitude, longitude]);
    // No animation: the pin must be where it is drawn at once, for the next drag.
    map.panTo([latitude, longitude], { animate: false });
  };
  const moved = (latitude: number, longitude: number) => { moveTo({ latitude, longitude }); onMove({ latitude, longitude }); };
  marker.on('dragend', () => { const p = marker.getLatLng(); moved(p.lat, p.lng); });
  map.on('click', (e: L.LeafletMouseEvent) => moved(e.latlng.lat, e.latlng.lng));
  // The box got its size only once in the page.
  requestAnimationFrame(() => map.invalidateSize());
  return { moveTo };
};

(window as unknown as Record<string, PinMapFactory>)[PIN_MAP_GLOBAL] = pinMap;
