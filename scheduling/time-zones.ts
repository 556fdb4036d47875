import { IANAZone } from 'luxon';

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
