import { button, el } from './dom.ts';

export interface RowListOptions<T> {
  /** The API's name of the list: control names are `<prefix>.<row>.<field>`, so a refusal lands on its row. */
  prefix: string;
  addLabel: string;
  removeLabel: string;
  max: number;
  /** A new row's value. */
  blank: () => T;
  /** A row's controls; each names its field with `data-field`. */
  controls: (value: T) => HTMLElement[];
}

/** An editable list of rows in a settings form: add (up to `max`) and remove rows. */
export function rowList<T>(o: RowListOptions<T>) {
  const list = el('ol', { class: 'rows' });
  const add = button({ class: 'btn btn-link btn-small' }, o.addLabel, () => {
    list.append(row(o.blank()));
    renumber();
    list.querySelector<HTMLElement>('li:last-child input')?.focus();
  });
  function renumber() {
    [...list.children].forEach((li, i) => {
      for (const control of li.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-field]')) {
        control.name = `${o.prefix}.${i}.${control.dataset['field']}`;
      }
    });
    add.hidden = list.children.length >= o.max;
  }
  function row(value: T): HTMLElement {
    const li = el('li', { class: 'row-item row-item-block' }, ...o.controls(value));
    li.append(button({ class: 'btn btn-link btn-small' }, o.removeLabel, () => { li.remove(); renumber(); }));
    return li;
  }
  return {
    list,
    add,
    /** Shows these rows (after any already there). */
    show(values: readonly T[]) {
      for (const value of values) list.append(row(value));
      renumber();
    },
    rows: () => [...list.children] as HTMLElement[],
  };
}

/** A row's control for `field`. */
export const controlIn = <C extends HTMLInputElement | HTMLTextAreaElement = HTMLInputElement>(row: Element, field: string): C =>
  row.querySelector<C>(`[data-field="${field}"]`)!;
