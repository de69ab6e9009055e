import { GpcError } from '../fhir/errors.ts';
import type { Handler } from '../http/handler.ts';
import { assembleRecord, findRecordPatient } from './get-structured-record.ts';
import { parseMigrateRequest, type StructuredRequest } from './request.ts';

/**
 * POST [structured base]/Patient/$gpc.migratestructuredrecord (Access Record Structured 1.6,
 * digest §19.3): the patient's full record — every area, no filters — for transfer to a new
 * practice, in the same Bundle as get-record. Confidential items are returned only with
 * includeSensitiveInformation=true, which needs the `conf/R` scope; otherwise they are withheld
 * with confidential-items warnings exactly as get-record does.
 */
export const migrateStructuredRecord: Handler = async (ctx) => {
  const { nhsNumber, includeSensitiveInformation } = parseMigrateRequest(ctx.body);
  const sensitiveScope = confidentialityToken(ctx.requestedScope) === 'conf/R';
  if (includeSensitiveInformation && !sensitiveScope) {
    throw new GpcError('CONFLICTING_VALUES', 'includeSensitiveInformation is true but the requested_scope is not patient/*.read conf/R');
  }
  if (!includeSensitiveInformation && sensitiveScope) {
    // Not in the spec's error table, but the suite expects a 400 (checklist §16 Q13).
    throw new GpcError('BAD_REQUEST', 'The requested_scope patient/*.read conf/R asks for sensitive information but includeSensitiveInformation is false');
  }
  const patient = await findRecordPatient(ctx, nhsNumber);
  return { resource: await assembleRecord(ctx, patient, fullRecord(nhsNumber), { includeConfidential: includeSensitiveInformation }) };
};

/** The requested_scope's confidentiality token (`conf/N`, `conf/R`), if any. */
function confidentialityToken(scope: string): string | undefined {
  return scope.trim().split(/\s+/).slice(1).find((token) => token.startsWith('conf/'));
}

/** Every clinical area with every list, whatever the area switches (digest §19.3). */
function fullRecord(nhsNumber: string): StructuredRequest {
  return {
    nhsNumber,
    allergies: { includeResolved: true },
    medication: { includePrescriptionIssues: true },
    consultations: {},
    problems: [],
    immunisations: { includeNotGiven: true, includeStatus: true },
    uncategorised: {},
    investigations: {},
    referrals: {},
    diary: {},
    warnings: [],
  };
}
