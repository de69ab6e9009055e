import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, ukDateTime } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { buildDiary, diaryProcedureRequest } from '../../src/structured/diary.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { findPatientDiaryEntries } from '../../src/store/clinical-diary.ts';
import { type Json, A, B, checkPrimaryList, confidentialNote, describeStoreLevel, emptyReason, noteTexts, sd, snomed, today, warningCodes } from './support.ts';

/**
 * The diary entries area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredDiary scenarios assert of the "Patient recall administration"
 * list and the ProcedureRequests (notes/suite-structured.md §9, §13.2, §13.11) per test patient,
 * the search-date filter of digest §5.2 and the ProcedureRequest content of digest §17.2.
 */

const addYears = (date: string, years: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
};

const procedureRequestProfile = `${sd}CareConnect-GPC-ProcedureRequest-1`;
const title = 'Patient recall administration';
const listCoding = { system: snomed, code: '714311000000108', display: 'Patient recall administration' };
const inTransitText = `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`;

// patient2's six entries, by due date (days from the seeding day): 1 at −14, 2 at 0, 3 at +91,
// 4 a window +92..+214, 5 at +365, 6 at 2027-07-01 (+2922). patient3's: 1 at −7, 2 a window
// +92..+214, 3 at +366.
const p2 = ['p2-diary-1', 'p2-diary-2', 'p2-diary-3', 'p2-diary-4', 'p2-diary-5', 'p2-diary-6'];
const p3 = ['p3-diary-1', 'p3-diary-2', 'p3-diary-3'];


const ids = (r: AreaResult): string[] => r.resources.map((x: Json) => x.id);

/** [DiaryList] / [DiaryEmpty] / BaseList / [ListNIU] on the list, [DiaryPR] / [DiaryPRNIU] on every ProcedureRequest. */
function checkArea(r: AreaResult, patientId: string): Json {
  assert.equal(r.lists.length, 1, '[Lists=1]: the area adds one list');
  const list: Json = r.lists[0];
  checkPrimaryList(list, patientId, { title, code: listCoding.code, display: listCoding.display, tag: 'DiaryList' }, 'ProcedureRequest', r.resources);
  assert.ok(r.resources.every((x: Json) => x.resourceType === 'ProcedureRequest'), 'the area adds only ProcedureRequests');
  assert.equal(new Set(ids(r)).size, r.resources.length, 'no duplicates');
  assert.deepEqual(r.linkedItems, r.resources.map((x: Json) => ({ type: 'ProcedureRequest', id: x.id })));
  for (const pr of r.resources as Json[]) {
    assert.ok(typeof pr.id === 'string' && pr.id.trim() !== '');
    assert.deepEqual(pr.meta, { profile: [procedureRequestProfile] }, 'profile only: no versionId, no lastUpdated');
    assert.ok(pr.identifier.length >= 1);
    for (const i of pr.identifier) assert.ok(i.system && i.value);
    assert.equal(pr.status, 'active');
    assert.equal(pr.intent, 'plan');
    assert.ok(pr.code.coding[0].code);
    assert.deepEqual(pr.subject, { reference: `Patient/${patientId}` });
    assert.match(pr.authoredOn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/, 'authoredOn non-empty');
    assert.match(pr.requester.agent.reference, /^Practitioner\/.+$/, 'requester present');
    assert.equal(pr.requester.onBehalfOf, undefined);
    for (const k of ['priority', 'doNotPerform', 'asNeededBoolean', 'asNeededCodeableConcept', 'performerType', 'performer',
      'category', 'reasonReference', 'specimen', 'bodySite', 'relevantHistory', 'context', 'basedOn', 'definition']) {
      assert.equal(pr[k], undefined, `${k} absent`);
    }
    assert.ok(!(pr.occurrenceDateTime && pr.occurrencePeriod), 'one occurrence[x]');
  }
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
  return list;
}

