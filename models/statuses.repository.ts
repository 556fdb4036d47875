import type { Queryable } from './database.ts';

export type StatusKind = 'start' | 'confirmation' | 'cancellation';

/** One step of a service's custom status workflow (product document 001). */
export interface AppointmentStatus {
  id: string;
  serviceId: string;
  name: string;
  description: string;
  position: number;
  kind: StatusKind;
  color: string;
}

const COLUMNS = `id, service_id AS "serviceId", name, description, position, kind, color`;

export async function listStatuses(db: Queryable, serviceId: string): Promise<AppointmentStatus[]> {
  return db.query<AppointmentStatus>(`SELECT ${COLUMNS} FROM appointment_statuses WHERE service_id = $1 ORDER BY position, name`, [serviceId]);
}

export async function insertStatus(db: Queryable, s: Omit<AppointmentStatus, 'id'>): Promise<AppointmentStatus> {
  const [row] = await db.query<AppointmentStatus>(
    `INSERT INTO appointment_statuses (service_id, name, description, position, kind, color)
     VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${COLUMNS}`,
    [s.serviceId, s.name, s.description, s.position, s.kind, s.color],
  );
  return row!;
}
