/**
 * The JSON shapes of the console API (/console/api), as the browser receives them: instants are
 * ISO 8601 strings, `local…` fields are in the zone named beside them.
 * Shapes the server defines with no instants in them are its own types, imported.
 */
import type { TaskCreatedEvent } from '../../bot/handoff/console-protocol.ts';
import type { AppointmentStatus, CatalogueService, CatalogueStore, StatusKind } from '../../bot/handoff/console-api-protocol.ts';

export type { StatusKind };
export type Role = 'agent' | 'store_manager' | 'admin';
export type Mode = 'in_store' | 'online' | 'at_home';
export type AppointmentState = 'pending' | 'confirmed' | 'cancelled';
export type Locale = 'en' | 'fr';

export interface SessionStore {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
}

export interface Session {
  staff: { id: string; name: string; email: string; role: Role; stores: SessionStore[] };
  csrfToken: string;
  expiresAt: string;
}

export interface StatusRef {
  id: string;
  name: string | null;
  color: string | null;
  kind: StatusKind | null;
}

export interface AppointmentListItem {
  id: string;
  mode: Mode;
  state: AppointmentState;
  status: StatusRef | null;
  isRequest: boolean;
  customer: { id: string; name: string };
  service: { id: string; slug: string; name: string; names: Record<string, string> };
  store: { id: string; name: string | null; timeZone: string | null } | null;
  homeAddress: string | null;
  staff: { id: string; name: string };
  start: string;
  end: string;
  timeZone: string;
  localStart: string;
  localEnd: string;
  customerTimeZone: string;
  customerLocalStart: string;
  channel: string;
  createdAt: string;
}

export interface AppointmentList {
  appointments: AppointmentListItem[];
  total: number;
  limit: number;
  offset: number;
}

/** A status of a service's workflow, as the settings list it. */
export type WorkflowStatus = AppointmentStatus & {
  /** Settings only: how many appointments are at this status now. */
  inUse?: number;
};

export interface HistoryEntry {
  at: string;
  fromState: AppointmentState | null;
  toState: AppointmentState;
  fromStatus: StatusRef | null;
  toStatus: StatusRef | null;
  actor: { kind: 'staff' | 'api' | 'customer' | 'system'; id: string | null; name: string };
  reason: string | null;
}

export interface TranscriptEntry {
  seq: number;
  sender: 'customer' | 'bot' | 'agent' | 'system';
  senderName: string | null;
  text: string;
  content: Record<string, unknown>;
  at: string;
}

export interface AppointmentDetail {
  appointment: Omit<AppointmentListItem, 'customer' | 'service'> & {
    notes: string;
    cancellationReason: string | null;
    version: number;
    conversationId: string | null;
    updatedAt: string | null;
    service: AppointmentListItem['service'] & { statusWorkflow: boolean; bookingMode: 'direct' | 'request' };
    customer: {
      id: string; name: string; email: string | null; phone: string | null;
      emailVerified: boolean; phoneVerified: boolean; locale: Locale; timeZone: string | null;
    };
    statuses: WorkflowStatus[];
  };
  history: HistoryEntry[];
  transcript: { conversationId: string; channel: string; entries: TranscriptEntry[] } | null;
}

export interface SlotDay {
  date: string;
  slots: { start: string; end: string; time: string; free: number }[];
}

export interface SlotsReply {
  appointmentId: string;
  current: { start: string; end: string };
  timeZone: string;
  days: SlotDay[];
}

export interface AvailabilityReply {
  service: string;
  mode: Mode;
  store: string | null;
  timeZone: string;
  days: SlotDay[];
}

/** A service as the settings send it: the catalogue's, with its display name, order and whether it is offered. */
export type Service = Omit<CatalogueService, 'brandId'> & { name: string; position: number; active: boolean };

export interface StoreHours { weekday: number; opens: string; closes: string }
export interface SpecialDay { id?: string; date: string; opens: string | null; closes: string | null; label: string }
export type NotificationRouting = CatalogueStore['notificationRouting'];

export type Store = Omit<CatalogueStore, 'brandId'> & { active: boolean; hours: StoreHours[]; specialDays: SpecialDay[] };

export interface StaffMember {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  active: boolean;
  homeStoreId: string | null;
  stores: { id: string; name: string }[];
  account: {
    email: string;
    role: Role;
    status: 'active' | 'invited' | 'disabled';
    locked: boolean;
    inviteExpiresAt: string | null;
    lastSeenAt: string | null;
  } | null;
}

export interface StaffHoursRow { store: string; weekday: number; starts: string; ends: string }
export interface TimeOff { id: string; startsAt: string; endsAt: string; reason: string }

/** One staff member for editing: the list's own fields, with what the list leaves out. */
export interface StaffDetail extends Omit<StaffMember, 'stores' | 'account'> {
  atHomeRadiusKm: number | null;
  serviceIds: string[];
  hours: StaffHoursRow[];
  timeOff: TimeOff[];
}

export interface NotificationSettings {
  reminders: { offsetMinutes: number; channel: 'email'; enabled: boolean }[];
  smsReminder: { enabled: boolean; channel: 'sms' | 'whatsapp'; offsetMinutes: number };
  followUps: { offsetMinutes: number; enabled: boolean; onlyIfNotRebooked: boolean }[];
  confirmationChannels: { email: boolean; sms: boolean; whatsapp: boolean };
}

export type TemplateChannel = 'email' | 'sms' | 'whatsapp';

export interface MessageTemplate {
  event: string;
  locale: Locale;
  channel: TemplateChannel;
  custom: boolean;
  subject: string | null;
  body: string;
  updatedAt: string | null;
  default: { subject: string | null; body: string };
}

export interface TemplatesReply {
  events: string[];
  channels: TemplateChannel[];
  variables: string[];
  partials: string[];
  templates: MessageTemplate[];
}

export interface TemplatePreview {
  subject: string | null;
  text: string;
  html: string | null;
}

export type Task = TaskCreatedEvent & {
  status: 'open' | 'done';
  doneBy: { id: string; name: string | null } | null;
  doneAt: string | null;
};
