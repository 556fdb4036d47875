/** One catalogue of domain errors with stable codes; the HTTP layer maps `status`, the bot maps `code`. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  invalid: (field: string, message: string) => new AppError('invalid_input', 400, message, { field }),
  unauthorized: (message = 'A valid API key is required (Authorization: Bearer …).') =>
    new AppError('unauthorized', 401, message),
  forbidden: (message: string) => new AppError('forbidden', 403, message),
  notFound: (what: string) => new AppError('not_found', 404, `${what} not found.`, { what }),
  slotTaken: () =>
    new AppError('slot_unavailable', 409, 'That time slot is no longer available. Please pick another one.'),
  holdExpired: () => new AppError('hold_expired', 409, 'The hold on this slot has expired. Please pick a slot again.'),
  alreadyCancelled: () => new AppError('appointment_cancelled', 409, 'This appointment is already cancelled.'),
  tooLate: (minutes: number) =>
    new AppError(
      'change_too_late',
      409,
      `Appointments can only be changed or cancelled up to ${minutes} minutes before they start.`,
      { noticeMinutes: minutes },
    ),
  conflict: (message: string) => new AppError('conflict', 409, message),
  /** A Twilio number can answer for one brand only: inbound messages find their brand by it. */
  numberTaken: (field: string, number: string) =>
    new AppError('phone_number_taken', 409, `${number} already answers for another brand. Remove it there first.`, { field }),
  /** The database cannot be reached (down, restarting, unreachable): worth retrying shortly. */
  databaseUnavailable: () =>
    new AppError('database_unavailable', 503, 'The service is briefly unavailable. Please try again in a few seconds.', { retryAfterSeconds: 5 }),
  /** The caller acted on a version of the appointment that another change has replaced. */
  changedMeanwhile: (current: number) =>
    new AppError('appointment_changed', 409, 'This appointment has changed since you last saw it. Please look at it again before changing it.', { version: current }),
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

export function isUniqueViolation(error: unknown): boolean {
  return (error as PgError | null)?.code === '23505';
}

/** Runs a statement; a unique violation (23505) becomes the domain error `taken` makes, anything else passes. */
export async function uniqueOr<T>(statement: Promise<T>, taken: () => AppError): Promise<T> {
  try {
    return await statement;
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}
