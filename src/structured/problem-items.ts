import type { Observation } from '../domain/clinical.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientAllergies } from '../store/clinical-allergies.ts';
import { findObservationsByIds, findPatientConsultations, type StoredConsultation } from '../store/clinical-consultations.ts';
import { findPatientDiaryEntries } from '../store/clinical-diary.ts';
import { findPatientImmunisations } from '../store/clinical-immunisations.ts';
import { findPatientMedications } from '../store/clinical-medications.ts';
import { findPatientReferrals } from '../store/clinical-referrals.ts';
import { allergyIntolerance, endedAllergyDisplay } from './allergies.ts';
import { patientRecordWarnings, type AreaContext } from './area.ts';
import { CollectedItems } from './collected-items.ts';
import { withoutMissingEncounters } from './encounter-references.ts';
import { encounterResource } from './consultations.ts';
import { diaryProcedureRequest } from './diary.ts';
import { immunization } from './immunisations.ts';
import { findItemReports, reportResources, type HeldReport } from './linked-reports.ts';
import { listWarnings, primaryList, secondaryList, type SecondaryListCode } from './lists.ts';
import { medicationRequestResource, medicationResource, medicationStatementResource } from './medications.ts';
import { referralRequest } from './referrals.ts';
import { uncategorisedObservation } from './uncategorised.ts';

/**
 * Access Record Structured, the items the matched problems link to (structured digest §8.3, §9
 * inclusion-matrix row "Problems", §12, confidentiality §18.1), for `buildProblems`' linkedItems.
 *
 * - Each item is built by its own area's builder, whatever other parameters say:
 *   - MedicationRequest (plan or issue): statement + plan + Medication always; an issue (order)
 *     only when it is itself linked. The medications list names `MedicationStatement/<id>`.
 *   - AllergyIntolerance: active ones top level; ended ones contained in an "Ended allergies" list
 *     (display-only in the "allergies that have been ended" secondary list).
 *   - Immunization; Observation (uncategorised / comment notes, with their has-member members;
 *     a test group/result/filing comment brings its whole report); ReferralRequest; ProcedureRequest
 *     (an active diary entry, or a test request: its whole report).
 *   - DiagnosticReport: the whole report (report, test request, specimens, observations).
 *   - Encounter: the consultation's Encounter only (no consultation-structure Lists, digest §9).
 * - One "Problems - … related to problems" list per area present, in §8.3 table order; the list of
 *   each type in `withheldLinkTypes` (or of an item found confidential here) gets confidential-items
 *   and appears even when empty. Confidential items leave no trace.
 * - Every reference among the returned resources resolves to one of them, or to a Practitioner,
 *   Organization or Location (the endpoint's closure adds those): references to consultations not
 *   returned here are removed.
 * - returnedItems: the items returned (for the endpoint to follow for linked problems).
 */
