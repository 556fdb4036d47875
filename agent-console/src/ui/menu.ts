import { el, uid } from './dom.ts';

/**
 * A menu button (WAI-ARIA APG "menu button"): the "⋯" of a row. Enter, Space or ArrowDown open it
 * on the first item; arrows, Home and End move; Escape closes and returns to the button.
 */

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

let openMenu: (() => void) | null = null;

export function menuButton(accessibleLabel: string, items: () => MenuItem[], visibleLabel?: string): HTMLElement {
  const menuId = uid('menu');
  const trigger = el('button', {
    type: 'button', class: visibleLabel ? 'btn btn-secondary menu-trigger' : 'btn-icon menu-trigger',
    'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId, 'aria-label': accessibleLabel,
  }, visibleLabel ? `${visibleLabel} ` : '', el('span', { 'aria-hidden': 'true', class: 'menu-dots' }, visibleLabel ? '▾' : '⋯'));
  const list = el('ul', { id: menuId, role: 'menu', class: 'menu', hidden: true, 'aria-label': accessibleLabel });
  const wrapper = el('div', { class: 'menu-wrapper' }, trigger, list);

  const buttons = () => [...list.querySelectorAll<HTMLButtonElement>('button[role="menuitem"]:not([disabled])')];

  function close(returnFocus: boolean) {
    if (list.hidden) return;
    list.hidden = true;
    trigger.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    window.removeEventListener('resize', closeNoFocus);
    window.removeEventListener('scroll', closeNoFocus, true);
    if (openMenu === closeNoFocus) openMenu = null;
    if (returnFocus) trigger.focus();
  }
  const closeNoFocus = () => close(false);
  const outside = (event: Event) => {
    if (!wrapper.contains(event.target as Node)) close(false);
  };

  function open(focusLast = false) {
    openMenu?.();
    list.replaceChildren(...items().map((item) => {
      const b = el('button', { type: 'button', role: 'menuitem', tabindex: -1, class: item.danger ? 'danger' : undefined, disabled: item.disabled }, item.label);
      b.addEventListener('click', () => {
        close(true);
        item.onSelect();
      });
      return el('li', { role: 'none' }, b);
    }));
    list.hidden = false;
    trigger.setAttribute('aria-expanded', 'true');
    // Fixed position, so a scrolling table does not clip the menu.
    const r = trigger.getBoundingClientRect();
    const width = Math.max(list.offsetWidth, 200);
    const below = r.bottom + 4;
    const fitsBelow = below + list.offsetHeight < window.innerHeight;
    list.style.setProperty('top', `${fitsBelow ? below : Math.max(8, r.top - list.offsetHeight - 4)}px`);
    list.style.setProperty('left', `${Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8))}px`);
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('resize', closeNoFocus);
    window.addEventListener('scroll', closeNoFocus, true);
    openMenu = closeNoFocus;
    const all = buttons();
    (focusLast ? all.at(-1) : all[0])?.focus();
  }

  trigger.addEventListener('click', () => (list.hidden ? open() : close(true)));
  trigger.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowUp');
    }
  });
  list.addEventListener('keydown', (event) => {
    const all = buttons();
    const index = all.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => all[(i + all.length) % all.length]?.focus();
    switch (event.key) {
      case 'ArrowDown': event.preventDefault(); move(index + 1); break;
      case 'ArrowUp': event.preventDefault(); move(index - 1); break;
      case 'Home': event.preventDefault(); move(0); break;
      case 'End': event.preventDefault(); move(all.length - 1); break;
      case 'Escape': event.preventDefault(); event.stopPropagation(); close(true); break;
      case 'Tab': close(false); break;
      default:
        if (event.key.length === 1) {
          const next = all.find((b, i) => i > index && b.textContent?.toLowerCase().startsWith(event.key.toLowerCase()))
            ?? all.find((b) => b.textContent?.toLowerCase().startsWith(event.key.toLowerCase()));
          next?.focus();
        }
    }
  });
  return wrapper;
}

/** True while a menu is open (background refreshes wait). */
export const isMenuOpen = () => openMenu !== null;
