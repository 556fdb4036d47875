import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distanceKm } from '../scheduling/geo-distance.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Imports that load a module when the importer runs (type-only imports are erased). */
const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Every project module a module loads, directly or not (paths relative to the root). */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(RUNTIME_IMPORT)) {
      const target = relative(ROOT, normalize(join(dirname(join(ROOT, file)), m[1] ?? m[2]!)));
      if (target.endsWith('.ts')) pending.push(target);
    }
  }
  return seen;
}

describe('geo-distance', () => {
  test('slot finding, travel estimates and booking do not load the geocoder and its place table', () => {
    for (const entry of ['availability', 'slot-finder', 'onsite-slot-finder', 'travel-estimator', 'field-booking', 'booking']) {
      expect([...loadedBy(`scheduling/${entry}.ts`)].filter((f) => f.includes('geocoder'))).toEqual([]);
    }
  });

  test('the check follows imports: the store picker does load the geocoder', () => {
    expect(loadedBy('dialogs/store-picker.dialog.ts')).toContain('scheduling/geocoder.ts');
    expect(loadedBy('scheduling/availability.ts')).toContain('scheduling/geo-distance.ts');
  });

  test('great-circle distances in kilometres', () => {
    const paris = { latitude: 48.8566, longitude: 2.3522 };
    const lyon = { latitude: 45.764, longitude: 4.8357 };
    expect(distanceKm(paris, paris)).toBe(0);
    expect(distanceKm(paris, lyon)).toBeGreaterThan(385);
    expect(distanceKm(paris, lyon)).toBeLessThan(395);
    expect(distanceKm(lyon, paris)).toBeCloseTo(distanceKm(paris, lyon), 9);
  });
});