export async function buildProblemLinkedItems(
  ctx: AreaContext,
  items: { type: string; id: string }[],
  withheldLinkTypes: string[],
): Promise<{ lists: Resource[]; resources: Resource[]; returnedItems: { type: string; id: string }[] }> {
  const out = new Collected();
  for (const type of withheldLinkTypes) {
    const code = withheldListOf[type];
    if (code) out.withheld.add(code);
  }
  const wanted = (type: string) => new Set(items.filter((i) => i.type === type).map((i) => i.id));
  const ids = {
    allergies: wanted('AllergyIntolerance'),
    medications: wanted('MedicationRequest'),
    immunisations: wanted('Immunization'),
    observations: wanted('Observation'),
    reports: wanted('DiagnosticReport'),
    referrals: wanted('ReferralRequest'),
    procedures: wanted('ProcedureRequest'),
    encounters: wanted('Encounter'),
  };
  const { db, practice, patientId } = ctx;
  const need = (s: Set<string>) => s.size > 0;
  const [recordWarnings, allergies, medications, immunisations, observations, referrals, diary, consultations] = await Promise.all([
    patientRecordWarnings(ctx),
    need(ids.allergies) ? findPatientAllergies(db, practice, patientId, { includeResolved: true, includeConfidential: true }) : undefined,
    need(ids.medications) ? findPatientMedications(db, practice, patientId, { includeIssues: true, includeConfidential: true }) : undefined,
    need(ids.immunisations) ? findPatientImmunisations(db, practice, patientId, { includeNotGiven: true, includeConfidential: true }) : undefined,
    findObservationsByIds(db, practice, patientId, [...ids.observations]),
    need(ids.referrals) ? findPatientReferrals(db, practice, patientId, { includeConfidential: true }) : undefined,
    need(ids.procedures) ? findPatientDiaryEntries(db, practice, patientId, { includeConfidential: true }) : undefined,
    need(ids.encounters) ? findPatientConsultations(db, practice, patientId) : undefined,
  ]);

  // ---- Allergies ----
  for (const a of allergies?.allergies ?? []) {
    if (!ids.allergies.has(a.id)) continue;
    const ended = a.clinicalStatus === 'resolved';
    if (a.confidential && !ctx.includeConfidential) {
      out.withheld.add(ended ? 'problems-allergies-that-have-been-ended-related-to-problems' : 'problems-allergies-related-to-problems');
      if (ended) out.withheld.add(endedAllergiesList);
      continue;
    }
    if (ended) {
      out.endedAllergies.set(a.id, a);
      out.addSecondary('problems-allergies-that-have-been-ended-related-to-problems', { display: endedAllergyDisplay(a) });
    } else {
      out.activeAllergies.set(a.id, a);
      out.addSecondary('problems-allergies-related-to-problems', { reference: `AllergyIntolerance/${a.id}` });
    }
  }

  // ---- Medications: statement + plan + Medication always, an issue only when linked itself ----
  if (medications) {
    const requests = new Map([...medications.plans, ...medications.orders].map((r) => [r.id, r]));
    const statementByPlan = new Map(medications.statements.map((s) => [s.planId, s]));
    const dictionary = new Map(medications.medications.map((m) => [m.id, m]));
    for (const id of ids.medications) {
      const request = requests.get(id);
      if (!request) continue;
      const plan = request.intent === 'plan' ? request : request.planId ? requests.get(request.planId) : undefined;
      const statement = plan && statementByPlan.get(plan.id);
      if (!plan || !statement) continue;
      if (!ctx.includeConfidential && (request.confidential || plan.confidential || statement.confidential)) {
        out.withheld.add('problems-medications-related-to-problems');
        continue;
      }
      out.statements.set(statement.id, { statement, plan });
      if (request.intent === 'order') out.orders.set(request.id, request);
      for (const mid of [statement.medicationId, plan.medicationId, request.medicationId]) {
        const m = dictionary.get(mid);
        if (m) out.medications.set(mid, m);
      }
      out.addSecondary('problems-medications-related-to-problems', { reference: `MedicationStatement/${statement.id}` });
    }
  }

  // ---- Immunisations ----
  for (const i of immunisations?.immunisations ?? []) {
    if (!ids.immunisations.has(i.id)) continue;
    if (i.confidential && !ctx.includeConfidential) {
      out.withheld.add('problems-immunisations-related-to-problems');
      continue;
    }
    out.immunisations.set(i.id, i);
    out.addSecondary('problems-immunisations-related-to-problems', { reference: `Immunization/${i.id}` });
  }

  // ---- Uncategorised observations (and their members); investigation observations bring their report ----
  const investigationObservationIds = new Set<string>();
  let pending: Observation[] = observations;
  const seen = new Set<string>();
  while (pending.length > 0) {
    const members = new Set<string>();
    for (const o of pending) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      const linked = ids.observations.has(o.id);
      if (o.kind !== 'uncategorised' && o.kind !== 'narrative') {
        if (linked) investigationObservationIds.add(o.id);
        continue;
      }
      if (o.confidential && !ctx.includeConfidential) {
        if (linked) out.withheld.add('problems-uncategorised-data-related-to-problems');
        continue;
      }
      out.observations.set(o.id, o);
      if (linked) out.addSecondary('problems-uncategorised-data-related-to-problems', { reference: `Observation/${o.id}` });
      for (const r of o.related) if (r.type === 'has-member' && !seen.has(r.targetId)) members.add(r.targetId);
    }
    pending = members.size === 0 ? [] : await findObservationsByIds(db, practice, patientId, [...members]);
  }

  // ---- Referrals ----
  for (const r of referrals?.referrals ?? []) {
    if (!ids.referrals.has(r.id)) continue;
    if (r.confidential && !ctx.includeConfidential) {
      out.withheld.add('problems-outbound-referrals-related-to-problems');
      continue;
    }
    out.referrals.set(r.id, r);
    out.addSecondary('problems-outbound-referrals-related-to-problems', { reference: `ReferralRequest/${r.id}` });
  }

  // ---- Diary entries (active ones); other ProcedureRequests may be test requests ----
  const testRequestIds = new Set(ids.procedures);
  for (const e of diary?.entries ?? []) {
    if (!ids.procedures.has(e.id)) continue;
    testRequestIds.delete(e.id);
    if (e.confidential && !ctx.includeConfidential) {
      out.withheld.add('problems-diary-entries-related-to-problems');
      continue;
    }
    out.diary.set(e.id, e);
    out.addSecondary('problems-diary-entries-related-to-problems', { reference: `ProcedureRequest/${e.id}` });
  }

  // ---- Investigations: the whole report ----
  if (ids.reports.size > 0 || investigationObservationIds.size > 0 || testRequestIds.size > 0) {
    const found = await findItemReports(ctx, { reports: ids.reports, observations: investigationObservationIds, requests: testRequestIds });
    if (found.withheld.size > 0) out.withheld.add('problems-investigations-related-to-problems');
    for (const [id, held] of found.returned) {
      if (held.partlyWithheld) out.withheld.add('problems-investigations-related-to-problems');
      out.reports.set(id, held);
      out.addSecondary('problems-investigations-related-to-problems', { reference: `DiagnosticReport/${id}` });
    }
  }

  // ---- Consultations: the Encounter only ----
  for (const c of consultations?.consultations ?? []) {
    if (!ids.encounters.has(c.id)) continue;
    out.encounters.set(c.id, c);
    out.addSecondary('problems-consultations-related-to-problems', { reference: `Encounter/${c.id}` });
  }

  return assemble(ctx, out, recordWarnings);
}

