import type { ChatActivity, MessageAck } from '../../bot/web-protocol.ts';
import type { PendingMessage, WidgetState } from './store.ts';

/** State changes of the transcript, as pure functions of the state. */

export function lastSeq(state: WidgetState): number {
  return state.activities.at(-1)?.seq ?? 0;
}

/**
 * Adds server activities, deduplicated by seq (replays overlap what we hold). A local stand-in for an
 * acknowledged message (same seq, other id) is replaced by the server's version.
 */
export function mergeActivities(state: WidgetState, incoming: ChatActivity[]): Partial<WidgetState> {
  const bySeq = new Map(state.activities.map((a) => [a.seq, a]));
  let changed = false;
  for (const activity of incoming) {
    if (bySeq.get(activity.seq)?.id === activity.id) continue;
    bySeq.set(activity.seq, activity);
    changed = true;
  }
  if (!changed) return {};
  const activities = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const replied = incoming.some((a) => a.from === 'bot' || a.from === 'agent');
  return { activities, ...(replied ? { typing: null } : {}) };
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
