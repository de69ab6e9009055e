import { operations, profiles } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { interactions, type Interaction } from '../interactions.ts';

/**
 * The GP Connect specification version this CapabilityStatement claims. The 1.6.0 release of the
 * spec (whose structured profiles it lists) gives Foundations and Appointments as 1.5.0 in its
 * example, and that is the official suite's default expectation.
 */
export const foundationsSpecVersion = '1.5.0';
export const softwareVersion = '0.1.0';

// Suite (FHIR.feature): each of these profiles exactly once, Foundations, Appointments and Structured.
const statementProfiles = [
  profiles.patient, profiles.organization, profiles.practitioner, profiles.practitionerRole, profiles.location,
  profiles.operationOutcome, profiles.appointment, profiles.schedule, profiles.slot, profiles.allergyIntolerance,
  profiles.medication, profiles.medicationStatement, profiles.medicationRequest, profiles.list,
  profiles.structuredRecordBundle, profiles.immunization, profiles.problemHeader, profiles.encounter,
  profiles.observation, profiles.diagnosticReport, profiles.specimen, profiles.procedureRequest, profiles.referralRequest,
];

const searchParams: Record<string, { name: string; type: string }[]> = {
  Patient: [{ name: 'identifier', type: 'token' }],
  Practitioner: [{ name: 'identifier', type: 'token' }],
  Organization: [{ name: 'identifier', type: 'token' }],
  Slot: [{ name: 'start', type: 'date' }, { name: 'end', type: 'date' }, { name: 'status', type: 'token' }, { name: 'searchFilter', type: 'token' }],
};

const resourceProfiles: Record<string, string> = {
  Patient: profiles.patient, Practitioner: profiles.practitioner, Organization: profiles.organization,
  Location: profiles.location, Appointment: profiles.appointment, Slot: profiles.slot, Schedule: profiles.schedule,
};

/** FHIR interaction code of a table row, or undefined for an operation. */
function fhirInteraction(i: Interaction): string | undefined {
  const segments = i.path.split('/').filter(Boolean);
  if (segments.some((s) => s.startsWith('$')) || segments[0] === 'metadata') return undefined;
  if (i.method === 'POST') return 'create';
  if (i.method === 'PUT') return 'update';
  return segments.length === 1 ? 'search-type' : 'read';
}

/** Built from the interaction table once: what is routed is what is declared. */
function buildStatement(): Record<string, unknown> {
  const resources = new Map<string, Set<string>>();
  for (const i of interactions.filter((x) => x.base === 'gpconnect')) {
    const code = fhirInteraction(i);
    if (!code) continue;
    const type = i.path.split('/')[1]!;
    if (!resources.has(type)) resources.set(type, new Set());
    resources.get(type)!.add(code);
  }
  return {
    resourceType: 'CapabilityStatement',
    version: foundationsSpecVersion,
    name: 'GP Connect',
    status: 'active',
    date: '2026-12-01',
    publisher: 'gpconnect-provider',
    description: `This server implements the GP Connect API version ${foundationsSpecVersion}`,
    kind: 'capability',
    software: { name: 'gpconnect-provider', version: softwareVersion },
    fhirVersion: '3.0.1',
    acceptUnknown: 'both',
    format: ['application/fhir+json', 'application/fhir+xml'],
    profile: statementProfiles.map((reference) => ({ reference })),
    rest: [{
      mode: 'server',
      security: { cors: true },
      resource: [...resources].map(([type, codes]) => ({
        type,
        profile: resourceProfiles[type] ? { reference: resourceProfiles[type] } : undefined,
        interaction: [...codes].map((code) => ({ code })),
        ...(type === 'Appointment' ? { updateCreate: false } : {}),
        ...(searchParams[type] ? { searchParam: searchParams[type] } : {}),
      })),
      operation: [
        { name: 'gpc.registerpatient', definition: { reference: operations.registerPatient } },
        { name: 'gpc.getstructuredrecord', definition: { reference: operations.getStructuredRecord } },
      ],
    }],
  };
}

let statement: Record<string, unknown> | undefined;

/** GET /metadata (frozen, so the reply serialises it once per format). */
export const readCapabilityStatement: Handler = async () => {
  statement ??= Object.freeze(buildStatement());
  return { resource: statement };
};
