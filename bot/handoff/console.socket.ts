import type { Namespace, Server, Socket } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Database } from '../../models/database.ts';
import { storesOfStaffMember } from '../../models/handoff.repository.ts';
import { consoleOrigins, createStaffAuth, type StaffSession } from '../../server/console/staff-auth.ts';
import { loadScope, type StaffScope } from '../../server/console/access.ts';
import {
  handoffEnd, handoffJoin, handoffMessage, handoffRead, handoffResync, handoffTyping, presenceSet,
  type ConsoleError, type ConsoleReady,
} from './console-protocol.ts';
import { consoleRooms, HandoffError, type Agent, type ConsoleNotifier, type HandoffRouter } from './handoff-router.ts';

export interface ConsoleSocketDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  /** The server's public URL: the console is served from its origin, the only one accepted. */
  publicUrl: string;
  handoff: HandoffRouter;
  /** Events a console socket may send per 10 seconds (default 60). */
  eventsPer10s?: number;
  /** How often a connected console's session is checked again (ms; default 60 s). */
  sessionRecheckMs?: number;
}

/** Events over this size get a clear error. */
const MAX_EVENT_BYTES = 16 * 1024;

interface ConsoleSocketData {
  session: StaffSession;
  scope: StaffScope;
  checkedAt: number;
}

const EVENTS = new Set(['presence:set', 'handoff:join', 'handoff:message', 'handoff:typing', 'handoff:read', 'handoff:end', 'handoff:resync']);

/**
 * The agent console's live channel, namespace /console (protocol: console-protocol.ts): presence,
 * hand-off requests, the conversations agents are in, appointment changes. Authenticated by the
 * console session cookie on the handshake, from the server's own origin only.
 */
