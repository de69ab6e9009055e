import { demographicsMatchPds, isShareable, type Patient } from '../domain/patient.ts';
import { PdsUnavailableError } from '../domain/pds.ts';
import { searchset } from '../fhir/datatypes.ts';
import { GpcError } from '../fhir/errors.ts';
import { isValidNhsNumber } from '../fhir/nhs-number.ts';
import { identifierSystems } from '../fhir/systems.ts';
import type { Handler, HandlerContext } from '../http/handler.ts';
import { findPatientByNhsNumber, markNhsNumberVerified } from '../store/patients.ts';
import { identifierParameter } from './identifier-search.ts';
import { patientResource } from './patient-resource.ts';

/** GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}: active patients only; no match is an empty searchset. */
export const searchPatients: Handler = async (ctx) => {
  const { value } = identifierParameter(ctx.query, [identifierSystems.nhsNumber]);
  if (!isValidNhsNumber(value)) throw new GpcError('INVALID_NHS_NUMBER', 'The NHS number is not 10 digits with a valid check digit');
  let patient = await findPatientByNhsNumber(ctx.db, ctx.practice.odsCode, value);
  if (patient && !patient.nhsNumberVerified) patient = await verifyOnPds(ctx, patient);
  const shared = patient && isShareable(patient) ? [patient] : [];
  ctx.audit.patientId = shared[0]?.id;
  return { resource: searchset(shared.map((p) => patientResource(p, ctx.practice.organizationId))) };
};

/**
 * Find a patient: an active match whose NHS number was never traced SHALL be traced on PDS and
 * verified (demographicsMatchPds; not deceased, sensitive or superseded on PDS). Verified ⇒ marked
 * so and returned; otherwise left unmarked and not returned (isShareable keeps hiding it).
 */
async function verifyOnPds(ctx: HandlerContext, patient: Patient): Promise<Patient> {
  if (patient.registration.status !== 'active' || patient.deceased !== undefined || patient.sensitive) return patient;
  let record;
  try {
    record = await ctx.pds.trace(patient.nhsNumber);
  } catch (err) {
    if (err instanceof PdsUnavailableError) return patient; // cannot be verified now: not shared
    throw err;
  }
  if (!record || record.deceased !== undefined || record.sensitive || record.superseded || !demographicsMatchPds(patient, record)) return patient;
  await markNhsNumberVerified(ctx.db, ctx.practice.odsCode, patient.id);
  return { ...patient, nhsNumberVerified: true };
}
