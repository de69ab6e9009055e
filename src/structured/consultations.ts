import type {
  Allergy, ConsultationSection, Encounter, Immunisation, Medication, MedicationRequest, MedicationStatement, Observation,
  ProcedureRequest, Referral,
} from '../domain/clinical.ts';
import type { StructuredArea } from '../domain/structured-areas.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientAllergies } from '../store/clinical-allergies.ts';
import { findObservationsByIds, findPatientConsultations, findProcedureRequestsByIds, type StoredConsultation } from '../store/clinical-consultations.ts';
import { findPatientImmunisations } from '../store/clinical-immunisations.ts';
import { findPatientMedications } from '../store/clinical-medications.ts';
import { findPatientProblems, type StoredProblem } from '../store/clinical-problems.ts';
import { findPatientReferrals } from '../store/clinical-referrals.ts';
import { allergyIntolerance, endedAllergyDisplay } from './allergies.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { CollectedItems } from './collected-items.ts';
import { procedureAsText } from './consultation-text-items.ts';
import { withoutMissingEncounters } from './encounter-references.ts';
import { diaryProcedureRequest } from './diary.ts';
import { profiles, structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';
import { immunization } from './immunisations.ts';
import { findItemReports, reportResources, type HeldReport, type ItemReports } from './linked-reports.ts';
import { listWarnings, primaryList, secondaryList, type ListItem, type SecondaryListCode } from './lists.ts';
import { medicationRequestResource, medicationResource, medicationStatementResource } from './medications.ts';
import { conditionResource, problemExtensions, type LinkPlaceholder } from './problems.ts';
import { codeableConcept, referralRequest } from './referrals.ts';
import { uncategorisedObservation } from './uncategorised.ts';
import { unsupportedItemDisplay } from './unsupported-items.ts';

/**
 * Access Record Structured, consultations (structured digest §13, §5.2, lists §8.2/§8.3, §9, §18.1):
 *
 * - "List of consultations" (1149501000000101): one `Encounter/<id>` per returned consultation,
 *   most recent first. consultationSearchPeriod: started on or after its start, ended (else
 *   started) on or before its end; includeNumberOfMostRecent: the N most recent by start.
 * - Per consultation: its Encounter and its structure — a Consultation List → Topic Lists →
 *   Heading Lists → clinical items (or a flat topic → items). Structure lists have ids, an
 *   `encounter`, a `date` (the consultation's last-modified time) and orderedBy `system`, and never
 *   carry warnings. Topics carry relatedProblemHeader (target only) for the problems they — or
 *   their headings — are about; those problems' Conditions are returned.
 * - Every clinical item of a returned consultation is returned, built by its own area's builder
 *   (whatever other parameters say): medications as statement + plan + Medication (an issue only
 *   when it is itself in the consultation; lists name the plan or issue as the consultation does);
 *   active allergies top level; ended allergies contained in an "Ended allergies" list (display-only
 *   references elsewhere); immunisations; uncategorised observations and comment notes; referrals;
 *   active diary entries; investigations — a report, one of its test group / result / filing comment
 *   observations, or the test request it answers — as `DiagnosticReport/<id>` with the whole report
 *   (test request, specimens, observations; linked-reports.ts).
 * - Completed diary entries and test requests no report answers are returned as text: a comment
 *   note Observation (consultation-text-items.ts). Cancelled diary entries are not returned.
 * - Documents are out of scope (Access Record Structured does not return DocumentReference): a
 *   display-only "Documents items are not supported by the provider system" stands in for them.
 * - Areas the practice has switched off (digest §18.3; AreaSwitches): an item of such an area is
 *   a display-only "<Area> items have been disabled" in the structure Lists, is not returned, and
 *   has no "Consultations - …" list; the area is warned about in the OperationOutcome. With
 *   problems off, a topic's relatedProblemHeader target is that display and no Condition comes in.
 *   A confidential item of an area that is off leaves no trace (§18.1). Comment notes, completed
 *   diary entries and unanswered test requests returned as text are the consultation's own text,
 *   not items of another area (digest §13, §15), and stay.
 * - "Consultations - … contained in consultations" lists, one per area with items (medications by
 *   `MedicationStatement/<id>`), or with a confidential item withheld.
 * - Confidential consultations are left out (confidential-items on the primary list); confidential
 *   items leave no trace in the structure (confidential-items on the matching secondary list).
 *   Empty headings, topics and consultations are left out.
 *
 * References out of the area: Practitioner, Organization, Location (the endpoint's closure adds
 * them). Every other reference resolves among the returned resources; an item's reference to a
 * consultation not returned is removed.
 */
export async function buildConsultations(
  ctx: AreaContext,
  options: { period?: { start?: string; end?: string }; mostRecent?: number },
): Promise<AreaResult> {
  const [{ consultations, withheld }, recordWarnings] = await Promise.all([
    findPatientConsultations(ctx.db, ctx.practice, ctx.patientId, {
      ...(options.period && { period: options.period }),
      ...(options.mostRecent !== undefined && { mostRecent: options.mostRecent }),
      includeConfidential: ctx.includeConfidential ?? false,
    }),
    patientRecordWarnings(ctx),
  ]);
  const items = await loadItems(ctx, consultations);
  const collected = new Collected();
  const structure: Resource[] = [];
  const returnedConsultations: StoredConsultation[] = [];
  const disabled: DisabledDisplay = (area) => ctx.switches?.disabledItemDisplay(area);
  for (const c of consultations) {
    const lists = consultationStructure(c, ctx.patientId, items, collected, disabled);
    if (lists.length === 0) continue;
    returnedConsultations.push(c);
    structure.push(...lists);
  }

  const encounterIds = new Set(returnedConsultations.map((c) => c.id));
  const held = collected.keys(encounterIds);
  const inBundle = (type: string, id: string) => held.has(`${type}/${id}`);
  const tidy = (r: Resource) => withoutMissingEncounters(r, (id) => encounterIds.has(id));

  const resources: Resource[] = returnedConsultations.map((c) => encounterResource(c, ctx.patientId));
  // An ended allergy is contained in the Ended allergies list: a problem names it by display only;
  // so too an item of an area that is off.
  const placeholder: LinkPlaceholder = (type, id, kind) => {
    const a = type === 'AllergyIntolerance' ? collected.endedAllergies.get(id) : undefined;
    return a ? endedAllergyDisplay(a) : ctx.switches?.placeholder(type, id, kind);
  };
  resources.push(...[...collected.problems.values()].map((p) => conditionResource(p, ctx.patientId, inBundle, placeholder)));
  const returnedPlans = new Map([...collected.statements.values()].map(({ plan }) => [plan.id, plan]));
  for (const { statement, plan } of collected.statements.values()) {
    resources.push(tidy(medicationStatementResource(statement, plan, ctx.patientId)));
    resources.push(tidy(medicationRequestResource(plan, ctx.patientId, returnedPlans)));
  }
  for (const o of collected.orders.values()) resources.push(tidy(medicationRequestResource(o, ctx.patientId, returnedPlans)));
  for (const m of collected.medications.values()) resources.push(medicationResource(m));
  for (const a of collected.activeAllergies.values()) resources.push(tidy(allergyIntolerance(a, ctx.patientId)));
  for (const i of collected.immunisations.values()) resources.push(tidy(immunization(i, ctx.patientId)));
  const observationIds = new Set(collected.observations.keys());
  for (const o of collected.observations.values()) resources.push(tidy(uncategorisedObservation(o, ctx.patientId, observationIds)));
  for (const r of collected.referrals.values()) resources.push(tidy(referralRequest(r, ctx.patientId, { withContext: true })));
  for (const e of collected.diary.values()) resources.push(tidy(diaryProcedureRequest(e, ctx.patientId, { withContext: true })));
  for (const r of reportResources(collected.reports.values(), ctx.patientId)) resources.push(tidy(r));
  for (const o of collected.textItems.values()) resources.push(uncategorisedObservation(o, ctx.patientId, new Set()));

  const lists: Resource[] = [
    primaryList('consultations', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: returnedConsultations.map((c) => ({ reference: `Encounter/${c.id}` })),
      warnings: listWarnings(recordWarnings, { area: 'consultations', confidentialWithheld: withheld > 0 }),
    }),
  ];
  if (collected.endedAllergies.size > 0) {
    const ended = [...collected.endedAllergies.values()];
    lists.push(primaryList('endedAllergies', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: ended.map((a) => ({ reference: `#${a.id}` })),
      contained: ended.map((a) => tidy(allergyIntolerance(a, ctx.patientId))),
      warnings: listWarnings(recordWarnings, { area: 'allergies', confidentialWithheld: collected.withheld.has(endedAllergiesList) }),
    }));
  }
  for (const code of secondaryOrder) {
    const entries = collected.secondary.get(code) ?? [];
    const confidentialWithheld = collected.withheld.has(code);
    if (entries.length === 0 && !confidentialWithheld) continue;
    lists.push(secondaryList(code, {
      patientId: ctx.patientId,
      now: ctx.now,
      items: entries,
      warnings: listWarnings(recordWarnings, { area: 'consultations', confidentialWithheld }),
    }));
  }
  lists.push(...structure);

  const linkedItems = [
    ...returnedConsultations.map((c) => ({ type: 'Encounter', id: c.id })),
    ...[...collected.statements.values()].map(({ plan }) => ({ type: 'MedicationRequest', id: plan.id })),
    ...[...collected.orders.keys()].map((id) => ({ type: 'MedicationRequest', id })),
    ...[...collected.activeAllergies.keys(), ...collected.endedAllergies.keys()].map((id) => ({ type: 'AllergyIntolerance', id })),
    ...[...collected.immunisations.keys()].map((id) => ({ type: 'Immunization', id })),
    ...[...collected.observations.keys()].map((id) => ({ type: 'Observation', id })),
    ...[...collected.referrals.keys()].map((id) => ({ type: 'ReferralRequest', id })),
    ...[...collected.diary.keys()].map((id) => ({ type: 'ProcedureRequest', id })),
    ...[...collected.reports.keys()].map((id) => ({ type: 'DiagnosticReport', id })),
  ];
  return { lists, resources, linkedItems };
}

