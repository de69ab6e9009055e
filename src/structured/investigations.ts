import type { DiagnosticReport, Observation, ObservationValue, ProcedureRequest, Specimen } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientInvestigations } from '../store/clinical-investigations.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { profiles, structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';
import { listWarnings, primaryList } from './lists.ts';
import { annotation, codeableConcept } from './coded.ts';
import { fhirQuantity, fhirValue, observationTimesAndPerformer } from './uncategorised.ts';

/**
 * Access Record Structured, investigations (structured digest §16, lists §8):
 *
 * - "Investigations and results" list (code 887191000000108): every pathology report whose issue
 *   time (DiagnosticReport.issued) is in the optional investigationSearchPeriod (inclusive UK
 *   days), referenced `DiagnosticReport/<id>`; entries == the DiagnosticReports returned.
 * - Each report brings in its Specimens, its test group header / test result / filing comment
 *   Observations and its test request (ProcedureRequest, basedOn) — see
 *   src/store/clinical-investigations.ts. Every reference between them names a resource returned
 *   here; the others name `Practitioner/<id>` / `Organization/<id>` (added by the endpoint).
 * - No `context` (Encounter): an investigations request does not bring consultations in (digest
 *   §9). Builders that return the consultation too can ask for it with `withContext`.
 * - Any confidential element of a report in the search (the report, an observation, the test
 *   request) is left out and the list gets confidential-items. Record warnings (area
 *   'investigations' or 'all') go on the list.
 * - linkedItems: the returned DiagnosticReports. Problems link to reports (problem_link, seed); a
 *   problem whose actual problem is a test group/result must itself name the report (digest §16),
 *   so the Observations are not followed.
 */