// ---- Codes ----

/** Where withheld ended allergies are flagged (the Ended allergies primary list). */
const endedAllergiesList = 'ended-allergies';

/** The secondary list that gets confidential-items for a withheld link of each type. */
const withheldListOf: Record<string, SecondaryListCode> = {
  AllergyIntolerance: 'problems-allergies-related-to-problems',
  MedicationRequest: 'problems-medications-related-to-problems',
  Immunization: 'problems-immunisations-related-to-problems',
  Observation: 'problems-uncategorised-data-related-to-problems',
  DiagnosticReport: 'problems-investigations-related-to-problems',
  ReferralRequest: 'problems-outbound-referrals-related-to-problems',
  ProcedureRequest: 'problems-diary-entries-related-to-problems',
  Encounter: 'problems-consultations-related-to-problems',
  DocumentReference: 'problems-documents-related-to-problems',
};

/** The order of the secondary lists in the result (digest §8.3 table order). */
const secondaryOrder: SecondaryListCode[] = [
  'problems-allergies-related-to-problems',
  'problems-allergies-that-have-been-ended-related-to-problems',
  'problems-consultations-related-to-problems',
  'problems-diary-entries-related-to-problems',
  'problems-documents-related-to-problems',
  'problems-immunisations-related-to-problems',
  'problems-investigations-related-to-problems',
  'problems-medications-related-to-problems',
  'problems-outbound-referrals-related-to-problems',
  'problems-uncategorised-data-related-to-problems',
];

