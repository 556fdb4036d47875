import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder-core';
import type { Dialog } from 'botbuilder-dialogs';
import { RendezvousBot } from '../../bot/rendezvous-bot.ts';
import { APPOINTMENT, FORM, SLOTS, type AppointmentContent, type FormContent, type SlotsContent } from '../../bot/web-protocol.ts';
import { warmUpDateUnderstanding } from '../../dialogs/date-understanding.ts';
import { findBrand } from '../../models/brands.repository.ts';
import { findService, findStore, type Mode } from '../../models/catalogue.repository.ts';
import type { Database } from '../../models/database.ts';
import { seedDemo } from '../../models/seed.ts';
import { createOtpService } from '../../notifications/otp.ts';
import { listOutbox, localOutboxTransport } from '../../notifications/outbox.transport.ts';
import { createSignedLinks } from '../../notifications/signed-links.ts';
import { bookAppointment } from '../../scheduling/booking.ts';
import { openTestDatabase } from './databases.ts';
import { testClock } from './server.ts';

/** French no-break spaces read as plain ones: transcript checks are about what is said; typography has tests of its own. */
export const plainSpaces = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

/** Monday 1 March 2027, 08:00 in Paris: "now" at the start of every bot test. */
export const MONDAY_8AM_PARIS = '2027-03-01T07:00:00Z';

/**
 * One test file's bot: a seeded PGlite database shared by its tests, each test starting at Monday
 * 08:00 in Paris with no bookings, and failing if a turn had to be apologised for.
 */
export function botSuite(name: string) {
  const clock = testClock(MONDAY_8AM_PARIS);
  let conversations = 0;
  let ready: { db: Database; bot: RendezvousBot; errors: Record<string, unknown>[] } | undefined;
  const need = () => {
    if (!ready) throw new Error('the bot suite is used before its beforeAll ran');
    return ready;
  };
  beforeAll(async () => {
    const db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: [] });
    ready = { db, ...testBot(db, clock.now) };
    // Building the date recognizers takes seconds: once, here, not inside a test's time.
    warmUpDateUnderstanding();
  }, 120_000);
  afterAll(() => need().db.close());
  beforeEach(async () => {
    clock.set(MONDAY_8AM_PARIS);
    await resetBookings(need().db);
    need().errors.length = 0;
  });
  afterEach(() => expect(need().errors).toEqual([]));
  return {
    clock,
    get db() { return need().db; },
    get bot() { return need().bot; },
    get errors() { return need().errors; },
    chat: (options: ChatOptions = {}) => new Chat(need().bot, `${name}-${++conversations}`, options),
  };
}

/**
 * The bot over a real database, the real OTP service writing to the outbox, and signed links; what
 * it logs (a failed turn, a question asked again after a deploy) lands in `errors`.
 */
export function testBot(
  db: Database,
  now: () => Date,
  options: { conversationState?: ConversationState; mainDialog?: Dialog } = {},
) {
  const errors: Record<string, unknown>[] = [];
  const bot = new RendezvousBot({
    conversationState: options.conversationState ?? new ConversationState(new MemoryStorage()),
    ...(options.mainDialog ? { mainDialog: options.mainDialog } : {}),
    deps: {
      db,
      now,
      otp: createOtpService({ db, now, transport: localOutboxTransport(db, now), secret: 'test-otp-secret-0123456789' }),
      links: createSignedLinks({ baseUrl: 'https://book.example', secret: 'test-links-secret', now }),
    },
    logger: { error: (details) => void errors.push(details), warn: (details) => void errors.push(details) },
  });
  return { bot, errors };
}

/** Each test starts from the seeded catalogue alone: no customers, holds, bookings, codes or messages. */
export async function resetBookings(db: Database): Promise<void> {
  await db.query('TRUNCATE slot_claims, holds, appointment_status_history, appointments, customers, otp_codes, messages CASCADE');
}

