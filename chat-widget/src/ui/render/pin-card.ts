import type { PinContent } from '../../../../bot/web-protocol.ts';
import type { GeoPosition } from '../../geolocation.ts';
import { PIN_MAP_GLOBAL, type PinMapFactory } from '../../map/pin-map-api.ts';
import { button, el } from '../dom.ts';
import { icon } from '../icons.ts';
import type { RenderContext } from './context.ts';

let mapBundle: Promise<PinMapFactory> | null = null;

/** widget-map.js (Leaflet), fetched from the chat server the first time a pin card is shown. */
function loadMapBundle(origin: string): Promise<PinMapFactory> {
  mapBundle ??= new Promise<PinMapFactory>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${origin}/widget-map.js`;
    script.async = true;
    script.onload = () => {
      const factory = (window as unknown as Record<string, PinMapFactory | undefined>)[PIN_MAP_GLOBAL];
      if (factory) resolve(factory);
      else reject(new Error('widget-map.js did not load'));
    };
    script.onerror = () => { mapBundle = null; reject(new Error('widget-map.js did not load')); };
    document.head.append(script);
  });
  return mapBundle;
}

const valid = (p: GeoPosition) => Number.isFinite(p.latitude) && Number.isFinite(p.longitude) && Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180;

/**
 * The address's pin on a map to drag, with its coordinates in two fields and "use my location":
 * when the map or its tiles cannot load, the fields and the button still move it. Confirming sends
 * the position as a location answer.
 */
export function renderPinCard(content: PinContent, ctx: RenderContext): HTMLElement {
  const { t } = ctx;
  let pin: GeoPosition = { latitude: content.latitude, longitude: content.longitude };
  let map: { moveTo(p: GeoPosition): void } | null = null;
  const box = el('div', { class: 'rdv-map', role: 'application', 'aria-label': t.pinMap });
  const note = el('p', { class: 'rdv-caption', role: 'status', hidden: true });
  const field = (name: 'latitude' | 'longitude', label: string, max: number) => {
    const input = el('input', { class: 'rdv-input', id: `${ctx.idPrefix}-${name}`, type: 'number', step: 'any', min: -max, max, inputmode: 'decimal' });
    input.value = String(pin[name]);
    return { input, row: el('div', { class: 'rdv-field' }, el('label', { class: 'rdv-label', for: input.id }, label), input) };
  };
  const lat = field('latitude', t.latitude, 90);
  const lng = field('longitude', t.longitude, 180);
  const show = (message: string) => { note.textContent = message; note.hidden = false; };
  const set = (next: GeoPosition, from: 'map' | 'fields' | 'device') => {
    if (!valid(next)) return;
    pin = next;
    if (from !== 'fields') {
      lat.input.value = next.latitude.toFixed(6);
      lng.input.value = next.longitude.toFixed(6);
    }
    if (from !== 'map') map?.moveTo(next);
  };
  const fromFields = () => set({ latitude: Number(lat.input.value), longitude: Number(lng.input.value) }, 'fields');
  lat.input.addEventListener('change', fromFields);
  lng.input.addEventListener('change', fromFields);

  const locate = button({ class: 'rdv-secondary' }, [icon('pin', 18), t.useMyLocation], () => {
    show(t.locating);
    ctx.locate().then(
      (position) => { note.hidden = true; set(position, 'device'); },
      (failure: unknown) => show(failure === 'denied' ? t.locationDenied : t.locationUnavailable),
    );
  });
  const confirm = button({ class: 'rdv-primary' }, [t.confirmPin], () => {
    fromFields();
    ctx.send({
      text: `${pin.latitude.toFixed(5)}, ${pin.longitude.toFixed(5)}`,
      value: { action: 'location', latitude: pin.latitude, longitude: pin.longitude, pin: true },
    });
  });

  const tiles = ctx.mapTiles();
  if (tiles) {
    // Once in the shadow root (Leaflet needs the box's size and its root for the stylesheet).
    requestAnimationFrame(() => {
      if (!box.isConnected) return;
      loadMapBundle(ctx.origin).then(
        (create) => {
          map = create({
            box, start: pin, tileUrl: tiles.tileUrl, attribution: tiles.attribution, title: t.pinMap,
            onMove: (p) => set(p, 'map'), onTilesFailed: () => show(t.tilesFailed),
          });
        },
        () => { box.hidden = true; },
      );
    });
  } else {
    box.hidden = true;
  }
  return el('div', { class: 'rdv-card rdv-pin' }, box, note, el('div', { class: 'rdv-pin-fields' }, lat.row, lng.row), locate, confirm);
}
