import type { AppointmentContent } from '../../bot/web-protocol.ts';
import type { Notice } from './store.ts';

export type Locale = 'en' | 'fr';

/** Every string the widget itself shows; text from the server is shown as sent. */
export interface Labels {
  launcher: string;
  title: string;
  subtitle: string;
  /** The header while a live advisor is involved. */
  waitingForAdvisor: string;
  chattingWith: (name: string) => string;
  close: string;
  conversation: string;
  connecting: string;
  reconnecting: string;
  offline: string;
  unavailable: string;
  retryNow: string;
  messageLabel: string;
  messagePlaceholder: string;
  send: string;
  you: string;
  assistant: string;
  typingBot: string;
  typingAgent: string;
  sending: string;
  notSent: string;
  retry: string;
  dismiss: string;
  earlier: string;
  later: string;
  timesIn: (timeZone: string) => string;
  noSlots: string;
  optional: string;
  required: string;
  invalidEmail: string;
  invalidTel: string;
  invalidCode: string;
  locating: string;
  locationDenied: string;
  locationUnavailable: string;
  pinMap: string;
  latitude: string;
  longitude: string;
  useMyLocation: string;
  confirmPin: string;
  tilesFailed: string;
  status: Record<AppointmentContent['status'], string>;
  newTab: string;
  errors: Record<Notice['code'], string>;
}

const en: Labels = {
  launcher: 'Book an appointment',
  title: 'Book an appointment',
  subtitle: 'We reply in moments',
  waitingForAdvisor: 'Waiting for an advisor…',
  chattingWith: (name) => `Chatting with ${name}`,
  close: 'Close',
  conversation: 'Conversation',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'You are offline. Trying again…',
  unavailable: 'The chat is unavailable right now.',
  retryNow: 'Retry now',
  messageLabel: 'Your message',
  messagePlaceholder: 'Type your message…',
  send: 'Send',
  you: 'You',
  assistant: 'Assistant',
  typingBot: 'The assistant is typing…',
  typingAgent: 'An advisor is typing…',
  sending: 'Sending…',
  notSent: 'Not sent.',
  retry: 'Retry',
  dismiss: 'Dismiss',
  earlier: 'Earlier',
  later: 'Later',
  timesIn: (timeZone) => `Times shown in ${timeZone.replace(/_/g, ' ')}`,
  noSlots: 'No times available in this period.',
  optional: 'optional',
  required: 'This field is required.',
  invalidEmail: 'Enter a valid email address, like name@example.com.',
  invalidTel: 'Enter a valid phone number, like +33 6 12 34 56 78.',
  invalidCode: 'Enter the code you received (digits only).',
  locating: 'Locating…',
  locationDenied: 'Location access was denied. You can type your city or postcode instead.',
  locationUnavailable: 'Your location is not available. You can type your city or postcode instead.',
  pinMap: 'Map: drag the pin to the entrance',
  latitude: 'Latitude',
  longitude: 'Longitude',
  useMyLocation: 'Use my location',
  confirmPin: 'Confirm the pin',
  tilesFailed: 'The map cannot be shown right now: type the coordinates or use your location.',
  status: { pending: 'Pending', confirmed: 'Confirmed', cancelled: 'Cancelled' },
  newTab: '(opens in a new tab)',
  errors: {
    invalid_event: 'That message could not be processed.',
    too_large: 'That message is too long.',
    rate_limited: 'You are sending messages too quickly. Please wait a moment.',
    unauthorized: 'This action is not allowed in this conversation.',
    expired: 'Your previous conversation has expired, so a new one was started.',
    join_refused: 'This Join link is no longer valid: the appointment was moved or cancelled. Use the link in your latest message.',
    internal: 'Something went wrong on our side. Please try again.',
  },
};

const fr: Labels = {
  launcher: 'Prendre rendez-vous',
  title: 'Prendre rendez-vous',
  subtitle: 'Réponse en quelques instants',
  waitingForAdvisor: 'En attente d’un conseiller…',
  chattingWith: (name) => `En conversation avec ${name}`,
  close: 'Fermer',
  conversation: 'Conversation',
  connecting: 'Connexion…',
  reconnecting: 'Reconnexion…',
  offline: 'Vous êtes hors ligne. Nouvel essai…',
  unavailable: 'La discussion est indisponible pour le moment.',
  retryNow: 'Réessayer',
  messageLabel: 'Votre message',
  messagePlaceholder: 'Écrivez votre message…',
  send: 'Envoyer',
  you: 'Vous',
  assistant: 'Assistant',
  typingBot: 'L’assistant écrit…',
  typingAgent: 'Un conseiller écrit…',
  sending: 'Envoi…',
  notSent: 'Non envoyé.',
  retry: 'Réessayer',
  dismiss: 'Fermer',
  earlier: 'Plus tôt',
  later: 'Plus tard',
  timesIn: (timeZone) => `Horaires affichés en heure de ${timeZone.replace(/_/g, ' ')}`,
  noSlots: 'Aucun horaire disponible sur cette période.',
  optional: 'facultatif',
  required: 'Ce champ est obligatoire.',
  invalidEmail: 'Saisissez une adresse e-mail valide, comme nom@exemple.fr.',
  invalidTel: 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78.',
  invalidCode: 'Saisissez le code reçu (chiffres uniquement).',
  locating: 'Localisation…',
  locationDenied: 'L’accès à la position a été refusé. Vous pouvez saisir votre ville ou votre code postal.',
  locationUnavailable: 'Votre position n’est pas disponible. Vous pouvez saisir votre ville ou votre code postal.',
  pinMap: 'Carte : faites glisser le repère jusqu’à l’entrée',
  latitude: 'Latitude',
  longitude: 'Longitude',
  useMyLocation: 'Utiliser ma position',
  confirmPin: 'Valider le repère',
  tilesFailed: 'La carte ne peut pas s’afficher : saisissez les coordonnées ou utilisez votre position.',
  status: { pending: 'En attente', confirmed: 'Confirmé', cancelled: 'Annulé' },
  newTab: '(s’ouvre dans un nouvel onglet)',
  errors: {
    invalid_event: 'Ce message n’a pas pu être traité.',
    too_large: 'Ce message est trop long.',
    rate_limited: 'Vous envoyez des messages trop vite. Patientez un instant.',
    unauthorized: 'Cette action n’est pas autorisée dans cette conversation.',
    expired: 'Votre conversation précédente a expiré ; une nouvelle a commencé.',
    join_refused: 'Ce lien pour rejoindre n’est plus valable : le rendez-vous a été déplacé ou annulé. Utilisez le lien de votre dernier message.',
    internal: 'Un problème est survenu de notre côté. Veuillez réessayer.',
  },
};

const LABELS: Record<Locale, Labels> = { en, fr };

export function labelsFor(locale: Locale): Labels {
  return LABELS[locale];
}

/** data-locale if valid, else the browser's language (fr* → fr), else English. */
export function pickLocale(requested: string | null | undefined, browserLanguage: string | undefined): Locale {
  if (requested === 'en' || requested === 'fr') return requested;
  return browserLanguage?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
