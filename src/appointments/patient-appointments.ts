import { searchset } from '../fhir/datatypes.ts';
import { addDays, isFhirDate, ukDate, ukStartOfDay } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { isLogicalId } from '../foundations/identifier-search.ts';
import type { Handler } from '../http/handler.ts';
import { findPatientAppointments } from '../store/appointments.ts';
import { findPatient } from '../store/patients.ts';
import { appointmentResource } from './resources.ts';

const invalidParameter = (diagnostics: string) => new GpcError('INVALID_PARAMETER', diagnostics);

/**
 * GET /Patient/{id}/Appointment?start=ge{date}&start=le{date}: every appointment of the patient
 * starting within those days (inclusive), cancelled ones included, in time order. An unknown or
 * sensitive patient ⇒ 404 PATIENT_NOT_FOUND (suite A4; appointments IG); the patient is looked
 * up before the dates. Other parameters (_sort) are ignored (suite A15).
 */
export const searchPatientAppointments: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const practice = ctx.practice.odsCode;
  const patient = isLogicalId(id) ? await findPatient(ctx.db, practice, id) : undefined;
  if (!patient || patient.sensitive) throw new GpcError('PATIENT_NOT_FOUND', `No patient with logical id ${id.slice(0, 64)} at this practice`);
  ctx.audit.patientId = patient.id;

  const { from, to } = readPeriod(ctx.query, ctx.now);
  const today = ukStartOfDay(ukDate(ctx.now));
  // Today's appointments are all returned, even those already over; none from before today
  // (a ge of the UTC date, accepted as today, does not reach back into yesterday).
  const appointments = await findPatientAppointments(ctx.db, practice, patient.id, from < today ? today : from, to);
  return { resource: searchset(appointments.map(appointmentResource)) };
};

/**
 * Retrieve page, every violation 422 INVALID_PARAMETER (suite A8–A12): exactly two start
 * parameters, one ge and one le (A9, A10, A11); each a full date yyyy-mm-dd with no time (A8);
 * no part of the range in the past, today allowed; the le date not before the ge date (A12).
 * Returns [start of the ge day, start of the day after the le day), UK local time. Any FHIR date
 * will do as the le date, 9999-12-31 included: its day after is held at the last instant of FHIR
 * time (ukStartOfDay), which every stored appointment precedes.
 */
function readPeriod(query: URLSearchParams, now: Date): { from: Date; to: Date } {
  const values = query.getAll('start');
  if (values.length !== 2) throw invalidParameter("Appointment search must have both 'le' and 'ge' start date parameters");
  const bounds: Partial<Record<'ge' | 'le', string>> = {};
  for (const value of values) {
    const prefix = value.slice(0, 2);
    if (prefix !== 'ge' && prefix !== 'le') throw invalidParameter('Unknown prefix on a start parameter: only ge and le are allowed');
    if (bounds[prefix] !== undefined) throw invalidParameter(`The ${prefix} start parameter is sent twice: send one ge and one le`);
    const date = value.slice(2);
    if (!isFhirDate(date)) throw invalidParameter('Search dates must be of the format yyyy-mm-dd, without a time or time zone');
    bounds[prefix] = date;
  }
  const { ge, le } = bounds as Record<'ge' | 'le', string>;
  // Suite §9 Q5: the suite sends the UTC date as today, which between 00:00 and 01:00 BST is the
  // UK's yesterday; either counts as today. (The UTC date is never after the UK date.)
  const today = now.toISOString().slice(0, 10);
  if (ge < today) throw invalidParameter(`Search dates from the past are not allowed: ${ge} is before today`);
  if (le < ge) throw invalidParameter('The le start date must not be before the ge start date');
  return { from: ukStartOfDay(ge), to: ukStartOfDay(addDays(le, 1)) };
}