// ---- Codes ----

const snomed = structuredCodeSystems.snomed;
const structureCodes = {
  consultation: { system: snomed, code: '325851000000107', display: 'Consultation' },
  topic: { system: snomed, code: '25851000000105', display: 'Topic (EHR)' },
  heading: { system: snomed, code: '24781000000107', display: 'Category (EHR)' },
} as const;

export const participantTypes = {
  recorder: { system: 'https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-ParticipantType-1', code: 'REC', display: 'recorder' },
  primaryPerformer: { system: 'http://hl7.org/fhir/v3/ParticipationType', code: 'PPRF', display: 'primary performer' },
} as const;

/**
 * The display that stands in for an item of `area` when the practice has switched that area off
 * (the area is then warned about), or undefined when the area is on (AreaSwitches.disabledItemDisplay).
 */
type DisabledDisplay = (area: StructuredArea) => string | undefined;

/** Where withheld ended allergies are flagged (the Ended allergies primary list). */
const endedAllergiesList = 'ended-allergies';

/** The order of the secondary lists in the result (digest §8.3 table order). */
const secondaryOrder: SecondaryListCode[] = [
  'consultations-allergies-contained-in-consultations',
  'consultations-allergies-that-have-been-ended-contained-in-consultations',
  'consultations-diary-entries-contained-in-consultations',
  'consultations-immunisations-contained-in-consultations',
  'consultations-investigations-contained-in-consultations',
  'consultations-medications-contained-in-consultations',
  'consultations-outbound-referrals-in-consultations',
  'consultations-problems-contained-in-consultations',
  'consultations-uncategorised-data-contained-in-consultations',
];

