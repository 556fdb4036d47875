import type { Queryable } from './database.ts';
import { isUuid } from './ids.ts';

/** Who a conversation involves, for the console's access rules (scheduling/staff-access.ts). */
export interface ConversationParties {
  brandId: string;
  handoffState: 'bot' | 'waiting' | 'attached';
  /** The agent in the chat now (attached only). */
  agentStaffId: string | null;
  /** Appointments booked in it or joined from it: their advisor and store (their own, else the advisor's home store). */
  appointments: { staffId: string; storeId: string | null }[];
}


export async function conversationParties(db: Queryable, conversationId: string): Promise<ConversationParties | null> {
  if (!isUuid(conversationId)) return null;
  const [row] = await db.query<ConversationParties>(
    `SELECT c.brand_id AS "brandId", c.handoff_state AS "handoffState", c.agent_staff_id AS "agentStaffId",
            COALESCE((SELECT json_agg(json_build_object('staffId', a.staff_id, 'storeId', COALESCE(a.store_id, sf.home_store_id)))
                      FROM appointments a JOIN staff sf ON sf.id = a.staff_id
                      WHERE a.brand_id = c.brand_id AND (a.conversation_id = c.id::text OR a.id = c.handoff_appointment_id)), '[]') AS appointments
     FROM conversations c WHERE c.id = $1`,
    [conversationId],
  );
  return row ?? null;
}
