import { codeSystems, profiles } from './systems.ts';

/**
 * The Spine error codes GP Connect uses, with their HTTP status, FHIR issue type and display
 * (displays as in the Spine-ErrorOrWarningCode-1 CodeSystem, which the 1.6 pages and the suite use).
 */
export const spineErrors = {
  BAD_REQUEST: { status: 400, issueType: 'invalid', display: 'Bad request' },
  INVALID_IDENTIFIER_SYSTEM: { status: 400, issueType: 'value', display: 'Invalid identifier system' },
  INVALID_IDENTIFIER_VALUE: { status: 400, issueType: 'value', display: 'Invalid identifier value' },
  INVALID_NHS_NUMBER: { status: 400, issueType: 'value', display: 'Invalid NHS number' },
  INVALID_PATIENT_DEMOGRAPHICS: { status: 400, issueType: 'business-rule', display: 'Invalid patient demographics' },
  CONFLICTING_VALUES: { status: 400, issueType: 'invalid', display: 'Conflicting values have been specified in different fields' },
  // 1.2.7 spells it with an underscore; 1.6 (and so Access Record Structured) with a space.
  ACCESS_DENIED: { status: 403, issueType: 'forbidden', display: 'Access denied' },
  'ACCESS DENIED': { status: 403, issueType: 'forbidden', display: 'Access has been denied to process this request' },
  NO_PATIENT_CONSENT: { status: 403, issueType: 'forbidden', display: 'Patient has not provided consent to share data' },
  NO_RELATIONSHIP: { status: 403, issueType: 'forbidden', display: 'No legitimate relationship exists with this patient' },
  PATIENT_NOT_FOUND: { status: 404, issueType: 'not-found', display: 'Patient not found' },
  PRACTITIONER_NOT_FOUND: { status: 404, issueType: 'not-found', display: 'Practitioner not found' },
  ORGANISATION_NOT_FOUND: { status: 404, issueType: 'not-found', display: 'Organisation not found' },
  NO_RECORD_FOUND: { status: 404, issueType: 'not-found', display: 'No record found' },
  DUPLICATE_REJECTED: { status: 409, issueType: 'duplicate', display: 'Create would lead to creation of a duplicate resource' },
  FHIR_CONSTRAINT_VIOLATION: { status: 409, issueType: 'conflict', display: 'FHIR constraint violated' },
  PRECONDITION_FAILED: { status: 412, issueType: 'conflict', display: 'Precondition failed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, issueType: 'not-supported', display: 'Unsupported media type' },
  INVALID_RESOURCE: { status: 422, issueType: 'invalid', display: 'Invalid validation of resource' },
  INVALID_PARAMETER: { status: 422, issueType: 'invalid', display: 'Invalid parameter' },
  REFERENCE_NOT_FOUND: { status: 422, issueType: 'invalid', display: 'Reference not found' },
  PAYLOAD_TOO_LARGE: { status: 413, issueType: 'too-long', display: 'Request body too large' },
  INTERNAL_SERVER_ERROR: { status: 500, issueType: 'processing', display: 'Unexpected internal server error' },
  NOT_IMPLEMENTED: { status: 501, issueType: 'not-supported', display: 'Not implemented' },
} as const;

export type SpineErrorCode = keyof typeof spineErrors;

/**
 * A request GP Connect refuses. Handlers and the pipeline throw it; the error boundary turns it
 * into an OperationOutcome. `diagnostics` goes to the consumer, so it never holds internals.
 */
export class GpcError extends Error {
  readonly status: number;
  constructor(
    readonly code: SpineErrorCode,
    readonly diagnostics: string,
    /** Overrides the code's usual status where the spec pairs a code with another status. */
    status?: number,
  ) {
    super(`${code}: ${diagnostics}`);
    this.status = status ?? spineErrors[code].status;
  }
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  [key: string]: unknown;
}

export function operationOutcome(code: SpineErrorCode, diagnostics: string): OperationOutcome {
  const error = spineErrors[code];
  return {
    resourceType: 'OperationOutcome',
    meta: { profile: [profiles.operationOutcome] },
    issue: [
      {
        severity: 'error',
        code: error.issueType,
        details: { coding: [{ system: codeSystems.spineErrorOrWarningCode, code, display: error.display }] },
        diagnostics,
      },
    ],
  };
}
