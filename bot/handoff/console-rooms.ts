import type { HandoffAppointment } from '../../models/handoff.repository.ts';
import type { PresentStaff } from './presence.ts';

/** socket.io rooms of the /console namespace. */
export const consoleRooms = {
  staff: (id: string) => `staff:${id}`,
  brand: (id: string) => `brand:${id}`,
  admins: (brandId: string) => `admins:${brandId}`,
  store: (id: string) => `store:${id}`,
  conversation: (id: string) => `conv:${id}`,
};

/**
 * Rooms of the consoles that see an appointment (staff-access.ts, seesAppointment): the brand's admins,
 * its advisor, its store's staff. Events about it go there, never to the whole brand.
 */
export const appointmentRooms = (a: HandoffAppointment): string[] => [
  consoleRooms.admins(a.brandId), consoleRooms.staff(a.staffId), ...(a.storeId ? [consoleRooms.store(a.storeId)] : []),
];

/** Rooms of consoles that see this agent's presence: their stores' and the brand's admins. */
export const presenceRooms = (staff: PresentStaff): string[] => [
  consoleRooms.admins(staff.brandId), consoleRooms.staff(staff.staffId), ...staff.storeIds.map(consoleRooms.store),
];
