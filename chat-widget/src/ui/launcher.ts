import type { Labels } from '../i18n.ts';
import { el } from './dom.ts';
import { icon } from './icons.ts';

export interface Launcher {
  element: HTMLButtonElement;
  setLabels(t: Labels): void;
  setExpanded(expanded: boolean): void;
}

/** The always-visible button that opens and closes the panel. */
export function createLauncher(t: Labels, panelId: string, onToggle: () => void): Launcher {
  const label = el('span', {}, t.launcher);
  const closed = icon('chat', 22);
  closed.classList.add('rdv-icon-closed');
  const open = icon('chevronDown', 22);
  open.classList.add('rdv-icon-open');
  const element = el('button', { type: 'button', class: 'rdv-launcher', 'aria-expanded': 'false', 'aria-controls': panelId }, closed, open, label);
  element.addEventListener('click', onToggle);
  return {
    element,
    setLabels(next) {
      label.textContent = next.launcher;
    },
    setExpanded(expanded) {
      element.setAttribute('aria-expanded', String(expanded));
    },
  };
}
