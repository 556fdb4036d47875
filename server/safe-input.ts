import type { RequestHandler } from 'express';
import { AppError, errors } from '../models/errors.ts';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text PostgreSQL can store and every client can show: no NUL character (text and jsonb refuse
 * it) and no unpaired UTF-16 surrogate (it would be stored as U+FFFD, silently changed).
 */
export function isSafeText(s: string): boolean {
  return !s.includes('\u0000') && !UNPAIRED_SURROGATE.test(s);
}

export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** Deeper than any input we accept: walking further is refused rather than risked. */
const MAX_DEPTH = 32;

/**
 * The path (`customer.name`, `items.0`) of the first string or key in a parsed input that is not
 * safe text, or null when there is none.
 */
export function unsafeTextAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isSafeText(value) ? null : path;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (depth >= MAX_DEPTH) return path;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (!isSafeText(key)) return at;
    const found = unsafeTextAt(inner, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

const refuse = (field: string): AppError => errors.invalid(field, `${field}: ${UNSAFE_TEXT_MESSAGE}.`);

/** Path and query of every request (mounted first): hostile text never reaches a route or the database. */
export const rejectUnsafeUrl: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(errors.invalid('path', 'path: the address is not correctly encoded.'));
  }
  if (!isSafeText(path)) return next(refuse('path'));
  const field = unsafeTextAt(req.query, '');
  next(field === null ? undefined : refuse(field));
};

/** Parsed bodies (mounted after each body parser), JSON and forms alike. */
export const rejectUnsafeBody: RequestHandler = (req, _res, next) => {
  const field = unsafeTextAt(req.body, '');
  next(field === null ? undefined : refuse(field || 'body'));
};
