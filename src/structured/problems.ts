import type { Coded, Problem, ProblemLink } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientProblems, findProblemIdsLinkedTo, type PatientProblems, type StoredProblem, type StoredProblemLink } from '../store/clinical-problems.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { codeableConcept as coded } from './coded.ts';
import { profiles, structuredExtensions } from './fhir-urls.ts';
import { listWarnings, primaryList, secondaryList } from './lists.ts';
import { unsupportedItemDisplay } from './unsupported-items.ts';

/**
 * Access Record Structured, problems (structured digest §12, lists §8.2/§8.3, confidentiality §18.1):
 *
 * - `buildProblems`: the primary "Problems" list of the problems matching the request's filters,
 *   the Conditions of those problems and of their directly related problems, and (linkedItems)
 *   everything the matched problems link to, for the endpoint to bring in.
 * - `buildLinkedProblems`: once the bundle holds its clinical items, the Conditions linked to them
 *   (and their directly related problems), and the one "Problems - linked problems not relating to
 *   the primary query" list of every Condition in the bundle outside the primary Problems list.
 * - `restrictConditionToBundle`: the endpoint's last pass over the bundle's Conditions, so that no
 *   Condition refers to an item the bundle does not hold.
 *
 * Confidential problems are never returned (the Problems list gets confidential-items when one
 * matched); links to confidential items are never written (no trace), and references to items the
 * bundle does not hold are left out (or written display-only by a placeholder the caller gives:
 * an ended allergy, an item of a clinical area the practice has switched off). A link to a
 * document is always display-only: the provider does not export documents (digest §18.5).
 */

const ukSd = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/';

export const problemExtensions = {
  /** valueReference: the item promoted to this problem. The GPC URL of profile 1.7 (not the hl7.org.uk one of the examples). */
  actualProblem: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ActualProblem-1',
  /** Sub-extensions `target` (valueReference Condition/…) and `type` (valueCode parent | child | sibling). */
  relatedProblemHeader: `${ukSd}Extension-CareConnect-RelatedProblemHeader-1`,
  /** valueReference: one linked item (or consultation) each. */
  relatedClinicalContent: `${ukSd}Extension-CareConnect-RelatedClinicalContent-1`,
  /** valueCode major | minor. */
  problemSignificance: `${ukSd}Extension-CareConnect-ProblemSignificance-1`,
} as const;

export const conditionCategory = {
  system: 'https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-ConditionCategory-1',
  code: 'problem-list-item',
  display: 'Problem List Item',
} as const;

/** Whether the bundle holds a top-level resource of that type and id. */
export type InBundle = (type: string, id: string) => boolean;

/**
 * For an item the problem may show but the bundle does not hold at the top level: the display of a
 * display-only reference (an ended allergy contained in its List, an item of an area that is
 * switched off, §18.3), or undefined to leave the link out. Never asked about confidential items.
 * `kind` is the stored kind of an Observation or ProcedureRequest, when the caller knows it.
 */
export type LinkPlaceholder = (type: string, id: string, kind?: string) => string | undefined;

/** A problem filter pair of `includeProblems` (each part optional). */
export interface ProblemFilter {
  status?: 'active' | 'inactive';
  significance?: 'major' | 'minor';
}

/** What `buildProblems` adds to AreaResult. */
export interface ProblemsResult extends AreaResult {
  /** The ids of the problems in the primary Problems list (pass to buildLinkedProblems). */
  primaryProblemIds: Set<string>;
  /**
   * The types of confidential items the matched problems link to (no ids: they leave no trace).
   * The "Problems - … related to problems" list of each type gets confidential-items.
   */
  withheldLinkTypes: string[];
}

/**
 * The primary Problems list for `filters` (none ⇒ every problem; otherwise problems matching any
 * pair, both parts of a pair when both are given), the matched problems' Conditions plus those of
 * their directly related problems (which are not in the list: the linked-problems list has them),
 * and in linkedItems every item the matched problems link to and the consultations they were
 * recorded in, for the endpoint to return.
 */
