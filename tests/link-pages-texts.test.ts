import { LINK_PAGE_TEXTS } from '../notifications/templates/link-pages.ts';

/** The words of the pages signed links open: every key in both languages, of the same kind, never empty. */
describe('link page texts', () => {
  const { en, fr } = LINK_PAGE_TEXTS;
  const shape = (texts: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(texts).map(([key, value]) => [key, typeof value === 'function' ? `function/${value.length}` : typeof value]));

  test('English and French have the same keys, each a text or a function of the same parameters', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    expect(shape(fr)).toEqual(shape(en));
  });

  test('no text is empty, and texts with parameters use them', () => {
    for (const texts of [en, fr]) {
      for (const [key, value] of Object.entries(texts)) {
        const text = typeof value === 'function' ? (value as (...a: string[]) => string)('«A»', '«B»') : value;
        expect([key, text.trim().length > 0]).toEqual([key, true]);
        if (typeof value === 'function') expect([key, text.includes('«A»')]).toEqual([key, true]);
      }
    }
  });
});
