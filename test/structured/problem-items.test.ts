import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Resource } from '../../src/fhir/datatypes.ts';
import { buildProblemLinkedItems } from '../../src/structured/problem-items.ts';
import { buildProblems } from '../../src/structured/problems.ts';
import { type Json, A, confidentialNote, describeStoreLevel, listProfile, references, today, warningUrl } from './support.ts';

/**
 * The items the matched problems link to, built straight from a fresh seeded store (no HTTP):
 * each by its own area's builder, with one "Problems - … related to problems" list per area
 * (digest §8.3, §9 inclusion-matrix row "Problems", confidentiality §18.1).
 */


const secondarySystem = 'https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1';

const codes = {
  allergies: 'problems-allergies-related-to-problems',
  endedAllergies: 'problems-allergies-that-have-been-ended-related-to-problems',
  consultations: 'problems-consultations-related-to-problems',
  diary: 'problems-diary-entries-related-to-problems',
  immunisations: 'problems-immunisations-related-to-problems',
  investigations: 'problems-investigations-related-to-problems',
  medications: 'problems-medications-related-to-problems',
  referrals: 'problems-outbound-referrals-related-to-problems',
  uncategorised: 'problems-uncategorised-data-related-to-problems',
} as const;

// Items of patient2 (seed/clinical.json) its problems link to (test/structured/problems.test.ts).
const linked = {
  allergy: 'AllergyIntolerance/patient2-allergy-2',
  plan: 'MedicationRequest/32',
  immunisation: 'Immunization/eba25af1-5b74-4790-aa5a-2134fd27ad45',
  observation: 'Observation/Consultation1-Topic4-Category-History-Observation-5',
  report: 'DiagnosticReport/efae5859-28df-4e7d-be91-6df56d8215e4',
  referral: 'ReferralRequest/Consultation1-Topic5-Category-Plan-ReferralRequest-1',
  diary: 'ProcedureRequest/p2-diary-1',
  encounter1: 'Encounter/Encounter1',
  encounter2: 'Encounter/Encounter2',
};


const key = (r: Resource) => `${String(r.resourceType)}/${String(r.id)}`;
const listCode = (l: Json): string => l.code.coding[0].code;
const entryRefs = (l: Json): string[] => (l.entry ?? []).map((e: Json) => e.item.reference);
const warningCodes = (l: Json): string[] => (l.extension ?? []).filter((e: Json) => e.url === warningUrl).map((e: Json) => e.valueCode);
const noteTexts = (l: Json): string[] => (l.note ?? []).map((n: Json) => n.text);

/** Every reference resolves among the returned resources, the list's contained ones, or the admin resources and the Patient. */
function checkClosed(result: { lists: Resource[]; resources: Resource[] }, patientId: string): void {
  const held = new Set(result.resources.map(key));
  assert.equal(held.size, result.resources.length, 'each resource once');
  const ok = (ref: string, contained: Set<string>) =>
    held.has(ref) || ref === `Patient/${patientId}` || /^(Practitioner|Organization|Location)\/.+$/.test(ref) ||
    (ref.startsWith('#') && contained.has(ref.slice(1)));
  for (const r of result.resources) {
    for (const ref of references(r)) assert.ok(ok(ref, new Set()), `${key(r)} refers to ${ref}, not returned`);
  }
  for (const l of result.lists as Json[]) {
    const contained = new Set<string>((l.contained ?? []).map((c: Json) => c.id));
    for (const ref of references(l)) assert.ok(ok(ref, contained), `${String(l.title)} refers to ${ref}, not returned`);
  }
}

/** [PListNIU] etc. on a secondary list of this area. */
function checkSecondary(l: Json, patientId: string): void {
  assert.equal(l.resourceType, 'List');
  assert.equal(l.id, undefined, 'no consultation-structure (or other) Lists with ids');
  assert.deepEqual(l.meta, { profile: [listProfile] });
  assert.equal(l.status, 'current');
  assert.equal(l.mode, 'snapshot');
  assert.deepEqual(l.subject, { reference: `Patient/${patientId}` });
  assert.equal(l.code.coding.length, 1);
  const coding = l.code.coding[0];
  if (coding.code === '1103671000000101') {
    assert.equal(l.title, 'Ended allergies');
    return;
  }
  assert.equal(coding.system, secondarySystem);
  assert.ok(Object.values(codes).includes(coding.code), coding.code);
  assert.equal(coding.display, l.title);
  assert.match(l.title, /^Problems - .* related to problems$/);
  if ((l.entry ?? []).length === 0) assert.ok(warningCodes(l).length > 0, 'never an empty secondary list without a warning');
  assert.equal(new Set(entryRefs(l)).size, entryRefs(l).length, 'each entry once');
}

