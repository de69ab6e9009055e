import { allergyTerm } from '../structured/allergies.ts';
import { structuredCodeSystems, structuredExtensions } from '../structured/fhir-urls.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, extensionOf, type Fhir } from './record-bundle.ts';

/** What the allergies builder writes for a resolved allergy with no recorded reason. */
const noEndReason = 'No information available';

/**
 * AllergyIntolerance → allergy rows: active ones are top-level, resolved ones contained in an
 * "Ended allergies" List (src/structured/allergies.ts). Reverses the builder's stand-ins: a
 * nullFlavor UNC manifestation is the reaction's description as text, NI is no manifestation, and
 * the "No information available" end reason is no recorded reason.
 */
export function readAllergies(ctx: ReadContext): void {
  const all = [...ctx.bundle.ofType('AllergyIntolerance'), ...ctx.bundle.containedAllergies.values()];
  const seen = new Set<string>();
  for (const resource of all) {
    // A shared id is an issue RecordBundle has reported (the import is refused); read it once.
    if (seen.has(resource.id)) continue;
    seen.add(resource.id);
    ctx.rows.allergies.push(allergyRow(ctx, resource));
  }
}

function allergyRow(ctx: ReadContext, a: Fhir) {
  const r = ctx.bundle.reader(a);
  r.patient(a.patient, 'patient');
  const clinicalStatus = r.code(a.clinicalStatus, 'clinicalStatus', ['active', 'resolved'] as const, true);
  // The store keeps medication | environment: food and environment allergies are "environment".
  const category = asArray(a.category).includes('medication') ? 'medication' : 'environment';
  const reaction = asArray(a.reaction)[0] as Fhir | undefined;
  let manifestation;
  if (reaction) {
    const m = asArray(reaction.manifestation)[0] as Fhir | undefined;
    const nullFlavor = asArray(m?.coding).find((c: Fhir) => c?.system === structuredCodeSystems.nullFlavor)?.code;
    if (nullFlavor === 'UNC') manifestation = typeof reaction.description === 'string' ? { text: reaction.description } : undefined;
    else if (nullFlavor !== 'NI' && m) manifestation = r.coded(m, 'reaction[0].manifestation[0]');
  }
  const end = extensionOf(a, structuredExtensions.allergyIntoleranceEnd);
  const endAt = end && r.instant(extensionOf(end, 'endDate')?.valueDateTime, 'extension(AllergyIntoleranceEnd).endDate');
  const reason = end && extensionOf(end, 'reasonEnded')?.valueString;
  const resolved = clinicalStatus === 'resolved';
  const notes = asArray(a.note).map((n: Fhir) => n?.text).filter((t): t is string => typeof t === 'string');
  return {
    ...r.item(ctx.patientId),
    clinicalStatus,
    category,
    code: r.coded(a.code, 'code', true),
    onsetAt: r.instant(a.onsetDateTime, 'onsetDateTime'),
    assertedAt: r.instant(a.assertedDate, 'assertedDate', true),
    endAt: resolved ? endAt : undefined,
    endReason: resolved && typeof reason === 'string' && reason !== noEndReason ? reason : undefined,
    reactionManifestation: manifestation,
    reactionSeverity: reaction ? r.code(reaction.severity, 'reaction[0].severity', ['mild', 'moderate', 'severe'] as const) : undefined,
    note: notes.length > 0 ? notes.join('\n') : undefined,
    recorderId: r.practitioner(a.recorder, 'recorder', true),
    encounterId: r.encounter(extensionOf(a, structuredExtensions.associatedEncounter)?.valueReference, 'extension(encounter-associatedEncounter)'),
  };
}

/** The term the builders show for an ended allergy ("Ended allergy: <term>"), from its FHIR form. */
export function endedAllergyTerm(a: Fhir): string {
  const code = a.code ?? {};
  return allergyTerm({ code: { text: code.text, coding: asArray(code.coding) } } as Parameters<typeof allergyTerm>[0]);
}
