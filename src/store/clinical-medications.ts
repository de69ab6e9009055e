import type {
  Coded, Identifier, Medication, MedicationRequest, MedicationStatement, MedicationStatus, Note, PrescribingAgency, PrescriptionType,
} from '../domain/clinical.ts';
import { addDays } from '../fhir/datetime.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's medications (tables `medication_statement`,
 * `medication_request` and the `medication` dictionary, 0003_clinical.sql). One authorisation is a
 * statement and its plan; issues are orders under the plan.
 *
 * The medicationSearchFromDate rule (structured digest §5.2) is applied here, to the statement's
 * effective period (`effectiveEnd` below, with the same fallbacks the resource is written with):
 * an authorisation is returned when it is active on or after the from-date — its end is on or after
 * it; with no end, an acute one only if it started on or after it, any other (repeat, repeat
 * dispensing, delayed prescribing: "neither acute nor repeat ⇒ treat as repeat") is ongoing.
 * Items prescribed elsewhere are always returned. Issues are every issue of a returned plan.
 */

interface StatementRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  plan_id: string;
  medication_id: string;
  status: MedicationStatus;
  effective_start: string;
  effective_end: string | null;
  asserted_on: string;
  last_issue_date: string | null;
  dosage_text: string;
  patient_instruction: string | null;
  dosage_last_changed: string | null;
  prescribing_agency: PrescribingAgency;
  prescribing_agency_text: string | null;
  /** NULL when there is no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

interface RequestRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  intent: 'plan' | 'order';
  plan_id: string | null;
  group_identifier: string | null;
  status: MedicationStatus;
  medication_id: string;
  prescription_type: PrescriptionType;
  authored_on: string;
  requester_id: string | null;
  recorder_id: string;
  dosage_text: string;
  patient_instruction: string | null;
  validity_start: string;
  validity_end: string | null;
  quantity_value: number | null;
  quantity_unit: string | null;
  quantity_text: string | null;
  supply_days: number | null;
  dispenser_id: string | null;
  prior_plan_id: string | null;
  repeats_allowed: number | null;
  repeats_issued: number | null;
  authorisation_expiry: string | null;
  status_reason: string | null;
  status_changed_on: string | null;
  /** NULL when there is no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

interface MedicationRow { id: string; code: Coded; batch_number: string | null; expiry_date: string | null }

const toStatement = (r: StatementRow, effectiveEnd: string | undefined): MedicationStatement => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  planId: r.plan_id,
  medicationId: r.medication_id,
  status: r.status,
  effective: effectiveEnd ? { start: r.effective_start, end: effectiveEnd } : { start: r.effective_start },
  assertedOn: r.asserted_on,
  lastIssueDate: r.last_issue_date ?? undefined,
  dosageText: r.dosage_text,
  patientInstruction: r.patient_instruction ?? undefined,
  dosageLastChanged: r.dosage_last_changed ?? undefined,
  prescribingAgency: r.prescribing_agency,
  prescribingAgencyText: r.prescribing_agency_text ?? undefined,
  encounterId: r.encounter_id ?? undefined,
  notes: r.notes,
});

function toRequest(r: RequestRow): MedicationRequest {
  const out: MedicationRequest = {
    id: r.id,
    patientId: r.patient_id,
    identifiers: r.identifiers,
    confidential: r.confidential,
    intent: r.intent,
    status: r.status,
    medicationId: r.medication_id,
    prescriptionType: r.prescription_type,
    authoredOn: r.authored_on,
    recorderId: r.recorder_id,
    dosageText: r.dosage_text,
    validity: r.validity_end ? { start: r.validity_start, end: r.validity_end } : { start: r.validity_start },
    notes: r.notes,
  };
  if (r.plan_id) out.planId = r.plan_id;
  if (r.group_identifier) out.groupIdentifier = r.group_identifier;
  if (r.requester_id) out.requesterId = r.requester_id;
  if (r.patient_instruction) out.patientInstruction = r.patient_instruction;
  if (r.quantity_value !== null || r.quantity_unit || r.quantity_text) {
    out.quantity = {};
    if (r.quantity_value !== null) out.quantity.value = Number(r.quantity_value);
    if (r.quantity_unit) out.quantity.unit = r.quantity_unit;
    if (r.quantity_text) out.quantity.text = r.quantity_text;
  }
  if (r.supply_days !== null) out.supplyDays = r.supply_days;
  if (r.dispenser_id) out.dispenserId = r.dispenser_id;
  if (r.prior_plan_id) out.priorPlanId = r.prior_plan_id;
  if (r.repeats_allowed !== null || r.repeats_issued !== null || r.authorisation_expiry) {
    out.repeats = {};
    if (r.repeats_allowed !== null) out.repeats.allowed = r.repeats_allowed;
    if (r.repeats_issued !== null) out.repeats.issued = r.repeats_issued;
    if (r.authorisation_expiry) out.repeats.authorisationExpiry = r.authorisation_expiry;
  }
  if (r.status_reason || r.status_changed_on) {
    out.statusReason = {};
    if (r.status_reason) out.statusReason.reason = r.status_reason;
    if (r.status_changed_on) out.statusReason.changedOn = r.status_changed_on;
  }
  if (r.encounter_id) out.encounterId = r.encounter_id;
  return out;
}

export interface PatientMedications {
  /** The returned authorisations, by effective start then id. */
  statements: MedicationStatement[];
  /** The plan of each returned statement, in the same order. */
  plans: MedicationRequest[];
  /** With includeIssues: every (non-withheld) issue of a returned plan, by plan order, then issue date, then id. */
  orders: MedicationRequest[];
  /** The dictionary entries the returned statements, plans and orders name, by id. */
  medications: Medication[];
  /**
   * How many items that would have been returned were withheld as confidential: authorisations
   * (statement or plan confidential: the whole course goes, issues included) and single issues of a
   * returned plan (counted only with includeIssues). The medications list gets confidential-items.
   */
  withheld: number;
}

