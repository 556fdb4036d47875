import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { Database } from '../../models/database.ts';
import type { BookingEventSink } from '../../scheduling/booking-events.ts';
import type { SignedLinks } from '../../notifications/signed-links.ts';
import { customerPageRoutes } from './appointment-pages/customer-pages.ts';
import { createFormProof } from './appointment-pages/forms.ts';
import type { PagesEnv } from './appointment-pages/page-context.ts';
import { pageErrors } from './appointment-pages/page-errors.ts';
import { sendInvalid } from './appointment-pages/page-response.ts';
import { reschedulePageRoutes } from './appointment-pages/reschedule-pages.ts';
import { staffPageRoutes } from './appointment-pages/staff-pages.ts';
import { serveStylesheet, STYLESHEET_PATH } from './appointment-pages/stylesheet.ts';

/**
 * The pages signed links open (product documents 000, 001, 003): the customer's appointment page
 * (add to calendar, reschedule, cancel) and the store's confirm / reschedule pages. Their parts
 * live in ./appointment-pages/ (opening a link, form proof, pages per job, views); their words in
 * notifications/templates/link-pages.*.ts.
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
 *   Changes happen on a form POST to the same URL, which must carry the form proof (see forms.ts).
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

export function appointmentPageRoutes(deps: AppointmentPageDeps): Router {
  const { db, now, links } = deps;
  const env: PagesEnv = {
    db, now, links,
    booking: { db, now, events: deps.events },
    proof: createFormProof(deps.formKey ?? randomBytes(32).toString('base64url')),
    changed: (brandId, appointmentId) => {
      try {
        deps.onChange?.(brandId, appointmentId);
      } catch {
        // A listener's failure must not turn a committed change into an error page.
      }
    },
  };
  const router = Router();
  router.get(STYLESHEET_PATH, serveStylesheet);
  router.use(customerPageRoutes(env), reschedulePageRoutes(env), staffPageRoutes(env));
  // Any other /a/… path: the same "invalid link" page rather than the API's JSON.
  router.all('/a/*rest', (req, res) => sendInvalid(req, res, 404));
  router.use(pageErrors);
  return router;
}
