import { KIND_LABELS, STATE_COLORS, STATE_LABELS, safeColor } from '../../format.ts';
import type { AppointmentState, StatusRef } from '../../types.ts';
import { el } from '../dom.ts';

/**
 * The colour chip of an appointment's status: the workflow status's own colour and name when the
 * service has a workflow, else the state's. The colour is a dot and a tint; the text stays dark
 * enough to read whatever colour was picked.
 */
export function statusChip(appointment: { state: AppointmentState; status: StatusRef | null }): HTMLElement {
  const status = appointment.status;
  const name = status?.name ?? STATE_LABELS[appointment.state];
  const color = safeColor(status?.color) ?? STATE_COLORS[appointment.state];
  const chip = el('span', {
    class: `chip chip-${appointment.state}`,
    title: status?.kind ? `${name} — ${KIND_LABELS[status.kind]} (${STATE_LABELS[appointment.state].toLowerCase()})` : name,
    'data-state': appointment.state,
  }, el('span', { class: 'chip-dot', 'aria-hidden': 'true' }), name);
  chip.style.setProperty('--chip-color', color);
  return chip;
}

/** A colour swatch for a workflow status (settings, status picker). */
export function swatch(color: string): HTMLElement {
  const s = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.setProperty('--chip-color', safeColor(color) ?? '#607d8b');
  return s;
}

/** A small "Verified" / "Not verified" badge. */
export function verifiedBadge(verified: boolean): HTMLElement {
  return el('span', { class: `badge ${verified ? 'badge-ok' : 'badge-muted'}` }, verified ? '✓ Verified' : 'Not verified');
}
