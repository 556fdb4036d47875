import { understandDate } from './dialogs/date-understanding.ts';
import { DateTime } from 'luxon';
const now = new Date(process.argv[2] ?? '2027-03-06T09:00:00Z');
const show = (a: any) => a?.kind === 'window' ? `window ${DateTime.fromISO(a.from,{zone:'Europe/Paris'}).toFormat('ccc d LLL HH:mm')} → ${DateTime.fromISO(a.to,{zone:'Europe/Paris'}).toFormat('ccc d LLL HH:mm')}` : a?.kind === 'exact' ? `exact ${DateTime.fromISO(a.at,{zone:'Europe/Paris'}).toFormat('ccc d LLL HH:mm')}` : JSON.stringify(a);
for (const t of process.argv.slice(3)) console.log(t.padEnd(50), show(understandDate(t, { locale: /[àéèêç]|\b(le|la|de|à|jeudi|mardi|fin|dans|demain|apres|ce|soir)\b/i.test(t) ? 'fr' : 'en', now, timeZone: 'Europe/Paris' })));
