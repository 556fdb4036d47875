import type { Activity } from 'botbuilder-core';
import type { Logger } from 'pino';
import type { Database } from '../../models/database.ts';
import { appendEntry, entriesBefore, findConversation, type Conversation, type TranscriptEntry } from '../../models/conversations.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import { findBrand } from '../../models/brands.repository.ts';
import {
  createPhoneConversation, findPhoneContact, findPhoneConversation, parsePhoneAddress, pendingInbound, pendingInboundPairs, setOptOut,
  settleInbound, touchPhoneContact,
  type InboundMessage, type PhoneChannel,
} from '../../models/phone-channels.repository.ts';
import type { CustomerInbox, ChannelTurns } from '../customer-inbox.ts';
import type { HandoffRouter } from '../handoff/handoff-router.ts';
import { TurnQueue } from '../turn-queue.ts';
import type { TurnLogic } from '../conversation-adapter.ts';
import { PhoneChatAdapter } from './phone-chat.adapter.ts';
import type { PhoneOutbound, PhoneTurn } from './phone-outbound.ts';
import { answerFromPhone, asksSomething, phoneOptions } from './phone-rendering.ts';
import { languageOf } from '../../dialogs/understanding.ts';

export interface PhoneChannelDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  inbox: CustomerInbox;
  bot: TurnLogic;
  outbound: PhoneOutbound;
  handoff?: HandoffRouter | undefined;
  /** How often messages left unprocessed (a crash, a failed turn) are looked for again; default 30 s. */
  recoverEverySeconds?: number;
}

/** Twilio's default opt-out words, and ARRET for French SMS; START/UNSTOP opt back in. */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'ARRÊT']);
const OPT_IN = new Set(['START', 'UNSTOP']);
/** How far back the question being answered is looked for (a question and its notices). */
const QUESTION_LOOKBACK = 8;
/** A failing message is tried again this many times (by the recovery sweep), then left as failed. */
const MAX_ATTEMPTS = 3;

async function optOutChange(params: Record<string, string>, optedOut: () => Promise<boolean>): Promise<{ optedOut: boolean; keyword: string } | null> {
  const type = (params['OptOutType'] ?? '').toUpperCase();
  const body = (params['Body'] ?? '').trim().toUpperCase();
  if (type === 'STOP' || OPT_OUT.has(body)) return { optedOut: true, keyword: type === 'STOP' ? body || 'STOP' : body };
  // YES opts back in only when opted out (Twilio's rule); otherwise it is an answer to the bot.
  if (type === 'START' || OPT_IN.has(body) || (body === 'YES' && await optedOut())) return { optedOut: false, keyword: body || 'START' };
  return null;
}

/**
 * A new phone conversation speaks the language its first message is clearly written in; else French
 * to a French number, else the brand's language.
 */
const firstLocale = (firstMessage: string, phone: string, brandLocale: Locale): Locale =>
  languageOf(firstMessage) ?? (phone.startsWith('+33') ? 'fr' : brandLocale);

/**
 * SMS and WhatsApp as chat channels: runs the turns of stored inbound messages (the durable queue
 * the webhook fills) one at a time per (brand number, customer number), in arrival order, through
 * the shared inbound pipeline, and sends what the bot and agents say to the phone.
 */
