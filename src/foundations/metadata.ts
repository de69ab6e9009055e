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

// Suite (SearchForFreeSlots): the Slot resource declares Location:managingOrganization among its includes.
const slotSearchIncludes = ['Slot:schedule', 'Schedule:actor:Practitioner', 'Schedule:actor:Location', 'Location:managingOrganization'];

const resourceProfiles: Record<string, string> = {
  Patient: profiles.patient, Practitioner: profiles.practitioner, Organization: profiles.organization,
  Location: profiles.location, Appointment: profiles.appointment, Slot: profiles.slot, Schedule: profiles.schedule,
};

/** The resource type and FHIR interaction code of a table row; undefined for operations and metadata. */
function fhirInteraction(i: Interaction): { type: string; code: string } | undefined {
  const segments = i.path.split('/').filter(Boolean);
  if (segments.some((s) => s.startsWith('$')) || segments[0] === 'metadata') return undefined;
  // GET /Patient/{id}/Appointment is a search of Appointments in the patient's compartment.
  if (segments.length === 3) return { type: segments[2]!, code: 'search-type' };
  const type = segments[0]!;
  if (i.method === 'POST') return { type, code: 'create' };
  if (i.method === 'PUT') return { type, code: 'update' };
  return { type, code: segments.length === 1 ? 'search-type' : 'read' };
}

/** Built from the interaction table once: what is routed is what is declared. */
function buildStatement(): Record<string, unknown> {
  const resources = new Map<string, Set<string>>();
  for (const i of interactions.filter((x) => x.base === 'gpconnect')) {
    const found = fhirInteraction(i);
    if (!found) continue;
    if (!resources.has(found.type)) resources.set(found.type, new Set());
    resources.get(found.type)!.add(found.code);
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
        ...(type === 'Slot' ? { searchInclude: slotSearchIncludes } : {}),
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
