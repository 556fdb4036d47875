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
  /** The caller acted on a version of the appointment that another change has replaced. */
  changedMeanwhile: (current: number) =>
    new AppError('appointment_changed', 409, 'This appointment has changed since you last saw it. Please look at it again before changing it.', { version: current }),
} as const;

interface PgError {
  code?: string;
  constraint?: string;
}

/** Translates PostgreSQL error codes that carry domain meaning; anything else is rethrown as is. */
export function translateDbError(error: unknown): never {
  const code = (error as PgError | null)?.code;
  if (code === '23P01') throw errors.slotTaken();
  throw error;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as PgError | null)?.code === '23505';
}
