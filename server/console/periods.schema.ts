import { z } from 'zod';

/**
 * Weekly periods (store and staff hours) and special days as the console sends them: times of
 * day "09:30", periods that end after they start and do not overlap on the same day.
 */

const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)(?::00)?$/;
export const time = z.string().regex(TIME, 'must be a time of day such as 09:30');
export const weekday = z.number().int().min(1).max(7);

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** A stored time of day ("09:30:00") as the console shows it ("09:30"). */
export const hhmm = (t: string | null) => (t === null ? null : t.slice(0, 5));

/**
 * Periods of one day (or one date) must end after they start and not overlap each other: the
 * issues as (index, which end, message), for the caller to name its own fields.
 */
function periodIssues(rows: { group: string | number; start: string; end: string }[]): { index: number; end: boolean; message: string }[] {
  const issues: { index: number; end: boolean; message: string }[] = [];
  rows.forEach((r, i) => {
    const start = minutes(r.start);
    const end = minutes(r.end);
    if (end <= start) {
      issues.push({ index: i, end: true, message: 'must be after the start of the period' });
      return;
    }
    const clash = rows.findIndex((o, j) => j < i && o.group === r.group && minutes(o.end) > minutes(o.start) &&
      start < minutes(o.end) && minutes(o.start) < end);
    if (clash >= 0) issues.push({ index: i, end: false, message: `overlaps period ${clash} of the same day` });
  });
  return issues;
}

/** Reports the period issues of `rows` on the fields named startKey and endKey of each row. */
export function reportPeriods(
  ctx: z.RefinementCtx,
  rows: { group: string | number; start: string; end: string; index?: number }[],
  startKey: string,
  endKey: string,
): void {
  for (const issue of periodIssues(rows)) {
    ctx.addIssue({ code: 'custom', path: [rows[issue.index]!.index ?? issue.index, issue.end ? endKey : startKey], message: issue.message });
  }
}
