import type { LocationContent } from '../../../../bot/web-protocol.ts';
import { el } from '../dom.ts';
import { icon } from '../icons.ts';
import type { RenderContext } from './context.ts';

/** Asks for the browser's position; says plainly what to do instead when it is refused. */
export function renderLocationRequest(content: LocationContent, ctx: RenderContext): HTMLElement {
  const { t } = ctx;
  const label = el('span', {}, content.buttonLabel);
  const share = el('button', { type: 'button', class: 'rdv-secondary' }, icon('pin', 18), label);
  const problem = el('p', { class: 'rdv-field-error', role: 'alert', hidden: true });
  share.addEventListener('click', () => {
    share.disabled = true;
    share.setAttribute('aria-busy', 'true');
    label.textContent = t.locating;
    problem.hidden = true;
    ctx.locate().then(
      ({ latitude, longitude }) => ctx.send({ text: content.buttonLabel, value: { action: 'location', latitude, longitude } }),
      (failure: unknown) => {
        share.disabled = false;
        share.removeAttribute('aria-busy');
        label.textContent = content.buttonLabel;
        problem.textContent = failure === 'denied' ? t.locationDenied : t.locationUnavailable;
        problem.hidden = false;
      },
    );
  });
  return el('div', { class: 'rdv-card rdv-location' }, el('p', { class: 'rdv-card-text' }, content.prompt), share, problem);
}
