import type { TurnContext } from 'botbuilder-core';
import type { Database } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import type { Locale } from '../models/catalogue.repository.ts';
import type { OtpService } from '../notifications/otp.ts';
import type { SignedLinks } from '../notifications/signed-links.ts';
import type { BookingEventSink } from '../scheduling/booking-events.ts';
import { targetKey, type VerificationTarget } from './contact-details.ts';

/** What the dialogs call when a customer asks for a person outside an appointment. */
export interface PersonRequester {
  requestPerson(conversationId: string): Promise<{ status: 'queued'; position: number } | { status: 'unavailable' }>;
}

/** What the dialogs need from the outside world; the clock is injected so tests choose the date. */
export interface DialogDeps {
  db: Database;
  now: () => Date;
  otp: OtpService;
  links: SignedLinks;
  /** Told of every booking, move and cancellation made in the chat (confirmation messages, reminders). */
  events?: BookingEventSink | undefined;
  /** Live agents: a customer asking for a person joins their queue when someone is online. */
  person?: PersonRequester | undefined;
}

/** What a conversation remembers besides its dialog stack (stored with it, JSON only). */
export interface SessionState {
  /** The language the bot speaks; the customer may switch it. */
  locale?: Locale;
  /** The last language the widget announced: a change there wins over an earlier switch. */
  widgetLocale?: Locale;
  timeZone?: string;
  /** Addresses proven with a code in this conversation, newest last: not asked for again. */
  verifiedContacts?: VerificationTarget[];
}

/** Who the bot is talking to this turn, set by the bot class before any dialog runs. */
export interface TurnScope {
  brand: Brand;
  conversationId: string;
  /** The customer's IANA time zone: every time is shown in it. */
  timeZone: string;
  locale: Locale;
  session: SessionState;
  /** The channel the customer writes on (from the activity). */
  channel: ChatChannel;
  /** The customer's phone (E.164) when the channel proves it (SMS, WhatsApp): no code is needed for it. */
  phone: string | null;
}

export type ChatChannel = 'web' | 'sms' | 'whatsapp';

const SCOPE = Symbol('rendezvous.turnScope');

export function setTurnScope(context: TurnContext, scope: TurnScope): void {
  context.turnState.set(SCOPE, scope);
}

export function turnScope(context: TurnContext): TurnScope {
  const scope: TurnScope | undefined = context.turnState.get(SCOPE);
  if (!scope) throw new Error('The bot sets the turn scope before running a dialog.');
  return scope;
}

/** From now on every message, including re-prompts, is rendered in this language. */
export function switchLanguage(context: TurnContext, locale: Locale): void {
  const scope = turnScope(context);
  scope.locale = locale;
  scope.session.locale = locale;
}

/** Remembers that the customer proved this address here (a later "change my appointment" uses it). */
export function rememberVerified(context: TurnContext, target: VerificationTarget): void {
  const session = turnScope(context).session;
  const others = (session.verifiedContacts ?? []).filter((t) => targetKey(t) !== targetKey(target));
  session.verifiedContacts = [...others, { channel: target.channel, to: target.to }];
}

/** The address proven last in this conversation, if any. */
export const lastVerified = (context: TurnContext): VerificationTarget | undefined => turnScope(context).session.verifiedContacts?.at(-1);
