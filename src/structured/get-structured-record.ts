import { isShareable, type Patient } from '../domain/patient.ts';
import type { StructuredArea } from '../domain/structured-areas.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { ukDate } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { codeSystems, profiles } from '../fhir/systems.ts';
import { patientResource } from '../foundations/patient-resource.ts';
import { locationResource, organizationResource, practitionerResource } from '../foundations/resources.ts';
import type { Handler, HandlerContext } from '../http/handler.ts';
import { findLocationsByIds, findOrganizationsByIds, findPractitionersByIds } from '../store/directory.ts';
import { findPatientByNhsNumber } from '../store/patients.ts';
import type { Db } from '../store/db.ts';
import { readOnce } from '../store/read-once.ts';
import type { AreaContext, AreaResult } from './area.ts';
import { AreaSwitches } from './area-switches.ts';
import { buildAllergies, endedAllergyDisplayOf } from './allergies.ts';
import { buildConsultations } from './consultations.ts';
import { buildDiary } from './diary.ts';
import { buildProblemLinkedItems } from './problem-items.ts';
import { buildImmunisations } from './immunisations.ts';
import { buildInvestigations } from './investigations.ts';
import { buildMedications } from './medications.ts';
import { buildUncategorised } from './uncategorised.ts';
import { buildLinkedProblems, buildProblems, restrictConditionToBundle, type LinkPlaceholder, type ProblemsResult } from './problems.ts';
import { listIdentity, mergeLists } from './merged-lists.ts';
import { buildReferrals } from './referrals.ts';
import { withoutMissingEncounters } from './encounter-references.ts';
import { parseStructuredRequest, type StructuredRequest } from './request.ts';

/** The clinical areas, by request parameter, and their builders, in the order their Lists appear. */
const areaBuilders: { parameter: string; requested: (r: StructuredRequest) => boolean; build: (ctx: AreaContext, r: StructuredRequest) => Promise<AreaResult> }[] = [
  { parameter: 'includeAllergies', requested: (r) => r.allergies !== undefined, build: (ctx, r) => buildAllergies(ctx, r.allergies!) },
  { parameter: 'includeMedication', requested: (r) => r.medication !== undefined, build: (ctx, r) => buildMedications(ctx, r.medication!) },
  { parameter: 'includeConsultations', requested: (r) => r.consultations !== undefined, build: (ctx, r) => buildConsultations(ctx, r.consultations!) },
  { parameter: 'includeProblems', requested: (r) => r.problems !== undefined, build: (ctx, r) => buildProblems(ctx, r.problems!) },
  { parameter: 'includeImmunisations', requested: (r) => r.immunisations !== undefined, build: (ctx, r) => buildImmunisations(ctx, r.immunisations!) },
  { parameter: 'includeUncategorisedData', requested: (r) => r.uncategorised !== undefined, build: (ctx, r) => buildUncategorised(ctx, r.uncategorised!) },
  { parameter: 'includeInvestigations', requested: (r) => r.investigations !== undefined, build: (ctx, r) => buildInvestigations(ctx, r.investigations!) },
  { parameter: 'includeReferrals', requested: (r) => r.referrals !== undefined, build: (ctx, r) => buildReferrals(ctx, r.referrals!) },
  { parameter: 'includeDiaryEntries', requested: (r) => r.diary !== undefined, build: (ctx, r) => buildDiary(ctx, r.diary!) },
];

/**
 * POST [structured base]/Patient/$gpc.getstructuredrecord: the patient's record as a collection
 * Bundle whose id is the Ssp-TraceID — the Patient, the admin resources every reference needs,
 * and a List (with its resources) per requested clinical area.
 */
export const getStructuredRecord: Handler = async (ctx) => {
  const now = ctx.now;
  const request = parseStructuredRequest(ctx.body, { uk: ukDate(now), utc: now.toISOString().slice(0, 10) });
  const patient = await findRecordPatient(ctx, request.nhsNumber);
  // The practice's clinical-area switches apply here only: migrate ignores them (digest §18.3).
  return { resource: await assembleRecord(ctx, patient, request, { disabledAreas: ctx.practice.structuredAreasDisabled }) };
};

/**
 * The patient whose structured record is asked for (get and migrate). Structured digest §6: not
 * found, deceased, left, temporary, unverified and sensitive patients all read as not found;
 * dissent is a 403.
 */
export async function findRecordPatient(ctx: HandlerContext, nhsNumber: string): Promise<Patient> {
  const patient = await findPatientByNhsNumber(ctx.db, ctx.practice.odsCode, nhsNumber);
  if (!patient || !isShareable(patient) || patient.registration.type !== 'R') {
    throw new GpcError('PATIENT_NOT_FOUND', 'No patient with that NHS number has a record shared from this practice');
  }
  ctx.audit.patientId = patient.id;
  if (patient.dissent) throw new GpcError('NO_PATIENT_CONSENT', 'The patient has not consented to sharing their record');
  return patient;
}

interface RecordOptions { includeConfidential?: boolean; disabledAreas?: ReadonlySet<StructuredArea> }