/** What the bot answered to one message. */
export class BotTurn {
  constructor(readonly replies: Partial<Activity>[]) {}

  get text(): string {
    return this.replies.map((r) => r.text ?? '').filter(Boolean).join('\n');
  }

  /** The quick replies offered last. */
  get actions(): string[] {
    const offering = [...this.replies].reverse().find((r) => r.suggestedActions);
    return offering?.suggestedActions?.actions.map((a) => String(a.title)) ?? [];
  }

  content<T>(contentType: string): T | undefined {
    for (const reply of [...this.replies].reverse()) {
      const found = reply.attachments?.find((a) => a.contentType === contentType);
      if (found) return found.content as T;
    }
    return undefined;
  }

  get slots(): SlotsContent | undefined { return this.content<SlotsContent>(SLOTS); }
  get form(): FormContent | undefined { return this.content<FormContent>(FORM); }
  get appointment(): AppointmentContent | undefined { return this.content<AppointmentContent>(APPOINTMENT); }

  /** The start of a shown slot, named by the beginning of its day label and its time ("Tuesday", "15:30"). */
  slot(dayLabel: string, time: string): string {
    const day = this.slots?.days.find((d) => d.label.startsWith(dayLabel));
    const slot = day?.slots.find((s) => s.label === time);
    if (!slot) throw new Error(`no slot ${dayLabel} ${time} in ${JSON.stringify(this.slots?.days.map((d) => [d.label, d.slots.map((s) => s.label)]))}`);
    return slot.start;
  }
}

export type Move =
  | string
  | { click: string }
  | { slot: string }
  | { page: 'earlier' | 'later' }
  | { form: 'contact' | 'code' | 'address'; values: Record<string, string> }
  | { action: string }
  | { location: [number, number] };

/** What the widget tells the bot about the customer (brand 'demo' and Paris unless said otherwise). */
export interface ChatOptions {
  locale?: 'en' | 'fr';
  timeZone?: string;
  brandId?: string;
}

/** One customer's conversation with the bot, as the web widget would carry it. */
export class Chat {
  private readonly adapter: TestAdapter;
  last = new BotTurn([]);

  constructor(
    private readonly bot: RendezvousBot,
    readonly id: string,
    readonly options: ChatOptions = {},
  ) {
    this.adapter = new TestAdapter(TestAdapter.createConversation(id));
  }

  async send(activity: Partial<Activity>): Promise<BotTurn> {
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity(
      {
        type: 'message',
        text: '',
        channelData: { brandId: this.options.brandId ?? 'demo', timeZone: this.options.timeZone ?? 'Europe/Paris' },
        ...(this.options.locale ? { locale: this.options.locale } : {}),
        ...activity,
      },
      (context) => this.bot.run(context),
    );
    this.last = new BotTurn(this.adapter.activeQueue.splice(0));
    return this.last;
  }

  join(): Promise<BotTurn> {
    return this.send({ type: 'conversationUpdate', membersAdded: [{ id: 'user1', name: 'User1' }] });
  }

  /** Types, clicks a quick reply, picks a slot, pages, submits a form, presses a form button or shares a position. */
  do(move: Move): Promise<BotTurn> {
    if (typeof move === 'string') return this.send({ text: move });
    if ('click' in move) {
      if (!this.last.actions.includes(move.click)) throw new Error(`"${move.click}" is not offered: ${JSON.stringify(this.last.actions)}`);
      return this.send({ text: move.click, value: { choice: move.click } });
    }
    if ('slot' in move) return this.send({ text: move.slot, value: { action: 'slot', start: move.slot } });
    if ('page' in move) return this.send({ text: move.page, value: { action: move.page } });
    if ('form' in move) return this.send({ text: '', value: { action: 'form', form: move.form, values: move.values } });
    if ('action' in move) return this.send({ text: move.action, value: { action: move.action } });
    return this.send({ text: '', value: { action: 'location', latitude: move.location[0], longitude: move.location[1] } });
  }
}