// ---- Loading the items of the consultations ----

interface Items {
  allergies: Map<string, Allergy>;
  /** Plans and issues by id; each plan's statement by plan id. */
  requests: Map<string, MedicationRequest>;
  statementByPlan: Map<string, MedicationStatement>;
  medications: Map<string, Medication>;
  immunisations: Map<string, Immunisation>;
  observations: Map<string, Observation>;
  referrals: Map<string, Referral>;
  /** Diary entries (any status) and test requests. */
  procedures: Map<string, ProcedureRequest>;
  /** The reports of the investigation items (reports, their observations, their test requests). */
  reports: ItemReports;
  problems: Map<string, StoredProblem>;
  withheldProblems: Set<string>;
  /** Migrate with sensitive information: confidential items are returned like any other. */
  includeConfidential: boolean;
}

/** Every item the consultations hold, read through the owning areas' stores (confidential ones included, and flagged). */
async function loadItems(ctx: AreaContext, consultations: StoredConsultation[]): Promise<Items> {
  const idsOf = (type: string) => consultations.flatMap((c) => c.sections.flatMap((s) => s.items.filter((i) => i.type === type).map((i) => i.id)));
  const has = (type: string) => idsOf(type).length > 0;
  const hasProblems = consultations.some((c) => c.sections.some((s) => s.relatedProblemId));
  const { db, practice, patientId } = ctx;
  const [allergies, medications, immunisations, observations, referrals, procedures, problems] = await Promise.all([
    has('AllergyIntolerance') ? findPatientAllergies(db, practice, patientId, { includeResolved: true, includeConfidential: true }) : undefined,
    has('MedicationRequest') ? findPatientMedications(db, practice, patientId, { includeIssues: true, includeConfidential: true }) : undefined,
    has('Immunization') ? findPatientImmunisations(db, practice, patientId, { includeNotGiven: true, includeConfidential: true }) : undefined,
    findObservationsByIds(db, practice, patientId, idsOf('Observation')),
    has('ReferralRequest') ? findPatientReferrals(db, practice, patientId, { includeConfidential: true }) : undefined,
    findProcedureRequestsByIds(db, practice, patientId, idsOf('ProcedureRequest')),
    hasProblems ? findPatientProblems(db, practice, patientId, { includeConfidential: ctx.includeConfidential ?? false }) : undefined,
  ]);
  // Investigations are read only when an item is one: a report, one of its observations, a test request.
  const reports = await findItemReports(ctx, {
    reports: idsOf('DiagnosticReport'),
    observations: observations.filter((o) => o.kind !== 'uncategorised' && o.kind !== 'narrative').map((o) => o.id),
    requests: procedures.filter((p) => p.kind === 'test-request').map((p) => p.id),
  });
  const byId = <T extends { id: string }>(xs: readonly T[] | undefined) => new Map((xs ?? []).map((x) => [x.id, x]));
  return {
    allergies: byId(allergies?.allergies),
    requests: byId([...(medications?.plans ?? []), ...(medications?.orders ?? [])]),
    statementByPlan: new Map((medications?.statements ?? []).map((s) => [s.planId, s])),
    medications: byId(medications?.medications),
    immunisations: byId(immunisations?.immunisations),
    observations: byId(observations),
    referrals: byId(referrals?.referrals),
    procedures: byId(procedures),
    reports,
    problems: byId(problems?.problems),
    withheldProblems: new Set((problems?.withheld ?? []).map((p) => p.id)),
    includeConfidential: ctx.includeConfidential ?? false,
  };
}

