import type { Activity } from 'botbuilder-core';
import type { TranscriptEntry } from '../models/conversations.repository.ts';
import { APPOINTMENT, FORM, LOCATION, PIN, SLOTS, type Attachment, type ChatActivity, type SuggestedAction } from './web-protocol.ts';

const RICH_TYPES = new Set<string>([SLOTS, FORM, LOCATION, PIN, APPOINTMENT]);

/** What of a bot activity goes into the transcript: text, quick replies and our rich content only. */
export function transcriptContent(activity: Partial<Activity>): { text: string; content: Record<string, unknown> } {
  const suggestedActions: SuggestedAction[] = (activity.suggestedActions?.actions ?? []).map((a) => ({
    title: String(a.title ?? a.value ?? ''),
    value: typeof a.value === 'string' ? a.value : String(a.title ?? ''),
  }));
  const attachments = (activity.attachments ?? [])
    .filter((a) => RICH_TYPES.has(a.contentType))
    .map((a) => ({ contentType: a.contentType, content: a.content }) as Attachment);
  const content: Record<string, unknown> = {};
  if (suggestedActions.length) content.suggestedActions = suggestedActions;
  if (attachments.length) content.attachments = attachments;
  return { text: activity.text ?? '', content };
}

/** A transcript entry as the widget receives it. */
export function toChatActivity(e: TranscriptEntry): ChatActivity {
  const content = e.content as { suggestedActions?: SuggestedAction[]; attachments?: Attachment[] };
  return {
    seq: e.seq,
    id: e.id,
    from: e.sender,
    ...(e.senderName ? { name: e.senderName } : {}),
    ...(e.sender === 'customer' && e.clientId ? { clientId: e.clientId } : {}),
    text: e.text,
    ...(content.suggestedActions ? { suggestedActions: content.suggestedActions } : {}),
    ...(content.attachments ? { attachments: content.attachments } : {}),
    timestamp: new Date(e.createdAt).toISOString(),
  };
}