export async function buildProblems(ctx: AreaContext, filters: ProblemFilter[]): Promise<ProblemsResult> {
  const [{ problems, withheld }, recordWarnings] = await Promise.all([
    findPatientProblems(ctx.db, ctx.practice, ctx.patientId, { includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  const matches = (p: Problem) =>
    filters.length === 0 ||
    filters.some((f) => (f.status === undefined || f.status === p.status) && (f.significance === undefined || f.significance === p.significance));

  const matched = problems.filter(matches);
  const primaryProblemIds = new Set(matched.map((p) => p.id));
  const related = relatedProblems(problems, primaryProblemIds);
  const returned = [...matched, ...related];
  const conditionIds = new Set(returned.map((p) => p.id));

  const linkedItems: { type: string; id: string }[] = [];
  const linkedKeys = new Set<string>();
  const addLinked = (type: string, id: string) => {
    const key = `${type}/${id}`;
    if (!linkedKeys.has(key)) {
      linkedKeys.add(key);
      linkedItems.push({ type, id });
    }
  };
  const withheldTypes = new Set<string>();
  for (const p of matched) {
    for (const link of p.links) {
      if (link.targetType === 'Condition') continue;
      if (link.state === 'available') addLinked(link.targetType, link.targetId);
      else if (link.state === 'withheld') withheldTypes.add(link.targetType);
    }
    if (p.encounterId) addLinked('Encounter', p.encounterId);
  }

  // The items of the matched problems will be in the bundle; anything else a related problem links
  // to is dropped here unless the endpoint's final pass finds it there (restrictConditionToBundle),
  // or is display-only because its area is switched off (digest §18.3).
  const provisional: InBundle = (type, id) => (type === 'Condition' ? conditionIds.has(id) : linkedKeys.has(`${type}/${id}`));
  const resources = returned.map((p) => conditionResource(p, ctx.patientId, provisional, ctx.switches?.placeholder));

  const lists = [
    primaryList('problems', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: matched.map((p) => ({ reference: `Condition/${p.id}` })),
      warnings: listWarnings(recordWarnings, { area: 'problems', confidentialWithheld: withheld.some(matches) }),
    }),
  ];
  return { lists, resources, linkedItems, primaryProblemIds, withheldLinkTypes: [...withheldTypes].sort() };
}

/**
 * The problems linked to the bundle's clinical items (`linkedItems`, via actual-problem or related
 * links), with their directly related problems, that the bundle does not hold yet; and the one
 * "Problems - linked problems not relating to the primary query" list, whose entries are every
 * Condition of the bundle (these included) outside the primary Problems list. The list is left out
 * when it would be empty, unless a confidential problem that would have been in it was withheld.
 *
 * Call it after every other clinical resource is in the bundle: the new Conditions refer only to
 * items `inBundle` holds (1.6.2: a linked-only problem's own linked content is not brought in).
 * `bundleConditionIds` (every Condition id the bundle holds), when no area of the request read all
 * the patient's problems: only the problems that can matter are read, with the same result.
 */
export async function buildLinkedProblems(
  ctx: AreaContext,
  linkedItems: { type: string; id: string }[],
  inBundle: InBundle,
  primaryProblemIds: Set<string> = new Set(),
  options: { placeholder?: LinkPlaceholder; bundleConditionIds?: Iterable<string> } = {},
): Promise<{ lists: Resource[]; resources: Resource[] }> {
  const includeConfidential = ctx.includeConfidential ?? false;
  let read: Promise<PatientProblems>;
  if (options.bundleConditionIds === undefined) {
    read = findPatientProblems(ctx.db, ctx.practice, ctx.patientId, { includeConfidential });
  } else {
    // Nothing else read every problem: read only those that can matter — the problems linked to
    // the items and their related problems, and the Conditions already in the bundle (the rest
    // could neither come in nor be an entry of the list, nor mark it confidential-items).
    const ids = new Set(await findProblemIdsLinkedTo(ctx.db, ctx.practice, ctx.patientId, linkedItems));
    for (const id of options.bundleConditionIds) ids.add(id);
    for (const id of primaryProblemIds) ids.add(id);
    if (ids.size === 0) return { lists: [], resources: [] };
    read = findPatientProblems(ctx.db, ctx.practice, ctx.patientId, { includeConfidential, problemIds: [...ids].sort() });
  }
  const [{ problems, withheld }, recordWarnings] = await Promise.all([read, patientRecordWarnings(ctx)]);
  const items = new Set(linkedItems.map((i) => `${i.type}/${i.id}`));
  const linksAnItem = (p: StoredProblem) =>
    p.links.some((l) => l.targetType !== 'Condition' && items.has(`${l.targetType}/${l.targetId}`));

  const linked = problems.filter(linksAnItem);
  const linkedIds = new Set(linked.map((p) => p.id));
  const found = [...linked, ...relatedProblems(problems, linkedIds)];
  const added = found.filter((p) => !primaryProblemIds.has(p.id) && !inBundle('Condition', p.id));
  const addedIds = new Set(added.map((p) => p.id));
  const held: InBundle = (type, id) => inBundle(type, id) || (type === 'Condition' && addedIds.has(id));
  const resources = added.map((p) => conditionResource(p, ctx.patientId, held, options.placeholder));

  // Every Condition of the bundle is one of the patient's problems: those held, outside the primary list.
  const entries = problems.filter((p) => !primaryProblemIds.has(p.id) && held('Condition', p.id));
  const returnedIds = new Set(problems.filter((p) => held('Condition', p.id)).map((p) => p.id));
  const confidentialWithheld =
    withheld.some(linksAnItem) ||
    problems.some((p) => returnedIds.has(p.id) && p.links.some((l) => l.targetType === 'Condition' && l.state === 'withheld'));

  const lists: Resource[] = [];
  if (entries.length > 0 || confidentialWithheld) {
    lists.push(secondaryList('problems-linked-problems-not-relating-to-the-primary-query', {
      patientId: ctx.patientId,
      now: ctx.now,
      items: entries.map((p) => ({ reference: `Condition/${p.id}` })),
      warnings: listWarnings(recordWarnings, { area: 'problems', confidentialWithheld }),
    }));
  }
  return { lists, resources };
}

/**
 * The returned problems directly related (relatedProblemHeader, either direction) to the problems
 * of `ids` and not among them, in record order.
 */
function relatedProblems(problems: StoredProblem[], ids: Set<string>): StoredProblem[] {
  const wanted = new Set<string>();
  for (const p of problems) {
    for (const l of p.links) {
      if (l.targetType !== 'Condition' || l.state !== 'available') continue;
      if (ids.has(p.id) && !ids.has(l.targetId)) wanted.add(l.targetId);
      if (ids.has(l.targetId) && !ids.has(p.id)) wanted.add(p.id);
    }
  }
  return problems.filter((p) => wanted.has(p.id));
}

/**
 * The ProblemHeader Condition of a problem (profile CareConnect-GPC-ProblemHeader-Condition-1,
 * digest §12). A link is written only when its target is not withheld and the bundle holds it
 * (`inBundle`), or, for a clinical item, when `placeholder` gives a display for it; a link to a
 * document is always written display-only (unsupportedItemDisplay). The context
 * (the consultation the problem was created in) likewise only when the bundle holds it.
 */
export function conditionResource(
  problem: Problem,
  patientId: string,
  inBundle: InBundle,
  placeholder?: LinkPlaceholder,
): Resource {
  const extension: Resource[] = [];
  const actual: Resource[] = [];
  const headers: Resource[] = [];
  const content: Resource[] = [];
  for (const link of problem.links as (ProblemLink & Partial<Pick<StoredProblemLink, 'state' | 'targetKind'>>)[]) {
    if (link.state !== undefined && link.state !== 'available' && link.state !== 'unsupported') continue;
    if (link.targetType === 'Condition') {
      if (link.targetId === problem.id || !inBundle('Condition', link.targetId)) continue;
      headers.push({
        url: problemExtensions.relatedProblemHeader,
        // target first: the suite reads the sub-extensions in order (suite notes §16 Q2).
        extension: [
          { url: 'target', valueReference: { reference: `Condition/${link.targetId}` } },
          { url: 'type', valueCode: link.relation },
        ],
      });
      continue;
    }
    // A document is never in the bundle: the provider does not export documents (digest §18.5).
    const unsupported = link.state === 'unsupported' ? unsupportedItemDisplay(link.targetType) : undefined;
    const valueReference = unsupported !== undefined
      ? { display: unsupported }
      : itemReference(link.targetType, link.targetId, inBundle, placeholder, link.targetKind);
    if (!valueReference) continue;
    // actualProblem is 0..1: a second promoted item (the table allows it) is related content.
    if (link.relation === 'actual-problem' && actual.length === 0) actual.push({ url: problemExtensions.actualProblem, valueReference });
    else content.push({ url: problemExtensions.relatedClinicalContent, valueReference });
  }
  extension.push(...actual, ...headers, ...content);
  extension.push({ url: problemExtensions.problemSignificance, valueCode: problem.significance });

  const resource: Resource = {
    resourceType: 'Condition',
    id: problem.id,
    meta: { profile: [profiles.problemHeader] },
    extension,
    identifier: problem.identifiers.map((i) => ({ system: i.system, value: i.value })),
    clinicalStatus: problem.status,
    category: [{ coding: [{ ...conditionCategory }] }],
    code: codeableConcept(problem.code),
    subject: { reference: `Patient/${patientId}` },
  };
  if (problem.encounterId && inBundle('Encounter', problem.encounterId)) resource.context = { reference: `Encounter/${problem.encounterId}` };
  if (problem.onsetAt) resource.onsetDateTime = ukDateTime(problem.onsetAt);
  if (problem.abatedAt) resource.abatementDateTime = ukDateTime(problem.abatedAt);
  resource.assertedDate = ukDateTime(problem.assertedAt);
  // The suite dereferences asserter.reference (suite notes §16 Q4): the asserter is always a practitioner of the directory.
  resource.asserter = { reference: `Practitioner/${problem.asserterId}` };
  const notes = problem.notes.filter((n) => n.text.trim() !== '');
  if (notes.length > 0) {
    resource.note = notes.map((n) => {
      const note: Resource = {};
      if (n.authorId) note.authorReference = { reference: `Practitioner/${n.authorId}` };
      if (n.time) note.time = n.time;
      note.text = n.text;
      return note;
    });
  }
  return resource;
}

function itemReference(type: string, id: string, inBundle: InBundle, placeholder?: LinkPlaceholder, kind?: string): Resource | undefined {
  if (inBundle(type, id)) return { reference: `${type}/${id}` };
  const display = placeholder?.(type, id, kind);
  return display ? { display } : undefined;
}

const referenceExtensions = new Set<string>([problemExtensions.actualProblem, problemExtensions.relatedClinicalContent]);

/**
 * A Condition with every reference to a resource the bundle does not hold removed (or made
 * display-only by `placeholder`): the endpoint's last pass, once the bundle is complete, over the
 * Conditions built before every item was in (buildProblems' related problems, or matched problems
 * whose items the endpoint could not return). Other resources are returned unchanged.
 */
export function restrictConditionToBundle(condition: Resource, inBundle: InBundle, placeholder?: LinkPlaceholder): Resource {
  if (condition.resourceType !== 'Condition') return condition;
  const out: Resource = { ...condition };
  const extension: Resource[] = [];
  for (const e of (condition.extension as Resource[] | undefined) ?? []) {
    if (referenceExtensions.has(e.url as string)) {
      const ref = (e.valueReference as { reference?: string } | undefined)?.reference;
      const m = ref === undefined ? undefined : /^([A-Za-z]+)\/(.+)$/.exec(ref);
      if (!m) {
        extension.push(e);
        continue;
      }
      const valueReference = itemReference(m[1]!, m[2]!, inBundle, placeholder);
      if (valueReference) extension.push({ ...e, valueReference });
    } else if (e.url === problemExtensions.relatedProblemHeader) {
      const target = ((e.extension as Resource[] | undefined) ?? []).find((s) => s.url === 'target');
      const m = /^Condition\/(.+)$/.exec(((target?.valueReference as { reference?: string } | undefined)?.reference) ?? '');
      if (m && inBundle('Condition', m[1]!)) extension.push(e);
    } else {
      extension.push(e);
    }
  }
  out.extension = extension;
  const context = (condition.context as { reference?: string } | undefined)?.reference;
  const m = context === undefined ? undefined : /^Encounter\/(.+)$/.exec(context);
  if (m && !inBundle('Encounter', m[1]!)) delete out.context;
  return out;
}

// The Condition profile names the fhir.hl7.org.uk sctdescid extension.
function codeableConcept(c: Coded): Resource {
  return coded(c, structuredExtensions.codingSctDescIdUk);
}