export function attachConsoleSocket(io: Server, deps: ConsoleSocketDeps): { namespace: Namespace; notifier: ConsoleNotifier } {
  const { db, logger, handoff } = deps;
  const nsp = io.of('/console');
  handoff.bindConsole(nsp);
  const auth = createStaffAuth({ db, now: deps.now, publicUrl: deps.publicUrl });
  const origins = new Set(consoleOrigins(deps.publicUrl));
  const limiter = new RateLimiterMemory({ points: deps.eventsPer10s ?? 60, duration: 10 });
  const recheckMs = deps.sessionRecheckMs ?? 60_000;

  // CORS does not protect WebSockets, and the cookie is sent whatever page opens the socket.
  nsp.use(async (socket, next) => {
    try {
      const origin = socket.handshake.headers.origin;
      if (!origin || !origins.has(origin)) return next(new Error('origin_not_allowed: the console only opens from its own site.'));
      const session = await auth.sessionFromCookieHeader(socket.handshake.headers.cookie);
      if (!session) return next(new Error('unauthorized: please sign in to the console.'));
      const scope = await loadScope(db, session.staff);
      socket.data = { session, scope, checkedAt: Date.now() } satisfies ConsoleSocketData;
      next();
    } catch (err) {
      logger.error({ err }, 'console handshake failed');
      next(new Error('internal: please try again.'));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const data = socket.data as ConsoleSocketData;
    const agent = (): Agent => ({ staff: data.session.staff, scope: data.scope });
    const { staff } = data.session;
    const fail = (error: ConsoleError, reply?: (r: unknown) => void) => {
      socket.emit('console-error', error);
      reply?.({ ok: false, error: { code: error.code, message: error.message } });
    };

    /** The session may have ended (sign-out, disabled account, timeouts): checked now and then. */
    const stillSignedIn = async (): Promise<boolean> => {
      if (Date.now() - data.checkedAt < recheckMs) return true;
      const session = await auth.sessionFromCookieHeader(socket.handshake.headers.cookie);
      if (!session) return false;
      data.session = session;
      data.scope = await loadScope(db, session.staff);
      data.checkedAt = Date.now();
      return true;
    };

    // Listeners are registered at once (events sent right after connecting are not lost); they
    // wait for this: rooms, presence, and the console's initial state.
    const ready = (async () => {
      try {
        const rooms = [consoleRooms.staff(staff.id), consoleRooms.brand(staff.brandId), ...data.scope.storeIds.map(consoleRooms.store)];
        if (data.scope.allStores) rooms.push(consoleRooms.admins(staff.brandId));
        const state = await handoff.consoleState(agent());
        rooms.push(...state.attached.map((c) => consoleRooms.conversation(c.conversationId)));
        await socket.join(rooms);
        const storeIds = await storesOfStaffMember(db, staff.id);
        if (socket.disconnected) return;
        await handoff.presenceChanged(handoff.presence.connect({ staffId: staff.id, brandId: staff.brandId, name: staff.name, storeIds }, socket.id));
        const hello: ConsoleReady = {
          staff: { id: staff.id, name: staff.name, role: staff.role },
          presence: handoff.presenceInScope(agent()),
          ...state,
        };
        socket.emit('console:ready', hello);
      } catch (err) {
        logger.error({ err, staffId: staff.id }, 'console connection failed');
        fail({ code: 'internal', message: 'The console could not load: please reload.' });
      }
    })();

    /** One validated, rate-limited, authenticated event handler; errors become console-error. */
    function handle<S extends z.ZodType>(event: string, schema: S, work: (payload: z.output<S>) => Promise<Record<string, unknown> | void>) {
      socket.on(event, async (payload: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : undefined;
        try {
          await limiter.consume(socket.id);
        } catch {
          return fail({ code: 'rate_limited', message: 'Too many events: please wait a few seconds.', event }, reply);
        }
        if (JSON.stringify(payload ?? null).length > MAX_EVENT_BYTES) {
          return fail({ code: 'too_large', message: `That ${event} is too large.`, event }, reply);
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue?.path.length ? ` (${issue.path.join('.')}: ${issue.message})` : issue ? ` (${issue.message})` : '';
          return fail({ code: 'invalid_event', message: `${event} could not be read${where}.`, event }, reply);
        }
        try {
          await ready;
          if (!(await stillSignedIn())) {
            fail({ code: 'unauthorized', message: 'Your console session has ended: please sign in again.', event }, reply);
            socket.disconnect(true);
            return;
          }
          const result = await work(parsed.data);
          reply?.({ ok: true, ...(result ?? {}) });
        } catch (err) {
          if (err instanceof HandoffError) return fail({ code: err.code, message: err.message, event }, reply);
          logger.error({ err, event, staffId: staff.id }, 'console event failed');
          fail({ code: 'internal', message: 'Something went wrong: please try again.', event }, reply);
        }
      });
    }

    handle('presence:set', presenceSet, async ({ status }) => {
      await handoff.presenceChanged(handoff.presence.set(staff.id, socket.id, status));
    });
    handle('handoff:join', handoffJoin, async ({ conversationId }) => handoff.join(agent(), conversationId));
    handle('handoff:message', handoffMessage, async ({ conversationId, clientId, text }) =>
      handoff.agentMessage(agent(), conversationId, clientId, text));
    handle('handoff:typing', handoffTyping, async ({ conversationId, on }) => handoff.agentTyping(agent(), conversationId, on));
    handle('handoff:read', handoffRead, async ({ conversationId, seq }) => handoff.agentRead(agent(), conversationId, seq));
    handle('handoff:end', handoffEnd, async ({ conversationId }) => handoff.end(agent(), conversationId));
    handle('handoff:resync', handoffResync, async ({ conversationId, afterSeq }) => {
      const activities = await handoff.resync(agent(), conversationId, afterSeq);
      if (!socket.rooms.has(consoleRooms.conversation(conversationId))) {
        // A reconnection lost the room (another tab joined meanwhile): rejoin if it is theirs.
        const state = await handoff.consoleState(agent());
        if (state.attached.some((c) => c.conversationId === conversationId)) await socket.join(consoleRooms.conversation(conversationId));
      }
      return { activities };
    });

    socket.onAny((event: string, ...args: unknown[]) => {
      if (EVENTS.has(event)) return;
      const last = args[args.length - 1];
      fail({ code: 'invalid_event', message: `Unknown event "${event}".`, event }, typeof last === 'function' ? (last as (r: unknown) => void) : undefined);
    });

    socket.on('disconnect', () => {
      ready.then(() => handoff.presenceChanged(handoff.presence.disconnect(staff.id, socket.id)))
        .catch((err) => logger.warn({ err, staffId: staff.id }, 'presence update failed'));
    });
  });

  return { namespace: nsp, notifier: handoff.consoleNotifier };
}