export async function buildInvestigations(ctx: AreaContext, options: { period?: { start?: string; end?: string } }): Promise<AreaResult> {
  const [found, recordWarnings] = await Promise.all([
    findPatientInvestigations(ctx.db, ctx.practice, ctx.patientId, { ...(options.period && { period: options.period }), includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  const list = primaryList('investigations', {
    patientId: ctx.patientId,
    now: ctx.now,
    items: found.reports.map((r) => ({ reference: `DiagnosticReport/${r.id}` })),
    warnings: listWarnings(recordWarnings, { area: 'investigations', confidentialWithheld: found.withheld > 0 }),
  });
  const returned = new Set(found.observations.map((o) => o.id));
  return {
    lists: [list],
    resources: [
      ...found.reports.map((r) => diagnosticReport(r, ctx.patientId)),
      ...found.requests.map((p) => testRequest(p, ctx.patientId)),
      ...found.specimens.map((s) => specimen(s, ctx.patientId)),
      ...found.observations.map((o) => investigationObservation(o, ctx.patientId, returned)),
    ],
    linkedItems: found.reports.map((r) => ({ type: 'DiagnosticReport', id: r.id })),
  };
}

const snomed = structuredCodeSystems.snomed;
const uk = structuredExtensions.codingSctDescIdUk;

/** The report code, fixed (TEST asserts code and display). */
export const diagnosticStudiesReport = { system: snomed, code: '721981007', display: 'Diagnostic studies report' } as const;
/** DiagnosticReport / test result category when none is recorded: these are pathology reports. */
export const pathologyCategory = { system: snomed, code: '394595002', display: 'Pathology' } as const;
/** The filing comment code, fixed. */
export const commentNote = { system: snomed, code: '37331000000100', display: 'Comment note' } as const;

const identifiers = (item: { identifiers: { system: string; value: string }[] }) =>
  item.identifiers.map((i) => ({ system: i.system, value: i.value }));

/**
 * The DiagnosticReport of a pathology report (profile CareConnect-GPC-DiagnosticReport-1): fixed
 * code 721981007; basedOn its test request; specimen[] and result[] (groups, standalone results,
 * report-level filing comments) as listed. Never effective[x], imagingStudy, image, presentedForm.
 */
export function diagnosticReport(r: DiagnosticReport, patientId: string, options: { withContext?: boolean } = {}): Resource {
  const resource: Resource = {
    resourceType: 'DiagnosticReport',
    id: r.id,
    meta: { profile: [profiles.diagnosticReport] },
  };
  resource.identifier = identifiers(r);
  if (r.requestId) resource.basedOn = [{ reference: `ProcedureRequest/${r.requestId}` }];
  resource.status = r.status;
  resource.category = { coding: [{ ...pathologyCategory }] };
  resource.code = { coding: [{ ...diagnosticStudiesReport }] };
  resource.subject = { reference: `Patient/${patientId}` };
  if (options.withContext && r.encounterId) resource.context = { reference: `Encounter/${r.encounterId}` };
  resource.issued = ukDateTime(r.issuedAt);
  if (r.performerOrganizationId) resource.performer = [{ actor: { reference: `Organization/${r.performerOrganizationId}` } }];
  if (r.specimenIds.length > 0) resource.specimen = r.specimenIds.map((id) => ({ reference: `Specimen/${id}` }));
  if (r.resultIds.length > 0) resource.result = r.resultIds.map((id) => ({ reference: `Observation/${id}` }));
  if (r.conclusion) resource.conclusion = r.conclusion;
  return resource;
}

/**
 * The Specimen (profile CareConnect-GPC-Specimen-1). Never parent, request, processing, container,
 * collection.method.
 */
export function specimen(s: Specimen, patientId: string): Resource {
  const resource: Resource = {
    resourceType: 'Specimen',
    id: s.id,
    meta: { profile: [profiles.specimen] },
  };
  resource.identifier = identifiers(s);
  if (s.status) resource.status = s.status;
  resource.type = codeableConcept(s.type, uk);
  resource.subject = { reference: `Patient/${patientId}` };
  if (s.receivedAt) resource.receivedTime = ukDateTime(s.receivedAt);
  if (s.collectedAt) resource.collection = { collectedDateTime: ukDateTime(s.collectedAt) };
  if (s.note) resource.note = [{ text: s.note }];
  return resource;
}

/**
 * The ProcedureRequest of a test request (profile CareConnect-GPC-ProcedureRequest-1): status
 * `active`, intent `order` (both fixed); no code ⇒ text "No code available". Never definition,
 * basedOn, replaces, requisition, priority, doNotPerform, category, context, occurrence[x],
 * asNeeded[x], authoredOn, performerType, supportingInfo, specimen, bodySite, relevantHistory.
 */
export function testRequest(p: ProcedureRequest, patientId: string): Resource {
  const resource: Resource = {
    resourceType: 'ProcedureRequest',
    id: p.id,
    meta: { profile: [profiles.procedureRequest] },
  };
  resource.identifier = identifiers(p);
  resource.status = 'active';
  resource.intent = 'order';
  const code = codeableConcept(p.code, uk);
  resource.code = code.coding || code.text ? code : { text: 'No code available' };
  resource.subject = { reference: `Patient/${patientId}` };
  if (p.requesterId) resource.requester = { agent: { reference: `Practitioner/${p.requesterId}` } };
  if (p.performerOrganizationId) resource.performer = { reference: `Organization/${p.performerOrganizationId}` };
  if (p.reasonCodes.length > 0) resource.reasonCode = p.reasonCodes.map((c) => codeableConcept(c, uk));
  if (p.notes.length > 0) resource.note = p.notes.map(annotation);
  return resource;
}

/**
 * A test group header, test result or filing comment Observation (profile
 * CareConnect-GPC-Observation-1). `returned`: the ids of the Observations in the same response,
 * the only allowed `related` targets.
 *
 * - Group: no category, value or referenceRange; `related` has-member → its results.
 * - Result: category (Pathology when none is recorded), value, referenceRange, specimen;
 *   `related` derived-from → its group.
 * - Filing comment: status `unknown` and code "Comment note" (fixed); effective = when filed;
 *   value = what was filed; comment; `related` derived-from. Never category, interpretation,
 *   specimen, referenceRange.
 * - Never basedOn, device, component, bodySite, method, dataAbsentReason.
 */
export function investigationObservation(o: Observation, patientId: string, returned: ReadonlySet<string>, options: { withContext?: boolean } = {}): Resource {
  const resource: Resource = {
    resourceType: 'Observation',
    id: o.id,
    meta: { profile: [profiles.observation] },
  };
  const filing = o.kind === 'filing-comment';
  const group = o.kind === 'test-group';
  resource.identifier = identifiers(o);
  resource.status = filing ? 'unknown' : o.status;
  if (o.kind === 'test-result') resource.category = [o.category ? codeableConcept(o.category) : { coding: [{ ...pathologyCategory }] }];
  resource.code = filing ? { coding: [{ ...commentNote }] } : codeableConcept(o.code);
  resource.subject = { reference: `Patient/${patientId}` };
  if (options.withContext && o.encounterId) resource.context = { reference: `Encounter/${o.encounterId}` };
  Object.assign(resource, observationTimesAndPerformer(o));
  if (o.value && !group) Object.assign(resource, fhirValue(o.value));
  if (o.interpretation && !filing) resource.interpretation = codeableConcept(o.interpretation);
  if (o.comment) resource.comment = o.comment;
  if (o.specimenId && !filing) resource.specimen = { reference: `Specimen/${o.specimenId}` };
  if (o.referenceRange && o.kind === 'test-result') {
    const range = referenceRange(o.referenceRange, o.value);
    if (range) resource.referenceRange = [range];
  }
  const allowed = group ? 'has-member' : 'derived-from';
  const related = o.related.filter((r) => r.type === allowed && returned.has(r.targetId) && r.targetId !== o.id);
  // A result or filing comment derives from one group/result at most (0..1).
  const kept = group ? related : related.slice(0, 1);
  if (kept.length > 0) resource.related = kept.map((r) => ({ type: r.type, target: { reference: `Observation/${r.targetId}` } }));
  return resource;
}

/** low/high carry the value's unit; `<`/`>` ranges are only text (digest §15). */
function referenceRange(r: NonNullable<Observation['referenceRange']>, value: ObservationValue | undefined): Resource | undefined {
  const unit = value && 'quantity' in value ? value.quantity : undefined;
  const bound = (n: number) => fhirQuantity({ value: n, unit: unit?.unit, system: unit?.system ?? (unit?.code ? 'http://unitsofmeasure.org' : undefined), code: unit?.code });
  const out: Resource = {};
  if (r.low !== undefined && r.low !== null) out.low = bound(r.low);
  if (r.high !== undefined && r.high !== null) out.high = bound(r.high);
  if (r.text) out.text = r.text;
  return Object.keys(out).length > 0 ? out : undefined;
}
