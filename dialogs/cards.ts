import {
  APPOINTMENT, FORM, LOCATION, PIN, SLOTS,
  type AppointmentContent, type Attachment, type FormContent, type SlotsContent,
} from './card-content.ts';
import type { Locale } from '../models/catalogue.repository.ts';
import { factLines, type AppointmentFacts } from './appointment-facts.ts';
import { formatDay, localDateAndTime } from './formatting.ts';
import { renderLine, type Audience } from './lines.ts';
import { t } from './messages.ts';
import type { LinkTarget, SignedLinks } from '../notifications/signed-links.ts';

/** The rich content a prompt carries, as stored in dialog state (no text: it is rendered per turn). */
export type CardSpec =
  | { kind: 'slots'; starts: string[]; earlier: boolean; later: boolean }
  | { kind: 'contact-form'; values: Partial<Record<'name' | 'email' | 'phone', string>> }
  | { kind: 'code-form' }
  | { kind: 'address-form'; values: Partial<Record<'street' | 'postcode' | 'city', string>> }
  | { kind: 'location' }
  | { kind: 'pin'; latitude: number; longitude: number };

/** Slots grouped by the customer's local day, in the order given (soonest first). */
export function slotsContent(starts: readonly string[], who: Audience, paging: { earlier: boolean; later: boolean }): SlotsContent {
  const days: SlotsContent['days'] = [];
  for (const start of starts) {
    const { date, time } = localDateAndTime(start, who.timeZone);
    let day = days.find((d) => d.date === date);
    if (!day) days.push((day = { date, label: formatDay(start, who.timeZone, who.locale), slots: [] }));
    day.slots.push({ start, label: time });
  }
  return { timeZone: who.timeZone, days, earlier: paging.earlier, later: paging.later };
}

const value = (v: string | undefined) => (v ? { value: v } : {});

function contactForm(values: Partial<Record<'name' | 'email' | 'phone', string>>, locale: Locale): FormContent {
  return {
    form: 'contact',
    title: t(locale, 'contact.title'),
    fields: [
      { name: 'name', label: t(locale, 'contact.name'), type: 'text', required: true, autocomplete: 'name', ...value(values.name) },
      // Neither is optional on its own: one of the two is needed.
      { name: 'email', label: t(locale, 'contact.email'), hint: t(locale, 'contact.emailHint'), type: 'email', required: false, autocomplete: 'email', ...value(values.email) },
      { name: 'phone', label: t(locale, 'contact.phone'), hint: t(locale, 'contact.phoneHint'), type: 'tel', required: false, autocomplete: 'tel', ...value(values.phone) },
    ],
    submitLabel: t(locale, 'contact.submit'),
  };
}

function codeForm(locale: Locale): FormContent {
  return {
    form: 'code',
    title: t(locale, 'verify.title'),
    fields: [{ name: 'code', label: t(locale, 'verify.field'), type: 'code', required: true, autocomplete: 'one-time-code' }],
    submitLabel: t(locale, 'verify.submit'),
    actions: [
      { title: t(locale, 'verify.resend'), action: 'resend' },
      { title: t(locale, 'verify.change'), action: 'change-contact' },
    ],
  };
}

function addressForm(values: Partial<Record<'street' | 'postcode' | 'city', string>>, locale: Locale): FormContent {
  return {
    form: 'address',
    title: t(locale, 'home.formTitle'),
    fields: [
      { name: 'street', label: t(locale, 'home.street'), type: 'text', required: true, autocomplete: 'street-address', ...value(values.street) },
      { name: 'postcode', label: t(locale, 'home.postcode'), type: 'text', required: true, autocomplete: 'postal-code', ...value(values.postcode) },
      { name: 'city', label: t(locale, 'home.city'), type: 'text', required: true, autocomplete: 'address-level2', ...value(values.city) },
    ],
    submitLabel: t(locale, 'contact.submit'),
  };
}

export function renderCard(card: CardSpec, who: Audience): Attachment {
  switch (card.kind) {
    case 'slots':
      return { contentType: SLOTS, content: slotsContent(card.starts, who, card) };
    case 'contact-form':
      return { contentType: FORM, content: contactForm(card.values, who.locale) };
    case 'code-form':
      return { contentType: FORM, content: codeForm(who.locale) };
    case 'address-form':
      return { contentType: FORM, content: addressForm(card.values, who.locale) };
    case 'location':
      return { contentType: LOCATION, content: { prompt: t(who.locale, 'store.locationPrompt'), buttonLabel: t(who.locale, 'store.locationButton') } };
    case 'pin':
      return { contentType: PIN, content: { latitude: card.latitude, longitude: card.longitude } };
  }
}

/**
 * The appointment as a card: its facts in the customer's zone, and with `links` (not for a
 * cancelled one) the .ics and manage links, and Join for a video call: at the time it brings the
 * customer back to this conversation and their advisor.
 */
export function appointmentCard(
  appointmentId: string,
  facts: AppointmentFacts,
  status: AppointmentContent['status'],
  links: { signed: SignedLinks; appointment: LinkTarget } | null,
  who: Audience,
): Attachment {
  const content: AppointmentContent = {
    appointmentId,
    title: facts.service[who.locale],
    status,
    lines: factLines(facts, who.timeZone).slice(1).map((l) => renderLine(l, who)),
    links: [],
  };
  if (links) {
    const actions = [...(facts.mode === 'online' ? (['join'] as const) : []), 'calendar', 'manage'] as const;
    content.links = actions.map((action) => ({ label: t(who.locale, `card.${action}`), url: links.signed.url(action, links.appointment) }));
  }
  return { contentType: APPOINTMENT, content };
}