/**
 * The structured record Bundle of `patient` for the areas `request` asks for (its warnings become
 * the bundle's OperationOutcome). `includeConfidential` (migrate with sensitive information)
 * returns confidential items instead of withholding them with confidential-items warnings.
 *
 * A record is some 25 statements: they run in one read-only snapshot, so a record read while
 * `gpc import` replaces it is the old record or the new one, never a mix of both (measured: no
 * slower than reading through the pool).
 */
export function assembleRecord(ctx: HandlerContext, patient: Patient, request: StructuredRequest, options: RecordOptions = {}): Promise<Resource> {
  return ctx.db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return assembleFrom(tx, ctx, patient, request, options);
  });
}

async function assembleFrom(db: Db, ctx: HandlerContext, patient: Patient, request: StructuredRequest, options: RecordOptions): Promise<Resource> {
  const now = ctx.now;
  const practice = ctx.practice.odsCode;
  const areaContext: AreaContext = { db: readOnce(db), practice, patientId: patient.id, today: ukDate(now), now };
  if (options.includeConfidential) areaContext.includeConfidential = true;
  const entries = new Entries();
  entries.add(patientResource(patient, ctx.practice.organizationId));
  const warnings = [...request.warnings].map((parameter) => warning(`${parameter} is an unrecognised parameter`, parameter));
  const switches = new AreaSwitches(options.disabledAreas);
  // Consultations and problems pull in other areas' items: they show those of areas that are off display-only.
  areaContext.switches = switches;
  let primaryProblemIds = new Set<string>();
  const returnedItems: AreaResult['linkedItems'] = [];
  const built = new Set<string>();
  for (const area of areaBuilders) {
    if (!area.requested(request) || switches.refuses(area.parameter)) continue;
    built.add(area.parameter);
    const result = await area.build(areaContext, request);
    for (const resource of [...result.lists, ...result.resources]) entries.add(resource);
    if ('primaryProblemIds' in result) {
      const problems = result as ProblemsResult;
      primaryProblemIds = problems.primaryProblemIds;
      // Digest §9 "Problems": what the matched problems link to comes in, with the related-to-problems lists.
      const links = await switches.problemLinks(areaContext, problems.linkedItems, problems.withheldLinkTypes);
      const items = await buildProblemLinkedItems(areaContext, links.items, links.withheldLinkTypes);
      for (const list of items.lists) entries.add(list);
      // A version an earlier area (consultations) added is kept: it may name Encounters this one does not.
      for (const r of items.resources) if (!entries.inBundle(String(r.resourceType), String(r.id))) entries.add(r);
      returnedItems.push(...items.returnedItems);
    } else returnedItems.push(...result.linkedItems);
  }
  // A Condition's link to an item the bundle holds only contained in a List, or to an item of an
  // area that is off, is display-only (digest §10 REC, §18.3).
  const placeholder: LinkPlaceholder = (type, id, kind) => entries.containedItemDisplay(type, id) ?? switches.placeholder(type, id, kind);
  // Digest §8.3: the problems linked to returned items, in one "linked problems not relating to the
  // primary query" list; then no Condition may point at anything the bundle does not hold.
  if (switches.isOn('problems')) {
    // Problems and consultations read all the patient's problems (shared through readOnce); otherwise only those that can matter are read.
    const readAll = built.has('includeProblems') || built.has('includeConsultations');
    const linked = await buildLinkedProblems(areaContext, returnedItems, entries.inBundle, primaryProblemIds,
      readAll ? { placeholder } : { placeholder, bundleConditionIds: entries.idsOf('Condition') });
    for (const resource of [...linked.lists, ...linked.resources]) entries.add(resource);
  }
  entries.replaceEach('Condition', (condition) => restrictConditionToBundle(condition, entries.inBundle, placeholder));
  // Items recorded in a consultation name its Encounter; without the consultations area the
  // Encounter is not returned (digest §9), so the reference goes rather than dangle.
  entries.replaceEach(undefined, (resource) => withoutMissingEncounters(resource, (id) => entries.inBundle('Encounter', id)));
  await addReferencedAdminResources(areaContext.db, practice, entries);
  warnings.push(...switches.warnings());

  return {
    resourceType: 'Bundle',
    id: ctx.traceId,
    meta: { profile: [profiles.structuredRecordBundle] },
    type: 'collection',
    entry: [...entries.all(), ...(warnings.length > 0 ? [warningsOutcome(warnings)] : [])].map((resource) => ({ resource })),
  };
}

/**
 * The bundle's resources, once each by type and id; and its id-less Lists (primary and secondary),
 * once each by code: a List two areas both build (the Ended allergies list) is merged into one.
 */
class Entries {
  private readonly byKey = new Map<string, Resource>();
  private readonly lists: Resource[] = [];

  add(resource: Resource): void {
    if (resource.id !== undefined) {
      this.byKey.set(`${String(resource.resourceType)}/${String(resource.id)}`, resource);
      return;
    }
    const identity = listIdentity(resource);
    const at = identity === undefined ? -1 : this.lists.findIndex((l) => listIdentity(l) === identity);
    if (at >= 0) this.lists[at] = mergeLists(this.lists[at]!, resource);
    else this.lists.push(resource);
  }

