import { DateTime } from 'luxon';
import type { Queryable } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import { findBrand } from '../models/brands.repository.ts';
import { serviceName } from '../models/catalogue.repository.ts';
import { firstServiceRecord } from '../models/service-settings.repository.ts';
import { firstStoreRecord } from '../models/store-settings.repository.ts';
import { deleteTemplate, listTemplates, upsertTemplate, type MessageTemplate } from '../models/templates.repository.ts';
import { appointmentInScope, type StaffScope } from '../scheduling/staff-access.ts';
import { loadAppointmentView, type AppointmentView } from './appointment-view.ts';
import { previewLinks } from './signed-links.ts';
import {
  MESSAGE_EVENTS, TEMPLATE_CHANNELS, defaultTemplate, renderPreview, validateTemplate,
  type MessageEvent, type RenderedMessage, type TemplateChannel, type TemplateSource,
} from './templates.ts';

/** The brand's message templates as admins edit them: every event × locale × channel, its own or the default, and previews. */

type Locale = 'en' | 'fr';
const LOCALES: readonly Locale[] = ['en', 'fr'];

export interface TemplateKey {
  event: MessageEvent;
  locale: Locale;
  channel: TemplateChannel;
}

export interface TemplateText {
  subject: string | null;
  body: string;
}

export interface TemplateSetting extends TemplateKey, TemplateText {
  custom: boolean;
  updatedAt: Date | null;
  default: TemplateSource;
}

export interface PreviewRequest extends TemplateText {
  event?: MessageEvent | undefined;
  locale: Locale;
  channel: TemplateChannel;
  /** Preview with this appointment (in the user's scope) instead of the sample. */
  appointmentId?: string | undefined;
}

/** When and for which site previews are made (their links are never signed: see previewLinks). */
export interface PreviewContext {
  now: Date;
  publicUrl: string;
}

/** Every template of the brand: its own where it has one, else the shipped default. */
export async function templateSettings(db: Queryable, brandId: string): Promise<TemplateSetting[]> {
  const overrides = new Map((await listTemplates(db, brandId)).map((t) => [`${t.event}/${t.locale}/${t.channel}`, t]));
  return MESSAGE_EVENTS.flatMap((event) =>
    LOCALES.flatMap((locale) =>
      TEMPLATE_CHANNELS.map((channel) => {
        const own = overrides.get(`${event}/${locale}/${channel}`);
        const fallback = defaultTemplate(event, locale, channel);
        return {
          event, locale, channel,
          custom: own !== undefined,
          subject: own ? own.subject : fallback.subject,
          body: own ? own.body : fallback.body,
          updatedAt: own ? new Date(own.updatedAt) : null,
          default: fallback,
        };
      }),
    ),
  );
}

function checkTemplate(channel: TemplateChannel, t: TemplateText): void {
  if (channel !== 'email' && t.subject !== null && t.subject.trim() !== '') {
    throw errors.invalid('subject', 'subject: only email templates have a subject.');
  }
  const problem = validateTemplate(t);
  if (problem) throw errors.invalid('body', `body: the template cannot be read: ${problem}`);
}

/** Saves the brand's own template (a blank subject means the default one). */
export async function saveTemplate(db: Queryable, brandId: string, key: TemplateKey, t: TemplateText, now: Date): Promise<MessageTemplate> {
  checkTemplate(key.channel, t);
  return upsertTemplate(db, { brandId, ...key, subject: t.subject?.trim() ? t.subject : null, body: t.body }, now);
}

/** Back to the shipped default, which comes back. */
export async function resetTemplate(db: Queryable, brandId: string, key: TemplateKey): Promise<TemplateSource> {
  await deleteTemplate(db, { brandId, ...key });
  return defaultTemplate(key.event, key.locale, key.channel);
}

/** Renders a template being edited, with one of the user's appointments or a made-up one. */
export async function previewTemplate(db: Queryable, scope: StaffScope, r: PreviewRequest, at: PreviewContext): Promise<RenderedMessage> {
  checkTemplate(r.channel, r);
  let view: AppointmentView;
  if (r.appointmentId) {
    await appointmentInScope(db, scope, r.appointmentId);
    view = (await loadAppointmentView(db, r.appointmentId, previewLinks(at.publicUrl)))!;
  } else {
    view = await sampleView(db, scope, r.locale, at);
  }
  try {
    return renderPreview({ subject: r.subject, body: r.body }, view, r.channel, r.event, { locale: r.locale });
  } catch (error) {
    throw errors.invalid('body', `body: the template cannot be rendered: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A made-up appointment at one of the user's stores, tomorrow at 10:00, for previews. */
async function sampleView(db: Queryable, scope: StaffScope, locale: Locale, at: PreviewContext): Promise<AppointmentView> {
  const { brandId } = scope;
  const brand = (await findBrand(db, brandId))!;
  const store = await firstStoreRecord(db, brandId, scope.storeIds);
  const service = await firstServiceRecord(db, brandId);
  const zone = store?.time_zone ?? brand.timeZone;
  const start = DateTime.fromJSDate(at.now, { zone }).plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const duration = service?.duration_minutes ?? 60;
  const links = previewLinks(at.publicUrl);
  const target = { id: '00000000-0000-4000-8000-000000000000', startAt: start.toJSDate(), version: 1 };
  return {
    id: target.id,
    brandId,
    brandName: brand.name,
    brandHeadquartersEmail: null,
    locale,
    state: 'confirmed',
    statusName: null,
    cancellationReason: locale === 'fr' ? 'Le conseiller est absent ce jour-là.' : 'The advisor is away that day.',
    serviceName: service ? serviceName(service.names, service.slug, locale) : 'Consultation',
    serviceSlug: service?.slug ?? 'consultation',
    serviceNames: service?.names ?? {},
    cancelledByCustomer: false,
    mode: 'in_store',
    durationMinutes: duration,
    startAt: start.toJSDate(),
    endAt: start.plus({ minutes: duration }).toJSDate(),
    customerTimeZone: zone,
    storeTimeZone: zone,
    store: store
      ? { name: store.name, address: `${store.address_line}, ${store.postcode} ${store.city}`, phone: store.phone, email: store.email, notificationRouting: 'store' }
      : null,
    homeAddress: null,
    staff: { id: 'sample', name: 'Camille Martin', email: null },
    customer: { id: 'sample', name: 'Alex Dupont', email: 'alex.dupont@example.com', phone: '+33612345678' },
    notes: locale === 'fr' ? 'Une petite cuisine sous les toits.' : 'A small attic kitchen.',
    sequence: 1,
    conversationId: null,
    links: {
      manage: links.url('manage', target), calendar: links.url('calendar', target), join: links.url('join', target),
      reschedule: links.url('reschedule', target), cancel: links.url('cancel', target),
      staffConfirm: links.url('staff-confirm', target), staffReschedule: links.url('staff-reschedule', target),
    },
  };
}
