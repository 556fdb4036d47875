import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** What every log line written while handling one request or bot turn carries (its ids). */
export type LogContext = Readonly<Record<string, string>>;
const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `work` so that every log line it leads to names the given ids. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, work);
}

/** One logger; credentials and codes are redacted wherever they appear in a logged object. */
export function createLogger(level: string) {
  return pino({
    level,
    mixin: () => logContext.getStore() ?? {},
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.code', '*.token', '*.apiKey', '*.password'],
      censor: '[redacted]',
    },
  });
}
