import type { Queryable } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import { findService, findStore, type Mode } from '../models/catalogue.repository.ts';
import { findAvailability } from '../scheduling/availability.ts';
import type { HomeAddress } from '../scheduling/booking.ts';
import type { SlotSource } from './slot-window.ts';

/** What is being looked for, by reference (dialog state keeps ids, not rows). */
export interface SlotQuery {
  serviceId: string;
  mode: Mode;
  storeId: string | null;
  home: HomeAddress | null;
  /** When rescheduling, the appointment's own time counts as free. */
  ignoreAppointmentId: string | null;
}

export const PAGE_SIZE = 8;
const DAY_MS = 86_400_000;

/**
 * The free starts of a query from `now` to the brand's booking horizon, computed span by span
 * (see SlotWindow): a page needs a few days, not the whole horizon.
 */
export async function slotSource(db: Queryable, brand: Brand, q: SlotQuery, now: Date): Promise<SlotSource> {
  const service = await findService(db, brand.id, q.serviceId);
  const store = q.storeId ? await findStore(db, brand.id, q.storeId) : null;
  const bounds = { from: now, to: new Date(now.getTime() + brand.settings.maxHorizonDays * DAY_MS) };
  if (!service || (q.storeId && !store)) return { ...bounds, load: () => Promise.resolve([]) };
  return {
    ...bounds,
    load: async (from, to) => {
      const slots = await findAvailability(db, {
        brand, service, mode: q.mode, store, home: q.home, from, to, now, ignoreAppointmentId: q.ignoreAppointmentId,
      });
      return slots.map((s) => s.start.toISOString());
    },
  };
}

/** Where a page starts: at an instant, just before one, or centred on one. */
export type PageAt = { from: string } | { before: string } | { around: string };

export interface SlotPage {
  starts: string[];
  earlier: boolean;
  later: boolean;
}

/** One page of `all` (sorted ISO instants, which compare as strings). */
export function pageOf(all: readonly string[], at: PageAt, size = PAGE_SIZE): SlotPage {
  const indexOf = (iso: string) => {
    const i = all.findIndex((s) => s >= iso);
    return i === -1 ? all.length : i;
  };
  let first: number;
  let end: number;
  if ('from' in at) {
    first = Math.min(indexOf(at.from), Math.max(0, all.length - size));
    end = Math.min(all.length, first + size);
  } else if ('before' in at) {
    end = Math.max(indexOf(at.before), Math.min(size, all.length));
    first = Math.max(0, end - size);
  } else {
    // Grow outwards from the asked time, taking whichever neighbour is closer.
    const target = Date.parse(at.around);
    first = end = indexOf(at.around);
    while (end - first < size && (first > 0 || end < all.length)) {
      const before = first > 0 ? target - Date.parse(all[first - 1] ?? '') : Infinity;
      const after = end < all.length ? Date.parse(all[end] ?? '') - target : Infinity;
      if (before <= after) first--;
      else end++;
    }
  }
  return { starts: all.slice(first, end), earlier: first > 0, later: end < all.length };
}
