import type { Locale } from '../../models/catalogue.repository.ts';
import type { PhoneChannel } from '../../models/phone-channels.repository.ts';
import type { WhatsAppContent } from '../../notifications/whatsapp-content.ts';
import { gsmFriendly } from '../../notifications/gsm-text.ts';
import {
  APPOINTMENT, FORM, LOCATION, SLOTS,
  type AppointmentContent, type Attachment, type FormContent, type SlotsContent, type SuggestedAction,
} from '../web-protocol.ts';

/**
 * The dialogs' channel-neutral content (text, quick replies, slot lists, forms, cards) as a phone
 * shows it. SMS: a numbered list ("Reply 1-4"), plain GSM-7 text. WhatsApp inside the 24-hour
 * window: quick-reply buttons (≤ 3, titles ≤ 20 characters) or a list picker (≤ 10 rows, ≤ 24
 * characters) through the Content API, else the same numbered text. Each option's number is its
 * id, so a typed "2" and a tapped button (ButtonPayload "2") mean the same answer.
 */

/** One answer the customer can give by number (or by its label, or a tap). */
export interface PhoneOption {
  label: string;
  /** A numbered text list shows options under their group (a slot's day) by their short label (its time). */
  group?: string;
  short?: string;
  /** What the dialogs receive: the text and the structured value the web widget would send. */
  text: string;
  value?: Record<string, unknown>;
}

/** WhatsApp interactive content, created through the Content API at send time. */
export type PhoneRich = Exclude<WhatsAppContent, { type: 'template' }>;

export interface PhoneMessage {
  text: string;
  rich: PhoneRich | null;
}

/** What of a transcript entry the phone shows (its `content` as the web chat stores it). */
export interface EntryContent {
  text: string;
  content: Record<string, unknown>;
  sender?: string;
  senderName?: string | null;
}

const WORDS = {
  en: {
    reply: (n: number) => (n === 1 ? 'Reply 1.' : `Reply with a number (1-${n}).`),
    orType: 'or type a day or time',
    earlier: 'Earlier times',
    later: 'Later times',
    choose: 'Choose',
    contact: 'Reply with your name, and your email if you want the confirmation by email too (I will send a code there to check it). Your phone number is this one: no code needed.',
    code: 'Reply with the code.',
    address: 'Reply with the address: number and street, postcode and city.',
    location: 'Reply with a postcode or a city.',
    locationWhatsapp: 'Reply with a postcode or a city, or share a location.',
    notThis: "Don't book",
  },
  fr: {
    reply: (n: number) => (n === 1 ? 'Répondez 1.' : `Répondez par un numéro (1-${n}).`),
    orType: 'ou écrivez un jour ou une heure',
    earlier: 'Horaires plus tôt',
    later: 'Horaires plus tard',
    choose: 'Choisir',
    contact: "Répondez avec votre nom, et votre e-mail si vous voulez aussi la confirmation par e-mail (j'y enverrai un code pour le vérifier). Votre numéro est celui-ci : pas besoin de code.",
    code: 'Répondez avec le code.',
    address: "Répondez avec l'adresse : numéro et rue, code postal et ville.",
    location: 'Répondez avec un code postal ou une ville.',
    locationWhatsapp: 'Répondez avec un code postal ou une ville, ou partagez une position.',
    notThis: 'Ne pas réserver',
  },
} as const;

/**
 * Twilio turns a message that is just one of these words into an opt-out: a choice never carries
 * one of them as its label (the customer answers by number; "Annuler" is fine).
 */
const OPT_OUT_WORDS = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit']);
export const isOptOutWord = (text: string) => OPT_OUT_WORDS.has(text.trim().toLowerCase());

const attachmentsOf = (c: EntryContent) => (Array.isArray(c.content['attachments']) ? (c.content['attachments'] as Attachment[]) : []);
const actionsOf = (c: EntryContent) => (Array.isArray(c.content['suggestedActions']) ? (c.content['suggestedActions'] as SuggestedAction[]) : []);

/** The answers an entry offers, numbered from 1 in this order: slots, paging, quick replies, form buttons. */
export function phoneOptions(entry: EntryContent, locale: Locale): PhoneOption[] {
  const w = WORDS[locale];
  const options: PhoneOption[] = [];
  for (const a of attachmentsOf(entry)) {
    if (a.contentType === SLOTS) {
      const slots: SlotsContent = a.content;
      for (const day of slots.days) {
        for (const slot of day.slots) {
          const label = `${day.label} ${slot.label}`;
          options.push({ label, group: day.label, short: slot.label, text: label, value: { action: 'slot', start: slot.start } });
        }
      }
      if (slots.earlier) options.push({ label: w.earlier, text: w.earlier, value: { action: 'earlier' } });
      if (slots.later) options.push({ label: w.later, text: w.later, value: { action: 'later' } });
    } else if (a.contentType === FORM) {
      for (const action of (a.content as FormContent).actions ?? []) options.push({ label: action.title, text: action.title, value: { action: action.action } });
    }
  }
  for (const action of actionsOf(entry)) {
    options.push({ label: isOptOutWord(action.title) ? w.notThis : action.title, text: action.value, value: { choice: action.value } });
  }
  return options;
}