export interface MedicationSearch {
  /** medicationSearchFromDate (YYYY-MM-DD); absent: the whole history. */
  searchFromDate?: string;
  /** includePrescriptionIssues: return the issues (intent order) of the returned plans. */
  includeIssues: boolean;
  /** Migrate with sensitive information: return confidential items too. */
  includeConfidential?: boolean;
}

/**
 * The statement's effective end as written (digest §11): the recorded end; for a course no longer
 * active without one, the end of its final issue (its validity end, else its issue date), else the
 * date its plan was stopped, else its start (data-loss fallback). An active course without a
 * recorded end stays open.
 */
export function statementEffectiveEnd(
  statement: { status: MedicationStatus; effectiveStart: string; effectiveEnd?: string },
  plan: { statusChangedOn?: string } | undefined,
  issues: readonly { validityStart: string; validityEnd?: string; supplyDays?: number }[],
): string | undefined {
  if (statement.effectiveEnd) return statement.effectiveEnd;
  if (statement.status === 'active') return undefined;
  let finalIssueEnd: string | undefined;
  for (const issue of issues) {
    const end = issue.validityEnd ?? (issue.supplyDays !== undefined ? addDays(issue.validityStart, issue.supplyDays) : issue.validityStart);
    if (!finalIssueEnd || end > finalIssueEnd) finalIssueEnd = end;
  }
  const end = finalIssueEnd ?? plan?.statusChangedOn ?? statement.effectiveStart;
  return end < statement.effectiveStart ? statement.effectiveStart : end;
}

/**
 * medicationSearchFromDate (digest §5.2): is the authorisation active on or after `from`?
 * Prescribed-elsewhere items always are.
 */
export function activeOnOrAfter(
  item: { effective: { start: string; end?: string }; prescriptionType: PrescriptionType; prescribingAgency: PrescribingAgency },
  from: string | undefined,
): boolean {
  if (!from) return true;
  if (item.prescribingAgency !== 'prescribed-at-gp-practice') return true;
  if (item.effective.end) return item.effective.end >= from;
  if (item.prescriptionType === 'acute') return item.effective.start >= from;
  return true;
}

/**
 * A patient's medications, as the medications area returns them. Confidential items are counted,
 * not returned, unless `includeConfidential`. Consultations are only given when not themselves
 * confidential (a withheld consultation must not be referenced).
 */
