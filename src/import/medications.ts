import { medicationCodeSystems, medicationExtensions } from '../structured/medications.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, extensionOf, type Fhir } from './record-bundle.ts';

const noInformation = 'No information available';
const monthNumbers: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
/** The warning the statement builder appends when the dosage changed during the effective period. */
const dosageChanged = /^([\s\S]*) WARNING – Dosage has changed during the effective period\. The latest change was made on (\d{2})-([A-Z][a-z]{2})-(\d{4})$/;

/**
 * Medication, MedicationRequest (plans and issues) and MedicationStatement → medication,
 * medication_request and medication_statement rows (src/structured/medications.ts in reverse).
 * The Medication dictionary is the practice's, not the patient's: the importer matches it by id and
 * code (see dictionary handling in import-structured-record.ts).
 */
export function readMedications(ctx: ReadContext): void {
  for (const m of ctx.bundle.ofType('Medication')) {
    const r = ctx.bundle.reader(m);
    ctx.rows.medications.push({ id: m.id, code: r.coded(m.code, 'code', true) });
  }
  for (const m of ctx.bundle.ofType('MedicationRequest')) ctx.rows.medicationRequests.push(requestRow(ctx, m));
  // The store keeps one statement per plan (medication_statement.plan_id is unique): a second
  // statement on the same plan is an issue, not a duplicate-key error when the rows are written.
  const statementOfPlan = new Map<string, string>();
  for (const s of ctx.bundle.ofType('MedicationStatement')) {
    const row = statementRow(ctx, s);
    if (row.planId !== undefined) {
      const first = statementOfPlan.get(row.planId);
      if (first === undefined) statementOfPlan.set(row.planId, String(s.id));
      else {
        ctx.bundle.reader(s).problem('basedOn[0]', `MedicationRequest/${row.planId} already has a MedicationStatement (MedicationStatement/${first}); the store holds one statement per plan`);
      }
    }
    ctx.rows.medicationStatements.push(row);
  }
}

function requestRow(ctx: ReadContext, m: Fhir) {
  const r = ctx.bundle.reader(m);
  r.patient(m.subject, 'subject');
  const intent = r.code(m.intent, 'intent', ['plan', 'order'] as const, true);
  const isPlan = intent === 'plan';
  const planId = isPlan ? undefined : r.reference(asArray(m.basedOn)[0], 'basedOn[0]', ['MedicationRequest'], intent === 'order');
  if (planId && ctx.bundle.byKey.get(`MedicationRequest/${planId}`)?.intent !== 'plan') r.problem('basedOn[0]', `MedicationRequest/${planId} is not a plan (intent plan)`);
  const typeExt = extensionOf(m, medicationExtensions.prescriptionType);
  const prescriptionType = r.code(
    asArray(typeExt?.valueCodeableConcept?.coding).find((c: Fhir) => c?.system === medicationCodeSystems.prescriptionType)?.code,
    'extension(PrescriptionType)', ['acute', 'repeat', 'repeat-dispensing', 'delayed-prescribing'] as const, true,
  );
  const dosage = asArray(m.dosageInstruction)[0] as Fhir | undefined;
  const dispense: Fhir = m.dispenseRequest ?? {};
  const quantity: Fhir = dispense.quantity ?? {};
  const quantityText = extensionOf(quantity, medicationExtensions.quantityText)?.valueString;
  const repeats = isPlan ? extensionOf(m, medicationExtensions.repeatInformation) : undefined;
  const statusReason = isPlan ? extensionOf(m, medicationExtensions.statusReason) : undefined;
  const reasonText = statusReason && extensionOf(statusReason, 'statusReason')?.valueCodeableConcept?.text;
  return {
    ...r.item(ctx.patientId),
    intent,
    planId,
    groupIdentifier: typeof m.groupIdentifier?.value === 'string' ? m.groupIdentifier.value : undefined,
    status: r.code(m.status, 'status', ['active', 'completed', 'stopped'] as const, true),
    medicationId: r.reference(m.medicationReference, 'medicationReference', ['Medication'], true),
    prescriptionType,
    authoredOn: r.date(m.authoredOn, 'authoredOn', true),
    requesterId: r.practitioner(m.requester?.agent, 'requester.agent'),
    recorderId: r.practitioner(m.recorder, 'recorder', true),
    dosageText: dosageText(dosage?.text),
    patientInstruction: r.string(dosage?.patientInstruction, 'dosageInstruction[0].patientInstruction'),
    validityStart: r.date(dispense.validityPeriod?.start, 'dispenseRequest.validityPeriod.start', true),
    validityEnd: r.date(dispense.validityPeriod?.end, 'dispenseRequest.validityPeriod.end'),
    quantityValue: r.number(quantity.value, 'dispenseRequest.quantity.value'),
    quantityUnit: r.string(quantity.unit, 'dispenseRequest.quantity.unit'),
    quantityText: typeof quantityText === 'string' ? quantityText : undefined,
    supplyDays: r.count(dispense.expectedSupplyDuration?.value, 'dispenseRequest.expectedSupplyDuration.value'),
    dispenserId: isPlan ? undefined : r.organization(dispense.performer, 'dispenseRequest.performer'),
    priorPlanId: isPlan ? r.reference(m.priorPrescription, 'priorPrescription', ['MedicationRequest']) : undefined,
    repeatsAllowed: repeats && r.count(extensionOf(repeats, 'numberOfRepeatPrescriptionsAllowed')?.valueUnsignedInt, 'extension(MedicationRepeatInformation).numberOfRepeatPrescriptionsAllowed'),
    repeatsIssued: repeats && r.count(extensionOf(repeats, 'numberOfRepeatPrescriptionsIssued')?.valueUnsignedInt, 'extension(MedicationRepeatInformation).numberOfRepeatPrescriptionsIssued'),
    authorisationExpiry: repeats && r.date(extensionOf(repeats, 'authorisationExpiryDate')?.valueDateTime, 'extension(MedicationRepeatInformation).authorisationExpiryDate'),
    statusReason: typeof reasonText === 'string' && reasonText !== noInformation ? reasonText : undefined,
    statusChangedOn: statusReason && r.date(extensionOf(statusReason, 'statusChangeDate')?.valueDateTime, 'extension(MedicationStatusReason).statusChangeDate'),
    encounterId: r.encounter(m.context, 'context'),
    notes: r.notes(m.note, 'note'),
  };
}

