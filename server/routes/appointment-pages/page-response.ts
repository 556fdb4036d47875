import type { Request, Response } from 'express';
import { frenchSpacing } from '../../../notifications/french-typography.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { messageBody } from './appointment-card.view.ts';
import type { Html } from './html.ts';
import { layout, type PageFrame } from './layout.view.ts';
import type { Lang } from './page-format.ts';
import { STYLESHEET_PATH } from './stylesheet.ts';

/** Sending an appointment page: its headers, its language, its frame; and the page for a link we cannot use. */

/** Pages: nothing but our stylesheet; forms post only here; never framed; tokens never leak by Referer. */
const PAGE_CSP = [
  "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
  "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

export function secureHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': PAGE_CSP,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
  });
}

export function sendPage(res: Response, status: number, frame: Omit<PageFrame, 'cssHref'>, body: Html): void {
  secureHeaders(res);
  const document = layout({ ...frame, cssHref: STYLESHEET_PATH }, body);
  res.status(status).type('html').send(frame.lang === 'fr' ? frenchSpacing(document) : document);
}

/** The language asked for with ?lang=fr|en, if any. */
export const langParam = (req: Request): Lang | null => {
  const v = req.query.lang;
  return v === 'fr' || v === 'en' ? v : null;
};

/** The page language before any token is trusted: ?lang, else the browser's preference. */
export const guessLang = (req: Request): Lang => langParam(req) ?? (req.acceptsLanguages('en', 'fr') === 'fr' ? 'fr' : 'en');

/** Adds query parameters (and the chosen language) to a path or absolute URL. */
export function withQuery(url: string, params: Record<string, string | null | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  if (entries.length === 0) return url;
  const qs = new URLSearchParams(entries).toString();
  return url + (url.includes('?') ? '&' : '?') + qs;
}

/** This page in each language, keeping the given query parameters. */
export function langLinksOf(req: Request, extra: Record<string, string | undefined> = {}): Record<Lang, string> {
  const path = req.baseUrl + req.path;
  return { en: withQuery(path, { ...extra, lang: 'en' }), fr: withQuery(path, { ...extra, lang: 'fr' }) };
}

/** An unknown (404) or expired (410) link: one page for both, so a forged token learns nothing. */
export function sendInvalid(req: Request, res: Response, status: 404 | 410): void {
  const lang = guessLang(req);
  const t = LINK_PAGE_TEXTS[lang];
  sendPage(res, status, { lang, title: t.invalidTitle, brandName: null, langLinks: langLinksOf(req), footer: false },
    messageBody({ kind: 'error', title: t.invalidTitle, body: t.invalidBody, todo: t.invalidTodo }));
}