describeStoreLevel('Structured problems: buildProblemLinkedItems', (db) => {
  const ctx = (patientId: string) => ({ db: db(), practice: A, patientId, today, now: new Date() });

  async function forProblems(patientId: string, filters: Parameters<typeof buildProblems>[1] = []) {
    const area = await buildProblems(ctx(patientId), filters);
    const items = await buildProblemLinkedItems(ctx(patientId), area.linkedItems, area.withheldLinkTypes);
    return { area, items };
  }

  it('patient2, every problem: the linked items come back, with one related-to-problems list per area', async () => {
    const { area, items } = await forProblems('2');
    const held = new Set(items.resources.map(key));
    for (const [name, ref] of Object.entries(linked)) assert.ok(held.has(ref), `${name}: ${ref}`);
    for (const l of items.lists) checkSecondary(l, '2');
    const byCode = new Map(items.lists.map((l: Json) => [listCode(l), l]));
    assert.equal(byCode.size, items.lists.length, 'one list per area');
    assert.deepEqual([...byCode.keys()].sort(), [
      codes.allergies, codes.consultations, codes.diary, codes.immunisations, codes.investigations,
      codes.medications, codes.referrals, codes.uncategorised,
    ].sort());
    assert.ok(entryRefs(byCode.get(codes.allergies)).includes(linked.allergy));
    assert.ok(entryRefs(byCode.get(codes.immunisations)).includes(linked.immunisation));
    assert.ok(entryRefs(byCode.get(codes.uncategorised)).includes(linked.observation));
    assert.ok(entryRefs(byCode.get(codes.investigations)).includes(linked.report));
    assert.ok(entryRefs(byCode.get(codes.referrals)).includes(linked.referral));
    assert.ok(entryRefs(byCode.get(codes.diary)).includes(linked.diary));
    assert.deepEqual(entryRefs(byCode.get(codes.consultations)).sort(), [linked.encounter1, linked.encounter2]);
    // Every entry of a list names a returned resource.
    for (const l of items.lists) for (const ref of entryRefs(l)) assert.ok(held.has(ref), ref);
    // Each linked item that is returned is named by one of the lists (medications by their statement).
    const returned = new Set(items.returnedItems.map((i) => `${i.type}/${i.id}`));
    for (const i of area.linkedItems) {
      // Issues come back as their plan's course; a non-diary ProcedureRequest as its report.
      if (i.type === 'MedicationRequest' || (i.type === 'ProcedureRequest' && !i.id.startsWith('p2-diary'))) continue;
      assert.ok(returned.has(`${i.type}/${i.id}`), `${i.type}/${i.id} returned`);
    }
    for (const ref of returned) assert.ok(held.has(ref), `returnedItems: ${ref} is a returned resource`);
    assert.equal(returned.size, items.returnedItems.length, 'returnedItems once each');
  });

  it('patient2: the medications list names MedicationStatements; statement + plan + Medication always, issues only when linked', async () => {
    const { area, items } = await forProblems('2');
    const byKey = new Map(items.resources.map((r) => [key(r), r as Json]));
    const list: Json = items.lists.find((l: Json) => listCode(l) === codes.medications);
    const refs = entryRefs(list);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.match(ref, /^MedicationStatement\/.+$/);
      const statement = byKey.get(ref);
      assert.ok(statement, ref);
      const plan = byKey.get(statement.basedOn[0].reference);
      assert.ok(plan && plan.intent === 'plan', `${ref}: its plan`);
      assert.ok(byKey.has(statement.medicationReference.reference), `${ref}: its Medication`);
    }
    const linkedIds = new Set(area.linkedItems.filter((i) => i.type === 'MedicationRequest').map((i) => i.id));
    const orders = items.resources.filter((r: Json) => r.resourceType === 'MedicationRequest' && r.intent === 'order');
    for (const o of orders) assert.ok(linkedIds.has(String(o.id)), `issue ${String(o.id)} is linked itself`);

    // The plan alone: no issues come with it.
    const one = await buildProblemLinkedItems(ctx('2'), [{ type: 'MedicationRequest', id: '32' }], []);
    const types = one.resources.map((r: Json) => `${r.resourceType}${r.intent ? `:${r.intent}` : ''}`).sort();
    assert.deepEqual(types, ['Medication', 'MedicationRequest:plan', 'MedicationStatement']);
    assert.equal(one.lists.length, 1);
    assert.match(entryRefs(one.lists[0])[0]!, /^MedicationStatement\//);
    checkClosed(one, '2');
  });

  it('patient2: every internal reference resolves among the returned resources (+ Practitioner/Organization/Location)', async () => {
    const { items } = await forProblems('2');
    checkClosed(items, '2');
    // A linked report brings everything it holds.
    const report: Json = items.resources.find((r) => key(r) === linked.report);
    for (const ref of references(report)) {
      if (!/^(Practitioner|Organization|Patient)\//.test(ref)) assert.ok(items.resources.some((r) => key(r) === ref), ref);
    }
    assert.ok((report.result ?? []).length > 0);
    // Encounters only: no consultation-structure Lists.
    assert.ok(items.lists.every((l) => l.id === undefined));
  });

  it('patient2: confidential linked items leave no trace; their lists carry confidential-items', async () => {
    const { area, items } = await forProblems('2');
    assert.deepEqual(area.withheldLinkTypes, ['MedicationRequest', 'Observation']);
    const text = JSON.stringify(items);
    assert.doesNotMatch(text, /p2-phq9-1|"MedicationRequest\/20"|"id":"20"/);
    for (const l of items.lists as Json[]) {
      const withheld = ([codes.medications, codes.uncategorised] as string[]).includes(listCode(l));
      assert.deepEqual(warningCodes(l), withheld ? ['confidential-items'] : [], listCode(l));
      assert.equal(noteTexts(l).includes(confidentialNote), withheld);
    }
  });

  it('a withheld type with nothing returned: an empty list with the warning; no items, no lists', async () => {
    const only = await buildProblemLinkedItems(ctx('2'), [], ['ReferralRequest']);
    assert.deepEqual(only.resources, []);
    assert.equal(only.lists.length, 1);
    const l: Json = only.lists[0];
    checkSecondary(l, '2');
    assert.equal(listCode(l), codes.referrals);
    assert.equal(l.entry, undefined);
    assert.deepEqual(noteTexts(l), [confidentialNote, 'Information not available']);
    assert.deepEqual(await buildProblemLinkedItems(ctx('2'), [], []), { lists: [], resources: [], returnedItems: [] });
    const none = await forProblems('3');
    assert.deepEqual(none.items, { lists: [], resources: [], returnedItems: [] });
  });

  it('patient2, filter inactive: only the immunisation of problem H, without its consultation', async () => {
    const { items } = await forProblems('2', [{ status: 'inactive' }]);
    assert.deepEqual(items.resources.map(key), [linked.immunisation]);
    assert.deepEqual(items.lists.map(listCode), [codes.immunisations]);
    assert.deepEqual(entryRefs(items.lists[0]), [linked.immunisation]);
    checkClosed(items, '2');
  });

  it('an ended allergy goes contained in an Ended allergies list, display-only in its related-to-problems list', async () => {
    const r = await buildProblemLinkedItems(ctx('2'), [{ type: 'AllergyIntolerance', id: 'patient2-allergy-1' }], []);
    assert.deepEqual(r.resources, []);
    const ended: Json = r.lists.find((l: Json) => listCode(l) === '1103671000000101');
    assert.ok(ended);
    assert.deepEqual(entryRefs(ended), ['#patient2-allergy-1']);
    assert.deepEqual(ended.contained.map((c: Json) => c.id), ['patient2-allergy-1']);
    const secondary: Json = r.lists.find((l: Json) => listCode(l) === codes.endedAllergies);
    assert.equal(secondary.entry.length, 1);
    assert.deepEqual(Object.keys(secondary.entry[0].item), ['display']);
    for (const l of r.lists) checkSecondary(l, '2');
    checkClosed(r, '2');
    assert.deepEqual(r.returnedItems, [{ type: 'AllergyIntolerance', id: 'patient2-allergy-1' }]);
  });

  // Changes the database: runs last.
  it('an item found confidential here is withheld with no trace, and its list gets confidential-items', async () => {
    await db().query(`UPDATE allergy SET confidential = true WHERE practice = $1 AND id = $2`, [A, 'patient2-allergy-2']);
    try {
      const r = await buildProblemLinkedItems(ctx('2'), [
        { type: 'AllergyIntolerance', id: 'patient2-allergy-2' },
        { type: 'Immunization', id: 'eba25af1-5b74-4790-aa5a-2134fd27ad45' },
      ], []);
      assert.doesNotMatch(JSON.stringify(r), /patient2-allergy-2/);
      const allergies: Json = r.lists.find((l: Json) => listCode(l) === codes.allergies);
      assert.deepEqual(warningCodes(allergies), ['confidential-items']);
      assert.equal(allergies.entry, undefined);
      assert.deepEqual(r.resources.map(key), [linked.immunisation]);
    } finally {
      await db().query(`UPDATE allergy SET confidential = false WHERE practice = $1 AND id = $2`, [A, 'patient2-allergy-2']);
    }
  });
});
