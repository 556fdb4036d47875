import pino from 'pino';

/** One logger; credentials and codes are redacted wherever they appear in a logged object. */
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.code', '*.token', '*.apiKey', '*.password'],
      censor: '[redacted]',
    },
  });
}
