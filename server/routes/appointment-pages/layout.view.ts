import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The frame of every appointment page: no scripts, one stylesheet, a language switch, the "personal link" reminder. */

export interface PageFrame {
  lang: Lang;
  title: string;
  brandName: string | null;
  /** Links to this page in each language; null hides the switch (POST results). */
  langLinks: Record<Lang, string> | null;
  cssHref: string;
  staff?: boolean;
  /** The "personal link" reminder; off for pages reached without a valid link. */
  footer?: boolean;
}

export function layout(frame: PageFrame, body: Html): string {
  const t = LINK_PAGE_TEXTS[frame.lang];
  const other: Lang = frame.lang === 'en' ? 'fr' : 'en';
  const switcher = frame.langLinks
    ? html`<nav class="lang" aria-label="Language / Langue"><a href="${frame.langLinks[other]}" hreflang="${other}" lang="${other}">${LINK_PAGE_TEXTS[other].langName}</a></nav>`
    : null;
  return `<!doctype html>${html`<html lang="${frame.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${frame.title}${frame.brandName ? ` — ${frame.brandName}` : ''}</title>
<link rel="stylesheet" href="${frame.cssHref}">
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="top"><div class="top-inner">
<span class="brand">${frame.brandName ?? 'Rendezvous'}</span>
${switcher}
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
${frame.footer === false ? null : html`<footer class="foot"><p>${frame.staff ? t.staffFooter : t.footer}</p></footer>`}
</body>
</html>`.value}\n`;
}
