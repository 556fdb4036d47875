import type { Socket } from 'socket.io';
import type { Logger } from 'pino';

/** What a refused event is answered with: on the namespace's error event, and in its ack. */
export interface EventError {
  code: string;
  message: string;
}

/** Thrown by a handler to refuse an event with an answer the client can act on (bad input, rate limit). */
export class EventRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface PayloadBounds {
  /** About the payload's size as JSON (UTF-8 bytes). */
  maxBytes: number;
  /** Nesting of arrays and objects; the payload itself is at depth 1. */
  maxDepth: number;
}

const NUL = '\u0000';

/**
 * Whether a decoded payload is within bounds, measured without recursion (a deeply nested payload
 * must not overflow the stack) and stopping at the first bound passed, so the work stays under
 * `maxBytes` steps whatever the payload. Sizes are those of the payload written as JSON, roughly.
 * No string may hold a NUL character: PostgreSQL text and jsonb cannot store one.
 */
export function payloadProblem(payload: unknown, bounds: PayloadBounds): 'too_large' | 'too_deep' | 'nul' | null {
  let bytes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: payload, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, depth } = item;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return 'nul';
      bytes += Buffer.byteLength(value) + 2;
    }
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) bytes += value.byteLength;
    else if (value !== null && typeof value === 'object') {
      if (depth >= bounds.maxDepth) return 'too_deep';
      bytes += 2;
      const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value);
      for (const [key, child] of entries) {
        if (key?.includes(NUL)) return 'nul';
        bytes += key === null ? 1 : Buffer.byteLength(key) + 4;
        if (bytes > bounds.maxBytes) return 'too_large';
        stack.push({ value: child, depth: depth + 1 });
      }
    } else bytes += 8; // numbers, booleans, null
    if (bytes > bounds.maxBytes) return 'too_large';
  }
  return null;
}

/** One event's work: its answer goes in the ack as `{ ok: true, ...answer }`. */
export type EventHandler = (payload: unknown, event: string) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface SocketGuardOptions {
  logger: Logger;
  bounds: PayloadBounds;
  /** Tells the client that an event was refused (the namespace's error event). */
  emitError(socket: Socket, event: string, error: EventError): void;
  /** Errors of the namespace's own that are answers for the client (else they are logged and answered `internal`). */
  refusalOf?(err: unknown): EventError | null;
  /** What to log with an unexpected error: ids, never the payload. */
  logContext?(socket: Socket): Record<string, unknown>;
}

const INTERNAL: EventError = { code: 'internal', message: 'Something went wrong: please try again.' };

/**
 * The one way socket events reach our code. Every event, known or not, is answered: its ack gets
 * `{ ok: true, ... }` or `{ ok: false, error }`, and a refusal also goes out on the error event.
 * Payloads are bounded (size and depth) before a handler sees them; whatever a handler throws or
 * rejects with is caught, so no client can bring the process down.
 */
export function socketGuard(options: SocketGuardOptions) {
  const { logger, bounds } = options;

  async function run(socket: Socket, event: string, handler: EventHandler, args: unknown[]): Promise<void> {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (answer: unknown) => void) : undefined;
    const payloads = ack ? args.slice(0, -1) : args;
    try {
      if (payloads.length > 1) throw new EventRefused('invalid_event', `"${event}" takes one payload.`);
      const problem = payloadProblem(payloads[0], bounds);
      if (problem === 'nul') throw new EventRefused('invalid_event', `That "${event}" contains a NUL character.`);
      if (problem === 'too_deep') throw new EventRefused('too_large', `That "${event}" is nested too deeply.`);
      if (problem) throw new EventRefused('too_large', `That "${event}" is too large (${Math.floor(bounds.maxBytes / 1024)} KB at most).`);
      // Called before any await: handlers start in the order their events arrived.
      const answer = await handler(payloads[0], event);
      ack?.({ ok: true, ...answer });
    } catch (err) {
      const refusal = err instanceof EventRefused ? { code: err.code, message: err.message } : options.refusalOf?.(err) ?? null;
      if (!refusal) logger.error({ err, event, ...options.logContext?.(socket) }, 'socket event failed');
      const error = refusal ?? INTERNAL;
      options.emitError(socket, event, error);
      ack?.({ ok: false, error });
    }
  }

  const guarded = (socket: Socket, event: string, handler: EventHandler) => (...args: unknown[]) => {
    run(socket, event, handler, args).catch((err) => logger.error({ err, event, ...options.logContext?.(socket) }, 'socket answer failed'));
  };

  return {
    /**
     * Registers a socket's handlers, at once (call it synchronously on connection: an event sent
     * right after connecting must find its listener); any other event is refused as unknown.
     */
    listen(socket: Socket, handlers: Record<string, EventHandler>): void {
      const known = new Map(Object.entries(handlers));
      for (const [event, handler] of known) socket.on(event, guarded(socket, event, handler));
      socket.onAny((event: unknown, ...args: unknown[]) => {
        if (typeof event === 'string' && known.has(event)) return;
        const name = String(event).slice(0, 64);
        guarded(socket, name, () => { throw new EventRefused('invalid_event', `Unknown event "${name}".`); })(...args);
      });
    },
  };
}
