import { append, el, type Attributes, type Child } from '../../../web-ui/dom.ts';

export { append, el, type Attributes, type Child } from '../../../web-ui/dom.ts';

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A real <button type="button"> calling `onClick`. */
export function button(attributes: Attributes, children: Child[] | string, onClick: (event: MouseEvent) => void): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'btn', ...attributes }, ...(typeof children === 'string' ? [children] : children));
  b.addEventListener('click', onClick);
  return b;
}

/** A link inside the console (hash route). */
export function link(href: string, text: Child, attributes: Attributes = {}): HTMLAnchorElement {
  return el('a', { href, ...attributes }, text);
}

/** Text announced by screen readers but not shown. */
export function srOnly(text: string): HTMLSpanElement {
  return el('span', { class: 'sr-only' }, text);
}

let idCount = 0;
/** A document-unique id for label/aria wiring. */
export const uid = (prefix = 'c') => `${prefix}-${++idCount}`;

/** A page's heading: focused after a route change (tabindex -1 keeps it out of the tab order). */
export function heading(text: string, level: 1 | 2 | 3 = 1, attributes: Attributes = {}): HTMLHeadingElement {
  return el(`h${level}`, { tabindex: level === 1 ? -1 : undefined, ...attributes }, text);
}

/** A section with a heading wired by aria-labelledby. */
export function section(title: string, attributes: Attributes, ...children: Child[]): HTMLElement {
  const id = uid('sec');
  return el('section', { 'aria-labelledby': id, class: 'card', ...attributes }, el('h2', { id, class: 'card-title' }, title), ...children);
}

/** A small "loading…" block with a polite status role. */
export function loading(text = 'Loading…'): HTMLElement {
  return el('p', { class: 'loading', role: 'status' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** An inline error block (role=alert) with an optional retry. */
export function errorBlock(message: string, retry?: () => void): HTMLElement {
  return el('div', { class: 'error-block', role: 'alert' },
    el('p', {}, message),
    retry ? button({ class: 'btn btn-secondary' }, 'Try again', retry) : null);
}

/** An empty-state paragraph. */
export function empty(text: string): HTMLElement {
  return el('p', { class: 'empty' }, text);
}
