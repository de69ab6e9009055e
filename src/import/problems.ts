import { problemExtensions } from '../structured/problems.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, extensionOf, isObject, parseReference, type Fhir } from './record-bundle.ts';

/** What a problem may link to, besides other problems (problem_link.target_type). */
const linkTargets = [
  'AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Observation', 'DiagnosticReport', 'ReferralRequest',
  'ProcedureRequest', 'DocumentReference', 'Encounter',
] as const;

/**
 * Condition (ProblemHeader) → problem and problem_link rows (src/structured/problems.ts in
 * reverse): actualProblem → 'actual-problem', relatedClinicalContent → 'related',
 * relatedProblemHeader → its type (parent | child | sibling), in the order the extensions come.
 * A display-only link (an item the export could not reference) cannot be kept.
 */
export function readProblems(ctx: ReadContext): void {
  for (const c of ctx.bundle.ofType('Condition')) {
    const r = ctx.bundle.reader(c);
    r.patient(c.subject, 'subject');
    const significance = r.code(extensionOf(c, problemExtensions.problemSignificance)?.valueCode, 'extension(ProblemSignificance)', ['major', 'minor'] as const, true);
    ctx.rows.problems.push({
      ...r.item(ctx.patientId),
      status: r.code(c.clinicalStatus, 'clinicalStatus', ['active', 'inactive'] as const, true),
      significance,
      code: r.coded(c.code, 'code', true),
      onsetAt: r.instant(c.onsetDateTime, 'onsetDateTime'),
      abatedAt: r.instant(c.abatementDateTime, 'abatementDateTime'),
      assertedAt: r.instant(c.assertedDate, 'assertedDate', true),
      asserterId: r.practitioner(c.asserter, 'asserter', true),
      encounterId: r.encounter(c.context, 'context'),
      notes: r.notes(c.note, 'note'),
    });

    const seen = new Set<string>();
    const link = (relation: string, targetType: string | undefined, targetId: string | undefined) => {
      if (!targetType || !targetId) return;
      const key = `${relation}|${targetType}|${targetId}`;
      if (seen.has(key)) return;
      seen.add(key);
      ctx.rows.problemLinks.push({ problemId: c.id, position: seen.size - 1, relation, targetType, targetId });
    };
    asArray(c.extension).forEach((e: Fhir, i: number) => {
      if (!isObject(e)) return;
      const element = `extension[${i}]`;
      if (e.url === problemExtensions.actualProblem || e.url === problemExtensions.relatedClinicalContent) {
        const relation = e.url === problemExtensions.actualProblem ? 'actual-problem' : 'related';
        if (!parseReference(e.valueReference)) {
          ctx.notes.push(`${r.key}: a display-only linked item was not kept`);
          return;
        }
        const id = r.reference(e.valueReference, `${element}.valueReference`, linkTargets);
        link(relation, parseReference(e.valueReference)?.type, id);
      } else if (e.url === problemExtensions.relatedProblemHeader) {
        const target = r.reference(extensionOf(e, 'target')?.valueReference, `${element}.target`, ['Condition'], true);
        const type = r.code(extensionOf(e, 'type')?.valueCode, `${element}.type`, ['parent', 'child', 'sibling'] as const, true);
        if (type) link(type, 'Condition', target);
      }
    });
  }
}
