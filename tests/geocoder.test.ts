import { geocode, parseCoordinates } from '../scheduling/geocoder.ts';
import { distanceKm } from '../scheduling/geo-distance.ts';
import type { Place } from '../scheduling/geocoder.ts';

type Hint = { countryHint?: 'FR' | 'US' };

const PARIS = { latitude: 48.8566, longitude: 2.3522 };
const LYON = { latitude: 45.764, longitude: 4.8357 };
const NYC = { latitude: 40.7128, longitude: -74.006 };

function near(place: Place | null, target: { latitude: number; longitude: number }, km: number): void {
  expect(place).not.toBeNull();
  expect(distanceKm(place as Place, target)).toBeLessThan(km);
}

describe('geocode: postcodes', () => {
  const cases: Array<[string, Hint, string, 'FR' | 'US', { latitude: number; longitude: number }]> = [
    ['75011', {}, 'Paris', 'FR', PARIS],
    ['75011', { countryHint: 'FR' }, 'Paris', 'FR', PARIS],
    ['75116', {}, 'Paris', 'FR', PARIS],
    ['69003', {}, 'Lyon', 'FR', LYON],
    ['13001', { countryHint: 'FR' }, 'Marseille', 'FR', { latitude: 43.2965, longitude: 5.3698 }],
    ['20000', {}, 'Ajaccio', 'FR', { latitude: 41.9192, longitude: 8.7386 }],
    ['20137', {}, 'Ajaccio', 'FR', { latitude: 41.9192, longitude: 8.7386 }],
    ['20250', {}, 'Bastia', 'FR', { latitude: 42.6973, longitude: 9.4509 }],
    ['78150', {}, 'Versailles', 'FR', { latitude: 48.8049, longitude: 2.1204 }],
    ['10001', {}, 'New York', 'US', NYC],
    ['10001', { countryHint: 'US' }, 'New York', 'US', NYC],
    ['11201', {}, 'Brooklyn', 'US', { latitude: 40.6782, longitude: -73.9442 }],
    ['02116', {}, 'Boston', 'US', { latitude: 42.3601, longitude: -71.0589 }],
    ['02116-1234', {}, 'Boston', 'US', { latitude: 42.3601, longitude: -71.0589 }],
    ['07302', {}, 'Jersey City', 'US', { latitude: 40.7178, longitude: -74.0431 }],
    ['19103', {}, 'Philadelphia', 'US', { latitude: 39.9526, longitude: -75.1652 }],
    ['75 011', {}, 'Paris', 'FR', PARIS],
  ];
  it.each(cases)('%s %j → %s', (query, hint, label, country, target) => {
    const place = geocode(query, hint);
    expect(place?.label).toContain(label);
    expect(place?.country).toBe(country);
    near(place, target, 15);
  });

  it('applies the country hint to codes valid in both countries', () => {
    expect(geocode('10001', { countryHint: 'FR' })?.label).toContain('Troyes');
    expect(geocode('13001')?.country).toBe('US'); // known US ZIP3 (Syracuse) wins without a hint
    expect(geocode('75011', { countryHint: 'US' })?.country).toBe('FR'); // ZIP3 750 unknown → FR
  });

  it.each(['99999', '97400', '00000', '96000', '20300', '75011-1234', '1234', '123456'])(
    'unknown or invalid code %s → null',
    (code) => {
      expect(geocode(code)).toBeNull();
    },
  );
});

