import { STATE_LABELS, formatDateTime, formatUtc } from '../../format.ts';
import type { HistoryEntry } from '../../types.ts';
import { el, empty } from '../dom.ts';
import { statusChip } from './status-chip.ts';

const ACTOR_KINDS: Record<HistoryEntry['actor']['kind'], string> = { staff: 'staff', api: 'integration', customer: 'customer', system: 'automatic' };

/** The status history, newest first (as the API sends it), with who changed it and why. */
export function renderHistory(history: HistoryEntry[], zone: string): HTMLElement {
  if (history.length === 0) return empty('No changes yet.');
  return el('ol', { class: 'history' }, ...history.map((h) => {
    const to = statusChip({ state: h.toState, status: h.toStatus });
    const from = h.fromState === null
      ? null
      : h.fromStatus?.name ?? STATE_LABELS[h.fromState];
    const what = h.fromState === null ? 'Created as' : from && from !== (h.toStatus?.name ?? STATE_LABELS[h.toState]) ? `${from} →` : 'Updated:';
    return el('li', { class: 'history-entry' },
      el('div', { class: 'history-line' },
        el('span', { class: 'history-what' }, what, ' '), to),
      el('p', { class: 'history-meta' },
        el('time', { datetime: h.at, title: formatUtc(h.at) }, formatDateTime(h.at, zone)),
        ' · by ', el('strong', { class: 'history-actor' }, h.actor.name),
        el('span', { class: 'muted' }, ` (${ACTOR_KINDS[h.actor.kind]})`)),
      h.reason ? el('p', { class: 'history-reason' }, el('span', { class: 'muted' }, 'Reason: '), h.reason) : null);
  }));
}
