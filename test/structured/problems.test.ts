import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Resource } from '../../src/fhir/datatypes.ts';
import { findPatientProblems } from '../../src/store/clinical-problems.ts';
import {
  buildLinkedProblems, buildProblems, conditionResource, restrictConditionToBundle,
  type ProblemFilter, type ProblemsResult,
} from '../../src/structured/problems.ts';
import { type Json, A, B, confidentialNote, describeStoreLevel, emptyReason, listProfile, noteTexts, sd, snomed, today, warningCodes, patient2Problems } from './support.ts';

/**
 * The problems area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): the primary Problems list and its Conditions (digest §12, suite notes §13.5), and the
 * problems linked to the bundle's other items with the one "Problems - linked problems not relating
 * to the primary query" list (digest §8.3).
 */


const ukSd = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/';
const conditionProfile = `${sd}CareConnect-GPC-ProblemHeader-Condition-1`;
const significanceUrl = `${ukSd}Extension-CareConnect-ProblemSignificance-1`;
const relatedContentUrl = `${ukSd}Extension-CareConnect-RelatedClinicalContent-1`;
const relatedProblemUrl = `${ukSd}Extension-CareConnect-RelatedProblemHeader-1`;
const actualProblemUrl = `${sd}Extension-CareConnect-GPC-ActualProblem-1`;
const linkedCode = 'problems-linked-problems-not-relating-to-the-primary-query';
const linkedTitle = 'Problems - linked problems not relating to the primary query';

const P = patient2Problems;

// Items of patient2 (seed/clinical.json) and the problem each is linked to.
const linkedItemCases: { name: string; item: { type: string; id: string }; problems: string[] }[] = [
  { name: 'active allergy', item: { type: 'AllergyIntolerance', id: 'patient2-allergy-2' }, problems: [P.F] },
  { name: 'medication plan', item: { type: 'MedicationRequest', id: '32' }, problems: [P.G] },
  { name: 'immunisation', item: { type: 'Immunization', id: 'eba25af1-5b74-4790-aa5a-2134fd27ad45' }, problems: [P.H] },
  // D's actual problem; E is D's child, so it comes too.
  { name: 'uncategorised observation', item: { type: 'Observation', id: 'Consultation1-Topic4-Category-History-Observation-5' }, problems: [P.D, P.E] },
  { name: 'investigation', item: { type: 'DiagnosticReport', id: 'efae5859-28df-4e7d-be91-6df56d8215e4' }, problems: [P.B] },
  { name: 'referral', item: { type: 'ReferralRequest', id: 'Consultation1-Topic5-Category-Plan-ReferralRequest-1' }, problems: [P.B] },
  { name: 'diary entry', item: { type: 'ProcedureRequest', id: 'p2-diary-1' }, problems: [P.G] },
];


const key = (type: string, id: string) => `${type}/${id}`;
const entryRefs = (list: Json): string[] => (list.entry ?? []).map((e: Json) => e.item.reference);
const conditionRefs = (resources: Resource[]): string[] =>
  resources.filter((r) => r.resourceType === 'Condition').map((r) => `Condition/${String(r.id)}`);

function problemsList(r: ProblemsResult): Json {
  const found = r.lists.filter((l: Json) => l.code.coding[0].code === '717711000000103');
  assert.equal(found.length, 1, '[PList] exactly one Problems list');
  assert.equal(r.lists.length, 1, 'the area adds only the Problems list');
  return found[0];
}

/** [PList] / [PListNIU] / [Empty] on a primary or linked-problems list. */
function checkList(list: Json, patientId: string): void {
  assert.equal(list.resourceType, 'List');
  assert.equal(list.id, undefined);
  assert.deepEqual(list.meta, { profile: [listProfile] });
  assert.equal(list.status, 'current');
  assert.equal(list.mode, 'snapshot');
  assert.equal(list.source, undefined);
  assert.deepEqual(list.subject, { reference: `Patient/${patientId}` });
  assert.equal(list.code.coding.length, 1);
  if (list.title === 'Problems') {
    assert.deepEqual(list.code.coding[0], { system: snomed, code: '717711000000103', display: 'Problems' });
  } else {
    assert.equal(list.title, linkedTitle);
    assert.deepEqual(list.code.coding[0], {
      system: 'https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1', code: linkedCode, display: linkedTitle,
    });
  }
  const entries: Json[] = list.entry ?? [];
  if (entries.length === 0) {
    assert.equal(list.entry, undefined);
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.ok(noteTexts(list).includes('Information not available'));
  } else {
    assert.equal(list.emptyReason, undefined);
    for (const e of entries) {
      assert.deepEqual(Object.keys(e), ['item']);
      assert.match(e.item.reference, /^Condition\/.+$/);
    }
    assert.equal(new Set(entryRefs(list)).size, entries.length, 'each Condition once');
  }
}

