import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Database } from '../../models/database.ts';
import { storesOfStaffMember } from '../../models/handoff.repository.ts';
import type { StaffSession } from '../../models/staff-sessions.ts';
import { loadScope, type StaffScope } from '../../scheduling/staff-access.ts';
import { consoleOrigins, staffSessionFromCookies } from './console-session.ts';
import {
  handoffEnd, handoffJoin, handoffMessage, handoffRead, handoffResync, handoffTyping, presenceSet,
  type ConsoleAnswer, type ConsoleClientEvents, type ConsoleError, type ConsoleReady, type ConsoleServerEvents,
} from './console-protocol.ts';
import { HandoffError, type Agent } from './agent-sessions.ts';
import { consoleRooms } from './console-rooms.ts';
import type { ConsoleNotifier, HandoffRouter } from './handoff-router.ts';
import { memoryRateLimit, type RateLimits } from '../rate-limit.ts';
import { EventRefused, socketGuard, type EventHandler } from '../socket-guard.ts';

export interface ConsoleSocketDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  /** The server's public URL: the console is served from its origin, the only one accepted. */
  publicUrl: string;
  handoff: HandoffRouter;
  /** Events a staff member may send per 10 seconds, all their tabs together (default 60). */
  eventsPer10s?: number;
  /** Where budgets are counted: shared by every instance with Redis (default: this process). */
  rateLimit?: RateLimits | undefined;
  /** How often a connected console's session is checked again (ms; default 60 s). */
  sessionRecheckMs?: number;
}

/** Events over this size or nesting get a clear error (the deepest event is 2 levels). */
const MAX_EVENT_BYTES = 16 * 1024;
const MAX_EVENT_DEPTH = 8;

interface ConsoleSocketData {
  session: StaffSession;
  scope: StaffScope;
  checkedAt: number;
}

/** The /console namespace, typed by its protocol (events both ways) and carrying each socket's signed-in staff member. */
export type StaffConsoleNamespace = Namespace<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleSocketData>;
type ConsoleSocket = Socket<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleSocketData>;
/** One handler per client event of the protocol, answering what its ack promises. */
type ConsoleHandlers = { [E in keyof ConsoleClientEvents]: (payload: unknown, event: string) => Promise<ConsoleAnswer<E>> };

/**
 * The agent console's live channel, namespace /console (protocol: console-protocol.ts): presence,
 * hand-off requests, the conversations agents are in, appointment changes. Authenticated by the
 * console session cookie on the handshake, from the server's own origin only.
 */
