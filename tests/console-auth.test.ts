import type { Database } from '../models/database.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../models/passwords.ts';
import { parseCookies } from '../bot/handoff/console-session.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { ConsoleClient, signIn, startConsoleServer, type ConsoleServer } from './support/console.ts';

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);
/** Cheap scrypt for seeded test accounts; production hashes use the OWASP parameters. */
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };

describe('staff passwords', () => {
  test('scrypt with the OWASP parameters, encoded with its parameters, verified', async () => {
    const hash = await hashPassword('a long enough passphrase');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{43}\$[A-Za-z0-9_-]{86}$/);
    expect(await verifyPassword('a long enough passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long enough passphrasE', hash)).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$3$8$1$abc$def')).toBe(false);
    const cheap = await hashPassword('another passphrase', TEST_PARAMS);
    expect(cheap.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('another passphrase', cheap)).toBe(true);
  });

  test('policy: 12 to 128 characters, no common passwords, nothing made of the person’s own name', () => {
    expect(passwordProblem('short pass1')).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem('password1234')).toMatch(/too common/);
    expect(passwordProblem('Password123456!')).toMatch(/too common/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/too common/);
    expect(passwordProblem('camille.martin!', ['camille.martin@atelier-lumiere.example'])).toMatch(/too common/);
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('   spaces and ünïcödé are fine ')).toBeNull();
    expect(passwordProblem('a'.repeat(120) + 'bcdefgh1')).toBeNull();
  });

  test('cookie header parsing', () => {
    const c = parseCookies('a=1; rdv_session=abc%3D; a=2; broken; q="x y"');
    expect(c.get('a')).toBe('1');
    expect(c.get('rdv_session')).toBe('abc=');
    expect(c.get('q')).toBe('x y');
    expect(c.has('broken')).toBe(false);
  });
});

