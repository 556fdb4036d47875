import { createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { DateTime } from 'luxon';
import type { Database } from '../../models/database.ts';
import { findBrand, type Brand } from '../../models/brands.repository.ts';
import { findAppointment, type Appointment } from '../../models/appointments.repository.ts';
import { findService, findStore } from '../../models/catalogue.repository.ts';
import { AppError } from '../../models/errors.ts';
import { cancelAppointment, rescheduleAppointment, type Actor, type BookingDeps } from '../../scheduling/booking.ts';
import type { BookingEventSink } from '../../scheduling/booking-events.ts';
import { changeStatus } from '../../scheduling/status-workflow.ts';
import { findAvailability } from '../../scheduling/availability.ts';
import { loadAppointmentView, safeZone, type AppointmentView } from '../../notifications/appointment-view.ts';
import { buildInvite } from '../../notifications/calendar-invite.ts';
import { frenchSpacing } from '../../notifications/french-typography.ts';
import { claimedExpiry, type LinkAction, type LinkClaims, type SignedLinks } from '../../notifications/signed-links.ts';
import { slotDays } from '../presenters.ts';
import { setRetryAfter } from '../http-errors.ts';
import { calendarDate, instant } from '../http-schemas.ts';
import { rejectUnsafeBody } from '../safe-input.ts';
import {
  TEXTS, appointmentCard, cancelFormBody, confirmMoveBody, hidden, html, layout, manageBody, messageBody, notice,
  noticeText, pickerBody, staffConfirmBody, zoneLabel, type Html, type Lang, type PickerDay,
} from './appointment-pages.views.ts';

/**
 * The pages signed links open (product documents 000, 001, 003): the customer's appointment page
 * (add to calendar, reschedule, cancel) and the store's confirm / reschedule pages.
 *
 * Mount at the root of the app, before the error handler: app.use(appointmentPageRoutes({ db, now, links, events })).
 *
 * Rules every page follows:
 * - The token in the URL is the only credential. An unknown, tampered or expired token gets a page
 *   saying so and what to do (404 / 410); a token for another action is unknown here. A token
 *   signed for another version of the appointment than its current one is stale: every change
 *   (reschedule, cancel, status, staff) retires every earlier link for good. A stale link never
 *   acts; it shows where the appointment stands now and the way to its current page (410, or 409
 *   for a form posted from it).
 * - A change is applied only to the version its link was signed for, checked under the row lock
 *   in the use case's transaction: of several submits of one form, only the first changes anything.
 * - A GET never changes anything: mail scanners, link previewers and prefetchers follow links.
 *   Changes happen on a form POST to the same URL, which must carry the form proof (see formProof).
 * - No scripts at all (strict CSP), one stylesheet served here, pages in EN/FR: the customer's
 *   locale, the brand's default for staff pages, `?lang=fr|en` to switch.
 */

export interface AppointmentPageDeps {
  db: Database;
  now: () => Date;
  links: SignedLinks;
  /** Told of every change (notifications, reminders), as with the API. */
  events?: BookingEventSink | undefined;
  /** Told after a change is made (consoles and the chat it was booked in show it as it is now). */
  onChange?: ((brandId: string, appointmentId: string) => void) | undefined;
  /**
   * Keys the form proof. Give a value derived from the app secret so forms survive a restart and
   * work across instances; absent → a random key per process (a form opened before a restart is
   * then refused with a "reload the page" message, nothing worse).
   */
  formKey?: string | undefined;
}

type PageAction = 'manage' | 'invite.ics' | 'cancel' | 'reschedule' | 'join' | 'staff-confirm' | 'staff-reschedule';

/** Which token kinds each URL accepts. Customer and staff tokens never open each other's pages. */
const ACCEPTS: Record<PageAction, readonly LinkAction[]> = {
  manage: ['manage'],
  'invite.ics': ['calendar', 'manage'],
  cancel: ['cancel'],
  reschedule: ['reschedule'],
  join: ['join'],
  'staff-confirm': ['staff-confirm'],
  'staff-reschedule': ['staff-reschedule'],
};

const CSS = readFileSync(new URL('./appointment-pages.css', import.meta.url), 'utf8');
const CSS_ETAG = `"${createHash('sha256').update(CSS).digest('base64url').slice(0, 16)}"`;
const CSS_PATH = '/a/assets/pages.css';

/** Pages: nothing but our stylesheet; forms post only here; never framed; tokens never leak by Referer. */
const PAGE_CSP = [
  "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
  "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const MINUTE = 60_000;
const PICKER_DAYS = 14;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Ctx {
  req: Request;
  res: Response;
  token: string;
  claims: LinkClaims;
  page: PageAction;
  staff: boolean;
  brand: Brand;
  appointment: Appointment;
  view: AppointmentView;
  lang: Lang;
  /** The ?lang the visitor chose, kept on the links and forms of the pages that follow. */
  chosenLang: Lang | null;
  /** This page's path without query. */
  self: string;
}

const langParam = (req: Request): Lang | null => {
  const v = req.query.lang;
  return v === 'fr' || v === 'en' ? v : null;
};

/** Adds query parameters (and the chosen language) to a path or absolute URL. */
function withQuery(url: string, params: Record<string, string | null | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  if (entries.length === 0) return url;
  const qs = new URLSearchParams(entries).toString();
  return url + (url.includes('?') ? '&' : '?') + qs;
}

export function appointmentPageRoutes(deps: AppointmentPageDeps): Router {
  const { db, now, links } = deps;
  const booking: BookingDeps = { db, now, events: deps.events };
  const formKey = deps.formKey ?? randomBytes(32).toString('base64url');
  const changed = (brandId: string, appointmentId: string) => {
    try {
      deps.onChange?.(brandId, appointmentId);
    } catch {
      // A listener's failure must not turn a committed change into an error page.
    }
  };
  const router = Router();

  /**
   * The form proof: HMAC-SHA256(server key, action + token), in a hidden field of every form we
   * render, checked on POST together with the token in the URL.
   *
   * Why: the URL token alone would let anything that merely *has* the link submit a change, and
   * links travel through places that act on them automatically (mail security scanners, link
   * previewers, "safe browsing" crawlers; some of them also submit forms, or POST to URLs they
   * find). Requiring a value that only appears in the page we rendered means a change needs the
   * page to have been opened and its form submitted: a blind POST to the link (or a forged form on
   * another site built from a leaked link) is refused with 403 and changes nothing. The proof is
   * bound to the action, so a cancel form's proof cannot be replayed to reschedule, and to the
   * token, so it dies with the link (expiry, and every change: the token names the version). It is
   * stateless (no session, no cookie), so it works in the in-app browsers of mail apps that drop cookies.
   */
  const formProof = (token: string, action: PageAction) =>
    createHmac('sha256', formKey).update(`appointment-page-form\n${action}\n${token}`).digest('base64url');
  const proofField = (token: string, action: PageAction): Html => hidden('proof', formProof(token, action));
  const proofOk = (req: Request, token: string, action: PageAction): boolean => {
    const given = typeof req.body?.proof === 'string' ? Buffer.from(req.body.proof) : Buffer.alloc(0);
    const expected = Buffer.from(formProof(token, action));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  // ---- responses --------------------------------------------------------------------------------

  const secureHeaders = (res: Response) => {
    res.set({
      'Content-Security-Policy': PAGE_CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      'X-Content-Type-Options': 'nosniff',
    });
  };

  const send = (
    res: Response,
    status: number,
    frame: { lang: Lang; title: string; brandName: string | null; langLinks: Record<Lang, string> | null; staff?: boolean; footer?: boolean },
    body: Html,
  ) => {
    secureHeaders(res);
    const document = layout({ ...frame, cssHref: CSS_PATH }, body);
    res.status(status).type('html').send(frame.lang === 'fr' ? frenchSpacing(document) : document);
  };

  /** The page language before any token is trusted: ?lang, else the browser's preference. */
  const guessLang = (req: Request): Lang => langParam(req) ?? (req.acceptsLanguages('en', 'fr') === 'fr' ? 'fr' : 'en');

  const langLinksOf = (req: Request, extra: Record<string, string | undefined> = {}): Record<Lang, string> => {
    const path = req.baseUrl + req.path;
    return { en: withQuery(path, { ...extra, lang: 'en' }), fr: withQuery(path, { ...extra, lang: 'fr' }) };
  };

  const sendInvalid = (req: Request, res: Response, status: 404 | 410) => {
    const lang = guessLang(req);
    const t = TEXTS[lang];
    send(res, status, { lang, title: t.invalidTitle, brandName: null, langLinks: langLinksOf(req), footer: false },
      messageBody({ kind: 'error', title: t.invalidTitle, body: t.invalidBody, todo: t.invalidTodo }));
  };

  /** A page about this appointment, in its language, with the brand's name. */
  const page = (c: Ctx, status: number, title: string, body: Html, opts: { langSwitch?: boolean; extra?: Record<string, string | undefined> } = {}) =>
    send(c.res, status, {
      lang: c.lang, title, brandName: c.view.brandName, staff: c.staff,
      langLinks: opts.langSwitch === false ? null : langLinksOf(c.req, opts.extra),
    }, body);

  /** Links and form targets keep the language the visitor chose. */
  const keepLang = (c: Ctx, url: string, params: Record<string, string | undefined> = {}) =>
    withQuery(url, { ...params, lang: c.chosenLang ?? undefined });

  const cancelledPage = (c: Ctx, status: number) => {
    const t = TEXTS[c.lang];
    const reason = c.view.cancellationReason ? `${t.reason}${t.colon} ${c.view.cancellationReason}` : null;
    page(c, status, t.cancelledTitle, html`${notice('error', t.cancelledTitle, reason, t.cancelledCannot)}${appointmentCard(c.view, c.lang, { staff: c.staff })}`);
  };

  /** Why the customer may no longer change it online, or null when they may. */
  const closedReason = (c: Ctx): string[] | null => {
    const t = TEXTS[c.lang];
    const n = now().getTime();
    if (c.view.endAt.getTime() <= n) return [t.passed];
    const notice = c.brand.settings.customerChangeNoticeMinutes;
    if (c.view.startAt.getTime() - n >= notice * MINUTE) return null;
    const store = c.view.store;
    return [t.tooLate(noticeText(notice, c.lang)), store?.phone ? t.tooLateCall(store.name, store.phone) : t.tooLateContact];
  };

  const tooLatePage = (c: Ctx, status: number) => {
    const t = TEXTS[c.lang];
    const reasons = closedReason(c) ?? [t.tooLate(noticeText(c.brand.settings.customerChangeNoticeMinutes, c.lang))];
    page(c, status, t.tooLateTitle, html`${notice('warn', t.tooLateTitle, ...reasons)}${appointmentCard(c.view, c.lang, { staff: false })}
<p><a class="button secondary" href="${keepLang(c, c.view.links.manage)}">${t.viewAppointment}</a></p>`);
  };

  /**
   * Where the appointment stands now, after a notice, with the way to its current page: the
   * customer's appointment page, or for staff the current version of the page they opened.
   */
  const currentStatePage = (c: Ctx, status: number, title: string, banner: Html) => {
    const t = TEXTS[c.lang];
    const l = c.view.links;
    const current = c.staff ? (c.claims.action === 'staff-confirm' ? l.staffConfirm : l.staffReschedule) : l.manage;
    page(c, status, title, html`${banner}${appointmentCard(c.view, c.lang, { staff: c.staff })}
<p><a class="button" href="${keepLang(c, current)}">${c.staff ? t.openCurrent : t.viewAppointment}</a></p>`);
  };

  /** A change lost to another one made meanwhile (409): nothing was applied. */
  const changedPage = (c: Ctx) => {
    const t = TEXTS[c.lang];
    currentStatePage(c, 409, t.changedTitle, notice('warn', t.changedTitle, t.changedBody));
  };

  const proofRefused = (c: Ctx) => {
    const t = TEXTS[c.lang];
    page(c, 403, t.proofTitle, messageBody({
      kind: 'error', title: t.proofTitle, body: t.proofBody, todo: t.proofTodo,
      actions: html`<a class="button" href="${keepLang(c, c.self)}">${t.reload}</a>`,
    }), { langSwitch: false });
  };

  // ---- opening a link -----------------------------------------------------------------------------

  /**
   * Checks the token and loads the appointment; on any problem sends the page that says so and
   * returns null. Cancelled appointments are let through (each page shows the cancelled state),
   * by links of any version.
   */
  const open = async (req: Request, res: Response, pageAction: PageAction): Promise<Ctx | null> => {
    const token = String(req.params.token ?? '');
    const claims = links.verify(token);
    if (!claims || !ACCEPTS[pageAction].includes(claims.action) || !UUID.test(claims.appointmentId)) {
      const expiry = claims ? null : claimedExpiry(token);
      sendInvalid(req, res, expiry !== null && expiry <= now().getTime() ? 410 : 404);
      return null;
    }
    const view = await loadAppointmentView(db, claims.appointmentId, links);
    const brand = view ? await findBrand(db, view.brandId) : null;
    const appointment = view && brand ? await findAppointment(db, brand.id, view.id) : null;
    if (!view || !brand || !appointment) {
      sendInvalid(req, res, 404);
      return null;
    }
    const staff = claims.action.startsWith('staff-');
    const chosenLang = langParam(req);
    const c: Ctx = {
      req, res, token, claims, page: pageAction, staff, brand, appointment, view, chosenLang,
      lang: chosenLang ?? (staff ? brand.defaultLocale : view.locale),
      self: req.baseUrl + req.path,
    };
    if (c.lang !== view.locale) c.view = await inLanguage(view, c.lang);
    // Nothing changes a cancelled appointment any more, so its links of any version show the cancellation.
    if (claims.version !== appointment.version && appointment.state !== 'cancelled') {
      if (pageAction === 'staff-confirm' && appointment.state === 'confirmed') alreadyConfirmed(c);
      // A form posted from a stale link lost to another change: a conflict; a stale link opened: gone.
      else if (req.method === 'POST') changedPage(c);
      else {
        const t = TEXTS[c.lang];
        currentStatePage(c, 410, t.staleTitle, notice('warn', t.staleTitle, t.staleBody, t.staleTodo));
      }
      return null;
    }
    return c;
  };

  /** The view (made in the customer's locale) with the service named in the page's language. */
  const inLanguage = async (view: AppointmentView, lang: Lang): Promise<AppointmentView> => {
    const service = await findService(db, view.brandId, view.serviceSlug);
    const name = service?.names[lang];
    return name ? { ...view, serviceName: name } : view;
  };

  /** Reloads the appointment after a change: new state, new links. */
  const refresh = async (c: Ctx): Promise<Ctx> => {
    const loaded = await loadAppointmentView(db, c.view.id, links);
    const appointment = await findAppointment(db, c.brand.id, c.view.id);
    if (!loaded || !appointment) return c;
    const view = c.lang !== loaded.locale ? await inLanguage(loaded, c.lang) : loaded;
    return { ...c, view, appointment };
  };

  const actorOf = (c: Ctx): Actor => (c.staff ? { kind: 'staff', id: c.view.staff.id } : { kind: 'customer' });

  // ---- slot picker --------------------------------------------------------------------------------

  /** Customers see their own zone; staff the store's (the customer's for visits without a store). */
  const pickerZone = (c: Ctx) => safeZone(c.staff ? c.view.storeTimeZone ?? c.view.customerTimeZone : c.view.customerTimeZone);

  const availabilityQuery = async (c: Ctx, from: Date, to: Date) => {
    const a = c.appointment;
    const service = await findService(db, c.brand.id, a.serviceId);
    if (!service) return null;
    const store = a.storeId ? await findStore(db, c.brand.id, a.storeId) : null;
    const home = a.homeLatitude !== null && a.homeLongitude !== null ? { latitude: a.homeLatitude, longitude: a.homeLongitude } : null;
    return { brand: c.brand, service, mode: a.mode, store, home, from, to, now: now(), ignoreAppointmentId: a.id };
  };

  /** Whether this exact start is free for the appointment now. */
  const isFree = async (c: Ctx, start: Date): Promise<boolean> => {
    const q = await availabilityQuery(c, start, new Date(start.getTime() + 1));
    if (!q) return false;
    const [slot] = await findAvailability(db, q);
    return slot?.start.getTime() === start.getTime();
  };

  const sendPicker = async (c: Ctx, status: number, banner: Html | null) => {
    const zone = pickerZone(c);
    const today = DateTime.fromJSDate(now(), { zone }).startOf('day');
    const fromParam = calendarDate.safeParse(c.req.query.from).data ?? null;
    const asked = fromParam ? DateTime.fromISO(fromParam, { zone }) : null;
    const firstDay = asked?.isValid && asked > today ? asked.startOf('day') : today;
    const lastDay = firstDay.plus({ days: PICKER_DAYS });
    const horizonEnd = DateTime.fromJSDate(now(), { zone }).plus({ days: c.brand.settings.maxHorizonDays });

    const q = await availabilityQuery(c, new Date(Math.max(firstDay.toMillis(), now().getTime())), lastDay.toJSDate());
    const slots = q ? (await findAvailability(db, q)).filter((s) => s.start.getTime() !== c.appointment.startAt.getTime()) : [];
    const days: PickerDay[] = slotDays(slots, zone).map((d) => ({
      date: d.date,
      label: DateTime.fromISO(d.date, { zone }).setLocale(c.lang).toFormat('cccc d LLLL'),
      slots: d.slots.map((s) => ({ start: s.start, time: s.time, href: keepLang(c, c.self, { start: s.start }) })),
    }));
    const earlier = firstDay > today ? DateTime.max(today, firstDay.minus({ days: PICKER_DAYS })) : null;
    const t = TEXTS[c.lang];
    page(c, status, t.pickTitle, pickerBody({
      view: c.view, lang: c.lang, staff: c.staff, zone, days, banner,
      earlierHref: earlier ? keepLang(c, c.self, { from: earlier.toISODate() ?? undefined }) : null,
      laterHref: lastDay < horizonEnd ? keepLang(c, c.self, { from: lastDay.toISODate() ?? undefined }) : null,
      backHref: c.staff ? null : keepLang(c, c.view.links.manage),
    }), { extra: { from: fromParam ?? undefined } });
  };

  /** A start as the picker links give it (an ISO instant), within the years the product can mean. */
  const parseStart = (value: unknown): Date | null => {
    const parsed = instant.safeParse(value);
    return parsed.success ? parsed.data : null;
  };

  // ---- routes -----------------------------------------------------------------------------------

  router.get(CSS_PATH, (req, res) => {
    res.set({ 'Cache-Control': 'public, max-age=3600', ETag: CSS_ETAG, 'X-Content-Type-Options': 'nosniff' });
    if (req.get('if-none-match') === CSS_ETAG) {
      res.status(304).end();
      return;
    }
    res.type('text/css').send(CSS);
  });

  const parseForm = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  /** Form bodies, parsed then checked for text that cannot be stored. */
  const form: RequestHandler = (req, res, next) => parseForm(req, res, (err?: unknown) => (err ? next(err) : rejectUnsafeBody(req, res, next)));

  // The customer's appointment page.
  router.get('/a/:token/manage', async (req, res) => {
    const c = await open(req, res, 'manage');
    if (!c) return;
    const t = TEXTS[c.lang];
    const l = c.view.links;
    page(c, 200, t.yourAppointment, manageBody({
      view: c.view, lang: c.lang, closedReason: closedReason(c),
      links: { calendar: l.calendar, join: l.join, reschedule: keepLang(c, l.reschedule), cancel: keepLang(c, l.cancel) },
    }));
  });

  // The invite (calendar and manage tokens): a cancellation for cancelled appointments.
  router.get('/a/:token/invite.ics', async (req, res) => {
    const c = await open(req, res, 'invite.ics');
    if (!c) return;
    const invite = buildInvite(c.view, c.view.state === 'cancelled' ? 'CANCEL' : 'REQUEST', { now: now() });
    res.set({
      'Content-Type': invite.contentType,
      'Content-Disposition': `attachment; filename="${invite.filename}"`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      'X-Content-Type-Options': 'nosniff',
    });
    res.status(200).send(invite.content);
  });

  // Joining an online appointment. For now this only hands the (checked) token to the chat on the
  // home page; the live-agent handoff work completes it (waiting room, video link). Nothing is
  // built here for the handoff itself.
  router.get('/a/:token/join', async (req, res) => {
    const c = await open(req, res, 'join');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    secureHeaders(res);
    res.redirect(303, `/?join=${encodeURIComponent(c.token)}`);
  });

  // ---- cancel (customer) ----

  router.get('/a/:token/cancel', async (req, res) => {
    const c = await open(req, res, 'cancel');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    if (closedReason(c)) return tooLatePage(c, 200);
    const t = TEXTS[c.lang];
    page(c, 200, t.cancelTitle, cancelFormBody({
      view: c.view, lang: c.lang, action: keepLang(c, c.self), proof: proofField(c.token, 'cancel'),
      keepHref: keepLang(c, c.view.links.manage),
    }));
  });

  router.post('/a/:token/cancel', form, async (req, res) => {
    const c = await open(req, res, 'cancel');
    if (!c) return;
    if (!proofOk(req, c.token, 'cancel')) return proofRefused(c);
    const t = TEXTS[c.lang];
    const given = typeof req.body?.reason === 'string' ? req.body.reason.trim().slice(0, 500) : '';
    try {
      await cancelAppointment(booking, {
        brand: c.brand, appointmentId: c.view.id, reason: given || t.customerCancelReason, actor: actorOf(c),
        expectedVersion: c.claims.version,
      });
      changed(c.brand.id, c.view.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fresh = await refresh(c);
      if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
      if (error.code === 'appointment_changed') return changedPage(fresh);
      if (error.code === 'change_too_late') return tooLatePage(fresh, 409);
      throw error;
    }
    const done = await refresh(c);
    const l = done.view.links;
    page(done, 200, t.cancelledDone, manageBody({
      view: done.view, lang: done.lang, closedReason: null,
      links: { calendar: l.calendar, join: l.join, reschedule: l.reschedule, cancel: l.cancel },
      banner: notice('ok', t.cancelledDone, t.cancelledDoneBody),
    }), { langSwitch: false });
  });

  // ---- reschedule (customer and staff) ----

  const showReschedule = async (c: Ctx) => {
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    if (!c.staff && closedReason(c)) return tooLatePage(c, 200);
    const t = TEXTS[c.lang];
    if (c.req.query.start === undefined) return sendPicker(c, 200, null);
    const start = parseStart(c.req.query.start);
    if (!start) return sendPicker(c, 400, notice('error', null, t.pickOne));
    if (start.getTime() === c.appointment.startAt.getTime()) return sendPicker(c, 200, notice('warn', null, t.slotSame));
    if (!(await isFree(c, start))) return sendPicker(c, 409, notice('error', null, t.slotGone));
    page(c, 200, t.confirmTitle, confirmMoveBody({
      view: c.view, lang: c.lang, staff: c.staff, zone: pickerZone(c), start,
      action: keepLang(c, c.self), proof: proofField(c.token, c.page), backHref: keepLang(c, c.self),
    }), { extra: { start: start.toISOString() } });
  };

  const doReschedule = async (c: Ctx) => {
    if (!proofOk(c.req, c.token, c.page)) return proofRefused(c);
    const t = TEXTS[c.lang];
    const start = parseStart(c.req.body?.start);
    if (!start) return sendPicker(c, 400, notice('error', null, t.pickOne));
    if (start.getTime() === c.appointment.startAt.getTime()) return sendPicker(c, 400, notice('warn', null, t.slotSame));
    const previous = c.view;
    let moved: Appointment;
    try {
      moved = await rescheduleAppointment(booking, {
        brand: c.brand, appointmentId: c.view.id, start, actor: actorOf(c), expectedVersion: c.claims.version,
      });
      changed(c.brand.id, c.view.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'slot_unavailable') return sendPicker(c, 409, notice('error', null, t.slotTaken));
      const fresh = await refresh(c);
      if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
      if (error.code === 'appointment_changed') return changedPage(fresh);
      if (error.code === 'change_too_late') return tooLatePage(fresh, 409);
      throw error;
    }
    let confirmed = false;
    if (c.staff && moved.state === 'pending' && c.req.body?.confirm === 'yes') {
      try {
        await changeStatus(booking, { brand: c.brand, appointmentId: moved.id, reason: null, actor: actorOf(c), expectedVersion: moved.version });
        confirmed = true;
        changed(c.brand.id, moved.id);
      } catch (error) {
        // Moved, but confirming failed (confirmed meanwhile, say): the move stands; the page says where it stands.
        if (!(error instanceof AppError)) throw error;
      }
    }
    const done = await refresh(c);
    const zone = pickerZone(done);
    const was = instantLine(previous, done.lang, zone);
    if (c.staff) {
      const status = done.view.state === 'confirmed' ? (confirmed ? t.movedStaffConfirmed : null) : done.view.state === 'pending' ? t.movedStaffPending : null;
      page(done, 200, t.movedStaffTitle, html`${notice('ok', t.movedStaffTitle, `${t.was}${t.colon} ${was}`, status)}${appointmentCard(done.view, done.lang, { staff: true })}`,
        { langSwitch: false });
      return;
    }
    const l = done.view.links;
    page(done, 200, t.movedTitle, html`${manageBody({
      view: done.view, lang: done.lang, closedReason: closedReason(done),
      links: { calendar: l.calendar, join: l.join, reschedule: keepLang(done, l.reschedule), cancel: keepLang(done, l.cancel) },
      banner: notice('ok', t.movedTitle, `${t.was}${t.colon} ${was}`, t.movedBody),
      lead: html`<a class="button" href="${keepLang(done, l.manage)}">${t.viewAppointment}</a>`,
    })}`, { langSwitch: false });
  };

  router.get('/a/:token/reschedule', async (req, res) => {
    const c = await open(req, res, 'reschedule');
    if (c) await showReschedule(c);
  });
  router.post('/a/:token/reschedule', form, async (req, res) => {
    const c = await open(req, res, 'reschedule');
    if (c) await doReschedule(c);
  });
  router.get('/a/:token/staff-reschedule', async (req, res) => {
    const c = await open(req, res, 'staff-reschedule');
    if (c) await showReschedule(c);
  });
  router.post('/a/:token/staff-reschedule', form, async (req, res) => {
    const c = await open(req, res, 'staff-reschedule');
    if (c) await doReschedule(c);
  });

  // ---- confirm a request (staff) ----

  const alreadyConfirmed = (c: Ctx) => {
    const t = TEXTS[c.lang];
    page(c, 200, t.alreadyConfirmed, html`${notice('info', t.alreadyConfirmed, t.alreadyConfirmedBody)}${appointmentCard(c.view, c.lang, { staff: true })}`);
  };

  router.get('/a/:token/staff-confirm', async (req, res) => {
    const c = await open(req, res, 'staff-confirm');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    if (c.view.state === 'confirmed') return alreadyConfirmed(c);
    page(c, 200, TEXTS[c.lang].requestTitle, staffConfirmBody({
      view: c.view, lang: c.lang, action: keepLang(c, c.self), proof: proofField(c.token, 'staff-confirm'),
      rescheduleHref: keepLang(c, c.view.links.staffReschedule),
    }));
  });

  router.post('/a/:token/staff-confirm', form, async (req, res) => {
    const c = await open(req, res, 'staff-confirm');
    if (!c) return;
    if (!proofOk(req, c.token, 'staff-confirm')) return proofRefused(c);
    // Works once: a second submit (double click, back button, a forwarded link) changes nothing.
    if (c.view.state === 'cancelled') return cancelledPage(c, 409);
    if (c.view.state === 'confirmed') return alreadyConfirmed(c);
    try {
      await changeStatus(booking, {
        brand: c.brand, appointmentId: c.view.id, reason: null, actor: actorOf(c), expectedVersion: c.claims.version,
      });
      changed(c.brand.id, c.view.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fresh = await refresh(c);
      // Confirmed by a concurrent submit between our read and our change.
      if ((error.code === 'conflict' || error.code === 'appointment_changed') && fresh.view.state === 'confirmed') return alreadyConfirmed(fresh);
      if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
      if (error.code === 'appointment_changed') return changedPage(fresh);
      throw error;
    }
    const done = await refresh(c);
    const t = TEXTS[done.lang];
    page(done, 200, t.confirmedDone, html`${notice('ok', t.confirmedDone, t.confirmedDoneBody)}${appointmentCard(done.view, done.lang, { staff: true })}`,
      { langSwitch: false });
  });

  // Any other /a/… path: the same "invalid link" page rather than the API's JSON.
  router.all('/a/*rest', (req, res) => sendInvalid(req, res, 404));

  /** Domain errors on these pages become pages too; anything else goes to the app's error handler (logged, 500). */
  const pageErrors: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent || !req.path.startsWith('/a/')) return next(err);
    const lang = guessLang(req);
    const t = TEXTS[lang];
    const status = err instanceof AppError ? err.status : typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : null;
    if (status === null) return next(err);
    const message = err instanceof AppError ? err.message : String(err?.message ?? t.errorTitle);
    if (err instanceof AppError) setRetryAfter(res, err);
    send(res, status, { lang, title: t.errorTitle, brandName: null, langLinks: null, footer: false },
      messageBody({ kind: 'error', title: t.errorTitle, body: message, todo: t.errorTodo }));
  };
  router.use(pageErrors);

  return router;
}

/** "Tuesday 2 March 2027, 10:00 (Paris time)" / "mardi 2 mars 2027, 10:00 (…)": said inside a sentence, French names stay lowercase. */
function instantLine(view: AppointmentView, lang: Lang, zone: string): string {
  const local = DateTime.fromJSDate(view.startAt, { zone }).setLocale(lang);
  return `${local.toFormat('cccc d LLLL yyyy, HH:mm')} (${zoneLabel(zone, lang)})`;
}
