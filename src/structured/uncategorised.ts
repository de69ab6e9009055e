import type { Observation, ObservationValue, Quantity } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findUncategorisedObservations } from '../store/clinical-observations.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { codeableConcept } from './coded.ts';
import { profiles } from './fhir-urls.ts';
import { primaryListArea } from './lists.ts';

/**
 * Access Record Structured, uncategorised data (structured digest §15, lists §8):
 *
 * - "Uncategorised data" (code 826501000000100 "Miscellaneous record"): every uncategorised
 *   Observation of the patient whose effective time overlaps the search period (§5.2; undated ones
 *   always), each top level and referenced `Observation/<id>`.
 * - Blood pressure is one Observation with systolic and diastolic `component`s (as stored); the
 *   header has no value and no referenceRange. A component without a reading gets dataAbsentReason.
 * - Hierarchies: `related` has-member / derived-from as stored, but only to Observations this
 *   response returns (a withheld or out-of-period member is never referenced).
 * - TEST (suite §13.8): status always `final`; `category`, `bodySite`, `method`, `specimen`,
 *   `device`, `basedOn`, `dataAbsentReason` never emitted; at least one performer with a reference.
 * - Confidential observations are never returned; the list gets confidential-items. Record
 *   warnings (area 'uncategorised' or 'all') go on the list.
 *
 * Performers are `Practitioner/<id>` / `Organization/<id>` of the practice directory and the
 * consultation `Encounter/<id>` (context); the endpoint adds those resources to the bundle.
 */
export async function buildUncategorised(ctx: AreaContext, options: { period?: { start?: string; end?: string } }): Promise<AreaResult> {
  const [{ observations, withheld }, recordWarnings] = await Promise.all([
    findUncategorisedObservations(ctx.db, ctx.practice, ctx.patientId, { ...(options.period && { period: options.period }), includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  const returned = new Set(observations.map((o) => o.id));
  const resources = observations.map((o) => uncategorisedObservation(o, ctx.patientId, returned));
  return primaryListArea('uncategorised', 'Observation', { items: observations, resources, withheld },
    { patientId: ctx.patientId, now: ctx.now, recordWarnings });
}

const ucum = 'http://unitsofmeasure.org';
const dataAbsentReasonSystem = 'http://hl7.org/fhir/data-absent-reason';

/**
 * The Observation of an uncategorised item (profile CareConnect-GPC-Observation-1). `returned`:
 * the ids of the Observations in the same response, the only allowed `related` targets.
 */
export function uncategorisedObservation(o: Observation, patientId: string, returned: ReadonlySet<string>): Resource {
  const resource: Resource = {
    resourceType: 'Observation',
    id: o.id,
    meta: { profile: [profiles.observation] },
  };
  resource.identifier = o.identifiers.map((i) => ({ system: i.system, value: i.value }));
  // Fixed by the spec and asserted by the suite, whatever the source status.
  resource.status = 'final';
  resource.code = codeableConcept(o.code);
  resource.subject = { reference: `Patient/${patientId}` };
  if (o.encounterId) resource.context = { reference: `Encounter/${o.encounterId}` };
  Object.assign(resource, observationTimesAndPerformer(o));
  // A header with components (blood pressure) carries no value of its own.
  const isPanel = o.components.length > 0;
  if (o.value && !isPanel) Object.assign(resource, fhirValue(o.value));
  if (o.interpretation) resource.interpretation = codeableConcept(o.interpretation);
  if (o.comment) resource.comment = o.comment;
  if (o.referenceRange && !isPanel) {
    const range = referenceRange(o.referenceRange, o.value);
    if (range) resource.referenceRange = [range];
  }
  const related = o.related.filter((r) => returned.has(r.targetId) && r.targetId !== o.id);
  if (related.length > 0) resource.related = related.map((r) => ({ type: r.type, target: { reference: `Observation/${r.targetId}` } }));
  if (isPanel) {
    resource.component = o.components.map((c) => {
      const component: Resource = { code: codeableConcept(c.code) };
      if (c.value) Object.assign(component, fhirValue(c.value));
      else component.dataAbsentReason = { coding: [{ system: dataAbsentReasonSystem, code: 'unknown', display: 'Unknown' }] };
      return component;
    });
  }
  return resource;
}

/** value[x] of an Observation or component. */
export function fhirValue(v: ObservationValue): Resource {
  if ('quantity' in v) return { valueQuantity: fhirQuantity(v.quantity) };
  if ('string' in v) return { valueString: v.string };
  return { valueCodeableConcept: codeableConcept(v.codeableConcept) };
}

export function fhirQuantity(q: Quantity): Resource {
  const out: Resource = {};
  if (q.value !== undefined) out.value = q.value;
  if (q.unit) out.unit = q.unit;
  if (q.system) out.system = q.system;
  if (q.code) out.code = q.code;
  return out;
}

/** low/high carry the value's unit; `<`/`>` ranges are only text (digest §15). */
function referenceRange(r: NonNullable<Observation['referenceRange']>, value: ObservationValue | undefined): Resource | undefined {
  const unit = value && 'quantity' in value ? value.quantity : undefined;
  const bound = (n: number) => fhirQuantity({ value: n, unit: unit?.unit, system: unit?.system ?? (unit?.code ? ucum : undefined), code: unit?.code });
  const out: Resource = {};
  if (r.low !== undefined && r.low !== null) out.low = bound(r.low);
  if (r.high !== undefined && r.high !== null) out.high = bound(r.high);
  if (r.text) out.text = r.text;
  return Object.keys(out).length > 0 ? out : undefined;
}


/**
 * An Observation's effective time (period or instant), issued time and performers — the same for
 * uncategorised data and investigation results.
 */
export function observationTimesAndPerformer(o: Observation): Resource {
  const out: Resource = {};
  if (o.effective?.end) out.effectivePeriod = { start: ukDateTime(o.effective.start), end: ukDateTime(o.effective.end) };
  else if (o.effective) out.effectiveDateTime = ukDateTime(o.effective.start);
  out.issued = ukDateTime(o.issuedAt);
  const performer: Resource[] = [];
  if (o.performer.practitionerId) performer.push({ reference: `Practitioner/${o.performer.practitionerId}` });
  if (o.performer.organizationId) performer.push({ reference: `Organization/${o.performer.organizationId}` });
  if (performer.length > 0) out.performer = performer;
  return out;
}