// ---- What the returned structure holds ----

/** The items (and problems) the returned consultations reference, once each, and the secondary lists' entries. */
class Collected extends CollectedItems {
  readonly problems = new Map<string, StoredProblem>();
  /** Investigations, by report id, each with everything it holds. */
  readonly reports = new Map<string, HeldReport>();
  /** Completed diary entries and unanswered test requests, as comment-note Observations (by item id). */
  readonly textItems = new Map<string, Observation>();

  /** `Type/id` of every top-level resource the area returns. */
  keys(encounterIds: ReadonlySet<string>): Set<string> {
    const keys = new Set<string>([...encounterIds].map((id) => `Encounter/${id}`));
    const add = (type: string, ids: Iterable<string>) => { for (const id of ids) keys.add(`${type}/${id}`); };
    for (const { statement, plan } of this.statements.values()) {
      keys.add(`MedicationStatement/${statement.id}`);
      keys.add(`MedicationRequest/${plan.id}`);
    }
    add('MedicationRequest', this.orders.keys());
    add('Medication', this.medications.keys());
    add('AllergyIntolerance', this.activeAllergies.keys());
    add('Immunization', this.immunisations.keys());
    add('Observation', this.observations.keys());
    add('ReferralRequest', this.referrals.keys());
    add('ProcedureRequest', this.diary.keys());
    add('Condition', this.problems.keys());
    add('Observation', this.textItems.keys());
    for (const { closure } of this.reports.values()) {
      add('Observation', closure.observations);
      add('Specimen', closure.specimens);
      add('ProcedureRequest', closure.requests);
    }
    add('DiagnosticReport', this.reports.keys());
    return keys;
  }
}

/**
 * What one consultation item becomes in the structure lists: a reference, a display-only
 * placeholder, or nothing (withheld, or not an item retrieval returns). Records what is returned.
 */
