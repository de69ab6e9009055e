import type {
  Coded, Medication, MedicationRequest, MedicationStatement, PrescribingAgency, PrescriptionType,
} from '../domain/clinical.ts';
import { addDays } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientMedications } from '../store/clinical-medications.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { annotation, codeableConcept } from './coded.ts';
import { profiles, structuredCodeSystems } from './fhir-urls.ts';
import { listWarnings, primaryList, warningDate } from './lists.ts';

/**
 * Access Record Structured, medications (structured digest §11, §5.2, lists §8, confidentiality §18.1):
 *
 * - "Medications and medical devices": one entry per returned authorisation, `MedicationStatement/<id>`.
 * - Per authorisation: the MedicationStatement, its plan MedicationRequest (intent plan) and the
 *   Medication; with includePrescriptionIssues, every issue of the plan (intent order).
 * - medicationSearchFromDate: authorisations active on or after the date; prescribed-elsewhere
 *   ones always; issues are all issues of the returned plans (the store applies the rule).
 * - Confidential authorisations (statement or plan) are withheld whole — nothing refers to them —
 *   and the list gets confidential-items; so does a withheld issue of a returned plan. Record
 *   warnings (area 'medications' or 'all') go on the list.
 *
 * What the suite asserts (notes/suite-structured.md §13.4) and the digest adds: a PrescriptionType
 * coding with a display on every MedicationRequest; repeat information (issued and allowed) on
 * repeat and repeat-dispensing plans only; statusReason (statusChangeDate, statusReason) on stopped
 * plans only; exactly one dosageInstruction; no informationSource; no versionId or lastUpdated.
 *
 * References out of the area: `Practitioner/<id>` (requester, recorder, note authors),
 * `Organization/<id>` (dispenser) — the endpoint's closure adds them — and `Encounter/<id>`
 * (context: the consultation the item was recorded in, only when that consultation is not withheld).
 */
