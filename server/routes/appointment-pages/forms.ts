import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler } from 'express';
import { rejectUnsafeBody } from '../../safe-input.ts';
import { hidden, type Html } from './html.ts';
import type { PageAction } from './page-context.ts';

/** What every form of the appointment pages goes through: a small body parser and the form proof. */

const parseForm = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

/** Form bodies, parsed then checked for text that cannot be stored. */
export const formBody: RequestHandler = (req, res, next) =>
  parseForm(req, res, (err?: unknown) => (err ? next(err) : rejectUnsafeBody(req, res, next)));

export interface FormProof {
  /** The hidden field carrying the proof, for a form of this page. */
  field(token: string, action: PageAction): Html;
  /** Whether a posted form carries the proof of this page. */
  accepts(req: Request, token: string, action: PageAction): boolean;
}

/**
 * The form proof: HMAC-SHA256(server key, action + token), in a hidden field of every form we
 * render, checked on POST together with the token in the URL.
 *
 * Why: the URL token alone would let anything that merely *has* the link submit a change, and
 * links travel through places that act on them automatically (mail security scanners, link
 * previewers, "safe browsing" crawlers; some of them also submit forms, or POST to URLs they
 * find). Requiring a value that only appears in the page we rendered means a change needs the
 * page to have been opened and its form submitted: a blind POST to the link (or a forged form on
 * another site built from a leaked link) is refused with 403 and changes nothing. The proof is
 * bound to the action, so a cancel form's proof cannot be replayed to reschedule, and to the
 * token, so it dies with the link (expiry, and every change: the token names the version). It is
 * stateless (no session, no cookie), so it works in the in-app browsers of mail apps that drop cookies.
 */
export function createFormProof(key: string): FormProof {
  const proof = (token: string, action: PageAction) =>
    createHmac('sha256', key).update(`appointment-page-form\n${action}\n${token}`).digest('base64url');
  return {
    field: (token, action) => hidden('proof', proof(token, action)),
    accepts(req, token, action) {
      const given = typeof req.body?.proof === 'string' ? Buffer.from(req.body.proof) : Buffer.alloc(0);
      const expected = Buffer.from(proof(token, action));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