  /**
   * A link placeholder for an item the bundle holds only contained in a List — an ended allergy
   * (digest §10 REC): "Ended allergy: <term>", since no reference to it from outside its List resolves.
   */
  readonly containedItemDisplay: LinkPlaceholder = (type, id) => {
    if (type !== 'AllergyIntolerance') return undefined;
    for (const list of this.lists) {
      const allergy = ((list.contained ?? []) as Resource[]).find((r) => r.resourceType === type && r.id === id);
      if (allergy) return endedAllergyDisplayOf(allergy);
    }
    return undefined;
  };

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  readonly inBundle = (type: string, id: string): boolean => this.byKey.has(`${type}/${id}`);

  /** The ids of the bundle's resources of `type`. */
  idsOf(type: string): string[] {
    return [...this.byKey.values()].filter((r) => r.resourceType === type).map((r) => String(r.id));
  }

  /** Replaces every resource of `type` (every resource, when undefined) with what `replace` makes of it. */
  replaceEach(type: string | undefined, replace: (resource: Resource) => Resource): void {
    for (const [key, resource] of this.byKey) if (type === undefined || resource.resourceType === type) this.byKey.set(key, replace(resource));
  }


  all(): Resource[] {
    // Patient and admin resources first, then Lists, then clinical resources (digest §7: a consistent order).
    const admin = new Set(['Patient', 'Organization', 'Practitioner', 'PractitionerRole', 'Location']);
    const values = [...this.byKey.values()];
    return [...values.filter((r) => admin.has(r.resourceType as string)), ...this.lists, ...values.filter((r) => !admin.has(r.resourceType as string))];
  }
}

/** Loads the practice's directory entries of one type by id, as FHIR resources. */
const adminLoaders: Record<string, (db: AreaContext['db'], practice: string, ids: string[]) => Promise<Resource[]>> = {
  Organization: async (db, practice, ids) => (await findOrganizationsByIds(db, practice, ids)).map(organizationResource),
  Practitioner: async (db, practice, ids) => (await findPractitionersByIds(db, practice, ids)).map(practitionerResource),
  Location: async (db, practice, ids) => (await findLocationsByIds(db, practice, ids)).map(locationResource),
};

/**
 * Closure (digest §7): every Organization, Practitioner and Location a returned resource refers
 * to is in the bundle, and so is whatever those refer to in turn (a Location's managing
 * Organization). One query per type per round.
 */
async function addReferencedAdminResources(db: AreaContext['db'], practice: string, entries: Entries): Promise<void> {
  let scan = entries.all();
  for (let round = 0; round < 3 && scan.length > 0; round++) {
    const wanted = new Set<string>();
    collectReferences(scan, wanted);
    const missing = new Map<string, string[]>();
    for (const key of wanted) {
      if (entries.has(key)) continue;
      const [type, id] = key.split('/') as [string, string];
      missing.set(type, [...(missing.get(type) ?? []), id]);
    }
    const loaded = (await Promise.all([...missing].map(([type, ids]) => adminLoaders[type]!(db, practice, ids)))).flat();
    for (const [type, ids] of missing) {
      const absent = ids.find((id) => !loaded.some((r) => r.resourceType === type && r.id === id));
      if (absent) throw new GpcError('INTERNAL_SERVER_ERROR', `The record refers to ${type}/${absent}, which this practice does not hold`);
    }
    for (const resource of loaded) entries.add(resource);
    // Only what was just added can refer to something not yet looked at.
    scan = loaded;
  }
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, into);
  } else if (value !== null && typeof value === 'object') {
    // for…in rather than Object.entries: this walks every object of the bundle, and the entry
    // arrays were a measurable share of the garbage a full record makes.
    const object = value as Record<string, unknown>;
    for (const key in object) {
      const v = object[key];
      if (key === 'reference' && typeof v === 'string') {
        const m = /^(Organization|Practitioner|Location)\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
        if (m) into.add(`${m[1]}/${m[2]}`);
      } else if (v !== null && typeof v === 'object') collectReferences(v, into);
    }
  }
}


interface Warning { text: string; parameter: string }
const warning = (text: string, parameter: string): Warning => ({ text, parameter });

/** The bundle's one OperationOutcome of warnings (digest §18.4): not-supported / NOT_IMPLEMENTED per issue. */
function warningsOutcome(warnings: Warning[]): Resource {
  return {
    resourceType: 'OperationOutcome',
    id: crypto.randomUUID(),
    meta: { profile: [profiles.operationOutcome] },
    issue: warnings.map((w) => ({
      severity: 'warning',
      code: 'not-supported',
      details: { coding: [{ system: codeSystems.spineErrorOrWarningCode, code: 'NOT_IMPLEMENTED', display: 'Not implemented' }], text: w.text },
      diagnostics: w.parameter,
    })),
  };
}
