/**
 * Offline geocoder for store search ("find stores near <postcode | city | coordinates>").
 *
 * No network: everything comes from `places.json` (next to this file), read once at module load.
 * Coverage: metropolitan France and the USA (city names everywhere, ZIP codes only in NY, NJ, CT,
 * MA, PA). Results are approximate (city centre or postcode-area centroid); good enough to rank
 * stores by distance, not to navigate.
 *
 * places.json shape:
 * {
 *   "fr": {
 *     "departments": { "<01..95 | 2A | 2B>": [prefecture, lat, lng] },
 *     "corsica":     { "<3-digit postcode prefix 20x>": "2A" | "2B" },
 *     "cities":      [ [name, postcodes, lat, lng, aliases?] ]   // postcodes: space-separated,
 *   },                                                           // "75001-75020" = inclusive range
 *   "us": {
 *     "states": { "<2-letter code>": full name },
 *     "cities": [ [name, stateCode, lat, lng, aliases?] ],         // ordered by size: first wins
 *     "zip3":   { "<3-digit ZIP prefix>": [area label, lat, lng] }
 *   }
 * }
 *
 * Resolution rules (see `geocode`):
 *  - "48.85, 2.35" / "48.85 2.35" / "40.7 N, 74.0 W" → coordinates (country = nearest known place).
 *  - 5-digit code: French postcode (exact city postcode, else département prefecture) and/or US ZIP
 *    (by ZIP3). Hint FR → FR first; hint US → US first; no hint → US when its ZIP3 is known, else FR.
 *    ZIP+4 ("02116-1234") is US only. An unknown ZIP3 / département gives null, never a guess.
 *  - City names are matched case-, accent- and punctuation-insensitively ("St" = "Saint"),
 *    optionally qualified by a postcode, country ("France", "USA") or US state ("MA", "New York").
 */
import { readFileSync } from 'node:fs';
import { distanceKm, type LatLng } from './geo-distance.ts';

export interface Place {
  label: string;
  latitude: number;
  longitude: number;
  country: 'FR' | 'US';
}

export type CountryCode = Place['country'];

export interface GeocodeOptions {
  countryHint?: CountryCode;
}

// ---------------------------------------------------------------------------------------------
// Data loading
// ---------------------------------------------------------------------------------------------

type AreaTuple = [string, number, number];
type FrCityTuple = [string, string, number, number, string[]?];
type UsCityTuple = [string, string, number, number, string[]?];

interface PlacesFile {
  fr: { departments: Record<string, AreaTuple>; corsica: Record<string, string>; cities: FrCityTuple[] };
  us: { states: Record<string, string>; cities: UsCityTuple[]; zip3: Record<string, AreaTuple> };
}

interface CityEntry extends LatLng {
  name: string;
  country: CountryCode;
  state?: string;
  postcodes: ReadonlySet<string>;
}

const MAX_QUERY_LENGTH = 200;

function isAreaTuple(v: unknown): v is AreaTuple {
  return Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number';
}

function isCityTuple(v: unknown): v is FrCityTuple {
  return (
    Array.isArray(v) &&
    typeof v[0] === 'string' &&
    typeof v[1] === 'string' &&
    typeof v[2] === 'number' &&
    typeof v[3] === 'number' &&
    (v[4] === undefined || (Array.isArray(v[4]) && v[4].every((a) => typeof a === 'string')))
  );
}

function loadPlaces(): PlacesFile {
  const raw: unknown = JSON.parse(readFileSync(new URL('./places.json', import.meta.url), 'utf8'));
  const data = raw as PlacesFile;
  const ok =
    typeof data === 'object' &&
    data !== null &&
    Object.values(data.fr?.departments ?? {}).every(isAreaTuple) &&
    Object.values(data.us?.zip3 ?? {}).every(isAreaTuple) &&
    Array.isArray(data.fr?.cities) &&
    data.fr.cities.every(isCityTuple) &&
    Array.isArray(data.us?.cities) &&
    data.us.cities.every(isCityTuple) &&
    typeof data.fr.corsica === 'object' &&
    typeof data.us.states === 'object';
  if (!ok) throw new Error('scheduling/places.json is malformed');
  return data;
}

