import { GpcError } from '../fhir/errors.ts';
import { isLogicalId } from '../foundations/identifier-search.ts';
import type { Handler } from '../http/handler.ts';
import { findAppointment } from '../store/appointments.ts';
import { findPatient } from '../store/patients.ts';
import { appointmentResource } from './resources.ts';

/**
 * GET /Appointment/{id}: any future appointment of the practice, booked or cancelled, however it
 * was booked. Unknown or impossible ids ⇒ 404 NO_RECORD_FOUND (suite R4, R9). A sensitive
 * patient's appointment ⇒ 404 PATIENT_NOT_FOUND (appointments IG: PDS sensitive flag).
 * Read page: "the provider SHALL return an error" for an appointment whose start is before now ⇒
 * 422 INVALID_RESOURCE. The suite only reads what it booked from tomorrow on, so this never meets it.
 */
export const readAppointment: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const practice = ctx.practice.odsCode;
  const appointment = isLogicalId(id) ? await findAppointment(ctx.db, practice, id) : undefined;
  if (!appointment) throw new GpcError('NO_RECORD_FOUND', `No appointment with logical id ${id.slice(0, 64)} at this practice`);
  const patient = await findPatient(ctx.db, practice, appointment.patientId);
  if (!patient || patient.sensitive) throw new GpcError('PATIENT_NOT_FOUND', 'The patient of this appointment was not found');
  ctx.audit.patientId = patient.id;
  ctx.audit.appointmentId = appointment.id;
  if (appointment.start < ctx.now) throw new GpcError('INVALID_RESOURCE', `Appointment/${id} is in the past: only future appointments can be read`);
  return { resource: appointmentResource(appointment) };
};
