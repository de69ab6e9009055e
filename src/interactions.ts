import { amendAppointment } from './appointments/amend-appointment.ts';
import { bookAppointment } from './appointments/book-appointment.ts';
import { cancelAppointmentHandler } from './appointments/cancel-appointment.ts';
import { searchPatientAppointments } from './appointments/patient-appointments.ts';
import { readAppointment } from './appointments/read-appointment.ts';
import { searchFreeSlotsHandler } from './appointments/slot-search.ts';
import type { Capability } from './domain/practice.ts';
import { getStructuredRecord } from './structured/get-structured-record.ts';
import { migrateStructuredRecord } from './structured/migrate-structured-record.ts';
import { readStructuredCapabilityStatement } from './structured/metadata.ts';
import { readCapabilityStatement } from './foundations/metadata.ts';
import { readLocation } from './foundations/location-read.ts';
import { readOrganization, searchOrganizations } from './foundations/organization.ts';
import { readPatient } from './foundations/patient-read.ts';
import { searchPatients } from './foundations/patient-search.ts';
import { readPractitioner, searchPractitioners } from './foundations/practitioner.ts';
import { registerPatient } from './foundations/register-patient.ts';
import type { Handler } from './http/handler.ts';

/** The two FHIR servers a practice exposes: Foundations + Appointments, and Access Record Structured. */
export type ServiceBase = 'gpconnect' | 'structured';

export interface Interaction {
  /** The Ssp-InteractionID that selects this interaction. */
  id: string;
  method: 'GET' | 'POST' | 'PUT';
  base: ServiceBase;
  /** Path below the service root; `:name` segments are parameters. */
  path: string;
  /** The requested_scope the audit JWT must carry. */
  scope: 'patient/*.read' | 'patient/*.write' | 'organization/*.read';
  /** The audit JWT reason_for_request values accepted; 'directcare' unless said. */
  reasons?: readonly string[];
  /** The audit JWT requesting_practitioner may be left out (1.6 migrate). */
  practitionerOptional?: boolean;
  /** The switch, besides GP Connect's own, that must be on for the practice; none for Foundations. */
  capability?: Exclude<Capability, 'gpconnect'>;
  handler: Handler;
}

const urn = 'urn:nhs:names:services:gpconnect:';

/**
 * THE interaction table: routing, the Ssp-InteractionID check, JWT scopes and the
 * CapabilityStatements all come from here.
 */
