import type { MessageEvent, TemplateChannel } from '../templates.ts';
import * as en from './en.ts';
import * as fr from './fr.ts';

/** A template as stored: subject (email only) and a Mustache body (HTML for email, text otherwise). */
export interface TemplateSource {
  subject: string | null;
  body: string;
}

export type Labels = typeof en.labels;

export const DEFAULT_TEMPLATES: Record<'en' | 'fr', Record<MessageEvent, Record<TemplateChannel, TemplateSource>>> = {
  en: en.templates,
  fr: fr.templates,
};

export const LABELS: Record<'en' | 'fr', Labels> = { en: en.labels, fr: fr.labels };