function resolveItem(
  item: ConsultationSection['items'][number],
  c: StoredConsultation,
  items: Items,
  collected: Collected,
  disabled: DisabledDisplay,
): ListItem | undefined {
  const withhold = (code: string) => { collected.withheld.add(code); return undefined; };
  const secret = (confidential: boolean) => confidential && !items.includeConfidential;
  // An item of an area that is off is display-only; a confidential one leaves no trace, nor marks
  // a list (its area's secondary list is not sent). Either way nothing is returned or collected.
  const switchedOff = (display: string, confidential: boolean): ListItem | undefined => (secret(confidential) ? undefined : { display });
  const investigations: SecondaryListCode = 'consultations-investigations-contained-in-consultations';
  // An investigation is its report (digest §9), returned whole; a confidential report (or the
  // consultation's confidential element of one) leaves no trace.
  const report = (key: string, confidentialItem = false): ListItem | undefined => {
    const reportId = items.reports.reportOf.get(key);
    const held = reportId === undefined ? undefined : items.reports.returned.get(reportId);
    const off = disabled('investigations');
    if (off) return held ? switchedOff(off, confidentialItem) : undefined;
    if (secret(confidentialItem)) return withhold(investigations);
    if (reportId === undefined) return undefined;
    if (!held) return withhold(investigations);
    if (held.partlyWithheld) collected.withheld.add(investigations);
    collected.reports.set(reportId, held);
    collected.addSecondary(investigations, { reference: `DiagnosticReport/${reportId}` });
    return { reference: `DiagnosticReport/${reportId}` };
  };
  switch (item.type) {
    case 'MedicationRequest': {
      const request = items.requests.get(item.id);
      if (!request) return undefined;
      const plan = request.intent === 'plan' ? request : request.planId ? items.requests.get(request.planId) : undefined;
      const statement = plan && items.statementByPlan.get(plan.id);
      if (!plan || !statement) return undefined;
      const confidential = request.confidential || plan.confidential || statement.confidential;
      const off = disabled('medication');
      if (off) return switchedOff(off, confidential);
      if (secret(confidential)) return withhold('consultations-medications-contained-in-consultations');
      collected.statements.set(statement.id, { statement, plan });
      if (request.intent === 'order') collected.orders.set(request.id, request);
      for (const id of [statement.medicationId, plan.medicationId, request.medicationId]) {
        const m = items.medications.get(id);
        if (m) collected.medications.set(id, m);
      }
      collected.addSecondary('consultations-medications-contained-in-consultations', { reference: `MedicationStatement/${statement.id}` });
      return { reference: `MedicationRequest/${request.id}` };
    }
    case 'AllergyIntolerance': {
      const a = items.allergies.get(item.id);
      if (!a) return undefined;
      const off = disabled('allergies');
      if (off) return switchedOff(off, a.confidential);
      const ended = a.clinicalStatus === 'resolved';
      const code: SecondaryListCode = ended
        ? 'consultations-allergies-that-have-been-ended-contained-in-consultations'
        : 'consultations-allergies-contained-in-consultations';
      if (secret(a.confidential)) {
        if (ended) collected.withheld.add(endedAllergiesList);
        return withhold(code);
      }
      if (ended) {
        // Contained in the Ended allergies list only: elsewhere named by display (digest §10 REC).
        collected.endedAllergies.set(a.id, a);
        const display = { display: endedAllergyDisplay(a) };
        collected.addSecondary(code, display);
        return display;
      }
      collected.activeAllergies.set(a.id, a);
      collected.addSecondary(code, { reference: `AllergyIntolerance/${a.id}` });
      return { reference: `AllergyIntolerance/${a.id}` };
    }
    case 'Immunization': {
      const i = items.immunisations.get(item.id);
      if (!i) return undefined;
      const off = disabled('immunisations');
      if (off) return switchedOff(off, i.confidential);
      if (secret(i.confidential)) return withhold('consultations-immunisations-contained-in-consultations');
      collected.immunisations.set(i.id, i);
      collected.addSecondary('consultations-immunisations-contained-in-consultations', { reference: `Immunization/${i.id}` });
      return { reference: `Immunization/${i.id}` };
    }
    case 'Observation': {
      const o = items.observations.get(item.id);
      if (!o) return undefined;
      const uncategorised = o.kind === 'uncategorised';
      // A test group, result or filing comment: the consultation names its report.
      if (!uncategorised && o.kind !== 'narrative') return report(`Observation/${o.id}`, o.confidential);
      // A comment note is the consultation's own text, not uncategorised data (digest §15).
      const off = uncategorised ? disabled('uncategorised') : undefined;
      if (off) return switchedOff(off, o.confidential);
      if (secret(o.confidential)) return withhold('consultations-uncategorised-data-contained-in-consultations');
      collected.observations.set(o.id, o);
      if (uncategorised) collected.addSecondary('consultations-uncategorised-data-contained-in-consultations', { reference: `Observation/${o.id}` });
      return { reference: `Observation/${o.id}` };
    }
    case 'ReferralRequest': {
      const r = items.referrals.get(item.id);
      if (!r) return undefined;
      const off = disabled('referrals');
      if (off) return switchedOff(off, r.confidential);
      if (secret(r.confidential)) return withhold('consultations-outbound-referrals-in-consultations');
      collected.referrals.set(r.id, r);
      collected.addSecondary('consultations-outbound-referrals-in-consultations', { reference: `ReferralRequest/${r.id}` });
      return { reference: `ReferralRequest/${r.id}` };
    }
    case 'ProcedureRequest': {
      const p = items.procedures.get(item.id);
      if (!p) return undefined;
      const diary: SecondaryListCode = 'consultations-diary-entries-contained-in-consultations';
      if (p.kind === 'diary' && p.status === 'active') {
        const off = disabled('diary');
        if (off) return switchedOff(off, p.confidential);
        if (secret(p.confidential)) return withhold(diary);
        collected.diary.set(p.id, p);
        collected.addSecondary(diary, { reference: `ProcedureRequest/${p.id}` });
        return { reference: `ProcedureRequest/${p.id}` };
      }
      // A test request a report answers is that investigation.
      if (p.kind === 'test-request' && items.reports.reportOf.has(`ProcedureRequest/${p.id}`)) {
        return report(`ProcedureRequest/${p.id}`, p.confidential);
      }
      // The spec returns completed diary entries as text; a cancelled one is not returned.
      if (p.kind === 'diary' && p.status !== 'completed') return undefined;
      if (secret(p.confidential)) return withhold(p.kind === 'diary' ? diary : investigations);
      collected.textItems.set(p.id, procedureAsText(p, c));
      return { reference: `Observation/${p.id}` };
    }
    case 'DiagnosticReport':
      return report(`DiagnosticReport/${item.id}`);
    case 'DocumentReference':
      return { display: unsupportedItemDisplay('DocumentReference')! };
  }
}

