import type { Appointment, AppointmentParticipant } from '../domain/appointment.ts';
import type { Coded, DeliveryChannel } from '../domain/diary.ts';
import type { Db } from './db.ts';

interface AppointmentRow {
  id: string; status: 'booked' | 'cancelled'; patient_id: string; schedule_id: string; location_id: string; practitioner_id: string | null;
  slot_ids: string[]; start_at: Date; end_at: Date; created: Date; description: string; comment: string | null; priority: number | null;
  identifiers: { system: string; value: string }[]; booking_organization: Record<string, unknown>; participants: AppointmentParticipant[];
  service_category: string | null; service_type: string; delivery_channel: DeliveryChannel; practitioner_role: Coded;
  cancellation_reason: string | null; version: number;
}

const toAppointment = (r: AppointmentRow): Appointment => ({
  id: r.id, status: r.status, patientId: r.patient_id, scheduleId: r.schedule_id, locationId: r.location_id,
  practitionerId: r.practitioner_id ?? undefined, slotIds: r.slot_ids, start: r.start_at, end: r.end_at, created: r.created,
  description: r.description, comment: r.comment ?? undefined, priority: r.priority ?? undefined, identifiers: r.identifiers,
  bookingOrganization: r.booking_organization, participants: r.participants, serviceCategory: r.service_category ?? undefined,
  serviceType: r.service_type, deliveryChannel: r.delivery_channel, practitionerRole: r.practitioner_role,
  cancellationReason: r.cancellation_reason ?? undefined, version: r.version,
});

// Every slot the appointment was booked into, live or given back, in time order.
const select = `SELECT a.id, a.status, a.patient_id, a.schedule_id, a.location_id, a.practitioner_id,
    ARRAY(SELECT s.slot_id FROM appointment_slot s JOIN slot sl ON sl.practice = s.practice AND sl.id = s.slot_id
          WHERE s.practice = a.practice AND s.appointment_id = a.id ORDER BY sl.start_at) AS slot_ids,
    a.start_at, a.end_at, a.created, a.description, a.comment, a.priority, a.identifiers, a.booking_organization,
    a.participants, a.service_category, a.service_type, a.delivery_channel, a.practitioner_role, a.cancellation_reason, a.version
  FROM appointment a`;

export async function findAppointment(db: Db, practice: string, id: string, forUpdate = false): Promise<Appointment | undefined> {
  const rows = await db.query<AppointmentRow>(`${select} WHERE a.practice = $1 AND a.id = $2${forUpdate ? ' FOR UPDATE OF a' : ''}`, [practice, id]);
  return rows[0] && toAppointment(rows[0]);
}

/** A patient's appointments starting within [from, to), booked or cancelled, in time order. */
export async function findPatientAppointments(db: Db, practice: string, patientId: string, from: Date, to: Date): Promise<Appointment[]> {
  const rows = await db.query<AppointmentRow>(
    `${select} WHERE a.practice = $1 AND a.patient_id = $2 AND a.start_at >= $3 AND a.start_at < $4 ORDER BY a.start_at, a.id`,
    [practice, patientId, from, to],
  );
  return rows.map(toAppointment);
}

export type NewAppointment = Omit<Appointment, 'id' | 'status' | 'cancellationReason' | 'version'> & { bookedByOds: string | undefined };

/** Stores a booked appointment and links its slots (the unique index refuses a slot already held). */
export async function insertAppointment(db: Db, practice: string, a: NewAppointment): Promise<Appointment> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO appointment (practice, id, status, patient_id, schedule_id, location_id, practitioner_id, start_at, end_at, created,
       description, comment, priority, identifiers, booking_organization, participants, service_category, service_type,
       delivery_channel, practitioner_role, booked_by_ods)
     VALUES ($1, nextval('appointment_id_seq')::text, 'booked', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb,
       $13::text::jsonb, $14::text::jsonb, $15, $16, $17, $18::text::jsonb, $19)
     RETURNING id`,
    [
      practice, a.patientId, a.scheduleId, a.locationId, a.practitionerId ?? null, a.start, a.end, a.created, a.description,
      a.comment ?? null, a.priority ?? null, JSON.stringify(a.identifiers), JSON.stringify(a.bookingOrganization),
      JSON.stringify(a.participants), a.serviceCategory ?? null, a.serviceType, a.deliveryChannel,
      JSON.stringify(a.practitionerRole), a.bookedByOds ?? null,
    ],
  );
  const id = rows[0]!.id;
  await db.query(
    'INSERT INTO appointment_slot (practice, appointment_id, slot_id) SELECT $1, $2, unnest($3::text[])',
    [practice, id, a.slotIds],
  );
  return (await findAppointment(db, practice, id))!;
}

/** Amend: only the description and comment change (spec). */
export async function updateAppointmentText(db: Db, practice: string, id: string, description: string, comment: string | undefined): Promise<Appointment> {
  await db.query(
    `UPDATE appointment SET description = $3, comment = $4, version = version + 1, updated_at = now() WHERE practice = $1 AND id = $2`,
    [practice, id, description, comment ?? null],
  );
  return (await findAppointment(db, practice, id))!;
}

/** Cancel: the status and the reason change, and the slots are no longer held by it. */
export async function cancelAppointment(db: Db, practice: string, id: string, reason: string): Promise<Appointment> {
  await db.query(
    `UPDATE appointment SET status = 'cancelled', cancellation_reason = $3, version = version + 1, updated_at = now()
     WHERE practice = $1 AND id = $2`,
    [practice, id, reason],
  );
  await db.query('UPDATE appointment_slot SET active = false WHERE practice = $1 AND appointment_id = $2', [practice, id]);
  return (await findAppointment(db, practice, id))!;
}
