/**
 * What a bot message carries besides its text: suggested actions and the rich content the widget
 * renders natively (attachment content types). Channel-neutral: the dialogs build them, the web
 * chat sends them as they are (bot/web-protocol.ts re-exports them for the widget).
 */

export interface SuggestedAction {
  title: string;
  /** Sent back as the message text when clicked (and as `value.choice`). */
  value: string;
}

// ---- rich content the widget renders natively (attachment content types) -----------------------

export const SLOTS = 'application/vnd.rendezvous.slots+json';
export interface SlotsContent {
  timeZone: string;
  days: { date: string; label: string; slots: { start: string; label: string }[] }[];
  /** Offer "earlier" / "later" paging buttons. Choosing one sends value { action: 'earlier' | 'later' }. */
  earlier: boolean;
  later: boolean;
}
// Choosing a slot sends: { action: 'slot', start: ISO instant }, text = the slot's label.

export const FORM = 'application/vnd.rendezvous.form+json';
export interface FormContent {
  form: 'contact' | 'code' | 'address';
  title: string;
  fields: {
    name: string; label: string; type: 'text' | 'email' | 'tel' | 'code'; required: boolean; value?: string; autocomplete?: string;
    /** Said after the label instead of "(optional)": "or mobile phone" where one of two fields is needed. */
    hint?: string;
  }[];
  submitLabel: string;
  /** Extra buttons under the form, sent as { action } (e.g. 'resend', 'change-contact'). */
  actions?: { title: string; action: string }[];
}
// Submitting sends: { action: 'form', form, values: { [name]: string } }.

export const LOCATION = 'application/vnd.rendezvous.location+json';
export interface LocationContent {
  prompt: string;
  buttonLabel: string;
}
// Sharing the browser's position sends: { action: 'location', latitude, longitude }.

export const PIN = 'application/vnd.rendezvous.pin+json';
export interface PinContent {
  /** Where the pin stands now (the geocoded or last corrected address). */
  latitude: number;
  longitude: number;
}
// Confirming the pin (dragged on the map, typed, or the browser's position) sends:
// { action: 'location', latitude, longitude, pin: true }, so a step that asks for a location understands it too.

export const APPOINTMENT = 'application/vnd.rendezvous.appointment+json';
export interface AppointmentContent {
  /** The appointment shown: a later card of the same appointment (staff confirmed, moved it…) supersedes this one. */
  appointmentId?: string;
  title: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  lines: string[];
  links: { label: string; url: string }[];
}

export type Attachment =
  | { contentType: typeof SLOTS; content: SlotsContent }
  | { contentType: typeof FORM; content: FormContent }
  | { contentType: typeof LOCATION; content: LocationContent }
  | { contentType: typeof PIN; content: PinContent }
  | { contentType: typeof APPOINTMENT; content: AppointmentContent };