/** Whether the entry asks a question (the latest such bot entry holds the numbers the customer answers). */
export const asksSomething = (entry: EntryContent) => actionsOf(entry).length > 0 || attachmentsOf(entry).some((a) => a.contentType !== APPOINTMENT);

/** What the phone shows besides the options: instructions for forms, a card's lines and links. */
function extraLines(entry: EntryContent, channel: PhoneChannel, locale: Locale): string[] {
  const w = WORDS[locale];
  const lines: string[] = [];
  for (const a of attachmentsOf(entry)) {
    if (a.contentType === FORM) {
      const form = (a.content as FormContent).form;
      lines.push(form === 'contact' ? w.contact : form === 'code' ? w.code : w.address);
    } else if (a.contentType === LOCATION) {
      lines.push(channel === 'whatsapp' ? w.locationWhatsapp : w.location);
    } else if (a.contentType === APPOINTMENT) {
      const card: AppointmentContent = a.content;
      lines.push(card.title, ...card.lines, ...card.links.map((l) => `${l.label}: ${l.url}`));
    }
  }
  return lines;
}

const hasSlots = (entry: EntryContent) => attachmentsOf(entry).some((a) => a.contentType === SLOTS);
const fits = (text: string, max: number) => [...text].length <= max;
const cut = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join('')}…`);

/** One bot entry as a phone message; `interactive`: WhatsApp inside the 24-hour window. */
export function renderForPhone(entry: EntryContent, channel: PhoneChannel, locale: Locale, interactive: boolean): PhoneMessage {
  const w = WORDS[locale];
  const options = phoneOptions(entry, locale);
  // A live agent signs their messages: the phone shows no name otherwise.
  const said = entry.sender === 'agent' && entry.senderName ? `${entry.senderName}: ${entry.text}` : entry.text;
  const body = [said, ...extraLines(entry, channel, locale)].filter((l) => l.trim() !== '').join('\n');
  if (channel === 'whatsapp' && interactive && options.length > 0) {
    if (options.length <= 3 && options.every((o) => fits(o.label, 20))) {
      return { text: body, rich: { type: 'twilio/quick-reply', body, actions: options.map((o, i) => ({ id: String(i + 1), title: o.label })) } };
    }
    if (options.length <= 10) {
      const items = options.map((o, i) => ({ id: String(i + 1), item: cut(o.label, 24), ...(fits(o.label, 24) ? {} : { description: cut(o.label, 72) }) }));
      return { text: body, rich: { type: 'twilio/list-picker', body, button: w.choose, items } };
    }
  }
  const list: string[] = [];
  options.forEach((o, i) => {
    if (o.group !== undefined && o.group !== options[i - 1]?.group) list.push(o.group);
    list.push(`${i + 1}. ${o.group !== undefined ? o.short ?? o.label : o.label}`);
  });
  const how = options.length === 0 ? [] : [hasSlots(entry) ? `${w.reply(options.length).replace(/\.$/, '')}, ${w.orType}.` : w.reply(options.length)];
  const text = [body, ...list, ...how].filter((l) => l !== '').join('\n');
  return { text: channel === 'sms' ? gsmFriendly(text) : text, rich: null };
}

/**
 * The customer's answer read against the options of the question they are answering: a tapped
 * button (its id), the number, or an option's label; anything else is passed on as free text.
 */
export function answerFromPhone(text: string, buttonPayload: string | undefined, options: readonly PhoneOption[]): { text: string; value?: Record<string, unknown> } {
  const byNumber = (n: string) => (/^\d{1,2}$/.test(n) ? options[Number(n) - 1] : undefined);
  const typed = text.trim().replace(/[.)]$/, '');
  const picked = (buttonPayload ? byNumber(buttonPayload.trim()) : undefined)
    ?? byNumber(typed)
    ?? options.find((o) => o.label.toLowerCase() === typed.toLowerCase());
  if (!picked) return { text: text.trim() };
  return { text: picked.text, ...(picked.value ? { value: picked.value } : {}) };
}