export async function buildMedications(
  ctx: AreaContext,
  options: { includePrescriptionIssues: boolean; searchFromDate?: string },
): Promise<AreaResult> {
  const search = options.searchFromDate === undefined
    ? { includeIssues: options.includePrescriptionIssues }
    : { includeIssues: options.includePrescriptionIssues, searchFromDate: options.searchFromDate };
  const [found, recordWarnings] = await Promise.all([
    findPatientMedications(ctx.db, ctx.practice, ctx.patientId, { ...search, includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);

  const planById = new Map(found.plans.map((p) => [p.id, p]));
  const medicationById = new Map(found.medications.map((m) => [m.id, m]));

  const resources: Resource[] = [];
  const added = new Set<string>();
  const add = (r: Resource) => {
    const key = `${String(r.resourceType)}/${String(r.id)}`;
    if (added.has(key)) return;
    added.add(key);
    resources.push(r);
  };
  const addMedication = (id: string) => {
    const m = medicationById.get(id);
    if (m) add(medicationResource(m));
  };

  for (const s of found.statements) {
    const plan = planById.get(s.planId)!;
    add(medicationStatementResource(s, plan, ctx.patientId));
    add(medicationRequestResource(plan, ctx.patientId, planById));
    addMedication(s.medicationId);
    addMedication(plan.medicationId);
  }
  for (const o of found.orders) {
    add(medicationRequestResource(o, ctx.patientId, planById));
    addMedication(o.medicationId);
  }

  const list = primaryList('medications', {
    patientId: ctx.patientId,
    now: ctx.now,
    items: found.statements.map((s) => ({ reference: `MedicationStatement/${s.id}` })),
    warnings: listWarnings(recordWarnings, { area: 'medications', confidentialWithheld: found.withheld > 0 }),
  });

  // Problems link to plans and issues (digest §9); both are offered for following.
  const linkedItems = [...found.plans, ...found.orders].map((r) => ({ type: 'MedicationRequest', id: r.id }));
  return { lists: [list], resources, linkedItems };
}

// ---- URLs and codes (digest §23) ----

const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
const cs = 'https://fhir.nhs.uk/STU3/CodeSystem/';

export const medicationExtensions = {
  lastIssueDate: `${sd}Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1`,
  prescribingAgency: `${sd}Extension-CareConnect-GPC-PrescribingAgency-1`,
  repeatInformation: `${sd}Extension-CareConnect-GPC-MedicationRepeatInformation-1`,
  statusReason: `${sd}Extension-CareConnect-GPC-MedicationStatusReason-1`,
  prescriptionType: `${sd}Extension-CareConnect-GPC-PrescriptionType-1`,
  quantityText: `${sd}Extension-CareConnect-GPC-MedicationQuantityText-1`,
} as const;

export const medicationCodeSystems = {
  prescriptionType: `${cs}CareConnect-PrescriptionType-1`,
  prescribingAgency: `${cs}CareConnect-PrescribingAgency-1`,
  ucum: 'http://unitsofmeasure.org',
} as const;

const prescriptionTypeDisplay: Record<PrescriptionType, string> = {
  acute: 'Acute',
  repeat: 'Repeat',
  'repeat-dispensing': 'Repeat dispensing',
  'delayed-prescribing': 'Delayed prescribing',
};

const prescribingAgencyDisplay: Record<PrescribingAgency, string> = {
  'prescribed-at-gp-practice': 'Prescribed at GP practice',
  'prescribed-by-another-organisation': 'Prescribed by another organisation',
  'prescribed-by-previous-practice': 'Prescribed by previous practice',
};

const degradedMedication = { code: '196421000000109', display: 'Transfer-degraded medication entry' };
const noInformation = 'No information available';

// ---- Medication ----

/**
 * Medication (profile CareConnect-GPC-Medication-1): the code only. Batch and expiry would go in
 * `package`, which the suite requires absent.
 */
export function medicationResource(m: Medication): Resource {
  return {
    resourceType: 'Medication',
    id: m.id,
    meta: { profile: [profiles.medication] },
    code: medicationCode(m.code),
  };
}

/** dm+d coding(s) as recorded; an uncoded entry gets the transfer-degraded code with its name as text. */
function medicationCode(c: Coded): Resource {
  if (!c.coding || c.coding.length === 0) {
    const out: Resource = { coding: [{ system: structuredCodeSystems.snomed, ...degradedMedication }] };
    if (c.text) out.text = c.text;
    return out;
  }
  const out = codeableConcept(c);
  // The legacy name is kept only where it differs from the coded term.
  if (c.text && c.text === c.coding[0]?.display) delete out.text;
  return out;
}

// ---- MedicationStatement ----

export function medicationStatementResource(s: MedicationStatement, plan: MedicationRequest, patientId: string): Resource {
  const extension: Resource[] = [];
  const elsewhere = s.prescribingAgency !== 'prescribed-at-gp-practice';
  // Not for repeat dispensing (the issues are the pharmacy's) nor for items prescribed elsewhere.
  if (s.lastIssueDate && !elsewhere && plan.prescriptionType !== 'repeat-dispensing') {
    extension.push({ url: medicationExtensions.lastIssueDate, valueDateTime: s.lastIssueDate });
  }
  const agency: Resource = {
    coding: [{ system: medicationCodeSystems.prescribingAgency, code: s.prescribingAgency, display: prescribingAgencyDisplay[s.prescribingAgency] }],
  };
  if (s.prescribingAgencyText) agency.text = s.prescribingAgencyText;
  extension.push({ url: medicationExtensions.prescribingAgency, valueCodeableConcept: agency });

  const resource: Resource = {
    resourceType: 'MedicationStatement',
    id: s.id,
    meta: { profile: [profiles.medicationStatement] },
    extension,
    identifier: s.identifiers.map((i) => ({ system: i.system, value: i.value })),
    basedOn: [{ reference: `MedicationRequest/${plan.id}` }],
  };
  if (s.encounterId) resource.context = { reference: `Encounter/${s.encounterId}` };
  resource.status = s.status;
  resource.medicationReference = { reference: `Medication/${s.medicationId}` };
  resource.effectivePeriod = s.effective.end ? { start: s.effective.start, end: s.effective.end } : { start: s.effective.start };
  resource.dateAsserted = s.assertedOn;
  resource.subject = { reference: `Patient/${patientId}` };
  resource.taken = 'unk';
  if (s.notes.length > 0) resource.note = s.notes.map(annotation);
  resource.dosage = [dosage(statementDosageText(s), s.patientInstruction)];
  return resource;
}

/** The dosage text, with the spec's warning when the dosage changed during the effective period. */
function statementDosageText(s: MedicationStatement): string {
  const text = s.dosageText.trim() || noInformation;
  if (!s.dosageLastChanged || s.dosageLastChanged <= s.effective.start) return text;
  return `${text} WARNING – Dosage has changed during the effective period. The latest change was made on ${warningDate(s.dosageLastChanged)}`;
}

// ---- MedicationRequest ----

/**
 * A plan (intent plan, the authorisation) or an order (intent order, one issue).
 * `returnedPlans`: the plans being returned, by id, for priorPrescription (only a returned plan is referenced).
 */
export function medicationRequestResource(
  r: MedicationRequest,
  patientId: string,
  returnedPlans: ReadonlyMap<string, unknown>,
): Resource {
  const isPlan = r.intent === 'plan';
  const extension: Resource[] = [];
  if (isPlan && (r.prescriptionType === 'repeat' || r.prescriptionType === 'repeat-dispensing')) {
    const parts: Resource[] = [];
    if (r.repeats?.allowed !== undefined) parts.push({ url: 'numberOfRepeatPrescriptionsAllowed', valueUnsignedInt: r.repeats.allowed });
    parts.push({ url: 'numberOfRepeatPrescriptionsIssued', valueUnsignedInt: r.repeats?.issued ?? 0 });
    if (r.repeats?.authorisationExpiry) parts.push({ url: 'authorisationExpiryDate', valueDateTime: r.repeats.authorisationExpiry });
    extension.push({ url: medicationExtensions.repeatInformation, extension: parts });
  }
  if (isPlan && r.status === 'stopped') {
    // Both parts are 1..1: without a recorded change date, the end of the authorisation (else its start).
    const changedOn = r.statusReason?.changedOn ?? r.validity.end ?? r.validity.start;
    extension.push({
      url: medicationExtensions.statusReason,
      extension: [
        { url: 'statusChangeDate', valueDateTime: changedOn },
        { url: 'statusReason', valueCodeableConcept: { text: r.statusReason?.reason?.trim() || noInformation } },
      ],
    });
  }
  extension.push({
    url: medicationExtensions.prescriptionType,
    valueCodeableConcept: {
      coding: [{ system: medicationCodeSystems.prescriptionType, code: r.prescriptionType, display: prescriptionTypeDisplay[r.prescriptionType] }],
    },
  });

  const resource: Resource = {
    resourceType: 'MedicationRequest',
    id: r.id,
    meta: { profile: [profiles.medicationRequest] },
    extension,
    identifier: r.identifiers.map((i) => ({ system: i.system, value: i.value })),
  };
  if (!isPlan && r.planId) resource.basedOn = [{ reference: `MedicationRequest/${r.planId}` }];
  // The practice's own grouping of a plan with its issues (not an EPS prescription id, so no EPS system).
  if (r.groupIdentifier) resource.groupIdentifier = { value: r.groupIdentifier };
  resource.status = r.status;
  resource.intent = r.intent;
  resource.medicationReference = { reference: `Medication/${r.medicationId}` };
  resource.subject = { reference: `Patient/${patientId}` };
  if (r.encounterId) resource.context = { reference: `Encounter/${r.encounterId}` };
  resource.authoredOn = r.authoredOn;
  if (r.requesterId) resource.requester = { agent: { reference: `Practitioner/${r.requesterId}` } };
  resource.recorder = { reference: `Practitioner/${r.recorderId}` };
  if (r.notes.length > 0) resource.note = r.notes.map(annotation);
  resource.dosageInstruction = [dosage(r.dosageText.trim() || noInformation, r.patientInstruction)];
  resource.dispenseRequest = dispenseRequest(r);
  if (isPlan && r.priorPlanId && returnedPlans.has(r.priorPlanId)) {
    resource.priorPrescription = { reference: `MedicationRequest/${r.priorPlanId}` };
  }
  return resource;
}

function dispenseRequest(r: MedicationRequest): Resource {
  const out: Resource = { validityPeriod: validityPeriod(r) };
  const q = r.quantity;
  if (q && (q.value !== undefined || q.text)) {
    const quantity: Resource = {};
    // The textual quantity goes in its extension when it says more than the number does.
    if (q.text && (q.value === undefined || q.text.trim() !== String(q.value))) {
      quantity.extension = [{ url: medicationExtensions.quantityText, valueString: q.text }];
    }
    if (q.value !== undefined) {
      quantity.value = q.value;
      if (q.unit) quantity.unit = q.unit;
    }
    out.quantity = quantity;
  }
  if (r.supplyDays !== undefined) {
    out.expectedSupplyDuration = { value: r.supplyDays, unit: 'day', system: medicationCodeSystems.ucum, code: 'd' };
  }
  if (r.intent === 'order' && r.dispenserId) out.performer = { reference: `Organization/${r.dispenserId}` };
  return out;
}

/** Plan: the authorisation period as recorded. Order: the issue date, to the recorded end, else start + supply, else the start. */
function validityPeriod(r: MedicationRequest): Resource {
  if (r.intent === 'plan') return r.validity.end ? { start: r.validity.start, end: r.validity.end } : { start: r.validity.start };
  const end = r.validity.end ?? (r.supplyDays !== undefined ? addDays(r.validity.start, r.supplyDays) : r.validity.start);
  return { start: r.validity.start, end };
}

// ---- Shared pieces ----

function dosage(text: string, patientInstruction: string | undefined): Resource {
  const out: Resource = { text };
  if (patientInstruction?.trim()) out.patientInstruction = patientInstruction;
  return out;
}

