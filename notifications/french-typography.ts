import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * French typography and number display shared by every channel: the bot, emails, texts and pages.
 */

/** U+202F: the narrow no-break space French puts before ; ! ? (and :, where the channel can show it: HTML). */
export const NARROW_NBSP = '\u202f';

/**
 * A no-break space before : ; ? ! and inside « », so they never start a line: "Bonjour !" keeps
 * its "!" on the same line. Only a space already typed is replaced (URLs and times have none).
 */
export function frenchSpacing(text: string, space: string = NARROW_NBSP): string {
  return text
    .replace(/[ \u00a0\u202f]+([:;?!»])/g, `${space}$1`)
    .replace(/«[ \u00a0\u202f]+/g, `«${space}`);
}


/** A store's phone as dialled in its own country ("01 42 68 53 00", "(212) 555-0199"); as stored when unreadable. */
export function formatStorePhone(phone: string): string {
  return parsePhoneNumberFromString(phone)?.formatNational() ?? phone;
}
