import type { Database } from '../models/database.ts';
import { createOtpService, OTP_RULES, type OtpService } from '../notifications/otp.ts';
import { listOutbox, localOutboxTransport } from '../notifications/outbox.transport.ts';
import type { Transport } from '../notifications/transport.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const START = new Date('2027-03-01T07:00:00Z');
const SECRET = 'test-otp-secret-0123456789abcdef';

describe.each(DATABASE_KINDS)('OTP verification on %s', (kind) => {
  let db: Database;
  let otp: OtpService;
  let now = new Date(START);
  const clock = () => new Date(now);
  const advanceSeconds = (s: number) => { now = new Date(now.getTime() + s * 1000); };
  let contacts = 0;
  /** A fresh address per test: send limits are per address, so tests stay independent. */
  const freshEmail = () => `user${++contacts}@example.com`;

  const send = (to: string, extra: Partial<Parameters<OtpService['send']>[0]> = {}) =>
    otp.send({ brandId: 'acme', brandName: 'Acme', conversationId: 'conv-1', channel: 'email', to, locale: 'en', ...extra });
  const verify = (to: string, code: string, extra: Partial<Parameters<OtpService['verify']>[0]> = {}) =>
    otp.verify({ brandId: 'acme', conversationId: 'conv-1', channel: 'email', to, code, ...extra });

  /** The code as the customer sees it: the newest OTP message to that address in the outbox. */
  async function codeSentTo(to: string): Promise<string> {
    const [message] = await listOutbox(db, { recipient: to, kind: 'otp', limit: 1 });
    const code = message?.text.match(/\b(\d{6})\b/)?.[1];
    if (!code) throw new Error(`no OTP message to ${to}`);
    return code;
  }
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('acme','Acme','Europe/Paris')`);
    otp = createOtpService({ db, now: clock, transport: localOutboxTransport(db, clock), secret: SECRET });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    now = new Date(START.getTime() + contacts * 3_600_000);
  });

  test('sends a code by email, verifies it once', async () => {
    const to = freshEmail();
    const sent = await send(to);
    expect(sent).toEqual({ ok: true, expiresAt: new Date(now.getTime() + 10 * 60_000), codeId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [message] = await listOutbox(db, { recipient: to });
    expect(message).toMatchObject({ channel: 'email', kind: 'otp', subject: 'Your verification code', status: 'sent', provider: 'local' });
    expect(message!.text).toContain('Acme');
    expect(message!.text).toContain('10 minutes');
    expect(message!.text).toMatch(/never share/i);
    expect(message!.html).toContain(await codeSentTo(to));
    expect(message!.idempotencyKey).toMatch(/^otp:[0-9a-f-]{36}$/);

    const code = await codeSentTo(to);
    expect(code).toMatch(/^\d{6}$/);
    expect(await verify(to, code)).toEqual({ ok: true });
    // Single use.
    expect(await verify(to, code)).toEqual({ ok: false, reason: 'no_code', attemptsLeft: 0 });
  });

  test('French email and SMS texts', async () => {
    const to = freshEmail();
    await send(to, { locale: 'fr', brandName: 'Atelier <Lumière>' });
    const [fr] = await listOutbox(db, { recipient: to });
    expect(fr!.subject).toBe('Votre code de vérification');
    expect(fr!.text).toContain('valable 10 minutes');
    expect(fr!.html).toContain('Atelier &lt;Lumière&gt;');
    expect(fr!.html).not.toContain('<Lumière>');

    const phone = `+3361234${String(contacts).padStart(4, '0')}`;
    expect((await send(phone, { channel: 'sms', brandName: 'Atelier Lumière' })).ok).toBe(true);
    const [sms] = await listOutbox(db, { recipient: phone });
    const code = sms!.text.match(/\d{6}/)![0];
    expect(sms).toMatchObject({ channel: 'sms', subject: null, html: null, text: `Atelier Lumière: your code is ${code}. Valid 10 minutes.` });
    // The same number written differently is the same contact.
    expect(await verify(phone.replace('+33', '+33 ').replace(/(\d{2})(?=\d)/g, '$1 '), code, { channel: 'sms' })).toEqual({ ok: true });
  });

  test('four wrong codes, then the right one still works', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    for (const left of [4, 3, 2, 1]) {
      expect(await verify(to, wrong(code))).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: left });
    }
    expect(await verify(to, code)).toEqual({ ok: true });
  });

  test('the fifth wrong code locks the code: even the right one then fails', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    for (let i = 0; i < 4; i++) await verify(to, wrong(code));
    expect(await verify(to, wrong(code))).toEqual({ ok: false, reason: 'locked', attemptsLeft: 0 });
    expect(await verify(to, code)).toEqual({ ok: false, reason: 'locked', attemptsLeft: 0 });
    const [row] = await db.query<{ failed_attempts: number }>('SELECT failed_attempts FROM otp_codes WHERE recipient = $1', [to]);
    expect(row!.failed_attempts).toBe(OTP_RULES.maxFailedAttempts);
  });

  test('a code expires after 10 minutes', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    advanceSeconds(10 * 60);
    expect(await verify(to, code)).toEqual({ ok: false, reason: 'expired', attemptsLeft: 0 });
  });

  test('a code is valid just before it expires', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    advanceSeconds(10 * 60 - 1);
    expect(await verify(to, code)).toEqual({ ok: true });
  });

  test('a code is bound to its conversation, its contact, its channel and its brand', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    expect(await verify(to, code, { conversationId: 'conv-2' })).toMatchObject({ ok: false, reason: 'no_code' });
    expect(await verify('someone-else@example.com', code)).toMatchObject({ ok: false, reason: 'no_code' });
    expect(await verify(to, code, { channel: 'sms' })).toMatchObject({ ok: false, reason: 'no_code' });
    expect(await verify(to, code, { brandId: 'other' })).toMatchObject({ ok: false, reason: 'no_code' });
    // None of that spent the code; the same address in other letter case is the same contact.
    expect(await verify(` ${to.toUpperCase()} `, code)).toEqual({ ok: true });
  });

  test('30 s cooldown between sends to the same contact', async () => {
    const to = freshEmail();
    expect((await send(to)).ok).toBe(true);
    advanceSeconds(10);
    expect(await send(to, { conversationId: 'conv-2' })).toEqual({ ok: false, reason: 'cooldown', retryAfterSeconds: 20 });
    expect(await listOutbox(db, { recipient: to })).toHaveLength(1);
    advanceSeconds(20);
    expect((await send(to)).ok).toBe(true);
  });

  test('a 6th send in 10 minutes is refused until the oldest leaves the window', async () => {
    const to = freshEmail();
    const first = now.getTime();
    for (let i = 0; i < 5; i++) {
      expect((await send(to)).ok).toBe(true);
      advanceSeconds(60);
    }
    // Five sends at t+0…t+4 min; now t+5 min.
    expect(await send(to)).toEqual({ ok: false, reason: 'too_many', retryAfterSeconds: 5 * 60 });
    advanceSeconds(5 * 60 - 1);
    expect(await send(to)).toEqual({ ok: false, reason: 'too_many', retryAfterSeconds: 1 });
    advanceSeconds(1);
    expect(now.getTime() - first).toBe(10 * 60_000);
    expect((await send(to)).ok).toBe(true);
    // The newest code works; refused sends sent nothing.
    expect(await listOutbox(db, { recipient: to })).toHaveLength(6);
    expect(await verify(to, await codeSentTo(to))).toEqual({ ok: true });
  });

  test('a newer code invalidates the older one', async () => {
    const to = freshEmail();
    await send(to);
    const older = await codeSentTo(to);
    advanceSeconds(31);
    await send(to);
    const newer = await codeSentTo(to);
    if (older !== newer) {
      expect(await verify(to, older)).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: 4 });
    }
    const rows = await db.query<{ superseded_at: Date | null }>(
      'SELECT superseded_at FROM otp_codes WHERE recipient = $1 ORDER BY created_at', [to]);
    expect(rows.map((r) => r.superseded_at !== null)).toEqual([true, false]);
    expect(await verify(to, newer)).toEqual({ ok: true });
    expect(await verify(to, older)).toMatchObject({ ok: false });
  });

  test('with the id its send gave: the right code is used in one statement; a wrong, replaced or foreign one is answered as without it', async () => {
    const to = freshEmail();
    const first = await send(to);
    if (!first.ok) throw new Error('not sent');
    const code = await codeSentTo(to);
    // A wrong code with the id counts a try, as without it.
    expect(await verify(to, wrong(code), { codeId: first.codeId })).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: 4 });
    // Another conversation cannot use it through its id.
    expect(await verify(to, code, { codeId: first.codeId, conversationId: 'conv-2' })).toMatchObject({ ok: false, reason: 'no_code' });
    // Replaced by a newer code: the old id and code no longer work; the newer one does, with the old id given.
    advanceSeconds(31);
    await send(to);
    const newer = await codeSentTo(to);
    if (newer !== code) expect(await verify(to, code, { codeId: first.codeId })).toMatchObject({ ok: false });
    const statements: string[] = [];
    const counted = { ...db, query: <T>(sql: string, params?: readonly unknown[]) => { statements.push(sql); return db.query<T>(sql, params); } };
    const countedOtp = createOtpService({ db: counted, now: clock, transport: localOutboxTransport(db, clock), secret: SECRET });
    const [latest] = await db.query<{ id: string }>('SELECT id FROM otp_codes WHERE recipient = $1 AND superseded_at IS NULL', [to]);
    expect(await countedOtp.verify({ brandId: 'acme', conversationId: 'conv-1', channel: 'email', to, code: newer, codeId: latest!.id })).toEqual({ ok: true });
    expect(statements).toHaveLength(1);
    expect(await verify(to, newer, { codeId: latest!.id })).toEqual({ ok: false, reason: 'no_code', attemptsLeft: 0 });
  });

  test('spaces inside the typed code are ignored', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    expect(await verify(to, ` ${code.slice(0, 3)} ${code.slice(3)}\n`)).toEqual({ ok: true });
  });

  test('malformed input is a wrong try', async () => {
    const to = freshEmail();
    await send(to);
    expect(await verify(to, '12a456')).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: 4 });
    expect(await verify(to, '')).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: 3 });
    expect(await verify(to, await codeSentTo(to))).toEqual({ ok: true });
  });

  test('the code never appears in otp_codes: only its HMAC', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    const rows = await db.query<{ row: string }>('SELECT row_to_json(o)::text AS row FROM otp_codes o WHERE recipient = $1', [to]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row).not.toContain(code);
    const [row] = await db.query<{ code_hash: string }>('SELECT code_hash FROM otp_codes WHERE recipient = $1', [to]);
    expect(row!.code_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('two parallel wrong guesses count as two attempts', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    const results = await Promise.all([verify(to, wrong(code)), verify(to, wrong(wrong(code)))]);
    expect(results.map((r) => (r.ok ? -1 : r.attemptsLeft)).sort()).toEqual([3, 4]);
    const [row] = await db.query<{ failed_attempts: number }>('SELECT failed_attempts FROM otp_codes WHERE recipient = $1', [to]);
    expect(row!.failed_attempts).toBe(2);
    // Four more in parallel: attempts 3 and 4 are wrong, the 5th locks, the one after finds it locked.
    const more = await Promise.all([1, 2, 3, 4].map(() => verify(to, wrong(code))));
    expect(more.map((r) => (r.ok ? 'ok' : `${r.reason}:${r.attemptsLeft}`)).sort()).toEqual(['locked:0', 'locked:0', 'wrong_code:1', 'wrong_code:2']);
    const [after] = await db.query<{ failed_attempts: number }>('SELECT failed_attempts FROM otp_codes WHERE recipient = $1', [to]);
    expect(after!.failed_attempts).toBe(OTP_RULES.maxFailedAttempts);
  });

  test('the right code typed on several devices at once is used once', async () => {
    const to = freshEmail();
    await send(to);
    const code = await codeSentTo(to);
    const results = await Promise.all([1, 2, 3].map(() => verify(to, code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: 'no_code', attemptsLeft: 0 }, { ok: false, reason: 'no_code', attemptsLeft: 0 },
    ]);
    const [row] = await db.query<{ failed_attempts: number }>('SELECT failed_attempts FROM otp_codes WHERE recipient = $1', [to]);
    expect(row!.failed_attempts).toBe(0);
  });

  test('parallel sends to one address respect the limits', async () => {
    const to = freshEmail();
    const results = await Promise.all([1, 2, 3].map((i) => send(to, { conversationId: `conv-p${i}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'cooldown')).toHaveLength(2);
  });

  test('a transport failure leaves no usable code', async () => {
    const failing: Transport = { name: 'down', send: () => Promise.reject(new Error('provider down')) };
    const broken = createOtpService({ db, now: clock, transport: failing, secret: SECRET });
    const to = freshEmail();
    await expect(broken.send({ brandId: 'acme', brandName: 'Acme', conversationId: 'conv-1', channel: 'email', to, locale: 'en' }))
      .rejects.toThrow('provider down');
    expect(await verify(to, '000000')).toMatchObject({ ok: false, reason: 'no_code' });
  });

  test('refuses a short secret', () => {
    expect(() => createOtpService({ db, now: clock, transport: localOutboxTransport(db, clock), secret: 'short' })).toThrow(/secret/);
  });
});
