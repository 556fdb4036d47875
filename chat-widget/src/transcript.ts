import type { AppointmentContent, Attachment, ChatActivity, MessageAck } from '../../bot/web-protocol.ts';
import type { PendingMessage, WidgetState } from './store.ts';

/** State changes of the transcript, as pure functions of the state. */

export function lastSeq(state: WidgetState): number {
  return state.activities.at(-1)?.seq ?? 0;
}

/**
 * Adds server activities, deduplicated by seq (replays overlap what we hold). A local stand-in for an
 * acknowledged message (same seq, other id) is replaced by the server's version, and a message still
 * pending leaves the pending list as soon as its own entry arrives (it often comes before its ack):
 * it is shown once.
 */
export function mergeActivities(state: WidgetState, incoming: ChatActivity[]): Partial<WidgetState> {
  const bySeq = new Map(state.activities.map((a) => [a.seq, a]));
  let changed = false;
  for (const activity of incoming) {
    if (bySeq.get(activity.seq)?.id === activity.id) continue;
    bySeq.set(activity.seq, activity);
    changed = true;
  }
  const arrived = new Set(incoming.flatMap((a) => (a.from === 'customer' && a.clientId ? [a.clientId] : [])));
  const pending = state.pending.filter((p) => !arrived.has(p.clientId));
  const settled = pending.length < state.pending.length ? { pending } : {};
  if (!changed) return settled;
  const activities = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const replied = incoming.some((a) => a.from === 'bot' || a.from === 'agent');
  return { activities, ...settled, ...(replied ? { typing: null } : {}) };
}

/** Applies a message's ack: the message leaves the pending list and takes its place in the transcript. */
export function applyAck(state: WidgetState, clientId: string, ack: MessageAck, now: Date): Partial<WidgetState> {
  const message = state.pending.find((p) => p.clientId === clientId);
  if (!message) return {}; // a late ack for a message already settled
  if (!ack.ok) {
    return { pending: state.pending.map((p) => (p === message ? { ...p, status: 'failed' } : p)) };
  }
  const pending = state.pending.filter((p) => p !== message);
  if (state.activities.some((a) => a.seq === ack.seq)) return { pending };
  const standIn: ChatActivity = { seq: ack.seq, id: `local:${clientId}`, from: 'customer', text: message.text, timestamp: now.toISOString() };
  return { pending, ...mergeActivities(state, [standIn]) };
}

export function addPending(state: WidgetState, message: PendingMessage): Partial<WidgetState> {
  return { pending: [...state.pending, message], notices: [] };
}

export function retryPending(state: WidgetState, clientId: string): Partial<WidgetState> {
  return { pending: state.pending.map((p) => (p.clientId === clientId ? { ...p, status: 'sending' } : p)) };
}

/**
 * Buttons and forms of a bot message stay usable until the customer answers, by any means: a later
 * customer message, or one being sent; or until an advisor or the system speaks after it (a hand-off
 * began: the bot's question no longer stands). Activities up to the returned seq are answered.
 */
export function answeredThrough(state: WidgetState): number {
  if (state.pending.some((p) => p.status === 'sending')) return Infinity;
  for (let i = state.activities.length - 1; i >= 0; i--) {
    const activity = state.activities[i]!;
    if (activity.from === 'customer') return activity.seq;
    if (activity.from === 'agent' || activity.from === 'system') return activity.seq - 1;
  }
  return 0;
}

const appointmentOf = (attachment: Attachment): AppointmentContent | null =>
  attachment.contentType === 'application/vnd.rendezvous.appointment+json' ? attachment.content : null;

/** The newest card of each appointment: staff confirming, moving or cancelling it supersedes the cards shown before. */
export function latestAppointmentCards(activities: readonly ChatActivity[]): Map<string, AppointmentContent> {
  const latest = new Map<string, AppointmentContent>();
  for (const activity of activities) {
    for (const attachment of activity.attachments ?? []) {
      const card = appointmentOf(attachment);
      if (card?.appointmentId) latest.set(card.appointmentId, card);
    }
  }
  return latest;
}

/** The newer cards that replace this activity's own (none: an empty list), in attachment order. */
export function supersedingCards(activity: ChatActivity, latest: ReadonlyMap<string, AppointmentContent>): AppointmentContent[] {
  return (activity.attachments ?? []).flatMap((attachment) => {
    const card = appointmentOf(attachment);
    const newer = card?.appointmentId ? latest.get(card.appointmentId) : undefined;
    return newer && newer !== card ? [newer] : [];
  });
}

/** The activity as shown now: each appointment card as its newest version. */
export function withLatestCards(activity: ChatActivity, latest: ReadonlyMap<string, AppointmentContent>): ChatActivity {
  if (supersedingCards(activity, latest).length === 0) return activity;
  return {
    ...activity,
    attachments: (activity.attachments ?? []).map((attachment): Attachment => {
      const card = appointmentOf(attachment);
      const newer = card?.appointmentId ? latest.get(card.appointmentId) : undefined;
      return newer ? { contentType: 'application/vnd.rendezvous.appointment+json', content: newer } : attachment;
    }),
  };
}
