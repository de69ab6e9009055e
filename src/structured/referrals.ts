import type { Coded, Note, Referral } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientReferrals } from '../store/clinical-referrals.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { annotation, codeableConcept as coded } from './coded.ts';
import { profiles, structuredExtensions } from './fhir-urls.ts';
import { primaryListArea } from './lists.ts';

/**
 * Access Record Structured, outbound referrals (structured digest §17.1, lists §8):
 *
 * - "Outbound referral" list: every referral whose referral date (authoredOn) is in the optional
 *   referralSearchPeriod (inclusive UK dates; undated referrals always), as ReferralRequests
 *   referenced `ReferralRequest/<id>`.
 * - Confidential referrals are never returned; the list gets confidential-items. Record warnings
 *   (record_warning, area 'referrals' or 'all') go on the list.
 * - linkedItems: the returned ReferralRequests, whose problem links the bundle follows.
 *
 * The ReferralRequest refers to `Practitioner/<id>` (requester.agent, note authors) and
 * `Organization/<id>` (recipient) of the practice directory; the endpoint adds those resources.
 * It carries no `context`: the Encounter would have to be in the bundle, and a referrals request
 * does not bring consultations in (digest §9). Builders that return the consultation too (the
 * consultations area) can ask for it with `referralRequest(r, patientId, { withContext: true })`.
 */
export async function buildReferrals(ctx: AreaContext, options: { period?: { start?: string; end?: string } }): Promise<AreaResult> {
  const [{ referrals, withheld }, recordWarnings] = await Promise.all([
    findPatientReferrals(ctx.db, ctx.practice, ctx.patientId, { ...(options.period && { period: options.period }), includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  return primaryListArea('referrals', 'ReferralRequest', { items: referrals, resources: referrals.map((r) => referralRequest(r, ctx.patientId)), withheld },
    { patientId: ctx.patientId, now: ctx.now, recordWarnings });
}

/**
 * The ReferralRequest of an outbound referral (profile CareConnect-GPC-ReferralRequest-1).
 *
 * - identifier: as stored, the provider's own and, for e-RS referrals, the UBRN (stored under the
 *   1.6.0 system https://fhir.nhs.uk/Id/ubr-number).
 * - status: fixed `unknown` (1.6.0, and the suite). A referral cancelled in the GP system says so
 *   in a note (1.6.1 would send status `cancelled`).
 * - intent: fixed `order`. priority: the e-RS priority when there is one.
 * - requester.agent: the referring clinician. No onBehalfOf: the referrer works for this practice.
 * - recipient: the receiving Organization when coded.
 * - reasonCode: the main referral code first (never `type`, `serviceRequested` or `specialty`).
 * - Never: definition, replaces, groupIdentifier, type, occurrence[x], reasonReference, relevantHistory.
 */
export function referralRequest(r: Referral, patientId: string, options: { withContext?: boolean } = {}): Resource {
  const resource: Resource = {
    resourceType: 'ReferralRequest',
    id: r.id,
    meta: { profile: [profiles.referralRequest] },
  };
  resource.identifier = r.identifiers.map((i) => ({ system: i.system, value: i.value }));
  resource.status = 'unknown';
  resource.intent = 'order';
  if (r.priority) resource.priority = r.priority;
  resource.subject = { reference: `Patient/${patientId}` };
  if (options.withContext && r.encounterId) resource.context = { reference: `Encounter/${r.encounterId}` };
  if (r.authoredAt) resource.authoredOn = ukDateTime(r.authoredAt);
  resource.requester = { agent: { reference: `Practitioner/${r.requesterId}` } };
  if (r.recipientOrganizationId) resource.recipient = [{ reference: `Organization/${r.recipientOrganizationId}` }];
  if (r.reasonCodes.length > 0) resource.reasonCode = r.reasonCodes.map((c) => codeableConcept(c));
  if (r.description) resource.description = r.description;
  const notes = annotations(r.notes);
  if (r.status === 'cancelled') notes.push({ text: 'Status: Cancelled' });
  if (notes.length > 0) resource.note = notes;
  return resource;
}

/** Coded values of referrals and diary entries: their profiles name the fhir.hl7.org.uk sctdescid extension. */
export function codeableConcept(c: Coded, descriptionExtension: string = structuredExtensions.codingSctDescIdUk): Resource {
  return coded(c, descriptionExtension);
}

export function annotations(notes: readonly Note[]): Resource[] {
  return notes.map(annotation);
}
