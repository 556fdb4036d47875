import type { SuggestedAction } from '../../../../bot/web-protocol.ts';
import { button, el } from '../dom.ts';
import type { RenderContext } from './context.ts';

/** Suggested actions as buttons; a click answers with the action's title and value. */
export function renderQuickReplies(actions: SuggestedAction[], ctx: RenderContext): HTMLElement {
  return el('div', { class: 'rdv-quick-replies', role: 'group' },
    ...actions.map((action) => button({ class: 'rdv-chip' }, [action.title], () =>
      ctx.send({ text: action.title, value: { choice: action.value } }))));
}
