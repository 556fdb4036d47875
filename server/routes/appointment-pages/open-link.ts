import type { Request, Response } from 'express';
import { findBrand } from '../../../models/brands.repository.ts';
import { findAppointment } from '../../../models/appointments.repository.ts';
import { findService } from '../../../models/catalogue.repository.ts';
import { loadAppointmentView, type AppointmentView } from '../../../notifications/appointment-view.ts';
import { claimedExpiry, type LinkAction } from '../../../notifications/signed-links.ts';
import type { Lang } from './page-format.ts';
import { langParam, sendInvalid } from './page-response.ts';
import type { PageAction, PageContext, PagesEnv } from './page-context.ts';
import { alreadyConfirmed, changedPage, stalePage } from './state-pages.ts';
import { isUuid } from '../../../models/ids.ts';

/** Opening a link: its token checked, its appointment loaded, in the page's language. */

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


/**
 * Checks the token and loads the appointment; on any problem sends the page that says so and
 * returns null. Cancelled appointments are let through (each page shows the cancelled state),
 * by links of any version.
 */
export async function openPage(env: PagesEnv, req: Request, res: Response, pageAction: PageAction): Promise<PageContext | null> {
  const { db, links, now } = env;
  const token = String(req.params.token ?? '');
  const claims = links.verify(token);
  if (!claims || !ACCEPTS[pageAction].includes(claims.action) || !isUuid(claims.appointmentId)) {
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
  const c: PageContext = {
    env, req, res, token, claims, page: pageAction, staff, brand, appointment, view, chosenLang,
    lang: chosenLang ?? (staff ? brand.defaultLocale : view.locale),
    self: req.baseUrl + req.path,
  };
  if (c.lang !== view.locale) c.view = await inLanguage(env, view, c.lang);
  // Nothing changes a cancelled appointment any more, so its links of any version show the cancellation.
  if (claims.version !== appointment.version && appointment.state !== 'cancelled') {
    if (pageAction === 'staff-confirm' && appointment.state === 'confirmed') alreadyConfirmed(c);
    // A form posted from a stale link lost to another change: a conflict; a stale link opened: gone.
    else if (req.method === 'POST') changedPage(c);
    else stalePage(c);
    return null;
  }
  return c;
}

/** Reloads the appointment after a change: new state, new links. */
export async function refresh(c: PageContext): Promise<PageContext> {
  const { db, links } = c.env;
  const loaded = await loadAppointmentView(db, c.view.id, links);
  const appointment = await findAppointment(db, c.brand.id, c.view.id);
  if (!loaded || !appointment) return c;
  const view = c.lang !== loaded.locale ? await inLanguage(c.env, loaded, c.lang) : loaded;
  return { ...c, view, appointment };
}

/** The view (made in the customer's locale) with the service named in the page's language. */
async function inLanguage(env: PagesEnv, view: AppointmentView, lang: Lang): Promise<AppointmentView> {
  const service = await findService(env.db, view.brandId, view.serviceSlug);
  const name = service?.names[lang];
  return name ? { ...view, serviceName: name } : view;
}
