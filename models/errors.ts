/**
 * One closed catalogue of domain errors with stable codes: the HTTP layer answers `status` and the
 * code, the bot maps the code to a reply. Errors are built only by the factories of `errors`
 * below (the constructor takes a key only this module holds, and a test fails on any other
 * `new AppError`), so every code a client may see is listed here with its status.
 */
const STATUS = {
  invalid_input: 400,
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  invite_invalid: 400,
  /** Any other 4xx a body parser reports; its own status is kept. */
  bad_request: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  wrong_code: 401,
  expired: 401,
  no_code: 401,
  forbidden: 403,
  csrf_failed: 403,
  invalid_signature: 403,
  not_found: 404,
  place_not_found: 404,
  unknown_number: 404,
  widget_not_built: 404,
  console_not_built: 404,
  conflict: 409,
  slot_unavailable: 409,
  hold_expired: 409,
  appointment_cancelled: 409,
  appointment_changed: 409,
  change_too_late: 409,
  workflow_invalid: 409,
  phone_number_taken: 409,
  status_in_use: 409,
  too_large: 413,
  rate_limited: 429,
  locked: 429,
  internal: 500,
  database_unavailable: 503,
  webhook_not_configured: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof STATUS;

/** Why a one-time code was refused (notifications/otp.ts answers these; each is its own code here). */
export type CodeRejection = 'wrong_code' | 'expired' | 'locked' | 'no_code';

/** Held by this module alone: only the factories below can call the constructor. */
const CATALOGUE: unique symbol = Symbol('error catalogue');

export class AppError extends Error {
  constructor(
    key: typeof CATALOGUE,
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const make = (code: ErrorCode, message: string, details?: Record<string, unknown>) => new AppError(CATALOGUE, code, STATUS[code], message, details);
const withField = (field: string | undefined) => (field === undefined ? {} : { field });

const CODE_REJECTED: Record<CodeRejection, string> = {
  wrong_code: 'That code is not right. Check the email and try again.',
  expired: 'That code has expired. Ask for a new one.',
  locked: 'Too many wrong codes. Ask for a new one.',
  no_code: 'No code is waiting for this sign-in. Ask for a new one.',
};

export const errors = {
  invalid: (field: string, message: string) => make('invalid_input', message, { field }),
  invalidJson: () => make('invalid_json', 'The request body is not valid JSON.'),
  invalidBody: (message: string) => make('invalid_body', message),
  invalidQuery: (message: string) => make('invalid_query', message),
  inviteInvalid: () =>
    make('invite_invalid', 'This invite link is invalid, used or expired. Ask an administrator for a new one.', { field: 'token' }),
  /** A 4xx the body parser raised (e.g. 415): its status and message are kept. */
  badRequest: (status: number, message: string) => new AppError(CATALOGUE, 'bad_request', status, message),
  unauthorized: (message = 'A valid API key is required (Authorization: Bearer …).') => make('unauthorized', message),
  /** The same answer whatever went wrong: unknown email, wrong password, locked or disabled account. */
  invalidCredentials: (maxFailures: number, lockoutMinutes: number) =>
    make('invalid_credentials', `Incorrect email or password. After ${maxFailures} failed attempts an account is locked for ${lockoutMinutes} minutes.`),
  codeRejected: (reason: CodeRejection, attemptsLeft?: number) =>
    make(reason, CODE_REJECTED[reason], attemptsLeft === undefined ? {} : { attemptsLeft }),
  forbidden: (message: string) => make('forbidden', message),
  csrfFailed: (message: string) => make('csrf_failed', message),
  invalidSignature: (message: string) => make('invalid_signature', message),
  notFound: (what: string) => make('not_found', `${what} not found.`, { what }),
  /** No route answers this method and path; `api` names the API, e.g. "API" or "console API". */
  noRoute: (api: string, method: string, path: string) => make('not_found', `No ${api ? `${api} ` : ''}route ${method} ${path}.`),
  placeNotFound: (near: string) =>
    make('place_not_found', `We could not find "${near}". Try a postcode, a city name or coordinates.`, { field: 'near' }),
  unknownNumber: (to: string) => make('unknown_number', `No brand answers on ${to}.`),
  widgetNotBuilt: () => make('widget_not_built', 'The widget is not built yet: run `npm run build:widget`.'),
  consoleNotBuilt: () => make('console_not_built', 'The console is not built yet: run `npm run build:console`.'),
  conflict: (message: string, field?: string) => make('conflict', message, withField(field)),
  /** A Twilio number can answer for one brand only: inbound messages find their brand by it. */
  numberTaken: (field: string, number: string) =>
    make('phone_number_taken', `${number} already answers for another brand. Remove it there first.`, { field }),
  slotTaken: () => make('slot_unavailable', 'That time slot is no longer available. Please pick another one.'),
  holdExpired: () => make('hold_expired', 'The hold on this slot has expired. Please pick a slot again.'),
  alreadyCancelled: () => make('appointment_cancelled', 'This appointment is already cancelled.'),
  tooLate: (minutes: number) =>
    make('change_too_late', `Appointments can only be changed or cancelled up to ${minutes} minutes before they start.`, { noticeMinutes: minutes }),
  /** The caller acted on a version of the appointment that another change has replaced. */
  changedMeanwhile: (current: number) =>
    make('appointment_changed', 'This appointment has changed since you last saw it. Please look at it again before changing it.', { version: current }),
  workflowInvalid: (problem: string) => make('workflow_invalid', problem),
  statusInUse: (name: string, appointments: number) =>
    make(
      'status_in_use',
      `"${name}" is the current status of ${appointments} appointment${appointments === 1 ? '' : 's'}. Move ${appointments === 1 ? 'it' : 'them'} to another status before deleting it.`,
      { inUse: appointments },
    ),
  tooLarge: () => make('too_large', 'The request body is too large.'),
  rateLimited: (message: string, retryAfterSeconds?: number) =>
    make('rate_limited', message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  internal: () => make('internal', 'Something went wrong on our side. Please try again.'),
  /** The database cannot be reached (down, restarting, unreachable): worth retrying shortly. */
  databaseUnavailable: () =>
    make('database_unavailable', 'The service is briefly unavailable. Please try again in a few seconds.', { retryAfterSeconds: 5 }),
  webhookNotConfigured: (setting: string) => make('webhook_not_configured', `This webhook is not configured (${setting} is not set).`),
} as const;

interface PgError {
  code?: string;
  constraint?: string;
}

/** The exclusion constraint on slot_claims refused a claim: the time is taken. */
export function isSlotConflict(error: unknown): boolean {
  return (error as PgError | null)?.code === '23P01';
}

/** What the booking functions of migration 019 raise besides 23P01. */
const RAISED: Record<string, () => AppError> = {
  RV404: () => errors.notFound('Hold'),
  RV410: () => errors.holdExpired(),
};

/** Translates PostgreSQL error codes that carry domain meaning; anything else is rethrown as is. */
export function translateDbError(error: unknown): never {
  if (isSlotConflict(error)) throw errors.slotTaken();
  const raised = RAISED[(error as PgError | null)?.code ?? ''];
  if (raised) throw raised();
  throw error;
}

/** Network failures of the connection itself (no SQLSTATE). */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is going away or refusing connections (class 08, 57P01-3, 53300). */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;
/** node-postgres reports a dropped or timed-out connection with a plain Error and these words. */
const CONNECTION_MESSAGES = /Connection terminated|timeout expired|timeout exceeded when trying to connect|not queryable|Connection ended unexpectedly/i;

/** Whether an error means the database is unreachable, rather than that a statement failed. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object' || e instanceof AppError) return false;
  if (typeof e.code === 'string') return CONNECTION_ERRNOS.has(e.code) || UNAVAILABLE_STATES.test(e.code);
  return typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}

/**
 * SQLSTATEs of a value PostgreSQL cannot take: a NUL or an invalid character in text or jsonb
 * (22021, 22P05), a date or time out of its range or malformed (22008, 22007). Input validation
 * refuses these first; this is the net under it, so they answer 400 and never 500.
 */
const BAD_VALUE_STATES = new Set(['22021', '22P05', '22008', '22007']);

export function isBadValueError(error: unknown): boolean {
  const code = (error as PgError | null)?.code;
  return typeof code === 'string' && BAD_VALUE_STATES.has(code) && !(error instanceof AppError);
}

function isUniqueViolation(error: unknown): boolean {
  return (error as PgError | null)?.code === '23505';
}

/** For repositories: a unique violation (23505) of their statement becomes the domain error `as` builds. */
export function uniqueViolationAs(as: () => AppError): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error)) throw as();
    throw error;
  };
}
