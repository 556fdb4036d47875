import type { OtpChannel } from '../notifications/otp.ts';
import { line, type Line } from './lines.ts';

/** The customer's contact details, as checked: email as typed (trimmed), phone in E.164. */
export interface Contact {
  name: string;
  email: string | null;
  phone: string | null;
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$/i;

export function normaliseEmail(text: string): string | null {
  const email = text.trim();
  return email.length <= 254 && EMAIL.test(email) ? email : null;
}

/**
 * E.164 from an international number ("+33 6 12 34 56 78", "0033 6…") or a French ("06 12 34 56 78")
 * or North American ("(212) 555-0199", "1 212 555 0199") national number; null otherwise.
 */
export function normalisePhone(text: string): string | null {
  const compact = text.trim().replace(/\(0\)/g, '').replace(/[\s().\-/]/g, '');
  if (!/^\+?\d+$/.test(compact)) return null;
  const international = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : null;
  if (international !== null) {
    if (international.startsWith('33')) return /^33[1-9]\d{8}$/.test(international) ? `+${international}` : null;
    if (international.startsWith('1')) return /^1[2-9]\d{2}[2-9]\d{6}$/.test(international) ? `+${international}` : null;
    return /^[1-9]\d{7,14}$/.test(international) ? `+${international}` : null;
  }
  if (/^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^[2-9]\d{2}[2-9]\d{6}$/.test(compact)) return `+1${compact}`;
  if (/^1[2-9]\d{2}[2-9]\d{6}$/.test(compact)) return `+${compact}`;
  return null;
}

export type ContactCheck = { ok: true; contact: Contact } | { ok: false; problems: Line[] };

/** Name required, at least one of email and phone, each well-formed; every problem is named. */
export function checkContact(values: { name?: string; email?: string; phone?: string }): ContactCheck {
  const name = (values.name ?? '').trim().replace(/\s+/g, ' ').slice(0, 120);
  const emailText = (values.email ?? '').trim();
  const phoneText = (values.phone ?? '').trim();
  const email = emailText ? normaliseEmail(emailText) : null;
  const phone = phoneText ? normalisePhone(phoneText) : null;
  const problems: Line[] = [];
  if (!name) problems.push(line('contact.nameMissing'));
  if (!emailText && !phoneText) problems.push(line('contact.needOne'));
  if (emailText && !email) problems.push(line('contact.badEmail', { value: emailText.slice(0, 80) }));
  if (phoneText && !phone) problems.push(line('contact.badPhone', { value: phoneText.slice(0, 40) }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, contact: { name, email, phone } };
}

/** Free text with an email and/or a phone number in it; the rest is taken as the name. */
export function contactFromText(text: string): { name: string; email: string; phone: string } {
  const email = /[^\s,;]+@[^\s,;]+/.exec(text)?.[0] ?? '';
  const rest = text.replace(email, ' ');
  const phone = /\+?\d[\d\s().-]{6,}\d/.exec(rest)?.[0] ?? '';
  const name = rest.replace(phone, ' ').replace(/[,;]/g, ' ').replace(/\s+/g, ' ').trim();
  return { name, email, phone };
}

export interface VerificationTarget {
  channel: OtpChannel;
  to: string;
}

/** Codes go to the email when there is one, else by SMS. */
export const verificationTarget = (c: Contact): VerificationTarget =>
  c.email ? { channel: 'email', to: c.email } : { channel: 'sms', to: c.phone ?? '' };

/** An email or a phone number typed on its own (finding one's appointments). */
export function targetFromText(text: string): VerificationTarget | null {
  const email = normaliseEmail(text);
  if (email) return { channel: 'email', to: email };
  const phone = normalisePhone(text);
  return phone ? { channel: 'sms', to: phone } : null;
}

export const targetKey = (t: VerificationTarget) => `${t.channel}:${t.channel === 'email' ? t.to.toLowerCase() : t.to}`;