/**
 * Rows of what the customer does and what the bot must say (a substring or a pattern); returns the
 * last answer. French no-break spaces (before "?", ":"…) read as spaces here: the typography has its own tests.
 */
export async function transcript(chat: Chat, rows: [Move, string | RegExp][]): Promise<BotTurn> {
  for (const [move, expected] of rows) {
    const turn = await chat.do(move);
    const said = plainSpaces(turn.text);
    if (typeof expected === 'string') {
      if (!said.includes(expected)) throw new Error(`after ${JSON.stringify(move)} expected "${expected}" in:\n${turn.text}`);
    } else if (!expected.test(said)) {
      throw new Error(`after ${JSON.stringify(move)} expected ${expected} in:\n${turn.text}`);
    }
  }
  return chat.last;
}

/** The newest code sent to an address, read back from the outbox like the customer would. */
export async function latestCode(db: Database, to: string): Promise<string> {
  const [message] = await listOutbox(db, { recipient: to, kind: 'otp' });
  const code = /\b(\d{6})\b/.exec(message?.text ?? '')?.[1];
  if (!code) throw new Error(`no code was sent to ${to}`);
  return code;
}

/** A booking made elsewhere (the API, another customer), straight through the domain. */
export async function bookDirectly(
  db: Database,
  now: () => Date,
  b: { service: string; mode?: Mode; store?: string; start: string; email?: string; phone?: string; name?: string },
) {
  const brand = await findBrand(db, 'demo');
  const service = await findService(db, 'demo', b.service);
  const store = b.store ? await findStore(db, 'demo', b.store) : null;
  if (!brand || !service) throw new Error('the demo brand is not seeded');
  const { appointment } = await bookAppointment({ db, now }, {
    brand,
    slot: { brand, service, mode: b.mode ?? 'in_store', store, home: null, start: new Date(b.start) },
    customer: { name: b.name ?? 'Grace Hopper', email: b.email ?? null, phone: b.phone ?? null, locale: 'en', timeZone: 'Europe/Paris' },
    customerTimeZone: 'Europe/Paris', notes: '', channel: 'api', conversationId: null, idempotencyKey: null,
    actor: { kind: 'api', label: 'test' },
  });
  return appointment;
}

/** The appointments booked in a conversation, with their customer. */
export function appointmentsOf(db: Database, chat: Chat) {
  return db.query<{
    start_at: Date; state: string; channel: string; customer_time_zone: string; mode: string; email: string | null; phone: string | null;
    locale: string; email_verified_at: Date | null; phone_verified_at: Date | null;
  }>(
    `SELECT a.start_at, a.state, a.channel, a.customer_time_zone, a.mode, c.email, c.phone, c.locale, c.email_verified_at, c.phone_verified_at
     FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE a.conversation_id = $1`,
    [chat.id],
  );
}

/** A showroom visit at Paris Opéra, Tuesday 2 March 15:30, up to the summary. */
export const TUESDAY_1530 = '2027-03-02T14:30:00.000Z';
export function showroomToSummary(chat: Chat): Promise<BotTurn> {
  return transcript(chat, [
    ['I would like to book a showroom visit', 'Which store would you like to visit?'],
    ['Paris Opéra', 'When would you like your appointment?'],
    ['tomorrow afternoon', 'Here are the available times.'],
    ['3:30pm', 'Shall I confirm it?'],
  ]);
}

/** The same, confirmed, contact given: the code has just been sent to `email`. */
export async function showroomToCode(chat: Chat, email: string): Promise<BotTurn> {
  await showroomToSummary(chat);
  return transcript(chat, [
    [{ click: 'Confirm' }, 'Please give your contact details.'],
    [{ form: 'contact', values: { name: 'Ada Lovelace', email, phone: '' } }, `I've sent a 6-digit code to ${email}.`],
  ]);
}
