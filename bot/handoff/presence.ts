import type { PresenceStatus } from './console-protocol.ts';

export interface PresentStaff {
  staffId: string;
  brandId: string;
  name: string;
  /** Stores whose consoles see this agent's presence. */
  storeIds: string[];
}

export interface PresenceChange {
  staff: PresentStaff;
  before: PresenceStatus;
  after: PresenceStatus;
}

export interface PresentAgent {
  staff: PresentStaff;
  status: PresenceStatus;
}

/**
 * Who is at the console, per staff member across their tabs (connections): online if any tab says
 * online, away if every tab says away, offline with no tab. One process keeps it in memory
 * (PresenceTracker); several instances share it in Redis (redis-presence.ts).
 */
export interface Presence {
  /** A tab opened (online unless it says otherwise). */
  connect(staff: PresentStaff, connectionId: string, status?: 'online' | 'away'): Promise<PresenceChange>;
  /** Null when the tab is not known (already gone). */
  set(staffId: string, brandId: string, connectionId: string, status: 'online' | 'away'): Promise<PresenceChange | null>;
  disconnect(staffId: string, brandId: string, connectionId: string): Promise<PresenceChange | null>;
  /** Staff of the brand with at least one tab (online or away). */
  present(brandId: string): Promise<PresentAgent[]>;
  /** Changes no tab reported: the tabs of an instance that died, dropped once their expiry passed. */
  onExpired(listener: (change: PresenceChange) => void): void;
  close(): Promise<void>;
}

/** Staff of the brand online now. */
export async function onlineOf(presence: Presence, brandId: string): Promise<string[]> {
  return (await presence.present(brandId)).filter((p) => p.status === 'online').map((p) => p.staff.staffId);
}

/** A staff member's status from the statuses of their tabs. */
export function statusOfTabs(statuses: Iterable<'online' | 'away'>): PresenceStatus {
  let status: PresenceStatus = 'offline';
  for (const s of statuses) {
    if (s === 'online') return 'online';
    status = 'away';
  }
  return status;
}

/** Presence in this process's memory: one instance (no REDIS_URL). Its tabs end only by disconnecting. */
export class PresenceTracker implements Presence {
  private readonly tabs = new Map<string, Map<string, 'online' | 'away'>>();
  private readonly staff = new Map<string, PresentStaff>();

  private statusOf(staffId: string): PresenceStatus {
    return statusOfTabs(this.tabs.get(staffId)?.values() ?? []);
  }

  async connect(staff: PresentStaff, connectionId: string, status: 'online' | 'away' = 'online'): Promise<PresenceChange> {
    this.staff.set(staff.staffId, staff);
    return this.change(staff.staffId, (tabs) => tabs.set(connectionId, status));
  }

  async set(staffId: string, _brandId: string, connectionId: string, status: 'online' | 'away'): Promise<PresenceChange | null> {
    if (!this.tabs.get(staffId)?.has(connectionId)) return null;
    return this.change(staffId, (tabs) => tabs.set(connectionId, status));
  }

  async disconnect(staffId: string, _brandId: string, connectionId: string): Promise<PresenceChange | null> {
    if (!this.tabs.get(staffId)?.has(connectionId)) return null;
    return this.change(staffId, (tabs) => tabs.delete(connectionId));
  }

  async present(brandId: string): Promise<PresentAgent[]> {
    return [...this.staff.values()]
      .filter((s) => s.brandId === brandId && this.statusOf(s.staffId) !== 'offline')
      .map((s) => ({ staff: s, status: this.statusOf(s.staffId) }));
  }

  onExpired(): void {
    // Nothing expires: a tab of this process ends with its socket.
  }

  async close(): Promise<void> {}

  private change(staffId: string, mutate: (tabs: Map<string, 'online' | 'away'>) => void): PresenceChange {
    const before = this.statusOf(staffId);
    let tabs = this.tabs.get(staffId);
    if (!tabs) {
      tabs = new Map();
      this.tabs.set(staffId, tabs);
    }
    mutate(tabs);
    if (tabs.size === 0) this.tabs.delete(staffId);
    const after = this.statusOf(staffId);
    const staff = this.staff.get(staffId)!;
    if (after === 'offline') this.staff.delete(staffId);
    return { staff, before, after };
  }
}

/** One staff member's status (offline when they have no tab). */
export async function statusOf(presence: Presence, brandId: string, staffId: string): Promise<PresenceStatus> {
  return (await presence.present(brandId)).find((p) => p.staff.staffId === staffId)?.status ?? 'offline';
}
