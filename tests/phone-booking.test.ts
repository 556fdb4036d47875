import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import type { Rendezvous } from '../server/composition.ts';
import { openTestDatabase } from './support/databases.ts';
import { ACCOUNT_SID, BRAND_NUMBER, customerPhone, startPhoneApp, startTwilioStandIn } from './support/phone.ts';
import { testClock } from './support/server.ts';

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');

describe('booking over SMS and WhatsApp', () => {
  let db: Database;
  let standIn: Awaited<ReturnType<typeof startTwilioStandIn>>;
  let app: { url: string; rendezvous: Rendezvous };

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: [] });
    standIn = await startTwilioStandIn();
    app = await startPhoneApp(db, clock.now, standIn.url);
  });
  afterAll(async () => {
    await app.rendezvous.close();
    await standIn.close();
    await db.close();
  });

  test('explore', async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550142');
    for (const text of ['Hi, I would like to book', '3', '1', '1', '1', 'Ada Lovelace']) {
      const got = await phone.send(text);
      console.log(JSON.stringify(got.map((m) => m.body)));
    }
    await new Promise((r) => setTimeout(r, 2000));
    console.log(JSON.stringify(standIn.requests, null, 1));
  });
});
