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

/**
 * Who is at the console, per staff member across their tabs: online if any tab says online, away
 * if every tab says away, offline with no tab. In memory: one server process (several processes
 * would share it through socket.io's adapter, which this does not do).
 */
export class PresenceTracker {
  private readonly tabs = new Map<string, Map<string, 'online' | 'away'>>();
  private readonly staff = new Map<string, PresentStaff>();

  statusOf(staffId: string): PresenceStatus {
    const tabs = this.tabs.get(staffId);
    if (!tabs || tabs.size === 0) return 'offline';
    for (const status of tabs.values()) if (status === 'online') return 'online';
    return 'away';
  }

  /** A tab opened (online unless it says otherwise). */
  connect(staff: PresentStaff, socketId: string, status: 'online' | 'away' = 'online'): PresenceChange {
    this.staff.set(staff.staffId, staff);
    return this.change(staff.staffId, (tabs) => tabs.set(socketId, status));
  }

  set(staffId: string, socketId: string, status: 'online' | 'away'): PresenceChange | null {
    if (!this.tabs.get(staffId)?.has(socketId)) return null;
    return this.change(staffId, (tabs) => tabs.set(socketId, status));
  }

  disconnect(staffId: string, socketId: string): PresenceChange | null {
    if (!this.tabs.get(staffId)?.has(socketId)) return null;
    return this.change(staffId, (tabs) => tabs.delete(socketId));
  }

  /** Staff of the brand with at least one tab (online or away). */
  present(brandId: string): { staff: PresentStaff; status: PresenceStatus }[] {
    return [...this.staff.values()]
      .filter((s) => s.brandId === brandId && this.statusOf(s.staffId) !== 'offline')
      .map((s) => ({ staff: s, status: this.statusOf(s.staffId) }));
  }

  /** Staff of the brand online now. */
  onlineOf(brandId: string): string[] {
    return this.present(brandId).filter((p) => p.status === 'online').map((p) => p.staff.staffId);
  }

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
