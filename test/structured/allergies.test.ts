import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import { buildAllergies } from '../../src/structured/allergies.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { listWarnings, secondaryList, warningDate, warningNote } from '../../src/structured/lists.ts';
import { type Json, A, B, checkListBase, confidentialNote, describeStoreLevel, emptyReason, listByTitle, noteTexts, sd, snomed, today, warningCodes } from './support.ts';

/**
 * The allergies area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredAllergies scenarios assert of the lists and AllergyIntolerances
 * (notes/suite-structured.md §1, §13.2, §13.3) per test patient, and the List rules of digest §8.
 */


const allergyProfile = `${sd}CareConnect-GPC-AllergyIntolerance-1`;
const allergyEndUrl = `${sd}Extension-CareConnect-GPC-AllergyIntoleranceEnd-1`;
const activeTitle = 'Allergies and adverse reactions';
const endedTitle = 'Ended allergies';
const inTransitNote = /^Patient record transfer from previous GP practice not yet complete; information recorded before .* may be missing\.$/;


const activeList = (r: AreaResult): Json => listByTitle(r.lists, activeTitle, 'exactly one active allergies list');
const endedList = (r: AreaResult): Json | undefined => {
  const found = r.lists.filter((l: Json) => l.title === endedTitle);
  assert.ok(found.length <= 1, 'at most one Ended allergies list');
  return found[0];
};

