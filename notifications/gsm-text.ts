/**
 * Characters that switch a whole SMS to UCS-2 (three times the cost) where a GSM-7 one reads the
 * same: curly quotes, dashes, ellipsis, no-break spaces. Accented letters are left as they are.
 */
const GSM_FRIENDLY: [RegExp, string][] = [
  [/[\u2018\u2019\u201A\u2032]/g, "'"], [/[\u201C\u201D\u201E]/g, '"'], [/[\u2013\u2014\u2212]/g, '-'],
  [/\u2026/g, '...'], [/[\u00A0\u202F\u2007\u2009]/g, ' '], [/\u2022/g, '-'], [/[\u00B7]/g, '-'],
];
export function gsmFriendly(text: string): string {
  // French quotes with their inner spaces first: « x » → "x".
  let out = text.replace(/\u00AB[\s\u00A0\u202F]*/g, '"').replace(/[\s\u00A0\u202F]*\u00BB/g, '"');
  for (const [re, to] of GSM_FRIENDLY) out = out.replace(re, to);
  return out;
}