/**
 * The structure Lists of one consultation (consultation list first, then topics, then headings),
 * or none when nothing in it may be returned. A consultation whose items sit directly on its
 * consultation section gets one artificial topic.
 */
function consultationStructure(c: StoredConsultation, patientId: string, items: Items, collected: Collected, disabled: DisabledDisplay): Resource[] {
  const root = c.sections.find((s) => s.kind === 'consultation');
  if (!root) return [];
  const children = (parent: ConsultationSection, kind: ConsultationSection['kind']) =>
    c.sections.filter((s) => s.kind === kind && s.parentId === parent.id);
  // Each entry once per list: a report and one of its results in one heading are both the report;
  // two items of an area that is off are one "<Area> items have been disabled".
  const resolve = (s: ConsultationSection) => {
    const entries = s.items.flatMap((i) => resolveItem(i, c, items, collected, disabled) ?? []);
    const keys = entries.map((e) => JSON.stringify(e));
    return entries.filter((_, i) => keys.indexOf(keys[i]!) === i);
  };
  const list = (id: string, code: (typeof structureCodes)[keyof typeof structureCodes], title: string | undefined, entries: ListItem[], extension?: Resource[]) =>
    structureList(c, patientId, { id, code, title, entries, extension });

  const topics: ConsultationSection[] = [...children(root, 'topic')];
  if (root.items.length > 0) {
    topics.unshift({ id: `${root.id}-topic`, encounterId: c.id, kind: 'topic', parentId: root.id, position: -1, items: root.items });
  }
  const topicLists: Resource[] = [];
  const headingLists: Resource[] = [];
  for (const topic of topics) {
    const entries: ListItem[] = [];
    const problemIds: string[] = topic.relatedProblemId ? [topic.relatedProblemId] : [];
    for (const heading of children(topic, 'heading')) {
      const headingEntries = resolve(heading);
      if (headingEntries.length === 0) continue;
      headingLists.push(list(heading.id, structureCodes.heading, heading.title, headingEntries));
      entries.push({ reference: `List/${heading.id}` });
      if (heading.relatedProblemId && !problemIds.includes(heading.relatedProblemId)) problemIds.push(heading.relatedProblemId);
    }
    entries.push(...resolve(topic));
    if (entries.length === 0) continue;
    const extension: Resource[] = [];
    for (const id of problemIds) {
      const problem = items.problems.get(id);
      const off = problem || items.withheldProblems.has(id) ? disabled('problems') : undefined;
      if (off) {
        // Problems off (digest §18.3): the topic still says it was about a problem, display-only;
        // no Condition comes in. A confidential problem leaves no trace.
        if (problem) extension.push({ url: problemExtensions.relatedProblemHeader, extension: [{ url: 'target', valueReference: { display: off } }] });
      } else if (problem) {
        collected.problems.set(id, problem);
        collected.addSecondary('consultations-problems-contained-in-consultations', { reference: `Condition/${id}` });
        // target only: the suite reads the sub-extensions in order as references (suite notes §16 Q2).
        extension.push({ url: problemExtensions.relatedProblemHeader, extension: [{ url: 'target', valueReference: { reference: `Condition/${id}` } }] });
      } else if (items.withheldProblems.has(id)) {
        collected.withheld.add('consultations-problems-contained-in-consultations');
      }
    }
    topicLists.push(list(topic.id, structureCodes.topic, topic.title, entries, extension));
  }
  if (topicLists.length === 0) return [];
  const consultationList = list(root.id, structureCodes.consultation, root.title ?? encounterTitle(c), topicLists.map((t) => ({ reference: `List/${String(t.id)}` })));
  return [consultationList, ...topicLists, ...headingLists];
}

