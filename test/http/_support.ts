/**
 * Shared fixtures for the HTTP-layer tests: the audit rows a request leaves and registerPatient
 * bodies (the shared assertions are in ../harness/assertions.ts).
 */
import type { TestProvider } from '../harness/provider.ts';

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
  appointment_id: string | null;
  http_status: number;
  error_code: string | null;
}

export async function auditRowsFor(provider: TestProvider, traceId: string): Promise<AuditEventRow[]> {
  return provider.db.query<AuditEventRow>(
    `SELECT practice, interaction_id, trace_id, from_asid, to_asid, requesting_organization, requesting_practitioner,
       requesting_device, patient_id, appointment_id, http_status, error_code FROM audit_event WHERE trace_id = $1`,
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
