import L from 'leaflet';
import { el } from '../../web-ui/dom.ts';
import type { Texts } from './texts.ts';

export interface Pin { latitude: number; longitude: number }

/**
 * A map with a draggable pin, kept in step with two coordinate fields and a "use my location"
 * button: when the tiles cannot load (offline, blocked) the fields and the button still move the pin.
 */
export function pinMap(t: Texts, start: Pin, tiles: { url: string; attribution: string }): { element: HTMLElement; value: () => Pin } {
  let pin = { ...start };
  const mapBox = el('div', { id: 'map', role: 'application', 'aria-label': t.addressTitle });
  const lat = el('input', { id: 'pin-latitude', type: 'number', step: 'any', min: -90, max: 90, value: pin.latitude });
  const lng = el('input', { id: 'pin-longitude', type: 'number', step: 'any', min: -180, max: 180, value: pin.longitude });
  const note = el('p', { class: 'note', hidden: true });
  const locate = el('button', { type: 'button', class: 'secondary', id: 'use-location' }, t.useLocation);
  const element = el('div', {},
    mapBox, note,
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'pin-latitude' }, t.latitude), lat),
      el('div', {}, el('label', { for: 'pin-longitude' }, t.longitude), lng)),
    locate);

  const map = L.map(mapBox, { center: [pin.latitude, pin.longitude], zoom: 17 });
  const tileLayer = L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution }).addTo(map);
  const marker = L.marker([pin.latitude, pin.longitude], {
    draggable: true, title: t.addressTitle, icon: L.divIcon({ className: 'pin', iconSize: [24, 24], iconAnchor: [12, 24] }),
  }).addTo(map);
  const show = (message: string) => { note.textContent = message; note.hidden = false; };
  tileLayer.once('tileerror', () => show(t.tilesFailed));

  const set = (next: Pin, from: 'map' | 'fields') => {
    if (!Number.isFinite(next.latitude) || !Number.isFinite(next.longitude) || Math.abs(next.latitude) > 90 || Math.abs(next.longitude) > 180) return;
    pin = next;
    if (from !== 'fields') {
      lat.value = next.latitude.toFixed(6);
      lng.value = next.longitude.toFixed(6);
    }
    marker.setLatLng([next.latitude, next.longitude]);
    // No animation: the pin must be where it is drawn at once, for the next drag.
    map.panTo([next.latitude, next.longitude], { animate: false });
  };
  marker.on('dragend', () => { const p = marker.getLatLng(); set({ latitude: p.lat, longitude: p.lng }, 'map'); });
  map.on('click', (e: L.LeafletMouseEvent) => set({ latitude: e.latlng.lat, longitude: e.latlng.lng }, 'map'));
  const fromFields = () => set({ latitude: Number(lat.value), longitude: Number(lng.value) }, 'fields');
  lat.addEventListener('change', fromFields);
  lng.addEventListener('change', fromFields);
  locate.addEventListener('click', () => {
    if (!navigator.geolocation) return show(t.locationFailed);
    show(t.locating);
    navigator.geolocation.getCurrentPosition(
      (p) => { note.hidden = true; set({ latitude: p.coords.latitude, longitude: p.coords.longitude }, 'map'); },
      () => show(t.locationFailed),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  });
  // The box got its size only once in the page.
  requestAnimationFrame(() => map.invalidateSize());
  return { element, value: () => pin };
}
