import type { Allergy } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientAllergies } from '../store/clinical-allergies.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { codeableConcept } from './coded.ts';
import { profiles, snomedCodes, structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';
import { listWarnings, primaryList } from './lists.ts';

/**
 * Access Record Structured, allergies (structured digest §10, lists §8):
 *
 * - "Allergies and adverse reactions": every active allergy, as top-level AllergyIntolerances
 *   referenced `AllergyIntolerance/<id>`.
 * - "Ended allergies" (only with includeResolvedAllergies=true): the resolved allergies, as
 *   resources **contained** in that List and referenced `#<id>`; never top-level.
 * - Confidential allergies are never returned; the list each would have been in gets
 *   confidential-items. Record warnings (record_warning, area 'allergies' or 'all') go on both lists.
 * - "No known allergies": an explicit assertion (716186003 or a descendant) is returned as an
 *   active AllergyIntolerance only while the record holds no other active allergy (withheld ones
 *   included: a withheld allergy must not leave a "no known allergy" behind).
 *
 * Recorders are `Practitioner/<id>` of the practice directory and consultations `Encounter/<id>`;
 * the endpoint adds those resources to the bundle.
 */
export async function buildAllergies(ctx: AreaContext, options: { includeResolved: boolean }): Promise<AreaResult> {
  const [{ allergies, withheld }, recordWarnings] = await Promise.all([
    findPatientAllergies(ctx.db, ctx.practice, ctx.patientId, { includeResolved: options.includeResolved, includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);

  const recorded = allergies.filter((a) => a.clinicalStatus === 'active');
  const known = recorded.filter((a) => !isNoKnownAllergy(a));
  const active = known.length > 0 || withheld.active > 0 ? known : recorded;
  const activeResources = active.map((a) => allergyIntolerance(a, ctx.patientId));

  const lists: Resource[] = [
    primaryList('allergies', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: active.map((a) => ({ reference: `AllergyIntolerance/${a.id}` })),
      warnings: listWarnings(recordWarnings, { area: 'allergies', confidentialWithheld: withheld.active > 0 }),
    }),
  ];
  const linkedItems = active.map((a) => ({ type: 'AllergyIntolerance', id: a.id }));

  if (options.includeResolved) {
    const ended = allergies.filter((a) => a.clinicalStatus === 'resolved');
    lists.push(primaryList('endedAllergies', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: ended.map((a) => ({ reference: `#${a.id}` })),
      contained: ended.map((a) => allergyIntolerance(a, ctx.patientId)),
      warnings: listWarnings(recordWarnings, { area: 'allergies', confidentialWithheld: withheld.resolved > 0 }),
    }));
    // Ended allergies are returned (contained), so problems linked to them are followed too. Such a
    // Condition cannot resolve AllergyIntolerance/<id> at the top level (digest §10 REC: the problems
    // step refers to it by display).
    linkedItems.push(...ended.map((a) => ({ type: 'AllergyIntolerance', id: a.id })));
  }

  return { lists, resources: activeResources, linkedItems };
}

export function isNoKnownAllergy(a: Allergy): boolean {
  return (a.code.coding ?? []).some((c) => c.system === structuredCodeSystems.snomed && snomedCodes.noKnownAllergy.includes(c.code));
}

/** What a person would call the allergy: the text, else the first coding's display (as its AllergyIntolerance.code has them). */
export function allergyTerm(a: Allergy): string {
  return codeTerm(allergyCode(a));
}

/**
 * How any resource other than the Ended allergies list names an ended allergy (digest §10 REC):
 * the allergy is contained in that List, so nothing else can resolve a reference to it, and a
 * display-only reference keeps every reference of the bundle resolvable.
 */
export function endedAllergyDisplay(a: Allergy): string {
  return endedAllergyLabel(allergyTerm(a));
}

/** The same display, from the AllergyIntolerance resource contained in an Ended allergies list. */
export function endedAllergyDisplayOf(allergyIntolerance: Resource): string {
  return endedAllergyLabel(codeTerm((allergyIntolerance.code ?? {}) as Resource));
}

const endedAllergyLabel = (term: string) => `Ended allergy: ${term}`;

function codeTerm(code: Resource): string {
  const codings = (code.coding ?? []) as { display?: string }[];
  return (code.text as string | undefined) ?? codings.find((c) => c.display)?.display ?? 'Allergy';
}

const noEndReason = 'No information available';

/**
 * The AllergyIntolerance of an allergy (profile CareConnect-GPC-AllergyIntolerance-1): the same
 * whether it is top-level (active) or contained in the Ended allergies list (resolved).
 */
export function allergyIntolerance(a: Allergy, patientId: string): Resource {
  const extension: Resource[] = [];
  if (a.encounterId) {
    extension.push({ url: structuredExtensions.associatedEncounter, valueReference: { reference: `Encounter/${a.encounterId}` } });
  }
  if (a.clinicalStatus === 'resolved') {
    // endDate and reasonEnded are both 1..1. A legacy row without an end date: the asserted date is
    // the latest date the record knows the allergy by.
    extension.push({
      url: structuredExtensions.allergyIntoleranceEnd,
      extension: [
        { url: 'endDate', valueDateTime: ukDateTime(a.endAt ?? a.assertedAt) },
        { url: 'reasonEnded', valueString: a.endReason?.trim() || noEndReason },
      ],
    });
  }
  const resource: Resource = {
    resourceType: 'AllergyIntolerance',
    id: a.id,
    meta: { profile: [profiles.allergyIntolerance] },
  };
  if (extension.length > 0) resource.extension = extension;
  resource.identifier = a.identifiers.map((i) => ({ system: i.system, value: i.value }));
  resource.clinicalStatus = a.clinicalStatus;
  // Fixed by the spec (and asserted by the suite); consumers ignore it.
  resource.verificationStatus = 'unconfirmed';
  // Stored as medication | environment only (the test pack's food/environmental became environment).
  resource.category = [a.category];
  resource.code = allergyCode(a);
  resource.patient = { reference: `Patient/${patientId}` };
  if (a.onsetAt) resource.onsetDateTime = ukDateTime(a.onsetAt);
  resource.assertedDate = ukDateTime(a.assertedAt);
  resource.recorder = { reference: `Practitioner/${a.recorderId}` };
  if (a.note) resource.note = [{ text: a.note }];
  const reaction = allergyReaction(a);
  if (reaction) resource.reaction = [reaction];
  return resource;
}

/** The causative agent; an uncoded allergy gets the transfer-degraded code with its text. */
function allergyCode(a: Allergy): Resource {
  if (a.code.coding && a.code.coding.length > 0) return codeableConcept(a.code);
  const degraded = a.category === 'medication'
    ? { code: '196461000000101', display: 'Transfer-degraded drug allergy' }
    : { code: '196471000000108', display: 'Transfer-degraded non-drug allergy' };
  const out: Resource = { coding: [{ system: structuredCodeSystems.snomed, ...degraded }] };
  if (a.code.text) out.text = a.code.text;
  return out;
}

/**
 * At most one reaction with one manifestation (suite). manifestation is 1..1 in a reaction: a
 * text-only manifestation is nullFlavor UNC with the text as description; a reaction recorded only
 * for its severity is nullFlavor NI.
 */
function allergyReaction(a: Allergy): Resource | undefined {
  const r = a.reaction;
  if (!r || (!r.manifestation && !r.severity)) return undefined;
  const m = r.manifestation;
  const reaction: Resource = {};
  if (m?.coding && m.coding.length > 0) {
    reaction.manifestation = [codeableConcept(m)];
  } else if (m?.text) {
    reaction.manifestation = [{ coding: [{ system: structuredCodeSystems.nullFlavor, code: 'UNC', display: 'un-encoded' }] }];
    reaction.description = m.text;
  } else {
    reaction.manifestation = [{ coding: [{ system: structuredCodeSystems.nullFlavor, code: 'NI', display: 'NoInformation' }] }];
  }
  if (r.severity) reaction.severity = r.severity;
  return reaction;
}

