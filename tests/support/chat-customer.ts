import { io as connect, type Socket } from 'socket.io-client';
import type { ChatActivity, ChatSession, MessageAck } from '../../bot/web-protocol.ts';

/**
 * A customer's chat over a real socket.io client that can move to another instance, as the widget does:
 * it resumes its conversation with the last seq it saw, and resends what was never acknowledged.
 */
export class ChatCustomer {
  socket!: Socket;
  session: ChatSession | null = null;
  /** Everything seen, by seq: live or replayed (a replayed entry overwrites the same seq). */
  readonly activities = new Map<number, ChatActivity>();
  /** Every activity in the order it arrived, duplicates included (to spot double deliveries). */
  readonly received: ChatActivity[] = [];
  readonly unacked = new Map<string, string>();

  /** `ip`: the address a local proxy would forward (X-Forwarded-For), so budgets per IP are this test's own. */
  constructor(readonly name: string, readonly options: { origin: string; ip?: string; brand?: string }) {}

  get lastSeq(): number {
    return Math.max(0, ...this.activities.keys());
  }

  /** Connects (a new conversation, or resumes this one); rejects with the server's refusal. */
  connectTo(url: string): Promise<void> {
    const brand = this.options.brand ?? 'demo';
    const auth = this.session
      ? { brand, conversationId: this.session.conversationId, token: this.session.token, lastSeq: this.lastSeq }
      : { brand, lastSeq: 0 };
    const headers: Record<string, string> = { origin: this.options.origin };
    if (this.options.ip) headers['x-forwarded-for'] = this.options.ip;
    this.socket = connect(`${url}/chat`, { auth, extraHeaders: headers, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('session', (s: ChatSession) => { this.session = s; });
    this.socket.on('activity', (a: ChatActivity) => {
      this.activities.set(a.seq, a);
      this.received.push(a);
    });
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (err) => {
        this.socket.close();
        reject(err);
      });
    });
  }

  /** Sends (or resends) a message (`value`: a button's or form's, as the widget sends it); resolves with its ack, or null when the connection dropped first. */
  async send(clientId: string, text: string, value?: Record<string, unknown>): Promise<MessageAck | null> {
    this.unacked.set(clientId, text);
    try {
      const ack = (await this.socket.timeout(60_000).emitWithAck('message', { clientId, text, ...(value ? { value } : {}) })) as MessageAck;
      if (ack.ok) this.unacked.delete(clientId);
      return ack;
    } catch {
      return null;
    }
  }

  /** Resends every message that was never acknowledged (after moving to another instance). */
  async resendUnacked(): Promise<void> {
    for (const [clientId, text] of [...this.unacked]) {
      const ack = await this.send(clientId, text);
      if (!ack?.ok) throw new Error(`${this.name}: resend refused: ${JSON.stringify(ack)}`);
    }
  }

  answeredAfter(seq: number): boolean {
    return [...this.activities.values()].some((a) => a.seq > seq && a.from === 'bot');
  }

  disconnect(): void {
    this.socket?.disconnect();
  }
}
