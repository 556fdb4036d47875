import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { seedFieldServiceDemo } from '../models/seed-field.ts';
import type { DeliveryQueue } from '../notifications/delivery-queue.ts';
import { sendDueContractReminders } from '../notifications/contract-reminders.ts';
import { openTestDeliveryQueue } from './support/notifications.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';

const clock = testClock('2027-03-01T07:00:00Z');

describe.each(DATABASE_KINDS)('contract reminders on %s', (kind) => {
  let db: Database;
  let queue: DeliveryQueue;
  let closeQueue: () => Promise<void>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    await seedFieldServiceDemo(db, '2027-03-01');
    ({ queue, close: closeQueue } = await openTestDeliveryQueue(db, kind, clock.now));
  });
  afterAll(async () => {
    await closeQueue();
    await db.close();
  });

  beforeEach(() => clock.set('2027-03-01T07:00:00Z'));

  const messages = () => db.query<{ recipient: string; subject: string; body_text: string; body_html: string; status: string }>(
    "SELECT recipient, subject, body_text, body_html, status FROM messages WHERE kind = 'contract_due' ORDER BY seq",
  );

  test('a contract due this month gets one "book your service" email with the pre-filled link, once', async () => {
    const deps = { db, queue, now: clock.now, publicUrl: 'https://book.example.com' };
    const [first, second] = await Promise.all([sendDueContractReminders(deps), sendDueContractReminders(deps)]);
    expect(first + second).toBe(1);
    expect(await sendDueContractReminders(deps)).toBe(0);
    const [contract] = await db.query<{ id: string }>(
      `SELECT c.id FROM maintenance_contracts c JOIN installed_equipment e ON e.id = c.equipment_id JOIN customers cu ON cu.id = e.customer_id
       WHERE cu.email = 'marie.durand@example.com'`,
    );
    const [message] = await messages();
    expect(message).toMatchObject({ recipient: 'marie.durand@example.com', status: 'queued', subject: 'Il est temps de planifier l’entretien de votre Chaudière gaz Saunier Duval ThemaPlus Condens' });
    expect(message!.body_text).toContain('avant le 31 mars 2027');
    expect(message!.body_text).toContain(`https://book.example.com/visit/?contract=${contract!.id}&brand=demo&lang=fr`);
    expect(message!.body_html).toContain(`href="https://book.example.com/visit/?contract=${contract!.id}&amp;brand=demo&amp;lang=fr"`);

    // Five months on, Tom's heat pump (due end of August) is within the 30 days' notice.
    clock.set('2027-08-05T07:00:00Z');
    expect(await sendDueContractReminders(deps)).toBe(1);
    const all = await messages();
    expect(all.map((m) => m.recipient)).toEqual(['marie.durand@example.com', 'tom.baker@example.com']);
    expect(all[1]!.subject).toBe('Time to book your Heat pump Daikin Altherma 3 service');
  });
});
