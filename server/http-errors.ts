import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { AppError } from '../models/errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

/** zod issues → one 400 naming the first field at fault. */
export function fromZod(error: ZodError): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  return new AppError('invalid_input', 400, `${field}: ${issue.message}`, { field });
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
    else if (err?.type === 'entity.parse.failed') error = new AppError('invalid_json', 400, 'The request body is not valid JSON.');
    else if (err?.type === 'entity.too.large') error = new AppError('too_large', 413, 'The request body is too large.');
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      error = new AppError('bad_request', err.status, String(err.message ?? 'Bad request.'));
    } else {
      logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
      error = new AppError('internal', 500, 'Something went wrong on our side. Please try again.');
    }
    setRetryAfter(res, error);
    const { field, ...details } = error.details as { field?: string };
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (typeof field === 'string') body.error.field = field;
    if (Object.keys(details).length > 0) body.error.details = details;
    res.status(error.status).json(body);
  };
}
