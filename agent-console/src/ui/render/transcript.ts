import { formatTime, formatUtc, formatDate } from '../../format.ts';
import type { TranscriptEntry } from '../../types.ts';
import { el, empty } from '../dom.ts';

/** One chat entry for the transcript views: who, when, what (rich content summarised as text). */
export interface TranscriptLine {
  key: string;
  seq: number;
  sender: 'customer' | 'bot' | 'agent' | 'system';
  name: string | null;
  text: string;
  content: Record<string, unknown>;
  at: string;
}

export const fromEntry = (e: TranscriptEntry): TranscriptLine => ({
  key: `e${e.seq}`, seq: e.seq, sender: e.sender, name: e.senderName, text: e.text, content: e.content, at: e.at,
});

const SENDER_LABELS = { customer: 'Customer', bot: 'Assistant', agent: 'Agent', system: 'System' } as const;

const asArray = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
const asString = (v: unknown) => (typeof v === 'string' ? v : '');

/** The rich parts of an entry (slots, forms, appointment cards, quick replies), as short text lines. */
export function richSummary(content: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const attachment of asArray(content.attachments)) {
    const c = (attachment.content ?? {}) as Record<string, unknown>;
    switch (attachment.contentType) {
      case 'application/vnd.rendezvous.slots+json': {
        const days = asArray(c.days);
        const first = days.slice(0, 3).map((d) => `${asString(d.label) || asString(d.date)}: ${asArray(d.slots).map((s) => asString(s.label)).join(', ')}`);
        lines.push(`Offered times — ${first.join(' · ')}${days.length > 3 ? ' …' : ''}`);
        break;
      }
      case 'application/vnd.rendezvous.form+json':
        lines.push(`Form “${asString(c.title)}”: ${asArray(c.fields).map((f) => asString(f.label)).join(', ')}`);
        break;
      case 'application/vnd.rendezvous.location+json':
        lines.push(`Location request: ${asString(c.prompt)}`);
        break;
      case 'application/vnd.rendezvous.appointment+json':
        lines.push(`Appointment card: ${[asString(c.title), ...(Array.isArray(c.lines) ? c.lines.map(asString) : [])].filter(Boolean).join(' · ')}`);
        break;
      default:
        break;
    }
  }
  const actions = asArray(content.suggestedActions).map((a) => asString(a.title)).filter(Boolean);
  if (actions.length) lines.push(`Options: ${actions.join(' · ')}`);
  return lines;
}

/** One row of a transcript list: a day separator or a message, keyed for in-place updates. */
export interface TranscriptItem {
  key: string;
  /** Changes when the row must be drawn again. */
  sig: string;
  line: TranscriptLine | null;
  render: () => HTMLElement;
}

const SENDER_WHO = (line: TranscriptLine) => (line.sender === 'agent' && line.name ? line.name : SENDER_LABELS[line.sender]);

/** The rows of a transcript: a separator when the day changes, then each message. */
export function transcriptItems(lines: TranscriptLine[], zone?: string): TranscriptItem[] {
  let lastDay = '';
  const items: TranscriptItem[] = [];
  for (const line of lines) {
    const day = line.at ? formatDate(line.at, zone) : '';
    if (day && day !== lastDay) {
      lastDay = day;
      items.push({ key: `day:${day}`, sig: day, line: null, render: () => el('li', { class: 'transcript-day', role: 'presentation' }, el('span', {}, day)) });
    }
    const rich = richSummary(line.content);
    items.push({
      key: line.key,
      sig: JSON.stringify([line.sender, line.name, line.text, rich, line.at]),
      line,
      render: () => el('li', { class: `msg msg-${line.sender}`, 'data-seq': line.seq },
        el('div', { class: 'msg-meta' },
          el('span', { class: 'msg-who' }, SENDER_WHO(line)),
          line.at ? el('time', { datetime: line.at, title: formatUtc(line.at) }, formatTime(line.at, zone)) : null),
        line.text ? el('p', { class: 'msg-text' }, line.text) : null,
        ...rich.map((r) => el('p', { class: 'msg-rich' }, r))),
    });
  }
  return items;
}

/**
 * Brings a list to these items, reusing the rows that did not change: in a live region (role=log)
 * only what is new is announced. `after` runs on every row (in place updates such as read state).
 */
export function patchList(list: HTMLElement, items: TranscriptItem[], after?: (row: HTMLElement, item: TranscriptItem) => void): void {
  const byKey = new Map<string, HTMLElement>();
  for (const child of [...list.children] as HTMLElement[]) {
    if (child.dataset.key) byKey.set(child.dataset.key, child);
    else child.remove();
  }
  let previous: Element | null = null;
  for (const item of items) {
    let row = byKey.get(item.key);
    byKey.delete(item.key);
    if (!row || row.dataset.sig !== item.sig) {
      const fresh = item.render();
      fresh.dataset.key = item.key;
      fresh.dataset.sig = item.sig;
      if (row) row.replaceWith(fresh);
      row = fresh;
    }
    const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
    if (expected !== row) list.insertBefore(row, expected);
    after?.(row, item);
    previous = row;
  }
  for (const stale of byKey.values()) stale.remove();
}

/** A read-only transcript (appointment details). */
export function renderTranscript(lines: TranscriptLine[], o: { zone?: string; emptyText?: string } = {}): HTMLElement {
  if (lines.length === 0) return empty(o.emptyText ?? 'No messages.');
  const list = el('ol', { class: 'transcript' });
  patchList(list, transcriptItems(lines, o.zone));
  return list;
}
