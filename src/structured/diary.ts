import type { ProcedureRequest } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientDiaryEntries } from '../store/clinical-diary.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { profiles } from './fhir-urls.ts';
import { primaryListArea } from './lists.ts';
import { annotations, codeableConcept } from './referrals.ts';

/**
 * Access Record Structured, diary entries (structured digest §17.2, lists §8):
 *
 * - "Patient recall administration" list: every incomplete (active) diary entry planned on or
 *   before the optional diaryEntriesSearchDate — by the start of its due date or window — so an
 *   entry whose date has passed is always included; entries with no due date too. Without a
 *   search date, every active entry. ProcedureRequests referenced `ProcedureRequest/<id>`.
 * - Confidential entries are never returned; the list gets confidential-items. Record warnings
 *   (record_warning, area 'diary' or 'all') go on the list.
 * - linkedItems: the returned ProcedureRequests, whose problem links the bundle follows.
 *
 * requester.agent is `Practitioner/<id>` of the practice directory; the endpoint adds it. No
 * `context` (a diary request does not bring consultations in, digest §9); the consultations area
 * can ask for it with `diaryProcedureRequest(e, patientId, { withContext: true })`.
 */
export async function buildDiary(ctx: AreaContext, options: { searchDate?: string }): Promise<AreaResult> {
  const [{ entries, withheld }, recordWarnings] = await Promise.all([
    findPatientDiaryEntries(ctx.db, ctx.practice, ctx.patientId, { ...(options.searchDate && { searchDate: options.searchDate }), includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  return primaryListArea('diary', 'ProcedureRequest', { items: entries, resources: entries.map((e) => diaryProcedureRequest(e, ctx.patientId)), withheld },
    { patientId: ctx.patientId, now: ctx.now, recordWarnings });
}

/**
 * The ProcedureRequest of a diary entry (profile CareConnect-GPC-ProcedureRequest-1).
 *
 * - status fixed `active`, intent fixed `plan` (only incomplete entries are ever returned).
 * - occurrence: a due window as occurrencePeriod, a single due date as occurrenceDateTime (a date).
 * - authoredOn: when the entry was captured. requester.agent: the practitioner who entered it
 *   (the suite needs requester; onBehalfOf is never sent).
 * - Never: priority, doNotPerform, category, asNeeded[x], performerType, performer, reasonReference,
 *   specimen, bodySite, relevantHistory (the suite checks these are absent).
 */
export function diaryProcedureRequest(e: ProcedureRequest, patientId: string, options: { withContext?: boolean } = {}): Resource {
  const resource: Resource = {
    resourceType: 'ProcedureRequest',
    id: e.id,
    meta: { profile: [profiles.procedureRequest] },
  };
  resource.identifier = e.identifiers.map((i) => ({ system: i.system, value: i.value }));
  resource.status = 'active';
  resource.intent = 'plan';
  resource.code = codeableConcept(e.code);
  resource.subject = { reference: `Patient/${patientId}` };
  if (options.withContext && e.encounterId) resource.context = { reference: `Encounter/${e.encounterId}` };
  if (e.due?.end) resource.occurrencePeriod = { start: e.due.start, end: e.due.end };
  else if (e.due) resource.occurrenceDateTime = e.due.start;
  if (e.authoredAt) resource.authoredOn = ukDateTime(e.authoredAt);
  if (e.requesterId) resource.requester = { agent: { reference: `Practitioner/${e.requesterId}` } };
  if (e.reasonCodes.length > 0) resource.reasonCode = e.reasonCodes.map((c) => codeableConcept(c));
  const notes = annotations(e.notes);
  if (notes.length > 0) resource.note = notes;
  return resource;
}