/** A consultation, topic or heading List (digest §13): id, encounter, date and orderedBy; no warnings or notes. */
function structureList(
  c: Encounter,
  patientId: string,
  l: { id: string; code: { system: string; code: string; display: string }; title?: string; entries: ListItem[]; extension?: Resource[] },
): Resource {
  const list: Resource = { resourceType: 'List', id: l.id, meta: { profile: [profiles.list] } };
  if (l.extension && l.extension.length > 0) list.extension = l.extension;
  list.status = 'current';
  list.mode = 'snapshot';
  if (l.title) list.title = l.title;
  list.code = { coding: [{ ...l.code }] };
  list.subject = { reference: `Patient/${patientId}` };
  list.encounter = { reference: `Encounter/${c.id}` };
  list.date = ukDateTime(c.recordedAt);
  list.orderedBy = { coding: [{ system: structuredCodeSystems.listOrder, code: 'system', display: 'Sorted by System' }] };
  list.entry = l.entries.map((item) => ({ item: { ...item } }));
  return list;
}

/** The consultation type as shown: its text, else its first coding's display. */
function encounterTitle(c: Encounter): string {
  return c.type.text ?? c.type.coding?.find((x) => x.display)?.display ?? 'Consultation';
}

/** The Encounter of a consultation (profile CareConnect-GPC-Encounter-1, digest §13). */
export function encounterResource(c: Encounter, patientId: string): Resource {
  const resource: Resource = {
    resourceType: 'Encounter',
    id: c.id,
    meta: { profile: [profiles.encounter] },
  };
  resource.identifier = c.identifiers.map((i) => ({ system: i.system, value: i.value }));
  resource.status = c.status;
  resource.type = [codeableConcept(c.type, structuredExtensions.codingSctDescIdUk)];
  resource.subject = { reference: `Patient/${patientId}` };
  const participant: Resource[] = [{ type: [{ coding: [{ ...participantTypes.recorder }] }], individual: { reference: `Practitioner/${c.recorderId}` } }];
  if (c.performerId) participant.push({ type: [{ coding: [{ ...participantTypes.primaryPerformer }] }], individual: { reference: `Practitioner/${c.performerId}` } });
  resource.participant = participant;
  resource.period = c.period.end ? { start: ukDateTime(c.period.start), end: ukDateTime(c.period.end) } : { start: ukDateTime(c.period.start) };
  if (c.period.end) {
    const minutes = Math.round((c.period.end.getTime() - c.period.start.getTime()) / 60000);
    resource.length = { value: minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' };
  }
  if (c.locationId) resource.location = [{ location: { reference: `Location/${c.locationId}` } }];
  if (c.serviceProviderId) resource.serviceProvider = { reference: `Organization/${c.serviceProviderId}` };
  return resource;
}