function statementRow(ctx: ReadContext, s: Fhir) {
  const r = ctx.bundle.reader(s);
  r.patient(s.subject, 'subject');
  const planId = r.reference(asArray(s.basedOn)[0], 'basedOn[0]', ['MedicationRequest'], true);
  if (planId && ctx.bundle.byKey.get(`MedicationRequest/${planId}`)?.intent !== 'plan') r.problem('basedOn[0]', `MedicationRequest/${planId} is not a plan (intent plan)`);
  const agency = extensionOf(s, medicationExtensions.prescribingAgency)?.valueCodeableConcept;
  const dosage = asArray(s.dosage)[0] as Fhir | undefined;
  const changed = typeof dosage?.text === 'string' ? dosageChanged.exec(dosage.text) : null;
  const lastIssue = extensionOf(s, medicationExtensions.lastIssueDate)?.valueDateTime;
  return {
    ...r.item(ctx.patientId),
    planId,
    medicationId: r.reference(s.medicationReference, 'medicationReference', ['Medication'], true),
    status: r.code(s.status, 'status', ['active', 'completed', 'stopped'] as const, true),
    effectiveStart: r.date(s.effectivePeriod?.start ?? s.effectiveDateTime, 'effectivePeriod.start', true),
    effectiveEnd: r.date(s.effectivePeriod?.end, 'effectivePeriod.end'),
    assertedOn: r.date(s.dateAsserted, 'dateAsserted', true),
    lastIssueDate: r.date(lastIssue, 'extension(MedicationStatementLastIssueDate)'),
    dosageText: dosageText(changed ? changed[1] : dosage?.text),
    patientInstruction: r.string(dosage?.patientInstruction, 'dosage[0].patientInstruction'),
    dosageLastChanged: changed ? `${changed[4]}-${monthNumbers[changed[3]!] ?? '01'}-${changed[2]}` : undefined,
    prescribingAgency: r.code(
      asArray(agency?.coding).find((c: Fhir) => c?.system === medicationCodeSystems.prescribingAgency)?.code ?? 'prescribed-at-gp-practice',
      'extension(PrescribingAgency)', ['prescribed-at-gp-practice', 'prescribed-by-another-organisation', 'prescribed-by-previous-practice'] as const,
    ),
    prescribingAgencyText: typeof agency?.text === 'string' ? agency.text : undefined,
    encounterId: r.encounter(s.context, 'context'),
    notes: r.notes(s.note, 'note'),
  };
}

/** The builders write "No information available" for a blank dosage: that is no recorded text. */
function dosageText(text: unknown): string {
  return typeof text === 'string' && text !== noInformation ? text : '';
}
