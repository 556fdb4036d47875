import type { Mode } from '../models/catalogue.repository.ts';
import type { BookingState } from './booking.dialog.ts';
import { atTimeOn } from './date-understanding.ts';
import type { Understanding } from './message-understanding.ts';

/** The question the booking flow is asking when a message comes. */
export type Asked = 'service' | 'mode' | 'place' | 'date' | 'summary' | 'contact' | 'code' | 'other';
export type Detail = 'service' | 'mode' | 'place' | 'when' | 'contact';

/** The detail each question is about: a message about it alone is that question's answer. */
const ANSWERS: Record<Asked, Detail | null> = {
  service: 'service', mode: 'mode', place: 'place', date: 'when', summary: null, contact: 'contact', code: null, other: null,
};

export interface ServiceModes {
  id: string;
  modes: readonly Mode[];
}

export interface BookingChange {
  state: BookingState;
  /** What the customer said that the booking did not have yet, or had otherwise, in the order it applies. */
  changed: Detail[];
  /** Only the question asked was answered: nothing to say back. */
  answersAsked: boolean;
}

/**
 * How a message changes the booking under way (entities fill the state; an entity that changes a
 * filled value is a correction), or null when it changes nothing or only answers the question asked,
 * which the question's own prompt then reads. Whatever changes where or how the customer meets drops
 * the held time and asks again for the same time, so availability is checked again.
 */
export function applyUnderstanding(
  state: BookingState, u: Understanding, asked: Asked, services: readonly ServiceModes[], timeZone: string,
): BookingChange | null {
  const next: BookingState = { ...state };
  const changed: Detail[] = [];
  const serviceOf = (id: string | undefined) => services.find((s) => s.id === id);
  const current = serviceOf(state.serviceId);
  const said = serviceOf(u.serviceId);
  // "en visio" names the video service too: it only replaces a service that cannot be met that way.
  if (said && said.id !== state.serviceId && (!u.serviceFromMode || !current || (u.mode && !current.modes.includes(u.mode)))) {
    next.serviceId = said.id;
    changed.push('service');
  }
  const service = serviceOf(next.serviceId);
  if (u.mode && u.mode !== state.mode && (!service || service.modes.includes(u.mode))) {
    next.mode = u.mode;
    // A service met one way only implies it: not a detail of its own.
    if (!(service && service.modes.length === 1 && changed.includes('service'))) changed.push('mode');
  }
  if (service && next.mode && !service.modes.includes(next.mode)) delete next.mode;
  const meeting = next.mode ?? (service?.modes.length === 1 ? service.modes[0] : undefined);
  if (u.place && meeting !== 'online' && meeting !== 'at_home' && (!service || service.modes.includes('in_store'))) {
    if ('storeId' in u.place && u.place.storeId !== state.storeId) {
      next.storeId = u.place.storeId;
      delete next.near;
      changed.push('place');
    } else if ('near' in u.place) {
      delete next.storeId;
      next.near = u.place.near;
      changed.push('place');
    }
    if (changed.includes('place') && service) next.mode = 'in_store';
  }
  if (next.mode !== 'in_store' && next.mode !== undefined) {
    delete next.storeId;
    delete next.near;
  }
  if (next.mode !== 'at_home') delete next.home;
  if (u.when) {
    // "at 10" while a time is held means that day at 10.
    const day = state.hold?.start;
    next.slotAsk = u.when.kind === 'time' && day ? { kind: 'exact', at: atTimeOn(day, u.when, timeZone) } : u.when;
    changed.push('when');
  }
  if (u.contact && state.contact && asked !== 'contact') {
    const contact = { ...state.contact, ...u.contact };
    if (contact.email !== state.contact.email || contact.phone !== state.contact.phone) {
      next.contact = contact;
      next.editContact = false;
      changed.push('contact');
    }
  }
  if (changed.length === 0) return null;
  const answersAsked = changed.length === 1 && changed[0] === ANSWERS[asked];
  // The store picker reads a store or a place typed alone; "the one in Lyon please" is read here.
  if (answersAsked && asked !== 'place') return null;
  if (changed.some((d) => d !== 'contact')) {
    // Somewhere or something else: the held time is checked again there, unless a new one was said.
    if (state.hold && !changed.includes('when')) next.slotAsk = { kind: 'exact', at: state.hold.start };
    delete next.hold;
    delete next.excludeModes;
    next.confirmed = false;
  }
  return { state: next, changed, answersAsked };
}
