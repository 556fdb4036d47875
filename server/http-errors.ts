import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { AppError, errors, type ErrorCode } from '../models/errors.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; details?: Record<string, unknown> };
}

/** zod issues → one 400 naming the first field at fault. */
export function fromZod(error: ZodError): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  return errors.invalid(field, `${field}: ${issue.message}`);
}

/** Tells clients when to retry a 503 (database unreachable): the error's own delay. */
export function setRetryAfter(res: Response, error: AppError): void {
  const seconds = error.details.retryAfterSeconds;
  if (error.status === 503 && typeof seconds === 'number') res.set('Retry-After', String(seconds));
}

/** The one error handler: domain errors keep their status and code, unknown ones are hidden. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let error: AppError;
    if (err instanceof AppError) error = err;
    else if (err instanceof ZodError) error = fromZod(err);
    else if (err?.type === 'entity.parse.failed') error = errors.invalidJson();
    else if (err?.type === 'entity.too.large') error = errors.tooLarge();
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      error = errors.badRequest(err.status, String(err.message ?? 'Bad request.'));
    } else {
      logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
      error = errors.internal();
    }
    setRetryAfter(res, error);
    const { field, ...details } = error.details as { field?: string };
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (typeof field === 'string') body.error.field = field;
    if (Object.keys(details).length > 0) body.error.details = details;
    res.status(error.status).json(body);
  };
}
