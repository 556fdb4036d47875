import type { Request, Response } from 'express';
import type { Database } from '../../../models/database.ts';
import type { Brand } from '../../../models/brands.repository.ts';
import type { Appointment } from '../../../models/appointments.repository.ts';
import type { Actor, BookingDeps } from '../../../scheduling/booking.ts';
import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import type { LinkClaims, SignedLinks } from '../../../notifications/signed-links.ts';
import type { FormTarget } from './appointment-card.view.ts';
import type { FormProof } from './forms.ts';
import type { Html } from './html.ts';
import type { Lang } from './page-format.ts';
import { langLinksOf, sendPage, withQuery } from './page-response.ts';

/** What a page handler knows: the pages' dependencies, and the link opened with what it names. */

/** The pages a link can open; the calendar token opens the invite. */
export type PageAction = 'manage' | 'invite.ics' | 'cancel' | 'reschedule' | 'join' | 'staff-confirm' | 'staff-reschedule';

/** Shared by every page of one router. */
export interface PagesEnv {
  db: Database;
  now: () => Date;
  links: SignedLinks;
  booking: BookingDeps;
  proof: FormProof;
  /** Tells the listeners of a committed change; never throws. */
  changed: (brandId: string, appointmentId: string) => void;
}

export interface PageContext {
  env: PagesEnv;
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

/** A page about this appointment, in its language, with the brand's name. */
export function sendAppointmentPage(
  c: PageContext, status: number, title: string, body: Html,
  opts: { langSwitch?: boolean; extra?: Record<string, string | undefined> } = {},
): void {
  sendPage(c.res, status, {
    lang: c.lang, title, brandName: c.view.brandName, staff: c.staff,
    langLinks: opts.langSwitch === false ? null : langLinksOf(c.req, opts.extra),
  }, body);
}

/** Links and form targets keep the language the visitor chose. */
export const keepLang = (c: PageContext, url: string, params: Record<string, string | undefined> = {}): string =>
  withQuery(url, { ...params, lang: c.chosenLang ?? undefined });

/** Where this page's form posts (keeping the language) and the proof that it was rendered here. */
export const formTarget = (c: PageContext): FormTarget => ({ action: keepLang(c, c.self), proof: c.env.proof.field(c.token, c.page) });

/** Whether the posted form carries the proof of this page (see forms.ts). */
export const postedFromPage = (c: PageContext): boolean => c.env.proof.accepts(c.req, c.token, c.page);

/** Who makes a change from this page, for the appointment's history. */
export const actorOf = (c: PageContext): Actor => (c.staff ? { kind: 'staff', id: c.view.staff.id } : { kind: 'customer' });