export function attachConsoleSocket(io: Server, deps: ConsoleSocketDeps): { namespace: StaffConsoleNamespace; notifier: ConsoleNotifier } {
  const { db, logger, handoff } = deps;
  // socket.io types a namespace like its server; this one is typed by its own protocol.
  const nsp = io.of('/console') as unknown as StaffConsoleNamespace;
  handoff.bindConsole(nsp);
  const origins = new Set(consoleOrigins(deps.publicUrl));
  const limit = (deps.rateLimit ?? memoryRateLimit)('console-events', deps.eventsPer10s ?? 60, 10);
  const guard = socketGuard({
    logger,
    bounds: { maxBytes: MAX_EVENT_BYTES, maxDepth: MAX_EVENT_DEPTH },
    emitError: (socket, event, error) => (socket as ConsoleSocket).emit('console-error', { ...error, event } as ConsoleError),
    refusalOf: (err) => (err instanceof HandoffError ? { code: err.code, message: err.message } : null),
    logContext: (socket) => ({ staffId: (socket.data as ConsoleSocketData).session.staff.id }),
  });
  const recheckMs = deps.sessionRecheckMs ?? 60_000;

  // CORS does not protect WebSockets, and the cookie is sent whatever page opens the socket.
  nsp.use(async (socket, next) => {
    try {
      const origin = socket.handshake.headers.origin;
      if (!origin || !origins.has(origin)) return next(new Error('origin_not_allowed: the console only opens from its own site.'));
      const session = await staffSessionFromCookies(db, socket.handshake.headers.cookie, deps.now());
      if (!session) return next(new Error('unauthorized: please sign in to the console.'));
      const scope = await loadScope(db, session.staff);
      socket.data = { session, scope, checkedAt: Date.now() } satisfies ConsoleSocketData;
      next();
    } catch (err) {
      logger.error({ err }, 'console handshake failed');
      next(new Error('internal: please try again.'));
    }
  });

  nsp.on('connection', (socket) => {
    const data = socket.data;
    const agent = (): Agent => ({ staff: data.session.staff, scope: data.scope });
    const { staff } = data.session;

    /** The session may have ended (sign-out, disabled account, timeouts): checked now and then. */
    const stillSignedIn = async (): Promise<boolean> => {
      if (Date.now() - data.checkedAt < recheckMs) return true;
      const session = await staffSessionFromCookies(db, socket.handshake.headers.cookie, deps.now());
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
        await handoff.presenceChanged(await handoff.presence.connect({ staffId: staff.id, brandId: staff.brandId, name: staff.name, storeIds }, socket.id));
        const hello: ConsoleReady = {
          staff: { id: staff.id, name: staff.name, role: staff.role },
          presence: await handoff.presenceInScope(agent()),
          ...state,
        };
        socket.emit('console:ready', hello);
      } catch (err) {
        logger.error({ err, staffId: staff.id }, 'console connection failed');
        socket.emit('console-error', { code: 'internal', message: 'The console could not load: please reload.' } satisfies ConsoleError);
      }
    })();

    /** One validated, rate-limited, authenticated event handler (the guard answers its errors). */
    function handler<S extends z.ZodType, A>(schema: S, work: (payload: z.output<S>) => Promise<A>): (payload: unknown, event: string) => Promise<A> {
      return async (payload, event) => {
        if (!(await limit.take(staff.id))) throw new EventRefused('rate_limited', 'Too many events: please wait a few seconds.');
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue?.path.length ? ` (${issue.path.join('.')}: ${issue.message})` : issue ? ` (${issue.message})` : '';
          throw new EventRefused('invalid_event', `${event} could not be read${where}.`);
        }
        await ready;
        if (!(await stillSignedIn())) {
          socket.disconnect(true);
          throw new EventRefused('unauthorized', 'Your console session has ended: please sign in again.');
        }
        return work(parsed.data);
      };
    }

    guard.listen(socket, {
      'presence:set': handler(presenceSet, async ({ status }) => {
        await handoff.presenceChanged(await handoff.presence.set(staff.id, staff.brandId, socket.id, status));
      }),
      'handoff:join': handler(handoffJoin, async ({ conversationId }) => handoff.join(agent(), conversationId)),
      'handoff:message': handler(handoffMessage, async ({ conversationId, clientId, text }) =>
        handoff.agentMessage(agent(), conversationId, clientId, text)),
      'handoff:typing': handler(handoffTyping, async ({ conversationId, on }) => handoff.agentTyping(agent(), conversationId, on)),
      'handoff:read': handler(handoffRead, async ({ conversationId, seq }) => handoff.agentRead(agent(), conversationId, seq)),
      'handoff:end': handler(handoffEnd, async ({ conversationId }) => handoff.end(agent(), conversationId)),
      'handoff:resync': handler(handoffResync, async ({ conversationId, afterSeq }) => {
        const activities = await handoff.resync(agent(), conversationId, afterSeq);
        if (!socket.rooms.has(consoleRooms.conversation(conversationId))) {
          // A reconnection lost the room (another tab joined meanwhile): rejoin if it is theirs.
          const state = await handoff.consoleState(agent());
          if (state.attached.some((c) => c.conversationId === conversationId)) await socket.join(consoleRooms.conversation(conversationId));
        }
        return { activities };
      }),
    } satisfies ConsoleHandlers);

    socket.on('disconnect', () => {
      ready.then(async () => handoff.presenceChanged(await handoff.presence.disconnect(staff.id, staff.brandId, socket.id)))
        .catch((err) => logger.warn({ err, staffId: staff.id }, 'presence update failed'));
    });
  });

  return { namespace: nsp, notifier: handoff.consoleNotifier };
}
