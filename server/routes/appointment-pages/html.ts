import { escapeHtml } from '../../../notifications/transport.ts';

/**
 * Safe markup for the appointment pages: every value interpolated with the `html` tag is escaped
 * unless it is already markup made by the tag.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Piece = Html | string | number | null | undefined | false | Piece[];

function render(piece: Piece): string {
  if (piece === null || piece === undefined || piece === false) return '';
  if (piece instanceof Html) return piece.value;
  if (Array.isArray(piece)) return piece.map(render).join('');
  return escapeHtml(String(piece));
}

/** Markup with every interpolation escaped (Html values are kept as they are). */
export function html(strings: TemplateStringsArray, ...values: Piece[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}
