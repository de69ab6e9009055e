import { isShareable } from '../domain/patient.ts';
import { searchset } from '../fhir/datatypes.ts';
import { GpcError } from '../fhir/errors.ts';
import { isValidNhsNumber } from '../fhir/nhs-number.ts';
import { identifierSystems } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { findPatientByNhsNumber } from '../store/patients.ts';
import { identifierParameter } from './identifier-search.ts';
import { patientResource } from './patient-resource.ts';

/** GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}: active patients only; no match is an empty searchset. */
export const searchPatients: Handler = async (ctx) => {
  const { value } = identifierParameter(ctx.query, [identifierSystems.nhsNumber]);
  if (!isValidNhsNumber(value)) throw new GpcError('INVALID_NHS_NUMBER', 'The NHS number is not 10 digits with a valid check digit');
  const patient = await findPatientByNhsNumber(ctx.db, ctx.practice.odsCode, value);
  const shared = patient && isShareable(patient) ? [patient] : [];
  ctx.audit.patientId = shared[0]?.id;
  return { resource: searchset(shared.map((p) => patientResource(p, ctx.practice.organizationId))) };
};
