/**
 * The assertions every test file shares: the headers every response must carry (cross-cutting
 * §2.2, §2.3), the OperationOutcome every refusal must be (cross-cutting §6.1, suite §7.3), the
 * searchset Bundle, and the query strings and media types the suite sends.
 */
import assert from 'node:assert/strict';
import type { GpcResponse } from './provider.ts';

// --- media types ---

/** The FHIR media types, as the suite sends them in Accept, _format and Content-Type. */
export const fhirJson = 'application/fhir+json';
export const fhirXml = 'application/fhir+xml';
/** Both, in the order the suite's content-negotiation scenarios try them. */
export const fhirMediaTypes = [fhirJson, fhirXml] as const;
/** The exact Content-Type the provider answers with. */
export const jsonType = 'application/fhir+json;charset=utf-8';
export const xmlType = 'application/fhir+xml;charset=utf-8';

export type Format = 'json' | 'xml';
/**
 * The format a media type names: 'json' or 'xml' themselves, or a FHIR media type with or
 * without its charset (anything else is a mistake in the test).
 */
export function formatOf(mediaType: string): Format {
  const match = /^(?:application\/fhir\+)?(json|xml)(?:;\s*charset=utf-8)?$/.exec(mediaType);
  assert.ok(match, `not a FHIR media type or format: ${mediaType}`);
  return match[1] as Format;
}

// --- profiles, systems ---

export const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const searchsetProfile = `${sd}GPConnect-Searchset-Bundle-1`;
export const operationOutcomeProfile = `${sd}GPConnect-OperationOutcome-1`;
export const spineErrorSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1';

export const systems = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  sdsRoleProfileId: 'https://fhir.nhs.uk/Id/sds-role-profile-id',
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsLegacy: 'http://fhir.nhs.net/Id/ods-organization-code',
  odsSite: 'https://fhir.nhs.uk/Id/ods-site-code',
} as const;

// --- query strings ---