describe('geocode: city names', () => {
  const cases: Array<[string, Hint, string, 'FR' | 'US', { latitude: number; longitude: number }]> = [
    ['Paris', {}, 'Paris', 'FR', PARIS],
    ['lyon', {}, 'Lyon', 'FR', LYON],
    ['  LYON  ', {}, 'Lyon', 'FR', LYON],
    ['Saint Étienne', {}, 'Saint-Étienne', 'FR', { latitude: 45.4397, longitude: 4.3872 }],
    ['saint-etienne', {}, 'Saint-Étienne', 'FR', { latitude: 45.4397, longitude: 4.3872 }],
    ['St-Étienne', {}, 'Saint-Étienne', 'FR', { latitude: 45.4397, longitude: 4.3872 }],
    ['ORLEANS', {}, 'Orléans', 'FR', { latitude: 47.903, longitude: 1.9093 }],
    ["villeneuve d'ascq", {}, "Villeneuve-d'Ascq", 'FR', { latitude: 50.6233, longitude: 3.145 }],
    ['boulogne   billancourt', {}, 'Boulogne-Billancourt', 'FR', { latitude: 48.8397, longitude: 2.2399 }],
    ['Gap', {}, 'Gap', 'FR', { latitude: 44.5594, longitude: 6.0786 }],
    ['Paris 75011', {}, 'Paris 75011', 'FR', PARIS],
    ['75011 Paris', {}, 'Paris 75011', 'FR', PARIS],
    ['12 rue de Rivoli, 75004 Paris', {}, 'Paris 75004', 'FR', PARIS],
    ['Lyon, France', {}, 'Lyon', 'FR', LYON],
    ['Marseilles', {}, 'Marseille', 'FR', { latitude: 43.2965, longitude: 5.3698 }],
    ['Paris Cedex 07', {}, 'Paris', 'FR', PARIS],
    ['New York', {}, 'New York, NY', 'US', NYC],
    ['new york, ny', {}, 'New York, NY', 'US', NYC],
    ['New York, New York, USA', {}, 'New York, NY', 'US', NYC],
    ['NYC', {}, 'New York, NY', 'US', NYC],
    ['nyc', { countryHint: 'FR' }, 'New York, NY', 'US', NYC],
    ['Brooklyn', {}, 'Brooklyn, NY', 'US', { latitude: 40.6782, longitude: -73.9442 }],
    ['the bronx', {}, 'Bronx, NY', 'US', { latitude: 40.8448, longitude: -73.8648 }],
    ['Boston MA', {}, 'Boston, MA', 'US', { latitude: 42.3601, longitude: -71.0589 }],
    ['boston, massachusetts 02116', {}, 'Boston, MA', 'US', { latitude: 42.3601, longitude: -71.0589 }],
    ['St. Louis', {}, 'Saint Louis, MO', 'US', { latitude: 38.627, longitude: -90.1994 }],
    ['Washington DC', {}, 'Washington, DC', 'US', { latitude: 38.9072, longitude: -77.0369 }],
    ['Portland', {}, 'Portland, OR', 'US', { latitude: 45.5152, longitude: -122.6784 }],
    ['Portland, Maine', {}, 'Portland, ME', 'US', { latitude: 43.6591, longitude: -70.2568 }],
    ['Jersey City', {}, 'Jersey City, NJ', 'US', { latitude: 40.7178, longitude: -74.0431 }],
  ];
  it.each(cases)('%s %j → %s', (query, hint, label, country, target) => {
    const place = geocode(query, hint);
    expect(place?.label).toBe(label);
    expect(place?.country).toBe(country);
    near(place, target, 15);
  });

  it('falls back to the postcode when the town is not in the table', () => {
    const place = geocode('Montclair 07042');
    expect(place?.label).toBe('07042 (Newark, NJ area)');
    near(place, { latitude: 40.7357, longitude: -74.1724 }, 15);
    expect(geocode('Montigny-le-Bretonneux 78180')?.label).toBe('78180 (Versailles area)');
    expect(geocode('Montclair, NY 07042')).toBeNull(); // ZIP is in NJ
  });

  it.each([
    'Atlantis',
    'Springfield, Texas',
    'Paris, TX',
    'Paris, USA',
    'Lyon, France, USA',
    'asdf qwerty',
    'NY',
    'France',
  ])('unknown place %s → null', (query) => {
    expect(geocode(query)).toBeNull();
  });

  it('rejects empty and absurdly long input', () => {
    expect(geocode('')).toBeNull();
    expect(geocode('   ')).toBeNull();
    expect(geocode('Paris'.padEnd(201, ' x'))).toBeNull();
    expect(geocode(`${' '.repeat(150)}Paris${' '.repeat(150)}`)?.label).toBe('Paris'); // trimmed first
  });
});

describe('geocode: coordinates', () => {
  it.each<[string, number, number, 'FR' | 'US']>([
    ['48.8566,2.3522', 48.8566, 2.3522, 'FR'],
    ['48.85, 2.35', 48.85, 2.35, 'FR'],
    ['48.85 2.35', 48.85, 2.35, 'FR'],
    ['40.7128, -74.0060', 40.7128, -74.006, 'US'],
    ['40.7128 N, 74.0060 W', 40.7128, -74.006, 'US'],
    ['45.76°N 4.84°E', 45.76, 4.84, 'FR'],
  ])('%s', (query, latitude, longitude, country) => {
    const place = geocode(query);
    expect(place).not.toBeNull();
    expect(place?.latitude).toBeCloseTo(latitude, 6);
    expect(place?.longitude).toBeCloseTo(longitude, 6);
    expect(place?.country).toBe(country);
  });

  it.each(['91, 2', '48.85, 181', '-90.5 10', '48.85, -180.01', '48.85', '48.85, 2.35, 3', 'abc, def', '75 011'])(
    'parseCoordinates rejects %s',
    (query) => {
      expect(parseCoordinates(query)).toBeNull();
    },
  );

  it('accepts the range bounds', () => {
    expect(parseCoordinates('90, 180')).toEqual({ latitude: 90, longitude: 180 });
    expect(parseCoordinates('-90,-180')).toEqual({ latitude: -90, longitude: -180 });
  });

  it('out-of-range coordinates do not geocode', () => {
    expect(geocode('95.0, 2.35')).toBeNull();
  });
});

describe('distanceKm', () => {
  it('is ~392 km from Paris to Lyon', () => {
    expect(Math.abs(distanceKm(PARIS, LYON) - 392)).toBeLessThanOrEqual(10);
  });
  it('is ~5837 km from Paris to New York', () => {
    expect(Math.abs(distanceKm(PARIS, NYC) - 5837)).toBeLessThanOrEqual(30);
  });
  it('is symmetric and zero on the same point', () => {
    expect(distanceKm(PARIS, PARIS)).toBe(0);
    expect(distanceKm(PARIS, NYC)).toBeCloseTo(distanceKm(NYC, PARIS), 9);
  });
});

describe('nearest store', () => {
  const stores = [
    { name: 'Paris', ...PARIS },
    { name: 'Lyon', ...LYON },
    { name: 'NYC', ...NYC },
  ];
  function nearest(query: string): string | undefined {
    const here = geocode(query);
    if (!here) return undefined;
    return [...stores].sort((a, b) => distanceKm(here, a) - distanceKm(here, b))[0]?.name;
  }
  it.each([
    ['Versailles', 'Paris'],
    ['Grenoble', 'Lyon'],
    ['Jersey City', 'NYC'],
    ['78000', 'Paris'],
    ['38000', 'Lyon'],
    ['07302', 'NYC'],
    ['45.19, 5.72', 'Lyon'],
  ])('%s → %s', (query, store) => {
    expect(nearest(query)).toBe(store);
  });
});