export const interactions: Interaction[] = [
  { id: `${urn}fhir:rest:read:metadata-1`, method: 'GET', base: 'gpconnect', path: '/metadata', scope: 'organization/*.read', handler: readCapabilityStatement },
  { id: `${urn}fhir:rest:read:patient-1`, method: 'GET', base: 'gpconnect', path: '/Patient/:id', scope: 'patient/*.read', handler: readPatient },
  { id: `${urn}fhir:rest:search:patient-1`, method: 'GET', base: 'gpconnect', path: '/Patient', scope: 'patient/*.read', handler: searchPatients },
  { id: `${urn}fhir:operation:gpc.registerpatient-1`, method: 'POST', base: 'gpconnect', path: '/Patient/$gpc.registerpatient', scope: 'patient/*.write', handler: registerPatient },
  { id: `${urn}fhir:rest:read:practitioner-1`, method: 'GET', base: 'gpconnect', path: '/Practitioner/:id', scope: 'organization/*.read', handler: readPractitioner },
  { id: `${urn}fhir:rest:search:practitioner-1`, method: 'GET', base: 'gpconnect', path: '/Practitioner', scope: 'organization/*.read', handler: searchPractitioners },
  { id: `${urn}fhir:rest:read:organization-1`, method: 'GET', base: 'gpconnect', path: '/Organization/:id', scope: 'organization/*.read', handler: readOrganization },
  { id: `${urn}fhir:rest:search:organization-1`, method: 'GET', base: 'gpconnect', path: '/Organization', scope: 'organization/*.read', handler: searchOrganizations },
  { id: `${urn}fhir:rest:read:location-1`, method: 'GET', base: 'gpconnect', path: '/Location/:id', scope: 'organization/*.read', handler: readLocation },
  // Appointment Management 1.2.7
  { id: `${urn}fhir:rest:search:slot-1`, method: 'GET', base: 'gpconnect', path: '/Slot', scope: 'organization/*.read', capability: 'appointments', handler: searchFreeSlotsHandler },
  { id: `${urn}fhir:rest:create:appointment-1`, method: 'POST', base: 'gpconnect', path: '/Appointment', scope: 'patient/*.write', capability: 'appointments', handler: bookAppointment },
  { id: `${urn}fhir:rest:read:appointment-1`, method: 'GET', base: 'gpconnect', path: '/Appointment/:id', scope: 'patient/*.read', capability: 'appointments', handler: readAppointment },
  { id: `${urn}fhir:rest:search:patient_appointments-1`, method: 'GET', base: 'gpconnect', path: '/Patient/:id/Appointment', scope: 'patient/*.read', capability: 'appointments', handler: searchPatientAppointments },
  // Amend and cancel share PUT /Appointment/{id}: the Ssp-InteractionID chooses.
  { id: `${urn}fhir:rest:update:appointment-1`, method: 'PUT', base: 'gpconnect', path: '/Appointment/:id', scope: 'patient/*.write', capability: 'appointments', handler: amendAppointment },
  { id: `${urn}fhir:rest:cancel:appointment-1`, method: 'PUT', base: 'gpconnect', path: '/Appointment/:id', scope: 'patient/*.write', capability: 'appointments', handler: cancelAppointmentHandler },
  // Access Record Structured 1.6 (its own FHIR server at …/gpconnect/structured)
  { id: `${urn}structured:fhir:rest:read:metadata-1`, method: 'GET', base: 'structured', path: '/metadata', scope: 'organization/*.read', capability: 'structured', handler: readStructuredCapabilityStatement },
  { id: `${urn}fhir:operation:gpc.getstructuredrecord-1`, method: 'POST', base: 'structured', path: '/Patient/$gpc.getstructuredrecord', scope: 'patient/*.read', capability: 'structured', handler: getStructuredRecord },
  { id: `${urn}fhir:operation:gpc.migratestructuredrecord-1`, method: 'POST', base: 'structured', path: '/Patient/$gpc.migratestructuredrecord', scope: 'patient/*.read', capability: 'structured', reasons: ['migration'], practitionerOptional: true, handler: migrateStructuredRecord },
];

export interface RouteMatch {
  /** Interactions whose path matches, whatever their method. */
  candidates: Interaction[];
  params: Record<string, string>;
}

/** Finds the interactions whose path pattern matches `segments` (the path below the service root). */
export function matchPath(base: ServiceBase, segments: string[]): RouteMatch {
  const candidates: Interaction[] = [];
  let params: Record<string, string> = {};
  for (const interaction of interactions) {
    if (interaction.base !== base) continue;
    const found = matchSegments(patternSegments(interaction.path), segments);
    if (!found) continue;
    // A literal segment beats a parameter: POST /Patient/$gpc.registerpatient is not a read of id "$gpc...".
    if (candidates.length > 0 && literalCount(interaction) !== literalCount(candidates[0]!)) {
      if (literalCount(interaction) < literalCount(candidates[0]!)) continue;
      candidates.length = 0;
    }
    candidates.push(interaction);
    params = found;
  }
  return { candidates, params };
}

const patternCache = new Map<string, string[]>();
function patternSegments(path: string): string[] {
  let segments = patternCache.get(path);
  if (!segments) patternCache.set(path, (segments = path.split('/').filter(Boolean)));
  return segments;
}

function literalCount(interaction: Interaction): number {
  return patternSegments(interaction.path).filter((s) => !s.startsWith(':')).length;
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      // An empty id (GET /Appointment/) still reaches the read, which answers 404 (suite AppointmentRead R4).
      params[p.slice(1)] = segments[i]!;
    } else if (p !== segments[i]) return undefined;
  }
  return params;
}
