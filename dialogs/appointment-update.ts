import type { TurnContext } from 'botbuilder-core';
import { findAppointment } from '../models/appointments.repository.ts';
import { loadFacts } from './appointment-facts.ts';
import { appointmentCard } from './cards.ts';
import { line } from './lines.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { say } from './views.ts';

/**
 * Staff changed an appointment booked in this conversation (confirmed the request, moved or
 * cancelled it): the customer sees its card as it is now, which supersedes the earlier ones.
 */
export async function sayAppointmentUpdate(deps: DialogDeps, context: TurnContext, appointmentId: string): Promise<void> {
  const scope = turnScope(context);
  const appointment = await findAppointment(deps.db, scope.brand.id, appointmentId);
  if (!appointment || appointment.conversationId !== scope.conversationId) return;
  const facts = await loadFacts(deps.db, scope.brand.id, appointment);
  const links = appointment.state === 'cancelled' ? null : { signed: deps.links, appointment };
  await say(context, [line(`card.update.${appointment.state}`)], appointmentCard(appointment.id, facts, appointment.state, links, scope));
}
