import { PAGE_SIZE, pageOf, type PageAt, type SlotPage } from './slot-pages.ts';

/** The free starts of one query between `from` (now) and `to` (the booking horizon), computed span by span. */
export interface SlotSource {
  from: Date;
  to: Date;
  /** The free starts in [from, to), soonest first, as ISO instants; the same starts as one load of a wider span. */
  load(from: Date, to: Date): Promise<string[]>;
}

const DAY_MS = 86_400_000;
/** How far either side of the point of interest the first load reaches; each side that cannot answer yet doubles. */
export const FIRST_REACH_MS = 2 * DAY_MS;

/**
 * The free starts a turn needs, without computing the whole horizon: a window around the point of
 * interest, widened on the side that cannot answer yet (doubling, up to the source's bounds).
 * A page of the window is the page of every free start once each edge of the page either has a
 * start beyond it in the window or is at that bound, so the earlier/later flags are exact too.
 */
export class SlotWindow {
  private lo = Number.NaN;
  private hi = Number.NaN;
  private starts: string[] = [];

  constructor(private readonly source: SlotSource, private readonly reachMs = FIRST_REACH_MS) {}

  /** What `pageOf(all, at)` gives over every free start from `from` to `to`. */
  async page(at: PageAt, size = PAGE_SIZE): Promise<SlotPage> {
    const point = Date.parse('from' in at ? at.from : 'before' in at ? at.before : at.around);
    const bottom = this.source.from.getTime();
    const top = this.source.to.getTime();
    let below = this.reachMs;
    let above = this.reachMs;
    for (;;) {
      if (Number.isNaN(point)) await this.cover(bottom, top);
      else await this.cover(point - below, point + above);
      const page = pageOf(this.starts, at, size);
      const widenDown = !page.earlier && this.lo > bottom;
      const widenUp = !page.later && this.hi < top;
      if (!widenDown && !widenUp) return page;
      if (widenDown) below *= 2;
      if (widenUp) above *= 2;
    }
  }

  /** Whether `start` (an ISO instant as the source writes them) is free. */
  async has(start: string): Promise<boolean> {
    const t = Date.parse(start);
    if (Number.isNaN(t)) return false;
    await this.cover(t - this.reachMs, t + this.reachMs);
    return this.starts.includes(start);
  }

  /** The first free start at or after `from`, if any before the source's end. */
  async firstFrom(from: string): Promise<string | undefined> {
    const t = Date.parse(from);
    const top = this.source.to.getTime();
    let above = this.reachMs;
    for (;;) {
      await this.cover(Number.isNaN(t) ? this.source.from.getTime() : t - this.reachMs, Number.isNaN(t) ? top : t + above);
      const first = this.starts.find((s) => s >= from);
      if (first !== undefined || this.hi >= top) return first;
      above *= 2;
    }
  }

  /** Loads what [from, to) (within the source's bounds) adds to the window, which stays one span. */
  private async cover(from: number, to: number): Promise<void> {
    const bottom = this.source.from.getTime();
    const top = this.source.to.getTime();
    const a = Math.min(Math.max(from, bottom), top);
    const b = Math.max(Math.min(to, top), a);
    if (Number.isNaN(this.lo)) {
      this.starts = a < b ? await this.source.load(new Date(a), new Date(b)) : [];
      this.lo = a;
      this.hi = b;
      return;
    }
    if (a < this.lo) {
      this.starts = [...(await this.source.load(new Date(a), new Date(this.lo))), ...this.starts];
      this.lo = a;
    }
    if (b > this.hi) {
      this.starts = [...this.starts, ...(await this.source.load(new Date(this.hi), new Date(b)))];
      this.hi = b;
    }
  }
}
