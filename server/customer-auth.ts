import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Database } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import type { Customer } from '../models/customers.repository.ts';
import { findCustomerByEmail, insertCustomerSession, sessionCustomer, deleteCustomerSession } from '../models/customer-accounts.repository.ts';
import { markContactVerified } from '../models/customers.repository.ts';
import { errors } from '../models/errors.ts';
import type { OtpService } from '../notifications/otp.ts';
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

const sessions = new WeakMap<Request, Customer>();

export function customerAuth(deps: { db: Database; now: () => Date; otp: OtpService; secure: boolean }) {
  const { db, now, otp } = deps;

  async function requestCode(brand: Brand, body: z.infer<typeof signInBody>): Promise<{ attemptId: string }> {
    const attemptId = randomUUID();
    const customer = await findCustomerByEmail(db, brand.id, body.email);
    if (customer?.email) {
      const sent = await otp.send({ brandId: brand.id, brandName: brand.name, conversationId: `visit:${attemptId}`, channel: 'email', to: customer.email, locale: customer.locale });
      if (!sent.ok) {
        throw errors.rateLimited(`Please wait ${sent.retryAfterSeconds} seconds before asking for another code.`, sent.retryAfterSeconds);
      }
    }
    return { attemptId };
  }

  async function verify(brand: Brand, body: z.infer<typeof verifyBody>, res: Response): Promise<Customer> {
    const result = await otp.verify({ brandId: brand.id, conversationId: `visit:${body.attemptId}`, channel: 'email', to: body.email, code: body.code });
    if (!result.ok) throw errors.codeRejected(result.reason, result.attemptsLeft);
    const customer = await findCustomerByEmail(db, brand.id, body.email);
    if (!customer) throw errors.codeRejected('wrong_code');
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
    if (!customer || customer.brandId !== (await brandOf(req)).id) throw errors.unauthorized('Please sign in again.');
    sessions.set(req, customer);
    next();
  };

  return { requestCode, verify, signOut, requireCustomer };
}

/** The customer requireCustomer found for this request. */
export function customerOf(req: Request): Customer {
  const customer = sessions.get(req);
  if (!customer) throw errors.unauthorized('Please sign in again.');
  return customer;
}
