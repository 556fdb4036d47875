import { DateTime } from 'luxon';
import type { Locale } from '../../models/catalogue.repository.ts';
import { detectInterruption } from '../../dialogs/understanding.ts';
import { frenchSpacing } from '../../notifications/french-typography.ts';

/** What the hand-off says to the customer (system entries of the transcript), EN and FR. */

/** Quick-reply values offered when nobody can join (sent back as `value.choice`). */
export const CHOICE_RESCHEDULE = 'handoff:reschedule';
export const CHOICE_LEAVE_MESSAGE = 'handoff:leave-message';
export const CHOICE_LEAVE_QUEUE = 'handoff:leave-queue';

const EN = {
  requesting: (name: string) => `We're letting ${name} know you're here…`,
  videoTitle: 'Your video appointment',
  videoLink: 'Join the video call',
  joined: (name: string) => `${name} joined the chat`,
  left: (name: string) => `${name} left the chat`,
  nobody: 'Sorry, no advisor is available to join you right now. You can reschedule your appointment, or leave a message and the store will get back to you.',
  reschedule: 'Reschedule',
  leaveMessage: 'Leave a message',
  leavePrompt: "Please type your message: we'll pass it on to the store and someone will get back to you.",
  leaveDone: (contact: string | null) =>
    `Thank you, your message has been passed on. The store will get back to you${contact ? ` (${contact})` : ''}.`,
  queue: (position: number) => `You're number ${position} in line. An advisor will be with you as soon as possible. To stop waiting, type "cancel".`,
  leaveQueue: 'Stop waiting',
  queueLeft: "OK, you're no longer waiting for an advisor.",
  queueMoved: (position: number) => (position === 1 ? "You're number 1 in line: you're next." : `You're now number ${position} in line.`),
  early: (when: string, minutes: number) =>
    `Your appointment is on ${when}. You can join from ${minutes} minutes before it starts: open the Join link again then.`,
  ended: (when: string) => `This appointment was on ${when} and has ended.`,
  whenFormat: "cccc d LLLL 'at' HH:mm",
};

const FR_WORDS: typeof EN = {
  requesting: (name) => `Nous prévenons ${name} de votre arrivée…`,
  videoTitle: 'Votre rendez-vous en visio',
  videoLink: 'Rejoindre l’appel vidéo',
  joined: (name) => `${name} a rejoint la conversation`,
  left: (name) => `${name} a quitté la conversation`,
  nobody: 'Désolé, aucun conseiller n’est disponible pour vous rejoindre pour le moment. Vous pouvez reprogrammer votre rendez-vous, ou laisser un message : le magasin vous recontactera.',
  reschedule: 'Reprogrammer',
  leaveMessage: 'Laisser un message',
  leavePrompt: 'Écrivez votre message : nous le transmettrons au magasin, qui reviendra vers vous.',
  leaveDone: (contact) => `Merci, votre message a été transmis. Le magasin reviendra vers vous${contact ? ` (${contact})` : ''}.`,
  queue: (position) => `Vous êtes numéro ${position} dans la file d’attente. Un conseiller vous répondra dès que possible. Pour ne plus attendre, écrivez « annuler ».`,
  leaveQueue: 'Ne plus attendre',
  queueLeft: 'D’accord, vous n’attendez plus de conseiller.',
  queueMoved: (position) => (position === 1 ? 'Vous êtes numéro 1 dans la file : c’est bientôt à vous.' : `Vous êtes maintenant numéro ${position} dans la file.`),
  early: (when, minutes) =>
    `Votre rendez-vous est le ${when}. Vous pourrez le rejoindre à partir de ${minutes} minutes avant son début : rouvrez alors le lien Rejoindre.`,
  ended: (when) => `Ce rendez-vous a eu lieu le ${when} et il est terminé.`,
  whenFormat: "cccc d LLLL 'à' HH'h'mm",
};

/** French with its no-break spaces before : ; ? ! (see frenchSpacing). */
const FR = Object.fromEntries(Object.entries(FR_WORDS).map(([key, value]) => [
  key,
  typeof value === 'string' ? frenchSpacing(value) : (...args: never[]) => frenchSpacing((value as (...a: never[]) => string)(...args)),
])) as typeof EN;

export const handoffTexts = (locale: Locale): typeof EN => (locale === 'fr' ? FR : EN);

/** "Monday 1 March at 10:00 (Europe/Paris)" in the customer's zone and language. */
export function formatWhen(at: Date, zone: string, locale: Locale): string {
  const dt = DateTime.fromJSDate(at, { zone }).setLocale(locale);
  const safe = dt.isValid ? dt : DateTime.fromJSDate(at, { zone: 'UTC' }).setLocale(locale);
  return `${safe.toFormat(handoffTexts(locale).whenFormat)} (${safe.zoneName})`;
}

/** A first name for "We're letting Camille know…". */
export const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? name;

/** The quick reply the customer chose while waiting, by value or by its text in either language. */
export function handoffChoice(text: string, value: Record<string, unknown> | undefined): 'reschedule' | 'leave-message' | 'leave-queue' | null {
  const choice = value?.choice;
  if (choice === CHOICE_RESCHEDULE) return 'reschedule';
  if (choice === CHOICE_LEAVE_MESSAGE) return 'leave-message';
  if (choice === CHOICE_LEAVE_QUEUE) return 'leave-queue';
  const typed = text.trim().toLowerCase();
  if ([EN.reschedule, FR.reschedule].some((t) => t.toLowerCase() === typed)) return 'reschedule';
  if ([EN.leaveMessage, FR.leaveMessage].some((t) => t.toLowerCase() === typed)) return 'leave-message';
  if ([EN.leaveQueue, FR.leaveQueue].some((t) => t.toLowerCase() === typed)) return 'leave-queue';
  // "cancel", "never mind", "start over": whatever the bot understands as stopping.
  const interruption = detectInterruption(text)?.kind;
  return interruption === 'cancel' || interruption === 'startOver' ? 'leave-queue' : null;
}