/** [PValid] / [PNIU] on one Condition. */
function checkCondition(c: Json, patientId: string): void {
  assert.equal(c.resourceType, 'Condition');
  assert.ok(typeof c.id === 'string' && c.id !== '');
  assert.deepEqual(c.meta, { profile: [conditionProfile] }, 'profile only: no versionId, no lastUpdated');
  const significance = c.extension.filter((e: Json) => e.url === significanceUrl);
  assert.equal(significance.length, 1);
  assert.deepEqual(Object.keys(significance[0]).sort(), ['url', 'valueCode']);
  assert.ok(['major', 'minor'].includes(significance[0].valueCode));
  assert.ok(c.extension.filter((e: Json) => e.url === actualProblemUrl).length <= 1);
  for (const e of c.extension) assert.ok(e.url);
  assert.ok(c.identifier.length >= 1);
  for (const i of c.identifier) assert.ok(i.system && i.value);
  assert.ok(['active', 'inactive'].includes(c.clinicalStatus));
  assert.deepEqual(c.category, [{
    coding: [{ system: 'https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-ConditionCategory-1', code: 'problem-list-item', display: 'Problem List Item' }],
  }]);
  assert.ok(c.code.coding.length >= 1);
  assert.match(c.assertedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  assert.match(c.asserter.reference, /^Practitioner\/.+$/);
  assert.deepEqual(c.subject, { reference: `Patient/${patientId}` });
  for (const absent of ['severity', 'verificationStatus', 'stage', 'bodySite', 'evidence']) assert.equal(c[absent], undefined, absent);
  if (c.context) assert.match(c.context.reference, /^Encounter\/.+$/);
}

/** Every literal reference a Condition makes to a clinical resource (not Patient/Practitioner). */
function clinicalReferences(c: Json): string[] {
  const refs: string[] = [];
  for (const e of c.extension ?? []) {
    if (e.valueReference?.reference) refs.push(e.valueReference.reference);
    for (const s of e.extension ?? []) if (s.valueReference?.reference) refs.push(s.valueReference.reference);
  }
  if (c.context?.reference) refs.push(c.context.reference);
  return refs;
}

const relatedHeaders = (c: Json): { type: string; target: string }[] =>
  (c.extension ?? []).filter((e: Json) => e.url === relatedProblemUrl).map((e: Json) => ({
    type: e.extension.find((s: Json) => s.url === 'type').valueCode,
    target: e.extension.find((s: Json) => s.url === 'target').valueReference.reference,
  }));

const filterCases: { name: string; filters: ProblemFilter[] }[] = [
  { name: 'major', filters: [{ significance: 'major' }] },
  { name: 'minor', filters: [{ significance: 'minor' }] },
  { name: 'active+major', filters: [{ status: 'active', significance: 'major' }] },
  { name: 'active+minor', filters: [{ status: 'active', significance: 'minor' }] },
  { name: 'active', filters: [{ status: 'active' }] },
  { name: 'inactive', filters: [{ status: 'inactive' }] },
  { name: '(active,minor) + (inactive,major)', filters: [{ status: 'active', significance: 'minor' }, { status: 'inactive', significance: 'major' }] },
  { name: '(active,major) + (inactive,minor)', filters: [{ status: 'active', significance: 'major' }, { status: 'inactive', significance: 'minor' }] },
];

describeStoreLevel('Structured problems: buildProblems / buildLinkedProblems', (db) => {
  const ctx = (patientId: string, practice = A) => ({ db: db(), practice, patientId, today, now: new Date() });

  /**
   * What the endpoint does for a problems request: the area, then the items it links to (here
   * simply taken as returned), then the linked problems, then the last pass over Conditions.
   */
  async function endpoint(patientId: string, filters: ProblemFilter[]) {
    const area = await buildProblems(ctx(patientId), filters);
    const held = new Set([...area.resources.map((r) => key(String(r.resourceType), String(r.id))), ...area.linkedItems.map((i) => key(i.type, i.id))]);
    const inBundle = (type: string, id: string) => held.has(key(type, id));
    const linked = await buildLinkedProblems(ctx(patientId), area.linkedItems, inBundle, area.primaryProblemIds);
    for (const r of linked.resources) held.add(key(String(r.resourceType), String(r.id)));
    const conditions = [...area.resources, ...linked.resources].map((c) => restrictConditionToBundle(c, inBundle));
    return { area, linked, conditions, held };
  }

  it('patient2, no filter: every problem in the Problems list and as a Condition, with the suite\'s links', async () => {
    const r = await buildProblems(ctx('2'), []);
    const list = problemsList(r);
    checkList(list, '2');
    assert.deepEqual(entryRefs(list).sort(), Object.values(P).map((id) => `Condition/${id}`).sort());
    assert.deepEqual(conditionRefs(r.resources).sort(), entryRefs(list).sort(), '[PList] entries == Conditions');
    for (const c of r.resources) checkCondition(c, '2');
    assert.deepEqual([...r.primaryProblemIds].sort(), Object.values(P).sort());
    assert.deepEqual(warningCodes(list), []);
    assert.doesNotMatch(JSON.stringify(r.resources), /"versionId"|"lastUpdated"/);

    const byId = new Map(r.resources.map((c: Json) => [c.id, c]));
    // [PCtxEnc]: a Condition created in a consultation names it, and the endpoint is told to bring it in.
    const a: Json = byId.get(P.A);
    assert.deepEqual(a.context, { reference: 'Encounter/Encounter1' });
    assert.deepEqual(a.extension.find((e: Json) => e.url === actualProblemUrl).valueReference,
      { reference: 'Observation/Consultation1-Topic1-Category-History-Observation-2' });
    assert.deepEqual(a.extension.at(-1), { url: significanceUrl, valueCode: 'major' });
    assert.deepEqual(a.code.coding[0].extension, [{ url: `${ukSd}Extension-coding-sctdescid`, extension: [{ url: 'descriptionId', valueId: '346979010' }] }]);
    assert.equal(a.code.text, 'Anxiety with depression');
    const b: Json = byId.get(P.B);
    assert.deepEqual(b.note, [{ text: 'due to obesity and poor mobility and previous DVT' }]);
    assert.equal(b.extension.find((e: Json) => e.url === significanceUrl).valueCode, 'minor');
    const h: Json = byId.get(P.H);
    assert.equal(h.clinicalStatus, 'inactive');
    assert.match(h.abatementDateTime, /^\d{4}-\d{2}-\d{2}T/);
    // [PLink(T)]: links to an allergy, a plan, an immunisation, an observation, a report, a referral, a diary entry.
    const content = r.resources.flatMap((c: Json) => c.extension.filter((e: Json) => e.url === relatedContentUrl).map((e: Json) => e.valueReference.reference));
    for (const prefix of ['AllergyIntolerance/', 'MedicationRequest/', 'Immunization/', 'Observation/', 'DiagnosticReport/', 'ReferralRequest/', 'ProcedureRequest/']) {
      assert.ok(content.some((ref: string) => ref.startsWith(prefix)), prefix);
    }
    // [PtoP]: E is D's child and D is E's parent.
    assert.deepEqual(relatedHeaders(byId.get(P.D)), [{ type: 'parent', target: `Condition/${P.E}` }]);
    assert.deepEqual(relatedHeaders(byId.get(P.E)), [{ type: 'child', target: `Condition/${P.D}` }]);
    assert.deepEqual(byId.get(P.D).extension.find((e: Json) => e.url === relatedProblemUrl).extension.map((s: Json) => s.url), ['target', 'type']);

    // linkedItems: every returned item the problems link to, and their consultations.
    const linked = new Set(r.linkedItems.map((i) => key(i.type, i.id)));
    for (const c of linkedItemCases) assert.ok(linked.has(key(c.item.type, c.item.id)), c.name);
    assert.ok(linked.has('Encounter/Encounter1') && linked.has('Encounter/Encounter2'));
    assert.ok(!linked.has('AllergyIntolerance/patient2-allergy-1'), 'not linked to any problem');
    assert.equal(linked.size, r.linkedItems.length, 'no duplicates');
    // Every reference a Condition makes is to something the endpoint is asked to bring in.
    for (const c of r.resources) {
      for (const ref of clinicalReferences(c)) assert.ok(linked.has(ref) || ref.startsWith('Condition/'), ref);
    }
  });

  it('patient2: confidential items linked to problem A (sertraline course, PHQ-9) leave no trace, only their types', async () => {
    const r = await buildProblems(ctx('2'), []);
    const text = JSON.stringify(r.resources) + JSON.stringify(r.lists) + JSON.stringify(r.linkedItems);
    assert.doesNotMatch(text, /p2-phq9-1|"MedicationRequest\/20"|"id":"20"/);
    assert.deepEqual(r.withheldLinkTypes, ['MedicationRequest', 'Observation']);
    const a: Json = r.resources.find((c) => c.id === P.A);
    assert.ok(!clinicalReferences(a).includes('MedicationRequest/20'));
  });

  for (const { name, filters } of filterCases) {
    it(`patient2, filter ${name}: ≥1 Condition, each matching, and every Condition of the bundle in the Problems list`, async () => {
      const { area, linked, conditions } = await endpoint('2', filters);
      const list = problemsList(area);
      checkList(list, '2');
      assert.ok(entryRefs(list).length >= 1, '[PValid] ≥1 Condition');
      assert.deepEqual(linked.resources, [], 'no item links to a problem outside the filter');
      assert.deepEqual(linked.lists, [], 'no linked-problems list');
      assert.deepEqual(conditionRefs(conditions).sort(), entryRefs(list).sort(), '[PList] entries == Conditions in the bundle');
      for (const c of conditions as Json[]) {
        checkCondition(c, '2');
        const significance = c.extension.find((e: Json) => e.url === significanceUrl).valueCode;
        assert.ok(filters.some((f) => (!f.status || f.status === c.clinicalStatus) && (!f.significance || f.significance === significance)),
          `${c.id} matches a filter pair`);
      }
    });
  }

  it('patient2, filter major: D and E (parent/child, both major) come together', async () => {
    const { area } = await endpoint('2', [{ significance: 'major' }]);
    const refs = entryRefs(problemsList(area));
    assert.ok(refs.includes(`Condition/${P.D}`) && refs.includes(`Condition/${P.E}`));
    assert.ok(!refs.includes(`Condition/${P.B}`) && !refs.includes(`Condition/${P.H}`));
  });

  it('patient2, filter inactive: only H, and its immunisation is to be brought in', async () => {
    const r = await buildProblems(ctx('2'), [{ status: 'inactive' }]);
    assert.deepEqual(entryRefs(problemsList(r)), [`Condition/${P.H}`]);
    assert.deepEqual(r.linkedItems, [{ type: 'Immunization', id: 'eba25af1-5b74-4790-aa5a-2134fd27ad45' }]);
  });

  for (const patient of ['3', '4', '1']) {
    it(`patient${patient} has no problems: an empty Problems list, no Conditions, no linked-problems list`, async () => {
      const r = await buildProblems(ctx(patient), []);
      const list = problemsList(r);
      checkList(list, patient);
      assert.equal(list.entry, undefined);
      assert.deepEqual(list.note, [{ text: 'Information not available' }]);
      assert.deepEqual(list.emptyReason, emptyReason);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
      const linked = await buildLinkedProblems(ctx(patient), [], () => false, r.primaryProblemIds);
      assert.deepEqual(linked, { lists: [], resources: [] });
    });
  }

  it('patient3: its allergies link to no problem (no Conditions, no list)', async () => {
    const items = [{ type: 'AllergyIntolerance', id: 'patient3-allergy-1' }];
    const linked = await buildLinkedProblems(ctx('3'), items, (t, id) => t === 'AllergyIntolerance' && id === 'patient3-allergy-1');
    assert.deepEqual(linked, { lists: [], resources: [] });
  });

  for (const c of linkedItemCases) {
    it(`patient2, linked problems of the ${c.name}: the Conditions, and the list of exactly them`, async () => {
      const held = new Set([key(c.item.type, c.item.id)]);
      const inBundle = (type: string, id: string) => held.has(key(type, id));
      const r = await buildLinkedProblems(ctx('2'), [c.item], inBundle);
      assert.deepEqual(r.resources.map((x) => x.id).sort(), [...c.problems].sort());
      assert.equal(r.lists.length, 1, 'exactly one linked-problems list');
      const list: Json = r.lists[0];
      checkList(list, '2');
      assert.deepEqual(warningCodes(list), []);
      assert.equal(entryRefs(list).length, conditionRefs(r.resources).length, '[P2nd] entries == Conditions in the bundle');
      assert.deepEqual(entryRefs(list).sort(), conditionRefs(r.resources).sort());
      const returned = new Set(conditionRefs(r.resources));
      for (const cond of r.resources as Json[]) {
        checkCondition(cond, '2');
        assert.equal(cond.context, undefined, 'the consultation is not in the bundle');
        for (const ref of clinicalReferences(cond)) {
          assert.ok(held.has(ref) || returned.has(ref), `${cond.id} refers to ${ref}, which is not in the bundle`);
        }
      }
      // The item itself is referenced from its problem.
      assert.ok(r.resources.some((x) => clinicalReferences(x).includes(key(c.item.type, c.item.id))));
    });
  }

  it('patient2, linked problems of the observation: D and E refer to each other', async () => {
    const item = linkedItemCases.find((c) => c.name === 'uncategorised observation')!.item;
    const r = await buildLinkedProblems(ctx('2'), [item], (t, id) => t === item.type && id === item.id);
    const byId = new Map(r.resources.map((c: Json) => [c.id, c]));
    assert.deepEqual(relatedHeaders(byId.get(P.D)), [{ type: 'parent', target: `Condition/${P.E}` }]);
    assert.deepEqual(relatedHeaders(byId.get(P.E)), [{ type: 'child', target: `Condition/${P.D}` }]);
  });

  it('patient2, several areas at once: one list of every Condition, none twice, none already in the bundle re-sent', async () => {
    const items = linkedItemCases.map((c) => c.item);
    const held = new Set([...items.map((i) => key(i.type, i.id)), `Condition/${P.F}`, 'Encounter/Encounter1']);
    const inBundle = (type: string, id: string) => held.has(key(type, id));
    const r = await buildLinkedProblems(ctx('2'), items, inBundle);
    // F is already in the bundle (say, from a consultation): listed, not re-sent.
    assert.deepEqual(r.resources.map((x) => x.id).sort(), [P.B, P.D, P.E, P.G, P.H].sort());
    assert.equal(r.lists.length, 1);
    assert.deepEqual(entryRefs(r.lists[0]).sort(), [P.B, P.D, P.E, P.F, P.G, P.H].map((id) => `Condition/${id}`).sort());
    const b: Json = r.resources.find((x) => x.id === P.B);
    assert.deepEqual(b.context, { reference: 'Encounter/Encounter1' }, 'context kept when the consultation is in the bundle');
  });

  it('primary problems are neither re-sent nor in the linked-problems list', async () => {
    const item = { type: 'AllergyIntolerance', id: 'patient2-allergy-2' };
    const r = await buildLinkedProblems(ctx('2'), [item], (t, id) => (t === 'Condition' && id === P.F) || (t === item.type && id === item.id), new Set([P.F]));
    assert.deepEqual(r, { lists: [], resources: [] });
  });

  it('conditionResource: links outside the bundle are left out, or display-only by a placeholder; withheld ones never', async () => {
    const { problems } = await findPatientProblems(db(), A, '2');
    const a = problems.find((p) => p.id === P.A)!;
    const bare: Json = conditionResource(a, '2', () => false);
    assert.deepEqual(bare.extension, [{ url: significanceUrl, valueCode: 'major' }]);
    assert.equal(bare.context, undefined);
    const shown: Json = conditionResource(a, '2', () => false, (type) => `${type} items are not supported by the provider system`);
    const displays = shown.extension.filter((e: Json) => e.url === relatedContentUrl).map((e: Json) => e.valueReference);
    assert.ok(displays.length > 0);
    for (const v of displays) assert.deepEqual(Object.keys(v), ['display']);
    assert.ok(!displays.some((v: Json) => /undefined/.test(v.display)));
    // 24 links, two of them withheld (the sertraline plan and the PHQ-9 score): no placeholder for those.
    assert.equal(a.links.length, 24);
    assert.equal(a.links.filter((l) => l.state === 'withheld').length, 2);
    const actual = shown.extension.filter((e: Json) => e.url === actualProblemUrl);
    assert.equal(displays.length + actual.length, 22);
  });

  it('restrictConditionToBundle drops references the bundle cannot resolve', async () => {
    const r = await buildProblems(ctx('2'), []);
    const d: Json = r.resources.find((c) => c.id === P.D);
    const onlyE = restrictConditionToBundle(d, (t, id) => t === 'Condition' && id === P.E) as Json;
    assert.deepEqual(onlyE.extension.map((e: Json) => e.url), [relatedProblemUrl, significanceUrl]);
    assert.equal(onlyE.context, undefined);
    const none = restrictConditionToBundle(d, () => false) as Json;
    assert.deepEqual(none.extension, [{ url: significanceUrl, valueCode: 'major' }]);
    assert.deepEqual(restrictConditionToBundle(d, () => true), d, 'unchanged when everything is there');
    assert.ok(d.context, 'the original is not modified');
  });

  it('keeps practices apart: the same problem id in another practice is another patient\'s problem', async () => {
    const other = await buildProblems(ctx('1', B), []);
    assert.deepEqual(entryRefs(problemsList(other)), [`Condition/${P.A}`]);
    assert.equal((other.resources[0] as Json).code.text, 'Hypertension');
    assert.deepEqual(other.linkedItems, []);
    const here = await buildProblems(ctx('1'), []);
    assert.deepEqual(here.resources, []);
  });

  // These change the database: they run last.
  it('a related problem outside the filter is returned and listed as a linked problem, not in the Problems list', async () => {
    await db().query(`UPDATE problem SET significance = 'minor' WHERE practice = $1 AND id = $2`, [A, P.E]);
    try {
      const { area, linked, conditions, held } = await endpoint('2', [{ significance: 'major' }]);
      const primary = entryRefs(problemsList(area));
      assert.ok(!primary.includes(`Condition/${P.E}`));
      assert.ok(conditionRefs(area.resources).includes(`Condition/${P.E}`), 'E comes with D');
      assert.ok(!area.linkedItems.some((i) => i.id === 'Consultation2-Topic2-Category-Plan-Observation-1'), 'E\'s own items are not brought in');
      assert.deepEqual(linked.resources, []);
      assert.equal(linked.lists.length, 1);
      assert.deepEqual(entryRefs(linked.lists[0]), [`Condition/${P.E}`]);
      assert.equal(primary.length + entryRefs(linked.lists[0]).length, conditionRefs(conditions).length);
      for (const c of conditions) {
        for (const ref of clinicalReferences(c)) assert.ok(held.has(ref), `${String(c.id)} refers to ${ref}, not in the bundle`);
      }
    } finally {
      await db().query(`UPDATE problem SET significance = 'major' WHERE practice = $1 AND id = $2`, [A, P.E]);
    }
  });

  it('a confidential problem is withheld with confidential-items and leaves no trace, in either list', async () => {
    await db().query(`UPDATE problem SET confidential = true WHERE practice = $1 AND id IN ($2, $3)`, [A, P.F, P.E]);
    try {
      const r = await buildProblems(ctx('2'), [{ significance: 'major' }]);
      const list = problemsList(r);
      checkList(list, '2');
      assert.deepEqual(warningCodes(list), ['confidential-items']);
      assert.deepEqual(noteTexts(list), [confidentialNote]);
      const text = JSON.stringify(r);
      assert.doesNotMatch(text, /Problem-F|Problem-E|b5e4eaa8|CFE8F260/);
      const d: Json = r.resources.find((c) => c.id === P.D);
      assert.deepEqual(relatedHeaders(d), [], 'no link to the withheld child');
      // Filters the withheld problem does not match: no warning.
      const minor = await buildProblems(ctx('2'), [{ significance: 'minor' }]);
      assert.deepEqual(warningCodes(problemsList(minor)), []);

      // From the allergy: the linked-problems list would have held F; it is empty with the warning.
      const item = { type: 'AllergyIntolerance', id: 'patient2-allergy-2' };
      const linked = await buildLinkedProblems(ctx('2'), [item], (t, id) => t === item.type && id === item.id);
      assert.deepEqual(linked.resources, []);
      assert.equal(linked.lists.length, 1);
      const l: Json = linked.lists[0];
      checkList(l, '2');
      assert.deepEqual(warningCodes(l), ['confidential-items']);
      assert.deepEqual(noteTexts(l), [confidentialNote, 'Information not available']);
      assert.doesNotMatch(JSON.stringify(linked), /Problem-F/);
    } finally {
      await db().query(`UPDATE problem SET confidential = false WHERE practice = $1 AND id IN ($2, $3)`, [A, P.F, P.E]);
    }
  });

  it('a confidential consultation is not the context of a problem', async () => {
    await db().query(`UPDATE encounter SET confidential = true WHERE practice = $1 AND id = 'Encounter2'`, [A]);
    try {
      const r = await buildProblems(ctx('2'), []);
      const e: Json = r.resources.find((c) => c.id === P.E);
      assert.equal(e.context, undefined);
      assert.ok(!r.linkedItems.some((i) => i.type === 'Encounter' && i.id === 'Encounter2'));
    } finally {
      await db().query(`UPDATE encounter SET confidential = false WHERE practice = $1 AND id = 'Encounter2'`, [A]);
    }
  });
});
