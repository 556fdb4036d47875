import { el, type Attributes, type Child } from '../../../web-ui/dom.ts';

export { append, el, type Attributes, type Child } from '../../../web-ui/dom.ts';

/** A real <button type="button"> calling `onClick`. */
export function button(attributes: Attributes, children: Child[], onClick: (event: MouseEvent) => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attributes }, ...children);
  b.addEventListener('click', onClick);
  return b;
}

/** Text announced by screen readers but not shown. */
export function srOnly(text: string): HTMLSpanElement {
  return el('span', { class: 'rdv-sr-only' }, text);
}