// ---- What is returned ----

class Collected extends CollectedItems {
  readonly reports = new Map<string, HeldReport>();
  readonly encounters = new Map<string, StoredConsultation>();
}

function assemble(
  ctx: AreaContext,
  c: Collected,
  recordWarnings: Awaited<ReturnType<typeof patientRecordWarnings>>,
): { lists: Resource[]; resources: Resource[]; returnedItems: { type: string; id: string }[] } {
  const { patientId } = ctx;
  const encounterIds = new Set(c.encounters.keys());
  const tidy = (r: Resource) => withoutMissingEncounters(r, (id) => encounterIds.has(id));

  const resources: Resource[] = [...c.encounters.values()].map((e) => encounterResource(e, patientId));
  const returnedPlans = new Map([...c.statements.values()].map(({ plan }) => [plan.id, plan]));
  for (const { statement, plan } of c.statements.values()) {
    resources.push(tidy(medicationStatementResource(statement, plan, patientId)));
    resources.push(tidy(medicationRequestResource(plan, patientId, returnedPlans)));
  }
  for (const o of c.orders.values()) resources.push(tidy(medicationRequestResource(o, patientId, returnedPlans)));
  for (const m of c.medications.values()) resources.push(medicationResource(m));
  for (const a of c.activeAllergies.values()) resources.push(tidy(allergyIntolerance(a, patientId)));
  for (const i of c.immunisations.values()) resources.push(tidy(immunization(i, patientId)));
  const observationIds = new Set(c.observations.keys());
  for (const o of c.observations.values()) resources.push(tidy(uncategorisedObservation(o, patientId, observationIds)));
  for (const r of c.referrals.values()) resources.push(tidy(referralRequest(r, patientId, { withContext: true })));
  for (const e of c.diary.values()) resources.push(tidy(diaryProcedureRequest(e, patientId, { withContext: true })));

  // Investigations: each report with everything it holds, once each.
  for (const r of reportResources(c.reports.values(), patientId)) resources.push(tidy(r));

  const lists: Resource[] = [];
  for (const code of secondaryOrder) {
    const entries = c.secondary.get(code) ?? [];
    const confidentialWithheld = c.withheld.has(code);
    if (entries.length === 0 && !confidentialWithheld) continue;
    lists.push(secondaryList(code, {
      patientId,
      now: ctx.now,
      items: entries,
      warnings: listWarnings(recordWarnings, { area: 'problems', confidentialWithheld }),
    }));
  }
  if (c.endedAllergies.size > 0) {
    const ended = [...c.endedAllergies.values()];
    lists.push(primaryList('endedAllergies', {
      patientId,
      now: ctx.now,
      items: ended.map((a) => ({ reference: `#${a.id}` })),
      contained: ended.map((a) => tidy(allergyIntolerance(a, patientId))),
      warnings: listWarnings(recordWarnings, { area: 'allergies', confidentialWithheld: c.withheld.has(endedAllergiesList) }),
    }));
  }

  const returnedItems = [
    ...[...c.encounters.keys()].map((id) => ({ type: 'Encounter', id })),
    ...[...c.statements.values()].map(({ plan }) => ({ type: 'MedicationRequest', id: plan.id })),
    ...[...c.orders.keys()].map((id) => ({ type: 'MedicationRequest', id })),
    ...[...c.activeAllergies.keys(), ...c.endedAllergies.keys()].map((id) => ({ type: 'AllergyIntolerance', id })),
    ...[...c.immunisations.keys()].map((id) => ({ type: 'Immunization', id })),
    ...[...c.observations.keys()].map((id) => ({ type: 'Observation', id })),
    ...[...c.referrals.keys()].map((id) => ({ type: 'ReferralRequest', id })),
    ...[...c.diary.keys()].map((id) => ({ type: 'ProcedureRequest', id })),
    ...[...c.reports.keys()].map((id) => ({ type: 'DiagnosticReport', id })),
  ];
  return { lists, resources, returnedItems };
}
