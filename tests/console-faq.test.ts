import type { Database } from '../models/database.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { Chat, testBot } from './support/bot-chat.ts';
import { signIn, startConsoleServer, type ConsoleServer } from './support/console.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';

const clock = testClock('2027-03-01T07:00:00Z');
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };

describe.each(DATABASE_KINDS)('the brand FAQ the chat answers from, edited in the console, on %s', (kind) => {
  let db: Database;
  let server: ConsoleServer;
  let logins: DemoLogin[];
  const as = (email: string) => signIn(server, email, logins.find((l) => l.email === email)!.password);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    server = await startConsoleServer(db, clock.now);
    warmUpDateUnderstanding();
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  test('staff read it, admins replace it (checked), and the bot answers with the new text', async () => {
    const admin = await as(DEMO_ADMIN.email);
    const agent = await as('lucas.bernard@atelier-lumiere.example');
    const seeded = await agent.get('/settings/faq');
    expect(seeded.status).toBe(200);
    expect(seeded.body.entries.map((e: { questions: { en: string } }) => e.questions.en)).toEqual(['Is it free?', 'Is there parking?', 'What should I bring?']);

    expect((await agent.put('/settings/faq', { entries: [] })).status).toBe(403);
    const noAnswer = await admin.put('/settings/faq', { entries: [{ keywords: ['free'], answers: {} }] });
    expect(noAnswer.status).toBe(400);
    expect(noAnswer.body.error.field).toBe('entries.0.answers');
    expect((await admin.put('/settings/faq', { entries: [{ keywords: [], answers: { en: 'x' } }] })).body.error.field).toBe('entries.0.keywords');

    const entries = [{
      keywords: ['is it free', 'gratuit', 'price'],
      questions: { en: 'Is it free?', fr: 'Est-ce gratuit ?' },
      answers: { en: 'The first hour is free; after that, 50 € an hour.', fr: 'La première heure est gratuite, puis 50 € de l’heure.' },
    }];
    const saved = await admin.put('/settings/faq', { entries });
    expect(saved.status).toBe(200);
    expect(saved.body.entries).toEqual([{ id: expect.any(String), ...entries[0] }]);
    expect((await agent.get('/settings/faq')).body.entries).toEqual(saved.body.entries);

    const { bot, errors } = testBot(db, clock.now);
    const chat = new Chat(bot, `faq-${kind}`, { brandId: DEMO_BRAND_ID });
    const answer = await chat.do('is it free?');
    expect(answer.text).toBe('The first hour is free; after that, 50 € an hour.\nWhat would you like to do?');
    // Parking is no longer in the FAQ: not answered from it.
    expect((await chat.do('is there parking?')).text).not.toContain('car park');
    expect(errors).toEqual([]);
  });
});