describe.each(DATABASE_KINDS)('console sign-in on %s', (kind) => {
  let db: Database;
  let server: ConsoleServer;
  let logins: DemoLogin[];
  const login = (email: string) => logins.find((l) => l.email === email)!;
  const admin = () => login(DEMO_ADMIN.email);
  const lucas = () => login('lucas.bernard@atelier-lumiere.example');

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    server = await startConsoleServer(db, clock.now);
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });
  beforeEach(() => clock.set(START));

  test('the demo accounts: an admin, a manager per store, agents; seeding twice adds nothing', async () => {
    expect(logins).toHaveLength(7);
    expect(admin()).toMatchObject({ role: 'admin', stores: ['lyon-bellecour', 'new-york-soho', 'paris-opera'] });
    expect(login('camille.martin@atelier-lumiere.example')).toMatchObject({ role: 'store_manager', stores: ['paris-opera'] });
    expect(lucas()).toMatchObject({ role: 'agent', stores: ['paris-opera'] });
    expect(logins.filter((l) => l.role === 'store_manager')).toHaveLength(3);
    for (const l of logins) expect(l.password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS })).toEqual([]);
    const [row] = await db.query<{ password_hash: string }>('SELECT password_hash FROM staff_accounts WHERE email = $1', [admin().email]);
    expect(row!.password_hash).not.toContain(admin().password);
  });

  test('without a session: 401 everywhere but sign-in', async () => {
    const anonymous = new ConsoleClient(server);
    for (const path of ['/session', '/appointments', '/tasks', '/staff', '/no-such-route']) {
      const reply = await anonymous.get(path);
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('unauthorized');
    }
    expect((await anonymous.post('/appointments/00000000-0000-4000-8000-000000000000/confirm')).status).toBe(401);
    const forged = await anonymous.get('/session', { cookie: 'rdv_session=forged-token' });
    expect(forged.status).toBe(401);
  });

  test('sign-in sets an HttpOnly SameSite=Strict cookie and returns the CSRF token; GET /session repeats it', async () => {
    const client = new ConsoleClient(server);
    const reply = await client.login(lucas().email.toUpperCase(), lucas().password);
    expect(reply.status).toBe(201);
    expect(reply.body.staff).toMatchObject({ name: 'Lucas Bernard', role: 'agent', email: lucas().email });
    expect(reply.body.staff.stores.map((s: { slug: string }) => s.slug)).toEqual(['paris-opera']);
    expect(reply.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = reply.setCookies.find((c) => c.startsWith('rdv_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(reply.setCookies.join()).not.toContain(lucas().password);
    const token = client.cookies.get('rdv_session')!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    // Only the token's hash is stored.
    expect(await db.query('SELECT 1 FROM staff_sessions WHERE token_hash = $1', [token])).toHaveLength(0);
    const session = await client.get('/session');
    expect(session.status).toBe(200);
    expect(session.body.csrfToken).toBe(reply.body.csrfToken);
  });

  test('the cookie is Secure when the console is served over https', async () => {
    const https = await startConsoleServer(db, clock.now, { publicUrl: 'https://book.example.com' });
    try {
      const reply = await new ConsoleClient(https).login(lucas().email, lucas().password);
      expect(reply.setCookies.find((c) => c.startsWith('rdv_session='))).toMatch(/; Secure/);
    } finally {
      await https.close();
    }
  });

  test('an unknown email and a wrong password get the very same answer', async () => {
    const client = new ConsoleClient(server);
    const unknown = await client.login('nobody@atelier-lumiere.example', 'whatever password 1');
    const wrong = await client.login(admin().email, 'whatever password 1');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error.code).toBe('invalid_credentials');
    expect(unknown.setCookies).toEqual([]);
    // The admin's failure counter is cleared again by a good login.
    await signIn(server, admin().email, admin().password);
  });

  test('five failures in a row lock the account for 15 minutes, right password included', async () => {
    const hugo = login('hugo.laurent@atelier-lumiere.example');
    const client = new ConsoleClient(server);
    // Four failures, then a success: the count starts again.
    for (let i = 0; i < 4; i++) expect((await client.login(hugo.email, `wrong password ${i}`)).status).toBe(401);
    expect((await client.login(hugo.email, hugo.password)).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await client.login(hugo.email, `wrong password ${i}`)).status).toBe(401);
    const locked = await client.login(hugo.email, hugo.password);
    expect(locked.status).toBe(401);
    const unknown = await client.login('nobody@atelier-lumiere.example', 'whatever password 1');
    expect(locked.body).toEqual(unknown.body);
    clock.advanceMinutes(14);
    expect((await client.login(hugo.email, hugo.password)).status).toBe(401);
    clock.advanceMinutes(1);
    expect((await client.login(hugo.email, hugo.password)).status).toBe(201);
  });

  test('state changes need the session’s CSRF token and the console’s own origin', async () => {
    const client = await signIn(server, lucas().email, lucas().password);
    const id = '00000000-0000-4000-8000-000000000000';
    const missing = await client.post(`/tasks/${id}/done`, {}, { 'x-csrf-token': '' });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('csrf_failed');
    const wrong = await client.post(`/tasks/${id}/done`, {}, { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('csrf_failed');
    // Another user's token is no good either.
    const other = await signIn(server, admin().email, admin().password);
    expect((await client.post(`/tasks/${id}/done`, {}, { 'x-csrf-token': other.csrfToken! })).status).toBe(403);
    const foreign = await client.post(`/tasks/${id}/done`, {}, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const crossSite = await client.post(`/tasks/${id}/done`, {}, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    // With token and own origin the request goes through (to a 404: no such task).
    const good = await client.post(`/tasks/${id}/done`, {}, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' });
    expect(good.status).toBe(404);
    // Reads need no token.
    expect((await client.get('/tasks', { 'x-csrf-token': '' })).status).toBe(200);
    // Signing in from another site is refused too (login CSRF).
    const evil = await new ConsoleClient(server).post('/session', { email: lucas().email, password: lucas().password }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
  });

  test('roles: an agent cannot reach admin or manager routes (403)', async () => {
    const agent = await signIn(server, lucas().email, lucas().password);
    expect((await agent.get('/staff')).status).toBe(403);
    expect((await agent.get('/templates')).status).toBe(403);
    expect((await agent.put('/settings/notifications', {})).status).toBe(403);
    const services = await agent.get('/services');
    expect(services.status).toBe(200);
    const design = services.body.services.find((s: { slug: string }) => s.slug === 'design-consultation');
    const denied = await agent.post(`/services/${design.id}/statuses`, { name: 'Nope', kind: 'start' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const manager = await signIn(server, login('camille.martin@atelier-lumiere.example').email, login('camille.martin@atelier-lumiere.example').password);
    expect((await manager.get(`/services/${design.id}/statuses`)).status).toBe(200);
    expect((await manager.post('/staff/invite', { name: 'X', email: 'x@example.com', role: 'agent', stores: [] })).status).toBe(403);
  });

  test('logout ends the session and clears the cookie', async () => {
    const client = await signIn(server, lucas().email, lucas().password);
    const token = client.cookies.get('rdv_session')!;
    const out = await client.delete('/session');
    expect(out.status).toBe(204);
    expect(out.setCookies.join()).toMatch(/rdv_session=;/);
    expect(client.cookies.has('rdv_session')).toBe(false);
    expect((await client.get('/session', { cookie: `rdv_session=${token}` })).status).toBe(401);
  });

  test('sessions end after an hour idle, and after eight hours whatever happens', async () => {
    const idle = await signIn(server, lucas().email, lucas().password);
    clock.advanceMinutes(59);
    expect((await idle.get('/session')).status).toBe(200);
    clock.advanceMinutes(59);
    expect((await idle.get('/session')).status).toBe(200);
    clock.advanceMinutes(61);
    expect((await idle.get('/session')).status).toBe(401);

    clock.set(START);
    const busy = await signIn(server, lucas().email, lucas().password);
    for (let minutes = 50; minutes < 8 * 60; minutes += 50) {
      clock.set(new Date(Date.parse(START) + minutes * 60_000));
      expect((await busy.get('/session')).status).toBe(200);
    }
    clock.set(new Date(Date.parse(START) + 8 * 60 * 60_000));
    expect((await busy.get('/session')).status).toBe(401);
  });

  test('a disabled account loses its sessions at once and cannot sign in; enabling restores it', async () => {
    const chloe = login('chloe.dubois@atelier-lumiere.example');
    const victim = await signIn(server, chloe.email, chloe.password);
    const adminClient = await signIn(server, admin().email, admin().password);
    const chloeId = (await victim.get('/session')).body.staff.id;
    const disabled = await adminClient.post(`/staff/${chloeId}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.staff.account.status).toBe('disabled');
    expect((await victim.get('/session')).status).toBe(401);
    expect((await victim.get('/appointments')).status).toBe(401);
    expect((await new ConsoleClient(server).login(chloe.email, chloe.password)).status).toBe(401);
    // Its sessions are gone, not merely refused.
    expect((await db.query('SELECT 1 FROM staff_sessions WHERE staff_id = $1', [chloeId]))).toHaveLength(0);
    const selfId = (await adminClient.get('/session')).body.staff.id;
    expect((await adminClient.post(`/staff/${selfId}/disable`)).status).toBe(409);
    expect((await adminClient.post(`/staff/${chloeId}/enable`)).status).toBe(200);
    expect((await new ConsoleClient(server).login(chloe.email, chloe.password)).status).toBe(201);
  });

  test('invite → accept with a good password → sign in, scoped to the invited store', async () => {
    const adminClient = await signIn(server, admin().email, admin().password);
    const stores = (await adminClient.get('/stores')).body.stores as { id: string; slug: string }[];
    const lyon = stores.find((s) => s.slug === 'lyon-bellecour')!;
    const noStore = await adminClient.post('/staff/invite', { name: 'Inès Moreau', email: 'ines@atelier-lumiere.example', role: 'agent', stores: [] });
    expect(noStore.status).toBe(400);
    expect(noStore.body.error.field).toBe('stores');
    const invite = await adminClient.post('/staff/invite', { name: 'Inès Moreau', email: 'Ines@Atelier-Lumiere.example', role: 'agent', stores: [lyon.id] });
    expect(invite.status).toBe(201);
    expect(invite.body.staff).toMatchObject({ name: 'Inès Moreau', account: { status: 'invited', role: 'agent' } });
    const url: string = invite.body.inviteUrl;
    expect(url).toMatch(/^http:\/\/localhost:3000\/console\/#\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(new Date(invite.body.inviteExpiresAt).getTime() - clock.now().getTime()).toBe(72 * 3_600_000);
    const token = url.slice(url.lastIndexOf('/') + 1);
    const again = await adminClient.post('/staff/invite', { name: 'Inès', email: 'ines@atelier-lumiere.example', role: 'agent', stores: [lyon.id] });
    expect(again.status).toBe(409);
    expect(again.body.error.field).toBe('email');

    // No password yet: signing in fails like any other failure.
    const anonymous = new ConsoleClient(server);
    expect((await anonymous.login('ines@atelier-lumiere.example', 'no password yet 1')).status).toBe(401);
    const weak = await anonymous.post('/invites/accept', { token, password: 'password1234' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.field).toBe('password');
    const short = await anonymous.post('/invites/accept', { token, password: 'short' });
    expect(short.body.error.field).toBe('password');
    const accepted = await anonymous.post('/invites/accept', { token, password: 'un jardin sur le toit' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.email).toBe('ines@atelier-lumiere.example');
    const reused = await anonymous.post('/invites/accept', { token, password: 'another good passphrase' });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invite_invalid');

    const ines = await signIn(server, 'ines@atelier-lumiere.example', 'un jardin sur le toit');
    const me = (await ines.get('/session')).body.staff;
    expect(me).toMatchObject({ name: 'Inès Moreau', role: 'agent' });
    expect(me.stores.map((s: { slug: string }) => s.slug)).toEqual(['lyon-bellecour']);

    // An invite expires after 72 hours.
    const late = await adminClient.post('/staff/invite', { name: 'Late', email: 'late@atelier-lumiere.example', role: 'admin', stores: [] });
    const lateToken = (late.body.inviteUrl as string).split('/').pop();
    clock.advanceMinutes(72 * 60 + 1);
    expect((await anonymous.post('/invites/accept', { token: lateToken, password: 'a perfectly fine one' })).status).toBe(400);
  });

  test('sign-in attempts are rate-limited per IP on top of the lockout', async () => {
    const limited = await startConsoleServer(db, clock.now, { loginRateLimitPerMinute: 3 });
    try {
      const client = new ConsoleClient(limited);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.login('nobody@example.com', 'wrong password here')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  test('the brand of the accounts is the demo brand', async () => {
    const rows = await db.query<{ brand_id: string }>('SELECT DISTINCT s.brand_id FROM staff_accounts a JOIN staff s ON s.id = a.staff_id');
    expect(rows.map((r) => r.brand_id)).toEqual([DEMO_BRAND_ID]);
  });
});
