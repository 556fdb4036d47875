import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

const valid = new Set<string>();

/**
 * Whether `zone` is an IANA time zone (luxon's check builds an Intl formatter each call, which a
 * bot turn paid every time). Valid names are remembered, at most a thousand (names are client
 * input: any casing of a zone is valid); invalid ones are checked afresh each time.
 */
export function isValidTimeZone(zone: string): boolean {
  if (valid.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  if (valid.size >= 1000) valid.clear();
  valid.add(zone);
  return true;
}

const HOUR = 3_600_000;
/** A zone's offset (minutes) per UTC hour, for hours with no change of offset in them; bounded, oldest first out. */
const hourOffsets = new Map<string, number>();
const HOUR_OFFSETS_LIMIT = 10_000;

/**
 * A valid zone's UTC offset (minutes) at an instant, else null. luxon asks Intl for it on every
 * instant (formatToParts: most of what labelling a page of times, or a message's date, cost); an
 * offset only changes at a transition, so it is remembered per zone and UTC hour when the hour
 * starts and ends under the same one (an hour holding a transition, 30-minute ones included, is
 * asked each time).
 */
export function zoneOffsetAt(zone: string, ms: number): number | null {
  const hour = Math.floor(ms / HOUR);
  const key = `${zone}|${hour}`;
  const known = hourOffsets.get(key);
  if (known !== undefined) return known;
  const tz = IANAZone.create(zone);
  if (!tz.isValid) return null;
  const first = tz.offset(hour * HOUR);
  if (tz.offset(hour * HOUR + HOUR - 1) !== first) return tz.offset(ms);
  if (hourOffsets.size >= HOUR_OFFSETS_LIMIT) hourOffsets.delete(hourOffsets.keys().next().value!);
  hourOffsets.set(key, first);
  return first;
}

/**
 * The instant in a zone (its wall clock, names and numbers in `locale`) at the zone's offset then,
 * without asking Intl for the offset again (zoneOffsetAt); as luxon reads it for an invalid zone.
 */
export function zonedDateTime(ms: number, zone: string, locale: string): DateTime {
  const offset = zoneOffsetAt(zone, ms);
  return offset === null
    ? DateTime.fromMillis(ms, { zone, locale })
    : DateTime.fromMillis(ms, { zone: FixedOffsetZone.instance(offset), locale });
}