describeStoreLevel('Structured diary entries: buildDiary', (db) => {
  const build = (patientId: string, searchDate?: string, practice = A) =>
    buildDiary({ db: db(), practice, patientId, today, now: new Date() }, searchDate ? { searchDate } : {});

  for (const patient of ['1', '4']) {
    it(`patient${patient} (Y3, no entries): an empty list with emptyReason and exactly one note`, async () => {
      const r = await build(patient);
      const list = checkArea(r, patient);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
      assert.deepEqual(list.note, [{ text: 'Information not available' }]);
      assert.deepEqual(warningCodes(list), []);
    });
  }

  it('patient2 (Y1, no search date): every active entry, by due date, offered for problem links', async () => {
    const r = await build('2');
    const list = checkArea(r, '2');
    assert.deepEqual(ids(r), p2);
    assert.deepEqual(warningCodes(list), []);
    assert.equal(list.note, undefined);
    // [PLinkPR]: every problem link to a diary entry of patient2 points at a returned ProcedureRequest.
    const links = await db().query<{ target_id: string }>(
      `SELECT l.target_id FROM problem_link l JOIN problem p ON p.practice = l.practice AND p.id = l.problem_id
        WHERE l.practice = $1 AND p.patient_id = '2' AND l.target_type = 'ProcedureRequest'`, [A]);
    assert.ok(links.length >= 1, 'patient2 has a problem linked to a diary entry');
    for (const l of links) assert.ok(r.linkedItems.some((i) => i.type === 'ProcedureRequest' && i.id === l.target_id));
  });

  it('patient2: entries in full (a due date, a due window, reason codes, notes)', async () => {
    const r = await build('2');
    const review: Json = r.resources.find((x: Json) => x.id === 'p2-diary-1');
    assert.deepEqual(review, {
      resourceType: 'ProcedureRequest',
      id: 'p2-diary-1',
      meta: { profile: [procedureRequestProfile] },
      identifier: [{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: '96c15998-d954-5bfb-864b-5aa7f8b24cf8' }],
      status: 'active',
      intent: 'plan',
      code: { coding: [{ system: snomed, code: '314529007', display: 'Medication review due' }], text: 'Diabetes medication review' },
      subject: { reference: 'Patient/2' },
      occurrenceDateTime: addDays(today, -14),
      // Captured 2018-06-17 11:00 BST, shifted by days with the time and offset kept.
      authoredOn: ukDateTime(new Date(`${addDays(today, -379)}T10:00:00Z`)),
      requester: { agent: { reference: 'Practitioner/1' } },
      reasonCode: [{ coding: [{ system: snomed, code: '44054006', display: 'Diabetes mellitus type 2' }] }],
      note: [{ text: 'Review metformin, gliclazide and insulin doses.' }],
    });
    const flu: Json = r.resources.find((x: Json) => x.id === 'p2-diary-4');
    assert.deepEqual(flu.occurrencePeriod, { start: addDays(today, 92), end: addDays(today, 214) });
    assert.equal(flu.occurrenceDateTime, undefined);
    assert.equal(flu.reasonCode, undefined);
    assert.equal(flu.note, undefined);
  });

  it('the entry\'s consultation is only referenced when asked for (the consultations area)', async () => {
    await db().query(`UPDATE procedure_request SET encounter_id = 'Encounter3' WHERE practice = $1 AND id = 'p2-diary-3'`, [A]);
    const { entries } = await findPatientDiaryEntries(db(), A, '2');
    const entry = entries.find((x) => x.id === 'p2-diary-3')!;
    assert.equal((diaryProcedureRequest(entry, '2') as Json).context, undefined);
    assert.deepEqual((diaryProcedureRequest(entry, '2', { withContext: true }) as Json).context, { reference: 'Encounter/Encounter3' });
    await db().query(`UPDATE encounter SET confidential = true WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    const again = (await findPatientDiaryEntries(db(), A, '2')).entries.find((x) => x.id === 'p2-diary-3')!;
    assert.equal(again.encounterId, undefined, 'a withheld consultation is never referenced');
    await db().query(`UPDATE encounter SET confidential = false WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    await db().query(`UPDATE procedure_request SET encounter_id = NULL WHERE practice = $1 AND id = 'p2-diary-3'`, [A]);
  });

  it('patient3 (Y2): its three entries, none linked to a problem', async () => {
    const r = await build('3');
    checkArea(r, '3');
    assert.deepEqual(ids(r), p3);
    const links = await db().query(`SELECT 1 FROM problem_link WHERE practice = $1 AND target_id LIKE 'p3-diary%'`, [A]);
    assert.equal(links.length, 0);
  });

  it('investigation test requests are never diary entries', async () => {
    for (const patient of ['2', '3']) {
      const r = await build(patient, addYears(today, 10));
      assert.ok(ids(r).every((id) => id.includes('diary')), ids(r).join());
    }
  });

  it('every requester is a practitioner of the practice (the endpoint adds them to the bundle)', async () => {
    const practitioners = new Set((await db().query<{ id: string }>('SELECT id FROM practitioner WHERE practice = $1', [A])).map((p) => p.id));
    for (const patient of ['2', '3']) {
      for (const pr of (await build(patient)).resources as Json[]) {
        assert.ok(practitioners.has(pr.requester.agent.reference.slice('Practitioner/'.length)));
      }
    }
  });

  describe('diaryEntriesSearchDate: entries planned on or before it (passed ones always)', () => {
    const cases: { name: string; patient: string; date: string; expect: string[] }[] = [
      { name: 'Y4 n=0: today', patient: '2', date: today, expect: ['p2-diary-1', 'p2-diary-2'] },
      { name: 'Y4 n=10: today + 10 years', patient: '2', date: addYears(today, 10), expect: p2 },
      { name: 'the day before the depression review', patient: '2', date: addDays(today, 90), expect: ['p2-diary-1', 'p2-diary-2'] },
      { name: 'the depression review day', patient: '2', date: addDays(today, 91), expect: ['p2-diary-1', 'p2-diary-2', 'p2-diary-3'] },
      { name: 'the start of the influenza window', patient: '2', date: addDays(today, 92), expect: ['p2-diary-1', 'p2-diary-2', 'p2-diary-3', 'p2-diary-4'] },
      { name: 'patient3 today', patient: '3', date: today, expect: ['p3-diary-1'] },
      { name: 'patient3 today + 10 years', patient: '3', date: addYears(today, 10), expect: p3 },
    ];
    for (const c of cases) {
      it(`patient${c.patient}, ${c.name}`, async () => {
        const r = await build(c.patient, c.date);
        checkArea(r, c.patient);
        assert.deepEqual(ids(r), c.expect);
        assert.ok(r.resources.length >= 1, '[DiaryList]: at least one entry');
      });
    }
  });

  for (const patient of ['13', '16']) {
    it(`patient${patient} (data-in-transit on every list): the warning and its dated note on the empty list`, async () => {
      const r = await build(patient);
      const list = checkArea(r, patient);
      assert.deepEqual(warningCodes(list), ['data-in-transit']);
      assert.deepEqual(noteTexts(list), [inTransitText, 'Information not available']);
      assert.deepEqual(list.emptyReason, emptyReason);
    });
  }

  it('keeps practices apart: the other practice has no diary entries', async () => {
    const r = await build('2', undefined, B);
    checkArea(r, '2');
    assert.deepEqual(r.resources, []);
    const unknown = await build('no-such-patient');
    checkArea(unknown, 'no-such-patient');
    assert.deepEqual(unknown.resources, []);
  });

  // Changes the store: keep last.
  it('confidential entries are withheld with the warning (only when the search would have returned them); completed and cancelled never appear', async () => {
    await db().query(`UPDATE procedure_request SET confidential = true WHERE practice = $1 AND id = 'p3-diary-3'`, [A]);
    await db().query(`UPDATE procedure_request SET status = 'completed' WHERE practice = $1 AND id = 'p3-diary-2'`, [A]);
    await db().query(`UPDATE procedure_request SET status = 'cancelled' WHERE practice = $1 AND id = 'p2-diary-6'`, [A]);

    const r = await build('3');
    const list = checkArea(r, '3');
    assert.deepEqual(ids(r), ['p3-diary-1']);
    assert.deepEqual(warningCodes(list), ['confidential-items']);
    assert.deepEqual(noteTexts(list), [confidentialNote]);
    assert.doesNotMatch(JSON.stringify(r), /p3-diary-3|5bfb7a36-8531-5817-b3a4-71058635cfca/);

    const beforeIt = await build('3', today);
    assert.deepEqual(ids(beforeIt), ['p3-diary-1']);
    assert.deepEqual(warningCodes(beforeIt.lists[0]), [], 'the withheld entry is due later than the search date');

    const sensitive = await findPatientDiaryEntries(db(), A, '3', { includeConfidential: true });
    assert.deepEqual(sensitive.entries.map((e) => e.id), ['p3-diary-1', 'p3-diary-3']);

    assert.deepEqual(ids(await build('2')), p2.slice(0, 5));

    await db().query(`UPDATE procedure_request SET confidential = true WHERE practice = $1 AND id = 'p3-diary-1'`, [A]);
    const empty = await build('3');
    const emptyList = checkArea(empty, '3');
    assert.deepEqual(noteTexts(emptyList), [confidentialNote, 'Information not available']);
    assert.deepEqual(emptyList.emptyReason, emptyReason);
  });
});