export function createPhoneChannel(deps: PhoneChannelDeps) {
  const { db, logger, now, inbox, handoff, outbound } = deps;
  /** Conversations in a turn started by an inbound message, with the number it came to (replies go from there). */
  const inTurn = new Map<string, PhoneTurn>();
  const adapter = new PhoneChatAdapter(db, {
    async deliver(conversationId, entry, locale) {
      handoff?.publish(conversationId, entry);
      await outbound.deliver(inTurn.get(conversationId) ?? conversationId, entry, locale);
    },
  });
  const turns: ChannelTurns = {
    botTurn: (conversation, activity) => adapter.processIncoming(conversation, activity, deps.bot),
    publish: (conversationId, entry) => handoff?.publish(conversationId, entry),
  };
  inbox.register(['sms', 'whatsapp'], turns);
  // What live agents say (and the hand-off's own notices) reach the phone too.
  handoff?.bindRelay((conversationId, entry) => {
    void (async () => {
      const conversation = await findConversation(db, conversationId);
      if (conversation && conversation.channel !== 'web') await outbound.deliver(conversationId, entry, conversation.locale);
    })().catch((err) => logger.error({ err, conversationId }, 'relay to phone failed'));
  });

  const pairs = new TurnQueue();

  /** The question the customer answers: the latest bot entry that asked one. */
  async function lastQuestion(conversation: Conversation): Promise<TranscriptEntry | null> {
    for (const entry of await entriesBefore(db, conversation.id, conversation.lastSeq + 1, QUESTION_LOOKBACK)) {
      if (entry.sender === 'bot' && asksSomething(entry)) return entry;
      if (entry.sender === 'agent') return null;
    }
    return null;
  }

  async function note(conversation: Conversation, text: string): Promise<void> {
    const { entry } = await appendEntry(db, conversation.id, { sender: 'system', text, content: { internal: true } });
    handoff?.publish(conversation.id, entry);
  }

  async function newConversation(brandId: string, channel: PhoneChannel, phone: string, firstMessage: string): Promise<Conversation> {
    const brand = await findBrand(db, brandId);
    if (!brand) throw new Error('inbound message for an unknown brand');
    return createPhoneConversation(db, brandId, channel, phone, firstLocale(firstMessage, phone, brand.defaultLocale));
  }

  async function process(m: InboundMessage): Promise<string | null> {
    const customer = parsePhoneAddress(m.fromAddress);
    if (!customer || customer.channel !== m.channel) throw new Error('inbound message with a malformed sender');
    const channel: PhoneChannel = m.channel;
    // The customer wrote: WhatsApp's 24-hour window opens again.
    if (channel === 'whatsapp') await touchPhoneContact(db, m.brandId, channel, customer.phone, now());
    const conversation = await findPhoneConversation(db, m.brandId, channel, customer.phone) ?? await newConversation(m.brandId, channel, customer.phone, m.params['Body'] ?? '');
    const change = await optOutChange(m.params, async () => !!(await findPhoneContact(db, m.brandId, channel, customer.phone))?.optedOutAt);
    if (change) {
      await setOptOut(db, m.brandId, channel, customer.phone, change.optedOut, change.keyword, now());
      await appendEntry(db, conversation.id, { sender: 'customer', text: m.params['Body'] ?? change.keyword, clientId: m.messageSid });
      await note(conversation, change.optedOut
        ? `The customer opted out of ${channel} (${change.keyword}): nothing more is sent to this number until they send START.`
        : `The customer opted back in to ${channel} (${change.keyword}).`);
      return conversation.id;
    }
    const question = await lastQuestion(conversation);
    const body = m.params['Body'] ?? '';
    let answer = answerFromPhone(body, m.params['ButtonPayload'], question ? phoneOptions(question, conversation.locale) : []);
    const latitude = Number(m.params['Latitude']);
    const longitude = Number(m.params['Longitude']);
    if (m.params['Latitude'] !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude)) {
      answer = { text: body, value: { action: 'location', latitude, longitude } };
    }
    inTurn.set(conversation.id, { conversation, sender: m.toAddress });
    try {
      const received = await inbox.receiveCustomerMessage(
        conversation,
        { clientId: m.messageSid, text: body || answer.text, value: answer.value, content: { channel } },
        turns,
        { redeliver: true },
      );
      await received.turn;
    } finally {
      inTurn.delete(conversation.id);
    }
    return conversation.id;
  }

  /**
   * Processes the stored messages of one pair, oldest first; a failure is retried later (up to
   * MAX_ATTEMPTS). A message stored meanwhile has its own drain queued behind this one.
   */
  async function drain(toAddress: string, fromAddress: string): Promise<void> {
    for (const m of await pendingInbound(db, toAddress, fromAddress)) {
      try {
        const conversationId = await process(m);
        await settleInbound(db, m.seq, { status: 'processed', conversationId }, now());
      } catch (err) {
        logger.error({ err, messageSid: m.messageSid }, 'inbound message failed');
        const status = m.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'received';
        await settleInbound(db, m.seq, { status, error: err instanceof Error ? err.message : String(err) }, now());
        if (status === 'received') return; // keeps the order: the next ones wait for the retry
      }
    }
  }

  const kick = (toAddress: string, fromAddress: string) =>
    pairs.run(`${toAddress}|${fromAddress}`, () => drain(toAddress, fromAddress)).catch((err) => logger.error({ err }, 'inbound queue failed'));

  /** Messages stored but not processed (the server stopped, a turn failed): run them now. */
  async function recover(): Promise<void> {
    for (const pair of await pendingInboundPairs(db)) void kick(pair.toAddress, pair.fromAddress);
  }

  let timer: NodeJS.Timeout | null = null;
  return {
    adapter,
    /** A message the webhook stored: its turn runs after those before it from the same phone. */
    received: (toAddress: string, fromAddress: string) => void kick(toAddress, fromAddress),
    start() {
      void recover().catch((err) => logger.error({ err }, 'inbound recovery failed'));
      timer = setInterval(() => void recover().catch((err) => logger.error({ err }, 'inbound recovery failed')), (deps.recoverEverySeconds ?? 30) * 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await pairs.drain();
    },
    /** Runs a bot turn that no customer message started (tests, proactive messages). */
    runTurn: (conversation: Conversation, activity: Partial<Activity>) => inbox.runTurn(conversation, activity, turns),
  };
}

export type PhoneChannelService = ReturnType<typeof createPhoneChannel>;
