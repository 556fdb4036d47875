import type { ErrorRequestHandler } from 'express';
import { AppError } from '../../../models/errors.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { setRetryAfter } from '../../http-errors.ts';
import { messageBody } from './appointment-card.view.ts';
import { guessLang, sendPage } from './page-response.ts';

/** Domain errors on these pages become pages too; anything else goes to the app's error handler (logged, 500). */
export const pageErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent || !req.path.startsWith('/a/')) return next(err);
  const lang = guessLang(req);
  const t = LINK_PAGE_TEXTS[lang];
  const status = err instanceof AppError ? err.status : typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : null;
  if (status === null) return next(err);
  const message = err instanceof AppError ? err.message : String(err?.message ?? t.errorTitle);
  if (err instanceof AppError) setRetryAfter(res, err);
  sendPage(res, status, { lang, title: t.errorTitle, brandName: null, langLinks: null, footer: false },
    messageBody({ kind: 'error', title: t.errorTitle, body: message, todo: t.errorTodo }));
};
