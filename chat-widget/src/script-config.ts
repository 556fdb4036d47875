import { type Locale, pickLocale } from './i18n.ts';

export interface WidgetConfig {
  brand: string;
  /** The chat server, taken from where the script itself was loaded. */
  origin: string;
  locale: Locale;
  title: string | undefined;
}

const BRAND = /^[a-z0-9-]{2,40}$/;

/**
 * Reads `<script src="https://chat.example/widget.js" data-brand="demo" data-locale="fr" data-title="…">`.
 * Returns null (and says why in the console) when the tag is unusable.
 */
export function readScriptConfig(script: HTMLScriptElement | null, browserLanguage: string | undefined): WidgetConfig | null {
  if (!script?.src) {
    console.error('[Rendezvous] widget.js must be loaded with a <script src> tag.');
    return null;
  }
  const brand = script.dataset.brand ?? '';
  if (!BRAND.test(brand)) {
    console.error(`[Rendezvous] data-brand="${brand}" is not a brand id (lowercase letters, digits and dashes).`);
    return null;
  }
  return {
    brand,
    origin: new URL(script.src, document.baseURI).origin,
    locale: pickLocale(script.dataset.locale, browserLanguage),
    title: script.dataset.title || undefined,
  };
}

/** document.currentScript only exists while the script first runs; fall back to finding the tag. */
export function findOwnScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-brand]');
}
