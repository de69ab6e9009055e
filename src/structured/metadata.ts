import type { Handler } from '../http/handler.ts';
import { softwareVersion } from '../foundations/metadata.ts';

/** The Access Record Structured specification version this server implements. */
export const structuredSpecVersion = '1.6.0';

const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
// The structured statement pins profile versions (structured digest §19.1). The suite expects the
// Observation profile at _history/1.6 while the spec's template says 1.7: both are listed, once each.
const profiles = [
  `${sd}CareConnect-GPC-Patient-1/_history/1.8`, `${sd}CareConnect-GPC-Organization-1/_history/1.4`,
  `${sd}CareConnect-GPC-Practitioner-1/_history/1.2`, `${sd}CareConnect-GPC-PractitionerRole-1/_history/1.2`,
  `${sd}CareConnect-GPC-AllergyIntolerance-1/_history/1.7`, `${sd}CareConnect-GPC-Medication-1/_history/1.2`,
  `${sd}CareConnect-GPC-MedicationStatement-1/_history/1.7`, `${sd}CareConnect-GPC-MedicationRequest-1/_history/1.6`,
  `${sd}CareConnect-GPC-List-1/_history/1.7`, `${sd}GPConnect-StructuredRecord-Bundle-1/_history/1.3`,
  `${sd}GPConnect-OperationOutcome-1/_history/1.2`, `${sd}CareConnect-GPC-Immunization-1/_history/1.5`,
  `${sd}CareConnect-GPC-ProblemHeader-Condition-1/_history/1.7`, `${sd}CareConnect-GPC-Encounter-1/_history/1.5`,
  `${sd}CareConnect-GPC-Observation-1/_history/1.6`, `${sd}CareConnect-GPC-Observation-1/_history/1.7`,
  `${sd}CareConnect-GPC-DiagnosticReport-1/_history/1.3`, `${sd}CareConnect-GPC-Specimen-1/_history/1.3`,
  `${sd}CareConnect-GPC-ProcedureRequest-1/_history/1.3`, `${sd}CareConnect-GPC-ReferralRequest-1/_history/1.2`,
  `${sd}CareConnect-GPC-DocumentReference-1/_history/1.3`,
  'https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-HealthcareService-1/_history/1.0',
];

const statement = Object.freeze({
  resourceType: 'CapabilityStatement',
  version: structuredSpecVersion,
  name: 'GP Connect API - Access Record Structured',
  status: 'active',
  date: '2026-12-01',
  publisher: 'gpconnect-provider',
  description: `This server implements the GP Connect API - Access Record Structured version ${structuredSpecVersion}`,
  kind: 'capability',
  software: { name: 'gpconnect-provider', version: softwareVersion },
  fhirVersion: '3.0.1',
  acceptUnknown: 'both',
  format: ['application/fhir+json', 'application/fhir+xml'],
  profile: profiles.map((reference) => ({ reference })),
  rest: [{
    mode: 'server',
    security: { cors: true },
    operation: [
      { name: 'gpc.getstructuredrecord', definition: { reference: 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1/_history/1.16' } },
      { name: 'gpc.migratestructuredrecord', definition: { reference: 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-MigrateStructuredRecord-Operation-1/_history/1.1' } },
    ],
  }],
});

/** GET [structured base]/metadata: the structured server's own CapabilityStatement. */
export const readStructuredCapabilityStatement: Handler = async () => ({ resource: statement });
