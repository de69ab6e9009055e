import { primaryLists } from '../structured/lists.ts';
import { commentNote } from '../structured/investigations.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, isObject, parseReference, type Fhir, type ResourceReader } from './record-bundle.ts';

const valueTypes = ['valueQuantity', 'valueString', 'valueCodeableConcept'] as const;

/**
 * Observation → observation and observation_related rows. The kind is not written in the FHIR, so
 * it is read from where the Observation sits:
 * - in a DiagnosticReport's results, or reached from them (has-member, derived-from): an
 *   investigation — a filing comment (status unknown, code "Comment note"), a test result (it has
 *   a category), or else a test group;
 * - otherwise uncategorised when the "Uncategorised data" list holds it, or when the Bundle has no
 *   such list and it is not a "Comment note"; a consultation's comment note otherwise (narrative).
 */
export function readObservations(ctx: ReadContext): void {
  const observations = ctx.bundle.ofType('Observation');
  const investigation = investigationObservations(ctx);
  const uncategorisedList = ctx.bundle.areaLists.find((l) => asArray(l.code?.coding).some((c: Fhir) => c?.code === primaryLists.uncategorised.code));
  const listed = new Set(asArray(uncategorisedList?.entry).map((e: Fhir) => parseReference(e?.item)?.id).filter(Boolean));
  const isCommentNote = (o: Fhir) => asArray(o.code?.coding).some((c: Fhir) => c?.code === commentNote.code);

  for (const o of observations) {
    const r = ctx.bundle.reader(o);
    r.patient(o.subject, 'subject');
    let kind: string;
    if (investigation.has(o.id)) {
      if (o.status === 'unknown' && isCommentNote(o)) kind = 'filing-comment';
      else if (o.category !== undefined) kind = 'test-result';
      else if (asArray(o.related).some((x: Fhir) => x?.type === 'has-member')) kind = 'test-group';
      else kind = 'test-result';
    } else if (uncategorisedList) kind = listed.has(o.id) ? 'uncategorised' : 'narrative';
    else kind = isCommentNote(o) ? 'narrative' : 'uncategorised';

    const performers = asArray(o.performer);
    const ofType = (type: string) => performers.findIndex((p) => parseReference(p)?.type === type);
    const practitioner = ofType('Practitioner');
    const organization = ofType('Organization');
    performers.forEach((_, i) => {
      if (i !== practitioner && i !== organization) r.problem(`performer[${i}]`, 'the store keeps one Practitioner and one Organization performer');
    });
    const range = asArray(o.referenceRange)[0] as Fhir | undefined;
    ctx.rows.observations.push({
      ...r.item(ctx.patientId),
      kind,
      status: r.code(o.status, 'status', ['final', 'preliminary', 'amended', 'unknown'] as const, true),
      category: kind === 'test-result' ? r.coded(asArray(o.category)[0], 'category[0]') : undefined,
      code: r.coded(o.code, 'code', true),
      effectiveStart: r.instant(o.effectivePeriod?.start ?? o.effectiveDateTime, o.effectivePeriod ? 'effectivePeriod.start' : 'effectiveDateTime'),
      effectiveEnd: r.instant(o.effectivePeriod?.end, 'effectivePeriod.end'),
      issuedAt: r.instant(o.issued, 'issued', true),
      performerPractitionerId: practitioner >= 0 ? r.practitioner(performers[practitioner], `performer[${practitioner}]`) : undefined,
      performerOrganizationId: organization >= 0 ? r.organization(performers[organization], `performer[${organization}]`) : undefined,
      value: observationValue(r, o, ''),
      interpretation: r.coded(o.interpretation, 'interpretation'),
      comment: r.string(o.comment, 'comment'),
      referenceRange: range && {
        low: r.number(range.low?.value, 'referenceRange[0].low.value'),
        high: r.number(range.high?.value, 'referenceRange[0].high.value'),
        text: r.string(range.text, 'referenceRange[0].text'),
      },
      components: asArray(o.component).map((c: Fhir, i: number) => ({
        code: r.coded(c?.code, `component[${i}].code`, true),
        value: observationValue(r, c, `component[${i}].`),
      })),
      specimenId: r.reference(o.specimen, 'specimen', ['Specimen']),
      encounterId: r.encounter(o.context, 'context'),
    });
    asArray(o.related).forEach((x: Fhir, i: number) => {
      const type = r.code(x?.type, `related[${i}].type`, ['has-member', 'derived-from', 'sequel-to'] as const, true);
      const targetId = r.reference(x?.target, `related[${i}].target`, ['Observation'], true);
      if (type && targetId) ctx.rows.observationRelated.push({ observationId: o.id, position: i, type, targetId });
    });
  }
}

/** The store's {quantity} | {string} | {codeableConcept} value of an Observation or component. */
function observationValue(r: ResourceReader, element: Fhir, path: string): unknown {
  if (!isObject(element)) return undefined;
  const other = Object.keys(element).find((k) => k.startsWith('value') && !(valueTypes as readonly string[]).includes(k));
  if (other) r.problem(`${path}${other}`, 'the store holds only valueQuantity, valueString or valueCodeableConcept');
  if (isObject(element.valueQuantity)) {
    const q = element.valueQuantity;
    return { quantity: { value: r.number(q.value, `${path}valueQuantity.value`), unit: q.unit, system: q.system, code: q.code } };
  }
  if (element.valueString !== undefined) return { string: r.string(element.valueString, `${path}valueString`) };
  if (element.valueCodeableConcept !== undefined) return { codeableConcept: r.coded(element.valueCodeableConcept, `${path}valueCodeableConcept`, true) };
  return undefined;
}

/** The ids of the Observations of investigations: reports' results and what they reach. */
function investigationObservations(ctx: ReadContext): Set<string> {
  const ids = new Set<string>();
  for (const report of ctx.bundle.ofType('DiagnosticReport')) {
    for (const result of asArray(report.result)) {
      const ref = parseReference(result);
      if (ref?.type === 'Observation') ids.add(ref.id);
    }
  }
  const observations = ctx.bundle.ofType('Observation');
  for (let grew = true; grew;) {
    grew = false;
    for (const o of observations) {
      for (const x of asArray(o.related)) {
        const target = parseReference(x?.target)?.id;
        if (!target) continue;
        const reach = (x.type === 'has-member' && ids.has(o.id) && !ids.has(target)) ? target
          : (x.type === 'derived-from' && ids.has(target) && !ids.has(o.id)) ? o.id : undefined;
        if (reach) {
          ids.add(reach);
          grew = true;
        }
      }
    }
  }
  return ids;
}
