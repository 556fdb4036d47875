import type { Attachment, ChatActivity } from '../../../../bot/web-protocol.ts';
import { el } from '../dom.ts';
import { renderAppointmentCard } from './appointment-card.ts';
import type { RenderContext } from './context.ts';
import { renderFormCard } from './form-card.ts';
import { renderLocationRequest } from './location-request.ts';
import { renderPinCard } from './pin-card.ts';
import { renderQuickReplies } from './quick-replies.ts';
import { renderSlotPicker } from './slot-picker.ts';
import { renderTextBubble } from './text-bubble.ts';

/** One transcript entry: its text, its rich attachments, then its suggested actions. */
export function renderActivity(activity: ChatActivity, ctx: RenderContext, showName: boolean): HTMLElement {
  const side = activity.from === 'customer' ? 'out' : activity.from === 'system' ? 'system' : 'in';
  return el('div', { class: `rdv-row rdv-row-${side}` },
    showName && activity.from === 'agent' && activity.name ? el('p', { class: 'rdv-name', 'aria-hidden': 'true' }, activity.name) : null,
    activity.text ? renderTextBubble(activity.from, activity.text, ctx.t, activity.name) : null,
    ...(activity.attachments ?? []).map((attachment, index) => renderAttachment(attachment, { ...ctx, idPrefix: `${ctx.idPrefix}-${index}` })),
    activity.suggestedActions?.length ? renderQuickReplies(activity.suggestedActions, ctx) : null);
}

function renderAttachment(attachment: Attachment, ctx: RenderContext): HTMLElement | null {
  switch (attachment.contentType) {
    case 'application/vnd.rendezvous.slots+json':
      return renderSlotPicker(attachment.content, ctx);
    case 'application/vnd.rendezvous.form+json':
      return renderFormCard(attachment.content, ctx);
    case 'application/vnd.rendezvous.location+json':
      return renderLocationRequest(attachment.content, ctx);
    case 'application/vnd.rendezvous.pin+json':
      return renderPinCard(attachment.content, ctx);
    case 'application/vnd.rendezvous.appointment+json':
      return renderAppointmentCard(attachment.content, ctx);
    default:
      return null; // a content type from a newer server: the text alone still reads
  }
}
