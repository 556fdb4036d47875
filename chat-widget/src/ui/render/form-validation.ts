import type { FormContent } from '../../../../bot/web-protocol.ts';
import type { Labels } from '../../i18n.ts';

export type FormField = FormContent['fields'][number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^\+?[\d\s().-]+$/;
const CODE = /^\d{4,10}$/;

/** The message to show under a field, or null when its value is acceptable. */
export function validateField(field: FormField, raw: string, t: Labels): string | null {
  const value = raw.trim();
  if (!value) return field.required ? t.required : null;
  switch (field.type) {
    case 'email':
      return EMAIL.test(value) ? null : t.invalidEmail;
    case 'tel': {
      const digits = value.replace(/\D/g, '').length;
      return PHONE.test(value) && digits >= 6 && digits <= 15 ? null : t.invalidTel;
    }
    case 'code':
      return CODE.test(value.replace(/\s/g, '')) ? null : t.invalidCode;
    case 'text':
      return null;
  }
}

/** The customer's side of the transcript for a submitted form; codes are never echoed. */
export function formSummary(content: FormContent, values: Record<string, string>): string {
  if (content.form === 'code') return '••••••';
  return content.fields
    .map((field) => (field.type === 'code' ? '••••••' : values[field.name] ?? ''))
    .filter((value) => value !== '')
    .join(' · ');
}

/** The value as sent: trimmed, and codes without the spaces people type. */
export function normalizeValue(field: FormField, raw: string): string {
  return field.type === 'code' ? raw.replace(/\s/g, '') : raw.trim();
}
