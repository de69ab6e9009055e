import { isShareable } from '../domain/patient.ts';
import { GpcError } from '../fhir/errors.ts';
import type { Handler } from '../http/handler.ts';
import { findPatient } from '../store/patients.ts';
import { isLogicalId } from './identifier-search.ts';
import { patientResource } from './patient-resource.ts';

/**
 * GET /Patient/{id}. A patient Foundations may not share (left, deceased, sensitive, unverified)
 * reads as not found, as the demonstrator does and as search hides them.
 */
export const readPatient: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const patient = isLogicalId(id) ? await findPatient(ctx.db, ctx.practice.odsCode, id) : undefined;
  if (!patient || !isShareable(patient)) throw new GpcError('PATIENT_NOT_FOUND', `No patient with logical id ${id.slice(0, 64)} at this practice`);
  ctx.audit.patientId = patient.id;
  return { resource: patientResource(patient, ctx.practice.organizationId) };
};
