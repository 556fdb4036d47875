import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Staff passwords: scrypt with the OWASP Password Storage Cheat Sheet parameters (N=2^17, r=8,
 * p=1; 128 MiB, about a second per hash on a small server), a 32-byte random salt and a 64-byte
 * key, stored as `scrypt$N$r$p$salt$hash` (base64url) so parameters can change without breaking
 * older hashes. Policy after NIST SP 800-63B §5.1.1.2: length is what counts (12–128 characters,
 * any character allowed, Unicode normalised), no composition rules, common passwords refused.
 */

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const SALT_BYTES = 32;
const KEY_BYTES = 64;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** scrypt needs 128·N·r bytes (plus a little); allow twice that. */
const maxmemFor = (params: ScryptParams) => 2 * 128 * params.N * params.r;

// Each hash takes 128 MiB and a thread-pool thread for about a second: a burst of logins must not
// exhaust memory or starve the pool, so hashes wait their turn beyond this many at once.
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return withHashSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...params, maxmem: maxmemFor(params) }, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parseHash(encoded: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((x) => Number(x));
  const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
  if (N === undefined || r === undefined || p === undefined) return null;
  if (!isPowerOfTwo(N) || N < 2 ** 10 || N > 2 ** 20 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    return null;
  }
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 16 || key.length < 32) return null;
  return { params: { N, r, p }, salt, key };
}

/** True when the password matches the stored hash (constant-time comparison of the keys). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

let dummy: Promise<string> | null = null;

/**
 * Verifies against a hash of a random password: a login for an unknown email costs the same time
 * as one for a known email, so response times do not tell which emails have accounts.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  await verifyPassword(password, await dummy);
  return false;
}

// Passwords seen at the top of breach corpora, and their usual stems (numbers and symbols added
// to a stem do not make a password strong). Compared in lower case.
const COMMON_PASSWORDS = new Set([
  '123456789012', '1234567890123', '12345678901234', '111111111111', '000000000000', '123123123123',
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'qwertyuiop12', 'qwertyuiopasdf',
  'qwerty123456', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3', 'azertyuiop12', 'iloveyou1234',
  'letmein12345', 'welcome12345', 'administrator', 'changeme1234', 'abcdefghijkl', 'abc123abc123',
  'trustno1trustno1', 'football1234', 'baseball1234', 'sunshine1234', 'princess1234', 'superman1234',
  'starwars1234', 'motdepasse12', 'motdepasse123', 'correcthorsebatterystaple',
]);
const COMMON_STEMS = new Set([
  'password', 'passw', 'pass', 'passwd', 'qwerty', 'qwertyuiop', 'azerty', 'azertyuiop', 'asdfgh', 'asdfghjkl',
  'letmein', 'welcome', 'admin', 'administrator', 'iloveyou', 'abc', 'abcdef', 'changeme', 'secret',
  'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'superman', 'starwars', 'master',
  'motdepasse', 'bonjour', 'soleil', 'rendezvous', 'atelier', 'lumiere', 'atelierlumiere', 'login', 'user',
]);

/**
 * Why this password cannot be used, or null when it can. `context` holds words specific to the
 * person or the service (their email, their name): a password made of them is refused too.
 */
export function passwordProblem(password: string, context: string[] = []): string | null {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  const lower = normalized.toLowerCase();
  const stem = lower.replace(/[^\p{L}]/gu, '');
  const letters = (s: string) => s.replace(/[^\p{L}]/gu, '');
  // Each context string whole, the part of an email before @, and each word of it.
  const contextStems = new Set(
    context
      .map((c) => c.normalize('NFKC').toLowerCase())
      .flatMap((c) => [c, c.split('@')[0] ?? '', ...c.split(/[^\p{L}\p{N}]+/u)])
      .map(letters)
      .filter((w) => w.length >= 3),
  );
  if (COMMON_PASSWORDS.has(lower) || COMMON_STEMS.has(stem) || new Set(lower).size < 4 || contextStems.has(stem)) {
    return 'This password is too common or too easy to guess. Choose a longer phrase of your own.';
  }
  return null;
}