export async function findPatientMedications(db: Db, practice: string, patientId: string, search: MedicationSearch): Promise<PatientMedications> {
  const [statementRows, requestRows] = await Promise.all([
    db.query<StatementRow>(
      `SELECT s.id, s.patient_id, s.identifiers, s.plan_id, s.medication_id, s.status, s.effective_start, s.effective_end,
              s.asserted_on, s.last_issue_date, s.dosage_text, s.patient_instruction, s.dosage_last_changed,
              s.prescribing_agency, s.prescribing_agency_text,
              CASE WHEN e.confidential THEN NULL ELSE s.encounter_id END AS encounter_id, s.notes, s.confidential
         FROM medication_statement s
         LEFT JOIN encounter e ON e.practice = s.practice AND e.id = s.encounter_id
        WHERE s.practice = $1 AND s.patient_id = $2
        ORDER BY s.effective_start, s.id`,
      [practice, patientId],
    ),
    db.query<RequestRow>(
      `SELECT r.id, r.patient_id, r.identifiers, r.intent, r.plan_id, r.group_identifier, r.status, r.medication_id,
              r.prescription_type, r.authored_on, r.requester_id, r.recorder_id, r.dosage_text, r.patient_instruction,
              r.validity_start, r.validity_end, r.quantity_value::float8 AS quantity_value, r.quantity_unit, r.quantity_text,
              r.supply_days, r.dispenser_id, r.prior_plan_id, r.repeats_allowed, r.repeats_issued, r.authorisation_expiry,
              r.status_reason, r.status_changed_on,
              CASE WHEN e.confidential THEN NULL ELSE r.encounter_id END AS encounter_id, r.notes, r.confidential
         FROM medication_request r
         LEFT JOIN encounter e ON e.practice = r.practice AND e.id = r.encounter_id
        WHERE r.practice = $1 AND r.patient_id = $2
        ORDER BY r.validity_start, r.id`,
      [practice, patientId],
    ),
  ]);

  const plansById = new Map<string, RequestRow>();
  const issuesByPlan = new Map<string, RequestRow[]>();
  for (const r of requestRows) {
    if (r.intent === 'plan') plansById.set(r.id, r);
    else if (r.plan_id) {
      const issues = issuesByPlan.get(r.plan_id);
      if (issues) issues.push(r);
      else issuesByPlan.set(r.plan_id, [r]);
    }
  }

  const statements: MedicationStatement[] = [];
  const plans: MedicationRequest[] = [];
  const orders: MedicationRequest[] = [];
  let withheld = 0;
  for (const row of statementRows) {
    const plan = plansById.get(row.plan_id);
    // The schema ties every statement to a plan of the practice; one of another patient is not this record's.
    if (!plan) continue;
    const issues = issuesByPlan.get(plan.id) ?? [];
    const end = statementEffectiveEnd(
      { status: row.status, effectiveStart: row.effective_start, effectiveEnd: row.effective_end ?? undefined },
      { statusChangedOn: plan.status_changed_on ?? undefined },
      issues.map((i) => ({ validityStart: i.validity_start, validityEnd: i.validity_end ?? undefined, supplyDays: i.supply_days ?? undefined })),
    );
    const statement = toStatement(row, end);
    if (!activeOnOrAfter({ effective: statement.effective, prescriptionType: plan.prescription_type, prescribingAgency: row.prescribing_agency }, search.searchFromDate)) {
      continue;
    }
    if ((row.confidential || plan.confidential) && !search.includeConfidential) {
      withheld++;
      continue;
    }
    statements.push(statement);
    const planRequest = toRequest(plan);
    // Repeat information needs the issued count: without a recorded one, the issues on record.
    if ((plan.prescription_type === 'repeat' || plan.prescription_type === 'repeat-dispensing') && planRequest.repeats?.issued === undefined) {
      planRequest.repeats = { ...planRequest.repeats, issued: issues.length };
    }
    plans.push(planRequest);
    if (!search.includeIssues) continue;
    for (const issue of issues) {
      if (issue.confidential && !search.includeConfidential) withheld++;
      else orders.push(toRequest(issue));
    }
  }

  const medicationIds = new Set([...statements, ...plans, ...orders].map((x) => x.medicationId));
  const medications = medicationIds.size === 0 ? [] : (await db.query<MedicationRow>(
    `SELECT m.id, m.code, m.batch_number, m.expiry_date
       FROM medication m
      WHERE m.practice = $1
        AND m.id IN (SELECT medication_id FROM medication_statement WHERE practice = $1 AND patient_id = $2
                     UNION SELECT medication_id FROM medication_request WHERE practice = $1 AND patient_id = $2)
      ORDER BY m.id`,
    [practice, patientId],
  )).filter((m) => medicationIds.has(m.id)).map((m): Medication => {
    const out: Medication = { id: m.id, code: m.code };
    if (m.batch_number) out.batchNumber = m.batch_number;
    if (m.expiry_date) out.expiryDate = m.expiry_date;
    return out;
  });

  return { statements, plans, orders, medications, withheld };
}
