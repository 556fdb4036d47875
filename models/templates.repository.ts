import type { Queryable } from './database.ts';
import { cachedRead } from './read-cache.ts';

/** The appointment events a message is written for (one template per event, locale and channel). */
export type MessageEvent =
  | 'request_received'
  | 'confirmed'
  | 'rescheduled'
  | 'cancelled'
  | 'reminder'
  | 'follow_up'
  | 'staff_request'
  | 'staff_confirmed'
  | 'staff_cancelled';

export const MESSAGE_EVENTS: readonly MessageEvent[] = [
  'request_received', 'confirmed', 'rescheduled', 'cancelled', 'reminder', 'follow_up',
  'staff_request', 'staff_confirmed', 'staff_cancelled',
];

/** Events whose audience is staff (headquarters, store or salesman): times in the store's zone. */
export const STAFF_EVENTS: readonly MessageEvent[] = ['staff_request', 'staff_confirmed', 'staff_cancelled'];

export type TemplateChannel = 'email' | 'sms' | 'whatsapp';
export const TEMPLATE_CHANNELS: readonly TemplateChannel[] = ['email', 'sms', 'whatsapp'];

/** A brand's own template for one event, locale and channel (overrides the shipped default). */
export interface MessageTemplate {
  brandId: string;
  event: MessageEvent;
  locale: 'en' | 'fr';
  channel: TemplateChannel;
  /** Email only; null → the default subject of the event. */
  subject: string | null;
  /** Mustache; the HTML body for email. Empty → the message is not sent. */
  body: string;
  updatedAt: Date;
}

export type MessageTemplateKey = Pick<MessageTemplate, 'brandId' | 'event' | 'locale' | 'channel'>;

const COLUMNS = `brand_id AS "brandId", event, locale, channel, subject, body, updated_at AS "updatedAt"`;

/** All of the brand's own templates (one at most per event, locale and channel); the read cache serves them. */
function brandTemplates(db: Queryable, brandId: string): Promise<MessageTemplate[]> {
  return cachedRead(db, ['message_templates'], `templates:${brandId}`, () =>
    db.query<MessageTemplate>(`SELECT ${COLUMNS} FROM message_templates WHERE brand_id = $1`, [brandId]));
}

const sameKey = (t: MessageTemplate, k: Omit<MessageTemplateKey, 'brandId'>) => t.event === k.event && t.locale === k.locale && t.channel === k.channel;

/** The brand's own template for the key (null: the default applies). */
export async function getTemplate(db: Queryable, key: MessageTemplateKey): Promise<MessageTemplate | null> {
  return (await brandTemplates(db, key.brandId)).find((t) => sameKey(t, key)) ?? null;
}

/** The brand's own templates among these events, locales and channels. */
export async function findTemplates(
  db: Queryable, brandId: string, keys: readonly Omit<MessageTemplateKey, 'brandId'>[],
): Promise<MessageTemplate[]> {
  if (keys.length === 0) return [];
  return (await brandTemplates(db, brandId)).filter((t) => keys.some((k) => sameKey(t, k)));
}

/** Creates or replaces the brand's template; a subject is kept for email only. */
export async function upsertTemplate(
  db: Queryable,
  t: MessageTemplateKey & { subject: string | null; body: string },
  now: Date = new Date(),
): Promise<MessageTemplate> {
  const [row] = await db.query<MessageTemplate>(
    `INSERT INTO message_templates (brand_id, event, locale, channel, subject, body, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (brand_id, event, locale, channel) DO UPDATE SET
       subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [t.brandId, t.event, t.locale, t.channel, t.channel === 'email' ? t.subject : null, t.body, now],
  );
  return row!;
}

/** Back to the default; true when there was an override to remove. */
export async function deleteTemplate(db: Queryable, key: MessageTemplateKey): Promise<boolean> {
  const rows = await db.query(
    'DELETE FROM message_templates WHERE brand_id = $1 AND event = $2 AND locale = $3 AND channel = $4 RETURNING event',
    [key.brandId, key.event, key.locale, key.channel],
  );
  return rows.length > 0;
}

export async function listTemplates(db: Queryable, brandId: string): Promise<MessageTemplate[]> {
  return db.query<MessageTemplate>(
    `SELECT ${COLUMNS} FROM message_templates WHERE brand_id = $1 ORDER BY event, locale, channel`,
    [brandId],
  );
}