/** Lowercase, strip accents and punctuation, collapse spaces, expand common abbreviations. */
function normalize(s: string): string {
  const ABBREVIATIONS: Record<string, string> = { st: 'saint', ste: 'sainte', mt: 'mount', ft: 'fort' };
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((t) => ABBREVIATIONS[t] ?? t)
    .join(' ');
}

function expandPostcodes(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(/\s+/).filter(Boolean)) {
    const range = /^(\d{5})-(\d{5})$/.exec(part);
    if (range) {
      for (let n = Number(range[1]); n <= Number(range[2]); n++) out.push(String(n).padStart(5, '0'));
    } else if (/^\d{5}$/.test(part)) {
      out.push(part);
    } else {
      throw new Error(`scheduling/places.json: bad postcode spec "${part}"`);
    }
  }
  return out;
}

const places = loadPlaces();

/** Normalized name/alias → candidate cities (FR first in file order, then US in file order). */
const cityIndex = new Map<string, CityEntry[]>();
/** Exact French postcode → city. */
const frPostcodeIndex = new Map<string, CityEntry>();
/** Every known point, for picking the country of raw coordinates. */
const allPoints: Array<LatLng & { country: CountryCode }> = [];

function addName(name: string, entry: CityEntry): void {
  const key = normalize(name);
  if (!key) return;
  const list = cityIndex.get(key);
  if (!list) cityIndex.set(key, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

for (const [name, postcodes, latitude, longitude, aliases] of places.fr.cities) {
  const codes = expandPostcodes(postcodes);
  const entry: CityEntry = { name, country: 'FR', latitude, longitude, postcodes: new Set(codes) };
  addName(name, entry);
  for (const alias of aliases ?? []) addName(alias, entry);
  for (const code of codes) if (!frPostcodeIndex.has(code)) frPostcodeIndex.set(code, entry);
  allPoints.push(entry);
}
// Prefectures not already listed as cities are searchable by name too ("Gap", "Mende"...).
for (const [, [name, latitude, longitude]] of Object.entries(places.fr.departments)) {
  if (cityIndex.has(normalize(name))) continue;
  const entry: CityEntry = { name, country: 'FR', latitude, longitude, postcodes: new Set() };
  addName(name, entry);
  allPoints.push(entry);
}
for (const [name, state, latitude, longitude, aliases] of places.us.cities) {
  const entry: CityEntry = { name, country: 'US', state, latitude, longitude, postcodes: new Set() };
  addName(name, entry);
  for (const alias of aliases ?? []) addName(alias, entry);
  allPoints.push(entry);
}
for (const [, latitude, longitude] of Object.values(places.us.zip3)) allPoints.push({ latitude, longitude, country: 'US' });

// ---------------------------------------------------------------------------------------------
// Qualifiers ("France", "USA", "MA", "New York", "Cedex 07")
// ---------------------------------------------------------------------------------------------

type Qualifier = { kind: 'country'; country: CountryCode } | { kind: 'state'; state: string } | { kind: 'noise' };

const COUNTRY_WORDS = new Map<string, CountryCode>([
  ['france', 'FR'],
  ['fr', 'FR'],
  ['fra', 'FR'],
  ['republique francaise', 'FR'],
  ['usa', 'US'],
  ['us', 'US'],
  ['u s', 'US'],
  ['u s a', 'US'],
  ['united states', 'US'],
  ['united states of america', 'US'],
  ['the united states', 'US'],
  ['america', 'US'],
  ['etats unis', 'US'],
  ['etats unis d amerique', 'US'],
]);

const STATE_WORDS = new Map<string, string>();
for (const [code, name] of Object.entries(places.us.states)) {
  STATE_WORDS.set(code.toLowerCase(), code);
  STATE_WORDS.set(normalize(name), code);
}

function parseQualifier(text: string): Qualifier | null {
  if (!text) return { kind: 'noise' };
  const country = COUNTRY_WORDS.get(text);
  if (country) return { kind: 'country', country };
  const state = STATE_WORDS.get(text);
  if (state) return { kind: 'state', state };
  if (text === 'cedex' || /^\d{1,2}$/.test(text)) return { kind: 'noise' };
  return null;
}

/** Longest qualifier (in tokens) we try to peel off the end of a name. */
const MAX_QUALIFIER_TOKENS = 5;

/**
 * Find the longest leading run of tokens that names a known city, peeling qualifiers off the end
 * ("new york ny" → "new york" + state NY). Returns null when some trailing token is neither.
 */
function matchName(tokens: string[]): { hits: CityEntry[]; qualifiers: Qualifier[] } | null {
  const qualifiers: Qualifier[] = [];
  let end = tokens.length;
  while (end > 0) {
    const hits = cityIndex.get(tokens.slice(0, end).join(' '));
    if (hits) return { hits, qualifiers };
    let peeled = false;
    for (let k = Math.min(MAX_QUALIFIER_TOKENS, end - 1); k >= 1; k--) {
      const q = parseQualifier(tokens.slice(end - k, end).join(' '));
      if (q) {
        qualifiers.push(q);
        end -= k;
        peeled = true;
        break;
      }
    }
    if (!peeled) return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Postcodes
// ---------------------------------------------------------------------------------------------

function frDepartment(code: string): AreaTuple | undefined {
  const prefix2 = code.slice(0, 2);
  if (prefix2 === '20') {
    const dept = places.fr.corsica[code.slice(0, 3)];
    return dept ? places.fr.departments[dept] : undefined;
  }
  return places.fr.departments[prefix2];
}

function resolveFrPostcode(code: string): Place | null {
  const city = frPostcodeIndex.get(code);
  if (city) return { label: `${city.name} ${code}`, latitude: city.latitude, longitude: city.longitude, country: 'FR' };
  const dept = frDepartment(code);
  if (!dept) return null;
  const [prefecture, latitude, longitude] = dept;
  return { label: `${code} (${prefecture} area)`, latitude, longitude, country: 'FR' };
}

function resolveUsZip(zip: string): Place | null {
  const area = places.us.zip3[zip.slice(0, 3)];
  if (!area) return null;
  const [name, latitude, longitude] = area;
  return { label: `${zip} (${name} area)`, latitude, longitude, country: 'US' };
}

function resolvePostcode(code: string, country: CountryCode | undefined, hint: CountryCode | undefined): Place | null {
  if (country === 'FR') return resolveFrPostcode(code);
  if (country === 'US') return resolveUsZip(code);
  const fr = resolveFrPostcode(code);
  const us = resolveUsZip(code);
  if (hint === 'FR') return fr ?? us;
  return us ?? fr; // hint US, or no hint: a known US ZIP3 wins, else the French département
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

const COORD_PART = String.raw`([+-]?\d{1,3}(?:\.\d+)?)\s*°?\s*([NSEWnsew])?`;
const COORDS_RE = new RegExp(String.raw`^${COORD_PART}\s*(,|;|\s)\s*${COORD_PART}$`);

/**
 * Parse "lat, lng" ("48.85, 2.35", "48.85 2.35", "40.71 N 74.00 W"). Returns null for anything
 * else, for out-of-range values, and for two bare integers separated by a space ("75 011").
 */
export function parseCoordinates(query: string): { latitude: number; longitude: number } | null {
  if (typeof query !== 'string' || query.length > MAX_QUERY_LENGTH) return null;
  const m = COORDS_RE.exec(query.trim());
  if (!m) return null;
  const [, aNum = '', aHemi, sep = '', bNum = '', bHemi] = m;
  const hasDecimal = aNum.includes('.') || bNum.includes('.');
  if (!hasDecimal && sep.trim() === '' && !aHemi && !bHemi) return null;
  let a = Number(aNum);
  let b = Number(bNum);
  const ha = aHemi?.toUpperCase();
  const hb = bHemi?.toUpperCase();
  if (ha === 'S' || ha === 'W') a = -Math.abs(a);
  if (hb === 'S' || hb === 'W') b = -Math.abs(b);
  let latitude = a;
  let longitude = b;
  if ((ha === 'E' || ha === 'W') && (hb === undefined || hb === 'N' || hb === 'S')) {
    latitude = b;
    longitude = a;
  } else if ((ha === 'N' || ha === 'S') && (hb === 'N' || hb === 'S')) {
    return null;
  } else if ((ha === 'E' || ha === 'W') && (hb === 'E' || hb === 'W')) {
    return null;
  }
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) return null;
  return { latitude, longitude };
}

function countryOfPoint(p: LatLng): CountryCode {
  let best: CountryCode = 'FR';
  let bestKm = Infinity;
  for (const q of allPoints) {
    const d = distanceKm(p, q);
    if (d < bestKm) {
      bestKm = d;
      best = q.country;
    }
  }
  return best;
}

function cityPlace(city: CityEntry, postcode?: string): Place {
  const label =
    city.country === 'US'
      ? `${city.name}, ${city.state ?? ''}`.replace(/, $/, '')
      : postcode && city.postcodes.has(postcode)
        ? `${city.name} ${postcode}`
        : city.name;
  return { label, latitude: city.latitude, longitude: city.longitude, country: city.country };
}

/**
 * Resolve a free-text location to a point. Pure and synchronous; null when the place is unknown,
 * the input is empty or longer than 200 characters.
 */
export function geocode(query: string, options: GeocodeOptions = {}): Place | null {
  if (typeof query !== 'string') return null;
  const q = query.trim().replace(/\s+/g, ' ');
  if (!q || q.length > MAX_QUERY_LENGTH) return null;
  const hint = options.countryHint;

  const coords = parseCoordinates(q);
  if (coords) {
    const label = `${coords.latitude.toFixed(4)}, ${coords.longitude.toFixed(4)}`;
    return { label, ...coords, country: countryOfPoint(coords) };
  }

  // Bare postcode.
  const bare = /^(\d{5})(?:-?(\d{4}))?$/.exec(q);
  if (bare) {
    const code = bare[1] ?? '';
    return bare[2] ? resolveUsZip(code) : resolvePostcode(code, undefined, hint);
  }
  const frSpaced = /^(\d{2}) (\d{3})$/.exec(q); // "75 011": French typography only
  if (frSpaced) return resolveFrPostcode(`${frSpaced[1]}${frSpaced[2]}`);

  // Free text: optional postcode anywhere, comma-separated parts, city name plus qualifiers.
  const pc = /(?<!\d)(\d{5})(?:-(\d{4}))?(?!\d)/.exec(q);
  const postcode = pc?.[1];
  const isZipPlus4 = Boolean(pc?.[2]);
  const rest = pc ? q.slice(0, pc.index) + ',' + q.slice(pc.index + pc[0].length) : q;
  const parts = rest
    .split(/[,;]/)
    .map(normalize)
    .filter((p) => p.length > 0);

  let match: { hits: CityEntry[]; qualifiers: Qualifier[] } | null = null;
  let matchedPart = -1;
  for (let i = 0; i < parts.length && !match; i++) {
    match = matchName((parts[i] ?? '').split(' '));
    if (match) matchedPart = i;
  }
  const qualifiers: Qualifier[] = [...(match?.qualifiers ?? [])];
  parts.forEach((p, i) => {
    if (i === matchedPart) return;
    const qual = parseQualifier(p);
    if (qual) qualifiers.push(qual);
  });

  let country: CountryCode | undefined;
  let state: string | undefined;
  for (const qual of qualifiers) {
    const c: CountryCode | undefined = qual.kind === 'country' ? qual.country : qual.kind === 'state' ? 'US' : undefined;
    if (c && country && c !== country) return null; // "Paris, France, USA": contradictory
    if (c) country = c;
    if (qual.kind === 'state') {
      if (state && state !== qual.state) return null;
      state = qual.state;
    }
  }
  if (isZipPlus4) {
    if (country === 'FR') return null;
    country = 'US';
  }

  if (!match) {
    // No known city name; fall back to the postcode if one was given ("78180 Montigny").
    if (!postcode) return null;
    const place = resolvePostcode(postcode, country, hint);
    if (place && state && !place.label.endsWith(`, ${state} area)`)) return null;
    return place;
  }

  const candidates = match.hits.filter(
    (c) => (!country || c.country === country) && (!state || c.state === state),
  );
  if (candidates.length === 0) return null;

  if (postcode) {
    const exact = candidates.find((c) => c.postcodes.has(postcode));
    if (exact) return cityPlace(exact, postcode);
    const anchors = [resolveFrPostcode(postcode), resolveUsZip(postcode)].filter((p): p is Place => p !== null);
    if (anchors.length > 0) {
      let best = candidates[0];
      let bestKm = Infinity;
      for (const c of candidates) {
        for (const a of anchors) {
          const d = distanceKm(c, a);
          if (d < bestKm) {
            bestKm = d;
            best = c;
          }
        }
      }
      if (best) return cityPlace(best);
    }
  }

  const preferred = (hint && candidates.find((c) => c.country === hint)) || candidates[0];
  return preferred ? cityPlace(preferred) : null;
}
