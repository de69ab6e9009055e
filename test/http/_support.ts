/**
 * Shared assertions for the HTTP-layer tests: the OperationOutcome every refusal must be
 * (cross-cutting §6.1, suite §7.3) and the headers every response must carry (§2.2, §2.3).
 */
import assert from 'node:assert/strict';
import type { GpcResponse, TestProvider } from '../harness/provider.ts';

export const jsonType = 'application/fhir+json;charset=utf-8';
export const xmlType = 'application/fhir+xml;charset=utf-8';

/** Displays as the Spine-ErrorOrWarningCode-1 CodeSystem spells them (written out, not imported). */
const displays: Record<string, string> = {
  BAD_REQUEST: 'Bad request',
  INVALID_RESOURCE: 'Invalid validation of resource',
  NO_RECORD_FOUND: 'No record found',
  PATIENT_NOT_FOUND: 'Patient not found',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  INVALID_NHS_NUMBER: 'Invalid NHS number',
  INVALID_PARAMETER: 'Invalid parameter',
  INVALID_IDENTIFIER_SYSTEM: 'Invalid identifier system',
  INVALID_IDENTIFIER_VALUE: 'Invalid identifier value',
  DUPLICATE_REJECTED: 'Create would lead to creation of a duplicate resource',
};

/**
 * Asserts a refusal: the status, no-store, the FHIR media type asked for, and an OperationOutcome
 * with the GP Connect profile, severity error and exactly one Spine coding with `code` and its display.
 */
export function assertOutcome(res: GpcResponse, status: number, code: string, contentType = jsonType): void {
  const context = `${res.status} ${res.text.slice(0, 400)}`;
  assert.equal(res.status, status, context);
  assert.match(String(res.headers['cache-control']), /no-store/, 'Cache-Control no-store');
  assert.equal(res.headers['content-type'], contentType, context);
  const oo = res.json;
  assert.equal(oo?.resourceType, 'OperationOutcome', context);
  assert.deepEqual(oo.meta?.profile, ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1']);
  assert.ok(Array.isArray(oo.issue) && oo.issue.length >= 1, 'at least one issue');
  for (const issue of oo.issue) {
    assert.equal(issue.severity, 'error');
    assert.equal(typeof issue.code, 'string');
    assert.equal(issue.details?.coding?.length, 1, 'exactly one details.coding');
    const coding = issue.details.coding[0];
    assert.equal(coding.system, 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1');
    assert.equal(coding.code, code, context);
    assert.equal(coding.display, displays[code] ?? assert.fail(`no display known for ${code}`));
  }
}

/** Asserts a 200 with no-store and the FHIR media type. */
export function assertOk(res: GpcResponse, resourceType: string, contentType = jsonType): void {
  const context = `${res.status} ${res.text.slice(0, 400)}`;
  assert.equal(res.status, 200, context);
  assert.match(String(res.headers['cache-control']), /no-store/, 'Cache-Control no-store');
  assert.equal(res.headers['content-type'], contentType, context);
  assert.equal(res.json?.resourceType, resourceType, context);
}

export interface AuditEventRow {
  practice: string | null;
  interaction_id: string | null;
  trace_id: string | null;
  from_asid: string | null;
  to_asid: string | null;
  requesting_organization: string | null;
  requesting_practitioner: string | null;
  requesting_device: string | null;
  patient_id: string | null;
  http_status: number;
  error_code: string | null;
}

export async function auditRowsFor(provider: TestProvider, traceId: string): Promise<AuditEventRow[]> {
  return provider.db.query<AuditEventRow>(
    `SELECT practice, interaction_id, trace_id, from_asid, to_asid, requesting_organization, requesting_practitioner,
       requesting_device, patient_id, http_status, error_code FROM audit_event WHERE trace_id = $1`,
    [traceId],
  );
}

export async function auditCount(provider: TestProvider): Promise<number> {
  const rows = await provider.db.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_event');
  return Number(rows[0]!.n);
}

/** A registerPatient Parameters body for a patient on the PDS stub (RegisterPatients.csv rows). */
export function registerBody(patient: { nhsNumber: string; family: string; given: string; gender: string; birthDate: string }): Record<string, unknown> {
  return {
    resourceType: 'Parameters',
    parameter: [
      {
        name: 'registerPatient',
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: patient.nhsNumber }],
          name: [{ use: 'official', family: patient.family, given: [patient.given] }],
          gender: patient.gender,
          birthDate: patient.birthDate,
        },
      },
    ],
  };
}

/** Patients on the PDS stub that are not registered at the seeded practice: one per registering test. */
export const registrable = {
  toole: { nhsNumber: '9651258586', family: 'TOOLE', given: 'Felix', gender: 'male', birthDate: '1934-08-13' },
  styche: { nhsNumber: '9651258594', family: 'STYCHE', given: 'Milo', gender: 'male', birthDate: '1917-08-08' },
  roddan: { nhsNumber: '9651258608', family: 'RODDAN', given: 'Ivor', gender: 'male', birthDate: '1930-06-14' },
  graley: { nhsNumber: '9651258616', family: 'GRALEY', given: 'Lesley', gender: 'female', birthDate: '1920-03-02' },
  leslie: { nhsNumber: '9651258624', family: 'LESLIE', given: 'Blanch', gender: 'female', birthDate: '1924-06-26' },
  moyes: { nhsNumber: '9651258632', family: 'MOYES', given: 'Louise', gender: 'female', birthDate: '1923-04-14' },
  holt: { nhsNumber: '9651258640', family: 'HOLT', given: 'Kerry', gender: 'female', birthDate: '1923-01-26' },
} as const;
