import { DateTime } from 'luxon';
import type { Database } from '../models/database.ts';
import { contractsToRemind, markContractReminded, type DueContract } from '../models/equipment.repository.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { queueMessage } from './message-sender.ts';
import { escapeHtml, type OutgoingMessage } from './transport.ts';

/**
 * "Book your service" (product document 002): a maintenance contract due within its brand's notice
 * gets one email per due date, with a link opening the customer page on that contract (appliance,
 * address, service and task filled in; the customer signs in by code first). The message is
 * claimed and queued in one transaction (transactional outbox, delivered by pg-boss jobs), so two
 * runs or two servers never send it twice.
 */
const TEXTS = {
  en: {
    subject: (appliance: string) => `Time to book your ${appliance} service`,
    body: (name: string, appliance: string, task: string, due: string) =>
      `Hello ${name},\n\nYour ${appliance} is due for its maintenance (${task}) by ${due}. Pick an arrival window that suits you:`,
    button: 'Book my visit',
  },
  fr: {
    subject: (appliance: string) => `Il est temps de planifier l’entretien de votre ${appliance}`,
    body: (name: string, appliance: string, task: string, due: string) =>
      `Bonjour ${name},\n\nL’entretien de votre ${appliance} (${task}) est à faire avant le ${due}. Choisissez le créneau d’arrivée qui vous convient :`,
    button: 'Prendre rendez-vous',
  },
} as const;

export function bookingLink(publicUrl: string, c: Pick<DueContract, 'id' | 'brandId' | 'customerLocale'>): string {
  const url = new URL('/visit/', publicUrl);
  url.searchParams.set('contract', c.id);
  url.searchParams.set('brand', c.brandId);
  url.searchParams.set('lang', c.customerLocale);
  return url.toString();
}

function reminderMessage(c: DueContract & { customerEmail: string }, publicUrl: string): OutgoingMessage & { idempotencyKey: string } {
  const t = TEXTS[c.customerLocale];
  const appliance = [c.typeNames[c.customerLocale] || c.typeNames.en, c.make, c.model].filter(Boolean).join(' ');
  const due = DateTime.fromISO(c.nextDueOn).setLocale(c.customerLocale).toLocaleString(DateTime.DATE_FULL);
  const link = bookingLink(publicUrl, c);
  const intro = t.body(c.customerName, appliance, c.task, due);
  return {
    brandId: c.brandId, channel: 'email', to: c.customerEmail, kind: 'contract_due',
    subject: t.subject(appliance),
    text: `${intro}\n${link}\n\n— ${c.brandName}`,
    html: `<!doctype html><html lang="${c.customerLocale}"><body style="font-family:system-ui,sans-serif">
<p style="white-space:pre-line">${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 16px;background:#1e88e5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(t.button)}</a></p>
<p>— ${escapeHtml(c.brandName)}</p></body></html>`,
    attachments: [],
    idempotencyKey: `contract_due:${c.id}:${c.nextDueOn}`,
  };
}

/** Queues the messages of every contract due soon (up to `limit` per run); returns how many. */
export async function sendDueContractReminders(
  deps: { db: Database; queue: Pick<DeliveryQueue, 'enqueueDelivery'>; now: () => Date; publicUrl: string }, limit = 200,
): Promise<number> {
  const now = deps.now();
  const due = await contractsToRemind(deps.db, now.toISOString().slice(0, 10), limit);
  let sent = 0;
  for (const c of due) {
    const queued = await deps.db.transaction(async (tx) => {
      if (!(await markContractReminded(tx, c.id, c.nextDueOn))) return false;
      // No email: the contract is marked all the same, so it is not looked at again for this due date.
      if (!c.customerEmail) return false;
      return (await queueMessage(tx, deps.queue, reminderMessage({ ...c, customerEmail: c.customerEmail }, deps.publicUrl), now)) !== null;
    });
    if (queued) sent++;
  }
  return sent;
}