/** [ListAI] / BaseList / [ListNIU] / [Empty] on one allergy list (suite §13.2, §13.3). */
function checkList(list: Json, patientId: string): void {
  checkListBase(list, patientId);
  assert.equal(list.code.coding.length, 1);
  if (list.title === activeTitle) {
    assert.deepEqual(list.code.coding[0], { system: snomed, code: '886921000000105', display: 'Allergies and adverse reactions' });
  } else {
    assert.equal(list.title, endedTitle);
    assert.deepEqual(list.code.coding[0], { system: snomed, code: '1103671000000101', display: 'Ended allergies' });
  }
  // Each warning has its own note (suite §16 Q5).
  for (const code of warningCodes(list)) {
    if (code === 'confidential-items') assert.equal(noteTexts(list).filter((t) => t === confidentialNote).length, 1);
    if (code === 'data-in-transit') assert.equal(noteTexts(list).filter((t) => inTransitNote.test(t)).length, 1);
  }
  const entries: Json[] = list.entry ?? [];
  if (entries.length === 0) {
    assert.equal(list.entry, undefined, 'an empty list has no entry array');
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.ok(noteTexts(list).includes('Information not available'));
  } else {
    assert.equal(list.emptyReason, undefined);
    assert.ok(!noteTexts(list).includes('Information not available'));
    assert.ok(!noteTexts(list).some((t) => /no known allergies/i.test(t)));
  }
  for (const entry of entries) {
    assert.deepEqual(Object.keys(entry), ['item']);
    const ref: string = entry.item.reference;
    assert.match(ref, /^(AllergyIntolerance\/.+|#.+)$/);
    if (ref.startsWith('#')) {
      assert.equal((list.contained ?? []).filter((c: Json) => c.id === ref.slice(1)).length, 1, `${ref} is contained in the same list`);
    }
  }
  if (list.title === activeTitle) {
    assert.equal(list.contained, undefined, 'the active list contains nothing');
    for (const entry of entries) assert.match(entry.item.reference, /^AllergyIntolerance\//);
  } else {
    for (const entry of entries) assert.match(entry.item.reference, /^#/);
    assert.equal((list.contained ?? []).length, entries.length);
  }
}

/** [AI] on one AllergyIntolerance (top level or contained in Ended allergies). */
function checkAllergy(a: Json, patientId: string): void {
  assert.equal(a.resourceType, 'AllergyIntolerance');
  assert.ok(typeof a.id === 'string' && a.id.trim() !== '');
  assert.deepEqual(a.meta, { profile: [allergyProfile] }, 'profile only: no versionId, no lastUpdated');
  assert.ok(a.identifier.length >= 1);
  for (const i of a.identifier) assert.ok(i.system && i.value);
  assert.ok(['active', 'resolved'].includes(a.clinicalStatus));
  assert.equal(a.verificationStatus, 'unconfirmed');
  assert.ok(a.category.length >= 1);
  for (const c of a.category) assert.ok(['medication', 'environment'].includes(c), `category ${c}`);
  assert.ok(a.code.coding.length >= 1);
  for (const c of a.code.coding) assert.ok(c.system, 'every coding has a system');
  assert.ok(a.code.coding[0].code);
  assert.deepEqual(a.patient, { reference: `Patient/${patientId}` });
  assert.match(a.recorder.reference, /^Practitioner\/.+$/);
  assert.match(a.assertedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  if (a.reaction) {
    assert.ok(a.reaction.length <= 1);
    const r = a.reaction[0];
    assert.ok(r.manifestation.length <= 1);
    if (r.severity) assert.ok(r.manifestation[0].coding[0]);
    assert.equal(r.note, undefined);
    assert.equal(r.onset, undefined);
    assert.equal(r.substance, undefined);
  }
  const end = (a.extension ?? []).filter((e: Json) => e.url === allergyEndUrl);
  if (a.clinicalStatus === 'resolved') {
    assert.equal(end.length, 1, 'a resolved allergy has the AllergyIntoleranceEnd extension');
    const parts = Object.fromEntries(end[0].extension.map((e: Json) => [e.url, e]));
    assert.match(parts.endDate?.valueDateTime ?? '', /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(parts.reasonEnded?.valueString);
  } else {
    assert.equal(end.length, 0);
  }
}

/** Everything the suite checks of an allergies response, whatever the patient. */
function checkArea(r: AreaResult, patientId: string, includeResolved: boolean): void {
  assert.equal(r.lists.length, includeResolved ? 2 : 1, '[Lists=N]');
  activeList(r);
  if (includeResolved) assert.ok(endedList(r), '[Title "Ended allergies"]');
  else assert.equal(endedList(r), undefined, '[NoTitle "Ended allergies"]');
  for (const list of r.lists) checkList(list, patientId);
  // [AllergyCount]: top-level AllergyIntolerances are exactly the active list's entries.
  const topLevel = r.resources.filter((x: Json) => x.resourceType === 'AllergyIntolerance');
  assert.equal(topLevel.length, r.resources.length, 'the area adds only AllergyIntolerances');
  assert.deepEqual(
    topLevel.map((x: Json) => `AllergyIntolerance/${x.id}`).sort(),
    (activeList(r).entry ?? []).map((e: Json) => e.item.reference).sort(),
  );
  assert.equal(new Set(topLevel.map((x: Json) => x.id)).size, topLevel.length, '[NoDup]');
  for (const a of topLevel) {
    checkAllergy(a, patientId);
    assert.equal(a.clinicalStatus, 'active', 'ended allergies are never top level');
  }
  for (const a of endedList(r)?.contained ?? []) {
    checkAllergy(a, patientId);
    assert.equal(a.clinicalStatus, 'resolved');
  }
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
}

const ids = (resources: Json[]) => resources.map((x: Json) => x.id).sort();

describe('Structured lists: warning texts and codes', () => {
  it('writes warning dates as dd-Mmm-yyyy', () => {
    assert.equal(warningDate('2023-03-05'), '05-Mar-2023');
    assert.equal(warningDate('2019-12-31'), '31-Dec-2019');
  });

  it('has the exact warning note texts', () => {
    assert.equal(warningNote({ code: 'confidential-items' }), confidentialNote);
    assert.equal(warningNote({ code: 'data-in-transit', recordedBefore: '2023-03-05' }),
      'Patient record transfer from previous GP practice not yet complete; information recorded before 05-Mar-2023 may be missing.');
    assert.equal(warningNote({ code: 'data-awaiting-filing', recordedBefore: '2023-03-05' }),
      'Patient record contains some items in the GP practice workflow that have not been reviewed for inclusion in this message; information recorded before 05-Mar-2023 may be missing.');
  });

  it('takes the area\'s and every-list warnings, one per code, the later date winning', () => {
    const warnings = listWarnings([
      { patientId: '1', area: 'all', code: 'data-in-transit', recordedBefore: '2020-01-01' },
      { patientId: '1', area: 'allergies', code: 'data-in-transit', recordedBefore: '2021-01-01' },
      { patientId: '1', area: 'medications', code: 'confidential-items' },
      { patientId: '1', area: 'allergies', code: 'confidential-items' },
    ], { area: 'allergies', confidentialWithheld: true });
    assert.deepEqual(warnings, [{ code: 'confidential-items' }, { code: 'data-in-transit', recordedBefore: '2021-01-01' }]);
    assert.deepEqual(listWarnings([{ patientId: '1', area: 'medications', code: 'confidential-items' }], { area: 'allergies' }), []);
  });

  it('codes secondary lists in GPConnect-SecondaryListValues-1 with title = display', () => {
    const list: Json = secondaryList('problems-allergies-related-to-problems', { patientId: '2', items: [{ reference: 'AllergyIntolerance/x' }] });
    assert.equal(list.title, 'Problems - allergies related to problems');
    assert.deepEqual(list.code.coding, [{
      system: 'https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1',
      code: 'problems-allergies-related-to-problems', display: 'Problems - allergies related to problems',
    }]);
  });
});

describeStoreLevel('Structured allergies: buildAllergies', (db) => {
  const build = (patientId: string, includeResolved: boolean, practice = A) =>
    buildAllergies({ db: db(), practice, patientId, today, now: new Date() }, { includeResolved });

  for (const includeResolved of [true, false]) {
    it(`patient1 (no allergies, no NKA), includeResolved=${includeResolved}: every list empty with exactly one note`, async () => {
      const r = await build('1', includeResolved);
      checkArea(r, '1', includeResolved);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
      for (const list of r.lists as Json[]) {
        assert.equal(list.entry, undefined);
        assert.deepEqual(list.note, [{ text: 'Information not available' }], '[NoAllergies]: exactly one note');
        assert.deepEqual(list.emptyReason, emptyReason);
        assert.deepEqual(warningCodes(list), []);
        assert.equal(list.contained, undefined);
      }
    });
  }

  it('patient2, includeResolved=true: active allergy top level, ended allergy contained in Ended allergies only', async () => {
    const r = await build('2', true);
    checkArea(r, '2', true);
    assert.deepEqual(ids(r.resources), ['patient2-allergy-2']);
    assert.deepEqual(activeList(r).entry, [{ item: { reference: 'AllergyIntolerance/patient2-allergy-2' } }]);
    const ended = endedList(r);
    assert.deepEqual(ended.entry, [{ item: { reference: '#patient2-allergy-1' } }]);
    const peanut = ended.contained[0];
    assert.equal(peanut.id, 'patient2-allergy-1');
    assert.equal(peanut.clinicalStatus, 'resolved');
    const end = peanut.extension.find((e: Json) => e.url === allergyEndUrl);
    assert.equal(end.extension.find((e: Json) => e.url === 'reasonEnded').valueString, 'Desensitised to Peanuts');
    assert.match(end.extension.find((e: Json) => e.url === 'endDate').valueDateTime, /^2016-11-01T00:00:00\+00:00$/);
    // Problem F is linked to the active allergy; both returned allergies are offered for linking.
    assert.deepEqual(r.linkedItems.map((l) => `${l.type}/${l.id}`).sort(),
      ['AllergyIntolerance/patient2-allergy-1', 'AllergyIntolerance/patient2-allergy-2']);
    for (const list of r.lists) assert.deepEqual(warningCodes(list), []);
  });

  it('patient2: the active allergy in full (codes with SNOMED description ids, reaction, recorder)', async () => {
    const r = await build('2', false);
    const [sesame] = r.resources as Json[];
    assert.deepEqual(sesame.code, {
      coding: [{
        extension: [{ url: `${sd}Extension-coding-sctdescid`, extension: [{ url: 'descriptionId', valueId: '148720012' }] }],
        system: snomed, code: '89707004', display: 'Sesame oil (substance)',
      }],
    });
    assert.deepEqual(sesame.category, ['environment']);
    assert.deepEqual(sesame.recorder, { reference: 'Practitioner/1' });
    assert.equal(sesame.reaction.length, 1);
    assert.equal(sesame.reaction[0].severity, 'severe');
    assert.equal(sesame.reaction[0].manifestation[0].coding[0].code, '230145002');
    assert.deepEqual(sesame.identifier, [{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: 'debfe53a-5c63-5fd4-8245-2a24392c2ae0' }]);
    assert.equal(sesame.extension, undefined, 'no end, no consultation');
  });

  it('patient2, includeResolved=false: one list, no contained or resolved allergy anywhere', async () => {
    const r = await build('2', false);
    checkArea(r, '2', false);
    assert.deepEqual(ids(r.resources), ['patient2-allergy-2']);
    assert.doesNotMatch(JSON.stringify(r.lists), /contained|patient2-allergy-1/);
    assert.deepEqual(r.linkedItems, [{ type: 'AllergyIntolerance', id: 'patient2-allergy-2' }]);
  });

  for (const patient of ['3', '4', '6', '7', '8', '12', '13']) {
    for (const includeResolved of [true, false]) {
      it(`patient${patient} (A1/A3), includeResolved=${includeResolved}: active allergies listed, ended ones contained`, async () => {
        const r = await build(patient, includeResolved);
        checkArea(r, patient, includeResolved);
        assert.ok(r.resources.length >= 1, '[ListsWithAllergies]: the active list has entries');
        if (includeResolved) assert.ok(endedList(r).contained.length >= 1);
      });
    }
  }

  it('every recorder is a practitioner of the practice (the endpoint adds them to the bundle)', async () => {
    const practitioners = new Set((await db().query<{ id: string }>('SELECT id FROM practitioner WHERE practice = $1', [A])).map((p) => p.id));
    for (const patient of ['2', '3', '4', '5', '6', '7', '8', '12', '13', '14', '16', '17']) {
      const r = await build(patient, true);
      const all = [...r.resources, ...r.lists.flatMap((l: Json) => l.contained ?? [])] as Json[];
      for (const a of all) assert.ok(practitioners.has(a.recorder.reference.slice('Practitioner/'.length)), `${a.id}: ${a.recorder.reference}`);
    }
  });

  for (const includeResolved of [true, false]) {
    it(`patient5 (explicit "no known allergy"), includeResolved=${includeResolved}: one NKA AllergyIntolerance, coded`, async () => {
      const r = await build('5', includeResolved);
      checkArea(r, '5', includeResolved);
      const [nka] = r.resources as Json[];
      assert.equal(r.resources.length, 1);
      assert.equal(nka.code.coding[0].code, '716186003');
      assert.equal(nka.code.coding[0].extension[0].extension.find((e: Json) => e.url === 'descriptionDisplay').valueString,
        'NKA - No known allergy');
      if (includeResolved) assert.equal(endedList(r).entry, undefined);
    });
  }

  const inTransitText = `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`;

  it('patient16, includeResolved=false (A23): empty active list with confidential-items and data-in-transit, each with its note', async () => {
    const r = await build('16', false);
    checkArea(r, '16', false);
    const list = activeList(r);
    assert.deepEqual(r.resources, []);
    assert.deepEqual(warningCodes(list), ['confidential-items', 'data-in-transit']);
    assert.deepEqual(noteTexts(list), [confidentialNote, inTransitText, 'Information not available']);
    assert.deepEqual(list.emptyReason, emptyReason);
  });

  it('patient16, includeResolved=true (A21): the confidential ended allergy is withheld; the other has "No information available"', async () => {
    const r = await build('16', true);
    checkArea(r, '16', true);
    const ended = endedList(r);
    assert.deepEqual(ended.entry, [{ item: { reference: '#patient16-allergy-2' } }]);
    const reason = ended.contained[0].extension.find((e: Json) => e.url === allergyEndUrl).extension
      .find((e: Json) => e.url === 'reasonEnded').valueString;
    assert.equal(reason, 'No information available', '[Legacy]');
    for (const list of r.lists) {
      assert.deepEqual(warningCodes(list), ['confidential-items', 'data-in-transit']);
      assert.equal(noteTexts(list).filter((t) => t === confidentialNote).length, 1);
    }
    // Nothing of the confidential allergy is in the response, not even its identifier.
    const text = JSON.stringify(r);
    assert.doesNotMatch(text, /patient16-allergy-1|2f1481ac-5416-5b3b-a4ce-6e39db6c8c33/);
    assert.deepEqual(r.linkedItems, [{ type: 'AllergyIntolerance', id: 'patient16-allergy-2' }]);
  });

  it('patient17 (A20): ended allergies contained, confidential-items on both lists, every extension has a url', async () => {
    const r = await build('17', true);
    checkArea(r, '17', true);
    assert.deepEqual(ids(r.resources), ['patient17-allergy-2']);
    assert.deepEqual(ids(endedList(r).contained), ['patient17-allergy-1']);
    for (const list of r.lists) {
      assert.deepEqual(warningCodes(list), ['confidential-items']);
      assert.deepEqual(noteTexts(list), [confidentialNote]);
    }
  });

  for (const includeResolved of [true, false]) {
    it(`patient13 (A23, data in transit), includeResolved=${includeResolved}: the warning and dated note on every list`, async () => {
      const r = await build('13', includeResolved);
      checkArea(r, '13', includeResolved);
      for (const list of r.lists) {
        assert.deepEqual(warningCodes(list), ['data-in-transit']);
        assert.deepEqual(noteTexts(list), [inTransitText]);
      }
    });
  }

  it('keeps practices apart: the same ids in another practice are another patient\'s allergies', async () => {
    const other = await build('1', true, B);
    checkArea(other, '1', true);
    assert.deepEqual(ids(other.resources), ['patient2-allergy-2']);
    assert.equal((other.resources[0] as Json).code.coding[0].code, '91936005');
    const here = await build('2', true);
    assert.equal((here.resources[0] as Json).code.coding[0].code, '89707004');
  });

  it('an unknown patient gets empty lists', async () => {
    const r = await build('no-such-patient', true);
    checkArea(r, 'no-such-patient', true);
    assert.deepEqual(r.resources, []);
  });
});
