import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Database } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import type { Customer } from '../models/customers.repository.ts';
import { findCustomerByEmail, insertCustomerSession, sessionCustomer, deleteCustomerSession } from '../models/customer-accounts.repository.ts';
import { markContactVerified } from '../models/customers.repository.ts';
import { AppError } from '../models/errors.ts';
import type { OtpService, OtpVerifyResult } from '../notifications/otp.ts';
import { parseCookies } from '../bot/handoff/console-session.ts';

/**
 * Passwordless sign-in to the customer page: a code sent to the customer's email (the OTP rules
 * of notifications/otp.ts: 6 digits, 10 minutes, single use, 5 tries, send limits), then an
 * HttpOnly SameSite=Strict session cookie whose token is stored only as SHA-256. A sign-in attempt
 * is its own OTP "conversation" (a random id the page keeps), so a code is bound to one attempt.
 * Unknown emails get the same answer as known ones and no code: nobody learns who is a customer.
 */
export const CUSTOMER_COOKIE = 'rdv_customer';
const SESSION_MS = 2 * 60 * 60_000;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const signInBody = z.object({ email: z.email().max(200), locale: z.enum(['en', 'fr']).default('en') });
export const verifyBody = z.object({
  attemptId: z.uuid(),
  email: z.email().max(200),
  code: z.string().trim().min(1).max(12),
});

const VERIFY_ERRORS: Record<Exclude<OtpVerifyResult, { ok: true }>['reason'], [number, string]> = {
  wrong_code: [401, 'That code is not right. Check the email and try again.'],
  expired: [401, 'That code has expired. Ask for a new one.'],
  locked: [429, 'Too many wrong codes. Ask for a new one.'],
  no_code: [401, 'No code is waiting for this sign-in. Ask for a new one.'],
};

const sessions = new WeakMap<Request, Customer>();

export function customerAuth(deps: { db: Database; now: () => Date; otp: OtpService; secure: boolean }) {
  const { db, now, otp } = deps;

  async function requestCode(brand: Brand, body: z.infer<typeof signInBody>): Promise<{ attemptId: string }> {
    const attemptId = randomUUID();
    const customer = await findCustomerByEmail(db, brand.id, body.email);
    if (customer?.email) {
      const sent = await otp.send({ brandId: brand.id, brandName: brand.name, conversationId: `visit:${attemptId}`, channel: 'email', to: customer.email, locale: customer.locale });
      if (!sent.ok) {
        throw new AppError('rate_limited', 429, `Please wait ${sent.retryAfterSeconds} seconds before asking for another code.`, { retryAfterSeconds: sent.retryAfterSeconds });
      }
    }
    return { attemptId };
  }

  async function verify(brand: Brand, body: z.infer<typeof verifyBody>, res: Response): Promise<Customer> {
    const result = await otp.verify({ brandId: brand.id, conversationId: `visit:${body.attemptId}`, channel: 'email', to: body.email, code: body.code });
    if (!result.ok) {
      const [status, message] = VERIFY_ERRORS[result.reason];
      throw new AppError(result.reason, status, message, { attemptsLeft: result.attemptsLeft });
    }
    const customer = await findCustomerByEmail(db, brand.id, body.email);
    if (!customer) throw new AppError('wrong_code', 401, VERIFY_ERRORS.wrong_code[1]);
    const at = now();
    await markContactVerified(db, brand.id, { channel: 'email', to: body.email }, at);
    const token = randomBytes(32).toString('base64url');
    await insertCustomerSession(db, hashToken(token), customer.id, new Date(at.getTime() + SESSION_MS));
    res.cookie(CUSTOMER_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: deps.secure, path: '/visit', maxAge: SESSION_MS });
    return customer;
  }

  async function signOut(req: Request, res: Response): Promise<void> {
    const token = parseCookies(req.get('cookie')).get(CUSTOMER_COOKIE);
    if (token) await deleteCustomerSession(db, hashToken(token));
    res.clearCookie(CUSTOMER_COOKIE, { httpOnly: true, sameSite: 'strict', secure: deps.secure, path: '/visit' });
  }

  /** 401 without a live session of this brand's customer. */
  const requireCustomer = (brandOf: (req: Request) => Promise<Brand>): RequestHandler => async (req, _res, next) => {
    const token = parseCookies(req.get('cookie')).get(CUSTOMER_COOKIE);
    const customer = token ? await sessionCustomer(db, hashToken(token), now()) : null;
    if (!customer || customer.brandId !== (await brandOf(req)).id) throw new AppError('unauthorized', 401, 'Please sign in again.');
    sessions.set(req, customer);
    next();
  };

  return { requestCode, verify, signOut, requireCustomer };
}

/** The customer requireCustomer found for this request. */
export function customerOf(req: Request): Customer {
  const customer = sessions.get(req);
  if (!customer) throw new AppError('unauthorized', 401, 'Please sign in again.');
  return customer;
}