/** A query string encoded the way the suite's WebUtility.UrlEncode does it (| ⇒ %7C, + ⇒ %2B, / ⇒ %2F). */
export function query(...pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
/** The `identifier=<system>|<value>` pair of a search. */
export const identifier = (system: string, value: string): [string, string] => ['identifier', `${system}|${value}`];

// --- responses ---

/** Displays as the Spine-ErrorOrWarningCode-1 CodeSystem spells them (written out, not imported from src). */
const displays: Record<string, string> = {
  BAD_REQUEST: 'Bad request',
  CONFLICTING_VALUES: 'Conflicting values have been specified in different fields',
  INVALID_RESOURCE: 'Invalid validation of resource',
  NO_RECORD_FOUND: 'No record found',
  PATIENT_NOT_FOUND: 'Patient not found',
  PRACTITIONER_NOT_FOUND: 'Practitioner not found',
  ORGANISATION_NOT_FOUND: 'Organisation not found',
  ACCESS_DENIED: 'Access denied',
  'ACCESS DENIED': 'Access has been denied to process this request',
  NO_PATIENT_CONSENT: 'Patient has not provided consent to share data',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  INVALID_NHS_NUMBER: 'Invalid NHS number',
  INVALID_PATIENT_DEMOGRAPHICS: 'Invalid patient demographics',
  INVALID_PARAMETER: 'Invalid parameter',
  INVALID_IDENTIFIER_SYSTEM: 'Invalid identifier system',
  INVALID_IDENTIFIER_VALUE: 'Invalid identifier value',
  DUPLICATE_REJECTED: 'Create would lead to creation of a duplicate resource',
  FHIR_CONSTRAINT_VIOLATION: 'FHIR constraint violated',
};

const context = (res: GpcResponse) => `${res.status} ${res.text.slice(0, 400)}`;

export function assertNoStore(res: GpcResponse): void {
  assert.match(String(res.headers['cache-control']), /no-store/, 'Cache-Control: no-store');
}

/**
 * The response is in `format` (a format or FHIR media type): exactly that Content-Type with
 * charset utf-8, and a body that is well-formed JSON, or FHIR XML with a prolog and a root element
 * in the FHIR namespace that is the parsed resource's type (`resourceType`, when given).
 */
export function assertFormat(res: GpcResponse, format: string, resourceType?: string): void {
  const f = formatOf(format);
  assert.equal(res.headers['content-type'], f === 'xml' ? xmlType : jsonType, context(res));
  if (f === 'xml') {
    const root = /^<\?xml[^>]*\?>\s*<(\w+) xmlns="http:\/\/hl7.org\/fhir">/.exec(res.text);
    assert.ok(root, `an XML prolog and a root element in the FHIR namespace: ${res.text.slice(0, 200)}`);
    assert.equal(root[1], res.json?.resourceType, 'the XML root element is the resource type');
  } else {
    assert.doesNotThrow(() => JSON.parse(res.text));
  }
  if (resourceType !== undefined) assert.equal(res.json?.resourceType, resourceType, context(res));
}

/** A 200 with no-store, the FHIR media type asked for (a format or media type) and a `resourceType` body. */
export function assertOk(res: GpcResponse, resourceType: string, mediaType = jsonType): void {
  assert.equal(res.status, 200, context(res));
  assertNoStore(res);
  assertFormat(res, mediaType, resourceType);
}

/**
 * A refusal: the status (or one of the statuses), no-store, exactly the FHIR media type asked for,
 * and an OperationOutcome with the GP Connect profile whose every issue is an error with exactly one
 * Spine coding: `code` (when given, else any known Spine code) with that code's display.
 */
export function assertOutcome(res: GpcResponse, status: number | readonly number[], code?: string, mediaType = jsonType): void {
  const statuses: readonly number[] = typeof status === 'number' ? [status] : status;
  assert.ok(statuses.includes(res.status), `status ${res.status}, expected ${statuses.join(' or ')}: ${context(res)}`);
  assertNoStore(res);
  assertFormat(res, mediaType, 'OperationOutcome');
  const oo = res.json;
  assert.deepEqual(oo.meta?.profile, [operationOutcomeProfile]);
  assert.ok(Array.isArray(oo.issue) && oo.issue.length >= 1, 'at least one issue');
  for (const issue of oo.issue) {
    assert.equal(issue.severity, 'error');
    assert.ok(typeof issue.code === 'string' && issue.code !== '', 'issue.code');
    assert.equal(issue.details?.coding?.length, 1, 'exactly one details.coding');
    const coding = issue.details.coding[0];
    assert.equal(coding.system, spineErrorSystem);
    if (code !== undefined) assert.equal(coding.code, code, context(res));
    assert.equal(coding.display, displays[coding.code] ?? assert.fail(`no display known for ${coding.code}`));
  }
}

/**
 * A 200 searchset Bundle with no-store and the GP Connect searchset profile; returns its resources,
 * after checking there are `entries` of them (when given) and each is a `resourceType` (when given).
 */
export function assertSearchset(res: GpcResponse, entries?: number, resourceType?: string): any[] {
  assert.equal(res.status, 200, context(res));
  assertNoStore(res);
  assert.equal(res.json.resourceType, 'Bundle');
  assert.equal(res.json.type, 'searchset');
  assert.ok(res.json.meta?.profile?.includes(searchsetProfile), 'Bundle meta.profile searchset');
  const found = (res.json.entry ?? []).map((e: { resource: any }) => e.resource);
  if (entries !== undefined) assert.equal(found.length, entries, `${entries} entries`);
  if (resourceType !== undefined) for (const r of found) assert.equal(r.resourceType, resourceType);
  return found;
}

/** A successful read: assertOk, plus ETag W/"<meta.versionId>". */
export function assertRead(res: GpcResponse, resourceType: string, mediaType = jsonType): any {
  assertOk(res, resourceType, mediaType);
  assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
  return res.json;
}

// --- appointments ---

export const appointmentProfile = `${sd}GPConnect-Appointment-1`;
/** GP Connect instants: UK local time to the second with its offset, never Z or milliseconds. */
export const ukDateTimeFormat = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const appointmentExtensions = {
  bookingOrganisation: `${sd}Extension-GPConnect-BookingOrganisation-1`,
  deliveryChannel: `${sd}Extension-GPConnect-DeliveryChannel-2`,
  practitionerRole: `${sd}Extension-GPConnect-PractitionerRole-1`,
} as const;

/**
 * An Appointment as every appointment interaction returns it (appointments checklist §7.4 [Meta] [Id]
 * [Status] [Start] [End] [Slots] [PartTA] [Desc] [Created] [Ident] [Prio] [NotInUse] [BookOrgRead]; §9 Q2:
 * exactly one DeliveryChannel-2 and one PractitionerRole-1 extension; Q3: only the booking Organization
 * contained, referenced by the BookingOrganisation extension). Returns it.
 */
export function assertAppointment(a: any): any {
  assert.equal(a?.resourceType, 'Appointment');
  assert.deepEqual(a.meta?.profile, [appointmentProfile], '[Meta] exactly the Appointment profile');
  assert.ok(typeof a.meta.versionId === 'string' && a.meta.versionId !== '', 'meta.versionId');
  assert.ok(typeof a.id === 'string' && a.id !== '', '[Id]');
  assert.ok(['booked', 'cancelled'].includes(a.status), `[Status] ${a.status}`);
  assert.match(a.start, ukDateTimeFormat, '[Start] UK local with offset');
  assert.match(a.end, ukDateTimeFormat, '[End] UK local with offset');
  assert.ok(Date.parse(a.start) < Date.parse(a.end), 'start before end');
  assert.ok(Array.isArray(a.slot) && a.slot.length >= 1, '[Slots] at least one');
  for (const s of a.slot) assert.match(s.reference, /^Slot\/[A-Za-z0-9\-.]+$/, '[Slots] relative Slot references');
  assert.ok(typeof a.description === 'string' && a.description !== '', '[Desc]');
  assert.ok(typeof a.created === 'string' && a.created !== '', '[Created]');
  for (const i of a.identifier ?? []) assert.ok(typeof i.value === 'string' && i.value !== '', '[Ident]');
  if (a.priority !== undefined) assert.ok(Number.isInteger(a.priority) && a.priority >= 0 && a.priority <= 9, '[Prio]');
  for (const absent of ['reason', 'specialty', 'appointmentType']) assert.equal(a[absent], undefined, `[NotInUse] no ${absent}`);
  assert.ok(a.serviceType?.some((t: { text?: string }) => typeof t.text === 'string' && t.text !== ''), '[ST] serviceType text');

  assert.ok(Array.isArray(a.participant) && a.participant.length >= 2, 'participants');
  for (const p of a.participant) {
    assert.match(p.actor?.reference ?? '', /^(Patient|Practitioner|Location)\/[A-Za-z0-9\-.]+$/, '[PartTA] relative actor reference');
    assert.ok(['accepted', 'declined', 'tentative', 'needs-action'].includes(p.status), `participant status ${p.status}`);
    for (const t of p.type ?? []) assert.ok((t.coding ?? []).length <= 1, '[PartTA] at most one coding per type');
  }
  const actors = a.participant.map((p: any) => p.actor.reference as string);
  assert.equal(actors.filter((r: string) => r.startsWith('Patient/')).length, 1, 'one Patient participant');
  assert.equal(actors.filter((r: string) => r.startsWith('Location/')).length, 1, 'one Location participant');

  const ext = (url: string) => (a.extension ?? []).filter((e: { url: string }) => e.url === url);
  const [dc, ...moreDc] = ext(appointmentExtensions.deliveryChannel);
  assert.ok(dc && moreDc.length === 0, 'exactly one DeliveryChannel-2 extension');
  assert.ok(['In-person', 'Telephone', 'Video'].includes(dc.valueCode), `DeliveryChannel-2 code ${dc.valueCode}`);
  const [pr, ...morePr] = ext(appointmentExtensions.practitionerRole);
  assert.ok(pr && morePr.length === 0, 'exactly one PractitionerRole-1 extension');
  const role = pr.valueCodeableConcept?.coding;
  assert.ok(role?.length === 1 && role[0].system === 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1' && role[0].code, 'PractitionerRole-1 coding');
  const [booking, ...moreBooking] = ext(appointmentExtensions.bookingOrganisation);
  assert.ok(booking && moreBooking.length === 0, 'exactly one BookingOrganisation extension');
  assert.equal(a.contained?.length, 1, 'only the booking organisation is contained');
  const org = a.contained[0];
  assert.equal(org.resourceType, 'Organization');
  assert.equal(booking.valueReference?.reference, `#${org.id}`, 'the BookingOrganisation extension references the contained Organization');
  assert.ok(org.name && Array.isArray(org.telecom) && org.telecom.length > 0, '[BookOrgRead] name and telecom');
  return a;
}
