import {
  ComponentDialog, TextPrompt, WaterfallDialog, type DialogTurnResult, type WaterfallStep, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { ConcurrencySafeConversationState, PostgresStorage } from '../bot/dialog-state.storage.ts';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';
import { MAIN_DIALOG } from '../dialogs/main.dialog.ts';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { Chat, MONDAY_8AM_PARIS, showroomToSummary, testBot, transcript } from './support/bot-chat.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';

type Field = 'name' | 'size' | 'colour';
type Answers = Partial<Record<Field, string>>;

const FORM = 'form';
const ASK = 'form.ask';

/**
 * One question of a form, written the usual waterfall way: it keeps the answer to the question the
 * step before asked, so it is only right at its own index.
 */
function askStep(field: Field, previous: Field | undefined): WaterfallStep<Answers> {
  const step = async (s: WaterfallStepContext<Answers>): Promise<DialogTurnResult> => {
    if (previous) s.options[previous] = s.result;
    const known = s.options[field];
    return known ? s.next(known) : s.prompt(ASK, `What is your ${field}?`);
  };
  return Object.defineProperty(step, 'name', { value: `${field}Step` });
}

class FormDialog extends ComponentDialog<Answers> {
  constructor(id: string, fields: Field[]) {
    super(id);
    const last = fields[fields.length - 1];
    this.addDialog(new WaterfallDialog<Answers>(`${id}.flow`, [
      ...fields.map((field, i) => askStep(field, fields[i - 1])),
      async function doneStep(s) {
        if (last) s.options[last] = s.result;
        return s.endDialog(s.options);
      },
    ]));
    this.addDialog(new TextPrompt(ASK));
  }
}

/** The conversation as one release wrote it: a form asking `fields`, then thanks with what it got. */
function release(fields: Field[], formId = FORM): ComponentDialog {
  const main = new ComponentDialog(MAIN_DIALOG);
  main.addDialog(new WaterfallDialog('main.flow', [
    async function openStep(s) { return s.beginDialog(formId, {}); },
    async function thanksStep(s) {
      const answers: Answers = s.result;
      await s.context.sendActivity(`Thanks: ${Object.entries(answers).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      return s.endDialog();
    },
  ]));
  main.addDialog(new FormDialog(formId, fields));
  return main;
}

describe('dialog state across a deploy (two servers, one after the other, over one PostgreSQL)', () => {
  const clock = testClock(MONDAY_8AM_PARIS);
  let db: Database;
  let conversations = 0;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [] });
    warmUpDateUnderstanding();
  }, 120_000);
  afterAll(() => db.close());

  /** A server's bot: its own state cache over the shared dialog_state table. */
  const server = (mainDialog?: ComponentDialog) =>
    testBot(db, clock.now, { conversationState: new ConcurrencySafeConversationState(new PostgresStorage(db)), ...(mainDialog ? { mainDialog } : {}) });

  /** Starts a conversation on `before`, answers the name, and returns it moved to `after` at the next question. */
  async function deployedAtSecondQuestion(before: Field[], after: ComponentDialog) {
    const old = server(release(before));
    const chat = new Chat(old.bot, `deploy-${++conversations}`);
    await transcript(chat, [['hi', 'What is your name?'], ['Ada', `What is your ${before[1]}?`]]);
    expect(old.errors).toEqual([]);
    const next = server(after);
    return { chat: new Chat(next.bot, chat.id), errors: next.errors };
  }

  test('the same code after a restart: the conversation goes on where it was, nothing asked again', async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'colour'], release(['name', 'colour']));
    await transcript(chat, [['blue', 'Thanks: name Ada, colour blue']]);
    expect(errors).toEqual([]);
  });

  test('a step added before the current one: the first open question is asked, no answer lands in the wrong field', async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'colour'], release(['name', 'size', 'colour']));
    await transcript(chat, [
      ['blue', /^What is your size\?$/],
      ['M', 'What is your colour?'],
      ['blue', 'Thanks: name Ada, size M, colour blue'],
    ]);
    expect(errors).toEqual([expect.objectContaining({ dialogId: 'form.flow', reason: 'steps changed', restarted: 'form.flow' })]);
  });

  test('a step removed: the question is asked again instead of taking the answer for the next one', async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'size', 'colour'], release(['name', 'colour']));
    await transcript(chat, [
      ['M', /^What is your colour\?$/],
      ['blue', 'Thanks: name Ada, colour blue'],
    ]);
    expect(errors).toHaveLength(1);
  });

  test("two steps swapped (same count, missed by botbuilder's own version): the question the new order asks there", async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'size', 'colour'], release(['name', 'colour', 'size']));
    await transcript(chat, [
      ['M', /^What is your colour\?$/],
      ['blue', 'What is your size?'],
      ['M', 'Thanks: name Ada, colour blue, size M'],
    ]);
    expect(errors).toHaveLength(1);
  });

  test('the current question removed: the form ends with what it knows and the dialog that opened it goes on', async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'colour'], release(['name']));
    await transcript(chat, [['blue', /^Thanks: name Ada$/]]);
    expect(errors).toHaveLength(1);
  });

  test('a dialog gone from the new code: the waterfall waiting for it asks again instead of the turn failing', async () => {
    const { chat, errors } = await deployedAtSecondQuestion(['name', 'colour'], release(['name', 'colour'], 'details'));
    await transcript(chat, [
      ['blue', /^What is your name\?$/],
      ['Ada', 'What is your colour?'],
      ['blue', 'Thanks: name Ada, colour blue'],
    ]);
    expect(errors).toEqual([expect.objectContaining({ dialogId: FORM, reason: 'dialog gone', restarted: 'main.flow' })]);
  });

  test('the real booking dialog, restarted mid-booking with the same code: the summary is answered, not asked again', async () => {
    const first = server();
    const before = new Chat(first.bot, `booking-${++conversations}`);
    await showroomToSummary(before);
    const second = server();
    const after = new Chat(second.bot, before.id);
    await transcript(after, [['yes', 'Please give your contact details.']]);
    expect([...first.errors, ...second.errors]).toEqual([]);
  });
});
