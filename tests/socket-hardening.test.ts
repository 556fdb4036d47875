import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { io as connect, type Socket } from 'socket.io-client';
import { DEMO_ADMIN } from '../models/seed-staff.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

/**
 * Whatever a client sends on a socket, the real server (a child process: a crash is an exit) stays
 * up and answers each event: an ack, and for a refusal the namespace's error event too.
 */

type Namespace = '/chat' | '/console';
const ERROR_EVENT: Record<Namespace, string> = { '/chat': 'chat-error', '/console': 'console-error' };

/** A client that can send events as raw JSON text: socket.io's own encoder recurses and overflows on deep payloads. */
interface RawClient {
  socket: Socket;
  /** The namespace's error events received. */
  errors: { code: string }[];
  /** Sends `[event, ...args]` (JSON texts) with an ack id; resolves with the ack's arguments. */
  emitRaw(eventJson: string, argsJson: string[], timeoutMs?: number): Promise<unknown[]>;
}

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A small deterministic random generator, so a failing fuzz run can be replayed from its seed. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('socket events cannot stop the server', () => {
  let server: ServerProcess;
  let cookie: string;
  const sockets: Socket[] = [];
  let nextAckId = 1_000_000;

  beforeAll(async () => {
    // The IP budget is tested in web-chat-delivery.test.ts; here every client shares 127.0.0.1.
    server = await startServerProcess({ CHAT_MESSAGES_PER_IP_PER_10S: '100000' });
    const admin = server.logins.find((l) => l.email === DEMO_ADMIN.email)!;
    const res = await fetch(`${server.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(res.status).toBe(201);
    cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 240_000);
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    // What the server logged (errors and warnings), for a failure's post-mortem.
    if (server) await mkdir(new URL('./artifacts/', import.meta.url), { recursive: true }).then(() => writeFile(new URL('./artifacts/socket-hardening-server.log', import.meta.url), server.output()));
    await server?.stop();
  }, 60_000);

  async function open(nsp: Namespace, auth: Record<string, unknown> = { brand: 'demo' }): Promise<RawClient> {
    const socket = connect(server.url + nsp, {
      ...(nsp === '/chat' ? { auth } : {}),
      extraHeaders: { origin: server.url, ...(nsp === '/console' ? { cookie } : {}) },
      transports: ['websocket'], reconnection: false, forceNew: true,
    });
    sockets.push(socket);
    const errors: { code: string }[] = [];
    socket.on(ERROR_EVENT[nsp], (e: { code: string }) => errors.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once(nsp === '/chat' ? 'session' : 'console:ready', () => resolve());
      socket.once('connect_error', reject);
    });
    const waiting = new Map<number, (args: unknown[]) => void>();
    // Acks arrive as "3/<nsp>,<id>[...]"; the client ignores ids it did not give, we read them here.
    socket.io.engine.on('message', (data: unknown) => {
      if (typeof data !== 'string') return;
      const m = /^3(\/[a-z]+),(\d+)/.exec(data);
      if (!m || m[1] !== nsp) return;
      waiting.get(Number(m[2]))?.(JSON.parse(data.slice(m[0].length)) as unknown[]);
      waiting.delete(Number(m[2]));
    });
    return {
      socket,
      errors,
      emitRaw(eventJson, argsJson, timeoutMs = 30_000) {
        const id = nextAckId++;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            reject(new Error(`no answer within ${timeoutMs} ms to ${eventJson.slice(0, 40)} (${argsJson.map((a) => a.length).join(', ')} chars); server exit: ${server.exit()}`));
          }, timeoutMs);
          waiting.set(id, (args) => {
            clearTimeout(timer);
            resolve(args);
          });
          socket.io.engine.send(`2${nsp},${id}[${[eventJson, ...argsJson].join(',')}]`);
        });
      },
    };
  }

  /** The process is alive, its HTTP answers, and a new chat still gets its message stored. */
  async function expectServing() {
    expect(server.exit()).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const chat = await open('/chat');
    const ack = await chat.socket.timeout(30_000).emitWithAck('message', { clientId: randomUUID(), text: 'still there?' });
    expect(ack).toMatchObject({ ok: true });
  }

  test('a chat message nested 10,000 deep is refused with too_large; the server keeps serving', async () => {
    const chat = await open('/chat');
    const [ack] = await chat.emitRaw('"message"', [deepArray(10_000)]);
    expect(ack).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(chat.errors.map((e) => e.code)).toEqual(['too_large']);
    // Deeper still (50,000 arrays, 100 KB) and deep objects on every chat event.
    for (const event of ['message', 'resync', 'typing', 'read', 'nonsense']) {
      const [answer] = await chat.emitRaw(JSON.stringify(event), ['{"value":'.repeat(12_000) + '1' + '}'.repeat(12_000)]);
      expect(answer).toMatchObject({ ok: false, error: { code: 'too_large' } });
    }
    expect((await chat.emitRaw('"message"', [deepArray(50_000)]))[0]).toMatchObject({ ok: false, error: { code: 'too_large' } });
    await expectServing();
  });

  test('a console event nested 10,000 deep is refused with too_large; the server keeps serving', async () => {
    const agent = await open('/console');
    const [ack] = await agent.emitRaw('"handoff:message"', [deepArray(10_000)]);
    expect(ack).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(agent.errors.map((e) => e.code)).toEqual(['too_large']);
    expect((await agent.emitRaw('"presence:set"', [deepArray(50_000)]))[0]).toMatchObject({ ok: false, error: { code: 'too_large' } });
    await expectServing();
  });

  test('frames the transport cannot read (over its size limit, malformed, false binary attachments) close only their connection', async () => {
    for (const frame of [
      `2/chat,["message",${JSON.stringify('x'.repeat(200_000))}]`,
      '2/chat,["message",{"clientId":',
      '51-/chat,["message",{"_placeholder":true,"num":7}]',
      `2/chat,["message",${deepArray(100_000)}]`,
    ]) {
      const chat = await open('/chat');
      const closed = new Promise<void>((resolve) => chat.socket.once('disconnect', () => resolve()));
      chat.socket.io.engine.send(frame);
      if (!frame.startsWith('51-')) await closed; // a pending attachment just waits (until the client goes)
      chat.socket.disconnect();
    }
    await expectServing();
  });

  test('fuzz: random event names, payload types, depths and sizes on both namespaces for 20 s: every event answered', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const int = (max: number) => Math.floor(random() * (max + 1));
    const text = (max: number) => Array.from({ length: int(max) }, () => pick(['a', 'é', '0', ' ', '"', '\\', '\u0000', '😀', '<', '{'])).join('');
    const KEYS = ['clientId', 'text', 'value', 'on', 'seq', 'afterSeq', 'conversationId', 'status', '__proto__', 'constructor', 'toString', ''];

    function small(depth: number): string {
      const k = random();
      if (depth > 4 || k < 0.35) return pick(['null', 'true', 'false', '0', '-1', '1e308', '-0', '3.5', '2147483648', JSON.stringify(text(40))]);
      if (k < 0.65) return `[${Array.from({ length: int(4) }, () => small(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: int(4) }, () => `${JSON.stringify(pick(KEYS))}:${small(depth + 1)}`).join(',')}}`;
    }
    /** One argument as JSON text, at most ~110 KB so the frame stays under the transport's limit. */
    function payload(): string {
      switch (pick(['deep-array', 'deep-object', 'big-string', 'wide', 'message', 'typed', 'small', 'small'] as const)) {
        case 'deep-array': return deepArray(1 + int(55_000));
        case 'deep-object': {
          const depth = 1 + int(11_000);
          return '{"value":'.repeat(depth) + 'null' + '}'.repeat(depth);
        }
        case 'big-string': return JSON.stringify({ clientId: `fuzz-${randomUUID()}`, text: 'x'.repeat(int(110_000)) });
        case 'wide': return `[${new Array(1 + int(30_000)).fill('0').join(',')}]`;
        case 'message': return JSON.stringify({ clientId: `fuzz-${randomUUID()}`.slice(0, 4 + int(70)), text: text(60), ...(random() < 0.5 ? { value: JSON.parse(`{"v":${small(2)}}`) } : {}) });
        case 'typed': return JSON.stringify(pick([{ on: random() < 0.5 }, { seq: int(10) }, { afterSeq: int(5) }, { status: pick(['online', 'away', 'gone']) },
          { conversationId: randomUUID() }, { conversationId: randomUUID(), seq: int(3) }, { conversationId: randomUUID(), clientId: `fuzz-${randomUUID()}`, text: text(20) }]));
        default: return small(0);
      }
    }
    const EVENTS = {
      '/chat': ['message', 'message', 'resync', 'typing', 'read'],
      '/console': ['presence:set', 'handoff:join', 'handoff:message', 'handoff:typing', 'handoff:read', 'handoff:end', 'handoff:resync'],
    };
    const eventName = (nsp: Namespace) => {
      const k = random();
      if (k < 0.6) return JSON.stringify(pick(EVENTS[nsp]));
      if (k < 0.7) return String(int(1000)); // socket.io allows numeric event names
      return JSON.stringify(pick(['', 'error', '__proto__', 'constructor', 'hasOwnProperty', 'message ', 'MESSAGE', 'x'.repeat(2000), text(12), ...EVENTS[nsp === '/chat' ? '/console' : '/chat']]));
    };
    const argsOf = () => (random() < 0.05 ? [] : random() < 0.05 ? [payload(), small(0)] : [payload()]);

    // Refusals a client can cause; `internal` would mean a handler failed on something unforeseen.
    const EXPECTED: Record<Namespace, string[]> = {
      '/chat': ['invalid_event', 'too_large', 'rate_limited'],
      '/console': ['invalid_event', 'too_large', 'rate_limited', 'not_found', 'forbidden', 'not_waiting', 'not_attached', 'already_taken'],
    };
    const stats = { sent: 0, answered: 0, refused: 0 };
    const codes: Record<string, number> = {};
    const ends = Date.now() + 20_000;

    async function fuzz(nsp: Namespace) {
      const client = await open(nsp);
      let refused = 0;
      const inFlight = new Set<Promise<void>>();
      while (Date.now() < ends) {
        const sent = client.emitRaw(eventName(nsp), argsOf()).then(([answer]) => {
          stats.answered++;
          const a = answer as { ok: boolean; error?: { code: string } };
          if (!a.ok) {
            refused++;
            stats.refused++;
            const code = `${nsp} ${a.error?.code}`;
            codes[code] = (codes[code] ?? 0) + 1;
            expect(EXPECTED[nsp]).toContain(a.error?.code);
          }
        });
        stats.sent++;
        const tracked = sent.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        if (inFlight.size >= 6) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      // Each refusal was also said on the error event, before its ack.
      expect(client.errors).toHaveLength(refused);
      expect(client.socket.connected).toBe(true);
    }

    await Promise.all([fuzz('/chat'), fuzz('/chat'), fuzz('/console'), fuzz('/console')]);
    process.stdout.write(`socket fuzz (seed ${seed}): ${JSON.stringify({ ...stats, codes })}\n`);
    expect(stats.answered).toBe(stats.sent);
    expect(stats.sent).toBeGreaterThan(200);
    await expectServing();
  }, 180_000);
});
