import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { statusOfTabs, type Presence, type PresenceChange, type PresentAgent, type PresentStaff } from './presence.ts';

export interface RedisPresenceOptions {
  redis: Redis;
  logger: Logger;
  /** REDIS_KEY_PREFIX: keys of other deployments (or test runs) on the same Redis stay apart. */
  keyPrefix: string;
  /** This process, on every tab it holds: its tabs are refreshed by it alone. */
  instanceId: string;
  /** A tab not refreshed for this long belongs to a dead instance and drops out (ms). */
  expiryMs: number;
}

interface Tab {
  staff: PresentStaff;
  status: 'online' | 'away';
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * Presence shared by every instance through Redis: one hash per brand, a field per tab
 * (`staff instance connection`), each with an expiry this instance pushes back on a heartbeat
 * (a third of the expiry). Every instance also sweeps expired tabs: the one whose HDEL removes
 * a tab reports the change (onExpired), so a SIGKILLed instance's advisors go offline on
 * every console within the expiry.
 */
export class RedisPresence implements Presence {
  private readonly own = new Map<string, Tab>();
  private readonly listeners: ((change: PresenceChange) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private beating: Promise<void> | null = null;

  constructor(private readonly options: RedisPresenceOptions) {
    this.heartbeat = setInterval(() => {
      this.beating ??= this.beat()
        .catch((err) => options.logger.warn({ err }, 'presence heartbeat failed'))
        .finally(() => { this.beating = null; });
    }, Math.max(200, Math.floor(options.expiryMs / 3)));
    this.heartbeat.unref();
  }

  private get brandsKey(): string {
    return `${this.options.keyPrefix}presence:brands`;
  }

  private brandKey(brandId: string): string {
    return `${this.options.keyPrefix}presence:brand:${brandId}`;
  }

  private field(staffId: string, connectionId: string): string {
    return `${staffId} ${this.options.instanceId} ${connectionId}`;
  }

  /** Tabs of the brand not expired, by field. */
  private async tabs(brandId: string): Promise<Map<string, Tab>> {
    const raw = await this.options.redis.hgetall(this.brandKey(brandId));
    const now = Date.now();
    const tabs = new Map<string, Tab>();
    for (const [field, value] of Object.entries(raw)) {
      const tab = JSON.parse(value) as Tab;
      if (tab.expiresAt > now) tabs.set(field, tab);
    }
    return tabs;
  }

  private static statusOf(tabs: Map<string, Tab>, staffId: string) {
    return statusOfTabs([...tabs.values()].filter((t) => t.staff.staffId === staffId).map((t) => t.status));
  }

  /** Writes (or with status null removes) one of this instance's tabs; the change it made to its staff member. */
  private async write(staff: PresentStaff, connectionId: string, status: 'online' | 'away' | null): Promise<PresenceChange> {
    const key = this.brandKey(staff.brandId);
    const field = this.field(staff.staffId, connectionId);
    const tabs = await this.tabs(staff.brandId);
    const before = RedisPresence.statusOf(tabs, staff.staffId);
    if (status === null) {
      this.own.delete(field);
      tabs.delete(field);
      await this.options.redis.hdel(key, field);
    } else {
      const tab: Tab = { staff, status, expiresAt: Date.now() + this.options.expiryMs };
      this.own.set(field, tab);
      tabs.set(field, tab);
      await this.options.redis.multi()
        .hset(key, field, JSON.stringify(tab))
        .pexpire(key, this.options.expiryMs * 10)
        .sadd(this.brandsKey, staff.brandId)
        .exec();
    }
    return { staff, before, after: RedisPresence.statusOf(tabs, staff.staffId) };
  }

  async connect(staff: PresentStaff, connectionId: string, status: 'online' | 'away' = 'online'): Promise<PresenceChange> {
    return this.write(staff, connectionId, status);
  }

  async set(staffId: string, _brandId: string, connectionId: string, status: 'online' | 'away'): Promise<PresenceChange | null> {
    const tab = this.own.get(this.field(staffId, connectionId));
    return tab ? this.write(tab.staff, connectionId, status) : null;
  }

  async disconnect(staffId: string, _brandId: string, connectionId: string): Promise<PresenceChange | null> {
    const tab = this.own.get(this.field(staffId, connectionId));
    return tab ? this.write(tab.staff, connectionId, null) : null;
  }

  /** During a Redis outage nobody is present (customers are offered a video call instead of a queue), rather than a failed turn. */
  async present(brandId: string): Promise<PresentAgent[]> {
    let tabs: Map<string, Tab>;
    try {
      tabs = await this.tabs(brandId);
    } catch (err) {
      this.options.logger.warn({ err, brandId }, 'presence unreadable: nobody counted as present');
      return [];
    }
    const staff = new Map([...tabs.values()].map((t) => [t.staff.staffId, t.staff]));
    return [...staff.values()].map((s) => ({ staff: s, status: RedisPresence.statusOf(tabs, s.staffId) }));
  }

  onExpired(listener: (change: PresenceChange) => void): void {
    this.listeners.push(listener);
  }

  /** Stops refreshing this instance's tabs (they expire unless the sockets' disconnects remove them first). */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.beating;
  }

  /** Pushes back this instance's tabs' expiry, then drops the expired tabs of every brand. */
  private async beat(): Promise<void> {
    const { redis } = this.options;
    if (this.own.size > 0) {
      const refresh = redis.multi();
      for (const [field, tab] of this.own) {
        tab.expiresAt = Date.now() + this.options.expiryMs;
        const key = this.brandKey(tab.staff.brandId);
        refresh.hset(key, field, JSON.stringify(tab)).pexpire(key, this.options.expiryMs * 10).sadd(this.brandsKey, tab.staff.brandId);
      }
      await refresh.exec();
    }
    for (const brandId of await redis.smembers(this.brandsKey)) await this.sweep(brandId);
  }

  private async sweep(brandId: string): Promise<void> {
    const key = this.brandKey(brandId);
    const raw = await this.options.redis.hgetall(key);
    if (Object.keys(raw).length === 0) {
      await this.options.redis.srem(this.brandsKey, brandId);
      return;
    }
    const all = new Map(Object.entries(raw).map(([field, value]) => [field, JSON.parse(value) as Tab]));
    const now = Date.now();
    const dropped = new Map<string, PresentStaff>();
    for (const [field, tab] of all) {
      if (tab.expiresAt > now || this.own.has(field)) continue;
      // Only the instance whose HDEL removed the tab reports it: one offline event, not one per instance.
      if ((await this.options.redis.hdel(key, field)) === 1) dropped.set(tab.staff.staffId, tab.staff);
    }
    for (const staff of dropped.values()) {
      const statuses = (liveOnly: boolean) => [...all.values()]
        .filter((t) => t.staff.staffId === staff.staffId && (!liveOnly || t.expiresAt > now))
        .map((t) => t.status);
      const change = { staff, before: statusOfTabs(statuses(false)), after: statusOfTabs(statuses(true)) };
      if (change.before !== change.after) for (const listener of this.listeners) listener(change);
    }
  }
}
