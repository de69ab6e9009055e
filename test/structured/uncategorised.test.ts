import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { buildUncategorised } from '../../src/structured/uncategorised.ts';
import { type Json, A, confidentialNote, describeStoreLevel, noteTexts, sd, snomed, today, warningCodes, checkPrimaryList } from './support.ts';

/**
 * The uncategorised-data area of $gpc.getstructuredrecord, built straight from a fresh seeded store
 * (no HTTP): what the suite's StructuredUncategorised scenarios assert (notes/suite-structured.md
 * §6, §13.8) per test patient, digest §15 (Observation content, blood pressure, hierarchies), the
 * period filter of §5.2 (undated items always returned) and the List rules of §8.
 */


const observationProfile = `${sd}CareConnect-GPC-Observation-1`;
const title = 'Uncategorised data';


const ids = (r: AreaResult) => (r.resources as Json[]).map((o) => o.id);

/** [Obs] / [ObsNIU] on one Observation. */
function checkObservation(o: Json, patientId: string): void {
  assert.equal(o.resourceType, 'Observation');
  assert.ok(typeof o.id === 'string' && o.id !== '');
  assert.deepEqual(o.meta, { profile: [observationProfile] }, 'profile only: no versionId, no lastUpdated');
  assert.equal(o.status, 'final');
  assert.deepEqual(o.subject, { reference: `Patient/${patientId}` });
  assert.ok(o.code.coding.length >= 1);
  assert.ok(o.identifier.length >= 1);
  for (const i of o.identifier) assert.ok(i.system && i.value);
  assert.match(o.issued, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  assert.ok(o.performer?.[0]?.reference, 'performer[0].reference is required by the suite');
  for (const p of o.performer) assert.match(p.reference, /^(Practitioner|Organization)\/.+$/);
  for (const absent of ['basedOn', 'category', 'dataAbsentReason', 'bodySite', 'method', 'specimen', 'device']) {
    assert.equal(o[absent], undefined, `[ObsNIU] ${absent}`);
  }
  if (o.context) assert.match(o.context.reference, /^Encounter\/.+$/);
}

function checkArea(r: AreaResult, patientId: string): Json[] {
  assert.equal(r.lists.length, 1, '[Lists=1] from the area itself');
  const observations = r.resources as Json[];
  for (const o of observations) checkObservation(o, patientId);
  assert.equal(new Set(observations.map((o) => o.id)).size, observations.length, '[NoDup]');
  checkPrimaryList(r.lists[0], patientId, { title, code: '826501000000100', display: 'Miscellaneous record', tag: 'ObsList' }, 'Observation', observations);
  assert.deepEqual(r.linkedItems, observations.map((o) => ({ type: 'Observation', id: o.id })));
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
  // In list order: dated by effective time, undated last.
  const dates = observations.map((o) => o.effectiveDateTime ?? o.effectivePeriod?.start).filter(Boolean).map((d: string) => Date.parse(d));
  assert.deepEqual(dates, [...dates].sort((x, y) => x - y));
  return observations;
}

const consultation3 = ['Consultation3-Topic1-Category-Social-Observation-1', 'Consultation3-Topic2-Category-Examination-Observation-1',
  'Consultation3-Topic2-Category-Examination-Observation-2', 'Consultation3-Topic2-Category-Examination-Observation-3',
  'Consultation3-Topic2-Category-Examination-Observation-4', 'Consultation3-Topic2-Category-Plan-Observation-1'];

describeStoreLevel('Structured uncategorised data: buildUncategorised', (db) => {
  const build = (patientId: string, period?: { start?: string; end?: string }, practice = A) =>
    buildUncategorised({ db: db(), practice, patientId, today, now: new Date() }, period ? { period } : {});

  for (const patient of ['1', '4']) {
    it(`patient${patient} (U8): an empty list with exactly one note and emptyReason`, async () => {
      const r = await build(patient);
      checkArea(r, patient);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.lists[0]!.note, [{ text: 'Information not available' }]);
    });
  }

  it('patient2 (U2): every uncategorised item but the confidential PHQ-9, with confidential-items; no narrative or results', async () => {
    const r = await build('2');
    const observations = checkArea(r, '2');
    assert.equal(observations.length, 29);
    assert.ok(!ids(r).includes('p2-phq9-1'));
    assert.doesNotMatch(JSON.stringify(r), /p2-phq9-1|66518e07-0391-5a48-b027-ceb59dc7a3a8/);
    for (const id of ids(r)) assert.doesNotMatch(id, /^(dacb177a|Consultation1-Topic1-Category-History-Observation-1$)/);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(r.lists[0]), [confidentialNote]);
    for (const id of consultation3) assert.ok(ids(r).includes(id));
  });

  it('patient2: an observation in full (code with description id, value, comment, consultation, performer)', async () => {
    const r = await build('2');
    const temp = (r.resources as Json[]).find((o) => o.id === 'Consultation1-Topic2-Category-Examination-Observation-1');
    assert.deepEqual(temp.identifier, [{ system: 'https://provider.nhs.uk/data-identifier', value: '66b3ba3a-1b48-4862-8485-91935f83e379' }]);
    assert.deepEqual(temp.code, {
      coding: [{
        extension: [{ url: `${sd}Extension-coding-sctdescid`, extension: [{ url: 'descriptionId', valueId: '3008650016' }] }],
        system: snomed, code: '703421000', display: 'Temperature',
      }],
    });
    assert.deepEqual(temp.valueQuantity, { value: 36.7, unit: 'C', system: 'http://unitsofmeasure.org', code: 'Cel' });
    assert.equal(temp.comment, 'Patient looks flushed');
    assert.deepEqual(temp.context, { reference: 'Encounter/Encounter1' });
    assert.deepEqual(temp.performer, [{ reference: 'Practitioner/1' }]);
    assert.equal(temp.effectiveDateTime.slice(0, 10), addDays(today, -95));
    assert.equal(temp.effectivePeriod, undefined);
    // A different description term goes in descriptionDisplay.
    const anxiety = (r.resources as Json[]).find((o) => o.id === 'Consultation1-Topic1-Category-History-Observation-2');
    assert.equal(anxiety.code.text, 'Anxiety with depression');
    assert.deepEqual(anxiety.code.coding[0].extension[0].extension, [{ url: 'descriptionId', valueId: '346979010' }],
      'descriptionDisplay left out when it equals the display');
  });

  it('patient2: blood pressure is one Observation with systolic and diastolic components, no value of its own', async () => {
    const r = await build('2');
    const bp = (r.resources as Json[]).find((o) => o.id === 'Consultation1-Topic3-flat-Observation-2');
    assert.equal(bp.code.coding[0].code, '163020007');
    assert.equal(bp.valueQuantity, undefined);
    assert.equal(bp.referenceRange, undefined);
    assert.equal(bp.bodySite, undefined);
    assert.deepEqual(bp.component.map((c: Json) => c.code.coding[0].code), ['163030003', '163031004']);
    assert.deepEqual(bp.component.map((c: Json) => c.valueQuantity), [
      { value: 130, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      { value: 72, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    ]);
    assert.equal(bp.component[0].code.text, 'O/E Systolic BP reading');
  });

  it('patient3 (U1): its three copies, no consultation, no warning', async () => {
    const r = await build('3');
    const observations = checkArea(r, '3');
    assert.deepEqual(ids(r).sort(), ['p3-Consultation1-topic2-category-Examination-Observation-1',
      'p3-Consultation1-topic2-category-Examination-Observation-2', 'p3-Consultation1-topic2-category-Examination-Observation-3']);
    for (const o of observations) assert.equal(o.context, undefined);
    assert.deepEqual(warningCodes(r.lists[0]), []);
  });

  it('period (§5.2): whole UK days, both ends inclusive; the withheld item only warns when it is in the period', async () => {
    // Consultation2 is 61 days before seeding, Consultation3 30 days; the PHQ-9 137 days.
    const r = await build('2', { start: addDays(today, -61), end: addDays(today, -30) });
    checkArea(r, '2');
    assert.deepEqual(ids(r).sort(), ['Consultation2-Topic1-Category-Social-Observation-1', ...consultation3].sort());
    assert.deepEqual(warningCodes(r.lists[0]), []);

    assert.deepEqual(ids(await build('2', { start: addDays(today, -30) })).sort(), [...consultation3].sort(), 'start only');
    assert.deepEqual(ids(await build('2', { start: addDays(today, -29) })), [], 'the day after: nothing');
    assert.deepEqual(ids(await build('2', { end: addDays(today, -62) })).length, 22, 'end only: Consultation1 items');

    const phq = await build('2', { start: addDays(today, -137), end: addDays(today, -137) });
    checkArea(phq, '2');
    assert.deepEqual(phq.resources, []);
    assert.deepEqual(warningCodes(phq.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(phq.lists[0]), [confidentialNote, 'Information not available']);

    const todayOnly = await build('2', { start: today, end: today });
    checkArea(todayOnly, '2');
    assert.deepEqual(todayOnly.resources, [], 'U11: period = today is fine, and empty');
  });

  it('patient13: the data-in-transit warning (area all) and its dated note', async () => {
    const r = await build('13');
    checkArea(r, '13');
    assert.deepEqual(warningCodes(r.lists[0]), ['data-in-transit']);
    assert.deepEqual(noteTexts(r.lists[0]), [
      `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`,
      'Information not available',
    ]);
  });

  it('keeps practices apart: GPC002 patient 2 has none of B82617 patient2\'s observations', async () => {
    const r = await build('2', undefined, 'GPC002');
    checkArea(r, '2');
    assert.deepEqual(r.resources, []);
  });

  // ---- Below, rows are added to this test database: the patient6 record changes. ----

  const insert = (id: string, columns: Record<string, unknown>) => {
    const base: Record<string, unknown> = {
      practice: A, id, patient_id: '6', kind: 'uncategorised', status: 'final',
      identifiers: JSON.stringify([{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: `urn:uuid:${id}` }]),
      code: JSON.stringify({ coding: [{ system: snomed, code: '271649006', display: 'Systolic blood pressure' }] }),
      issued_at: '2024-01-10T09:00:00+00:00', performer_practitioner_id: '1', ...columns,
    };
    const names = Object.keys(base);
    return db().query(`INSERT INTO observation (${names.join(', ')}) VALUES (${names.map((_, n) => `$${n + 1}`).join(', ')})`, Object.values(base));
  };
  const relate = (from: string, position: number, type: string, to: string) =>
    db().query(`INSERT INTO observation_related (practice, observation_id, position, type, target_id) VALUES ($1, $2, $3, $4, $5)`,
      [A, from, position, type, to]);

  it('undated observations are returned whatever the period, after the dated ones; periods overlap the window', async () => {
    await insert('p6-undated', { effective_start: null });
    await insert('p6-dated', { effective_start: '2024-01-10T09:00:00+00:00', value: JSON.stringify({ string: 'seen' }) });
    await insert('p6-period', { effective_start: '2023-12-01T09:00:00+00:00', effective_end: '2024-02-01T09:00:00+00:00' });
    const all = await build('6');
    assert.deepEqual(ids(all), ['p6-period', 'p6-dated', 'p6-undated']);
    const [period, dated, undated] = checkArea(all, '6');
    assert.equal(undated.effectiveDateTime, undefined);
    assert.equal(undated.effectivePeriod, undefined);
    assert.equal(dated.valueString, 'seen');
    assert.deepEqual(period.effectivePeriod, { start: '2023-12-01T09:00:00+00:00', end: '2024-02-01T09:00:00+00:00' });
    assert.equal(period.effectiveDateTime, undefined);

    assert.deepEqual(ids(await build('6', { start: '2024-01-11', end: '2024-01-31' })), ['p6-period', 'p6-undated'], 'inside the period');
    assert.deepEqual(ids(await build('6', { start: '2024-01-10', end: '2024-01-10' })), ['p6-period', 'p6-dated', 'p6-undated']);
    assert.deepEqual(ids(await build('6', { start: '2024-02-02' })), ['p6-undated']);
    assert.deepEqual(ids(await build('6', { end: '2023-11-30' })), ['p6-undated']);
  });

  it('hierarchy: has-member / derived-from between returned observations only; a confidential member is never referenced', async () => {
    await insert('p6-parent', { effective_start: '2024-03-01T09:00:00+00:00' });
    await insert('p6-child', { effective_start: '2024-03-01T09:00:00+00:00' });
    await insert('p6-secret-child', { effective_start: '2024-03-01T09:00:00+00:00', confidential: true });
    await relate('p6-parent', 0, 'has-member', 'p6-child');
    await relate('p6-parent', 1, 'has-member', 'p6-secret-child');
    await relate('p6-child', 0, 'derived-from', 'p6-parent');
    const r = await build('6');
    checkArea(r, '6');
    const parent = (r.resources as Json[]).find((o) => o.id === 'p6-parent');
    const child = (r.resources as Json[]).find((o) => o.id === 'p6-child');
    assert.deepEqual(parent.related, [{ type: 'has-member', target: { reference: 'Observation/p6-child' } }]);
    assert.deepEqual(child.related, [{ type: 'derived-from', target: { reference: 'Observation/p6-parent' } }]);
    assert.doesNotMatch(JSON.stringify(r), /p6-secret-child/);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    // A member that is not returned (here: out of the period) is not pointed at either.
    await db().query(`UPDATE observation SET effective_start = '2024-05-01T09:00:00+00:00' WHERE practice = $1 AND id = 'p6-parent'`, [A]);
    const march = await build('6', { start: '2024-03-01', end: '2024-03-01' });
    checkArea(march, '6');
    assert.equal((march.resources as Json[]).find((o) => o.id === 'p6-child').related, undefined);
  });

  it('performer: the consultation clinician when none is recorded; organisation performers kept; ranges carry units', async () => {
    await insert('p6-no-performer', { effective_start: '2024-04-01T09:00:00+00:00', performer_practitioner_id: null, encounter_id: 'Encounter3' });
    await insert('p6-lab', {
      effective_start: '2024-04-02T09:00:00+00:00', performer_practitioner_id: null, performer_organization_id: '2',
      value: JSON.stringify({ quantity: { value: 5.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' } }),
      reference_range: JSON.stringify({ low: 3.5, high: 5.3 }),
      interpretation: JSON.stringify({ coding: [{ system: 'http://hl7.org/fhir/v2/0078', code: 'N', display: 'Normal' }] }),
    });
    await insert('p6-bp-missing', {
      effective_start: '2024-04-03T09:00:00+00:00',
      code: JSON.stringify({ coding: [{ system: snomed, code: '75367002', display: 'Blood pressure' }] }),
      value: JSON.stringify({ quantity: { value: 1, unit: 'x' } }),
      components: JSON.stringify([
        { code: { coding: [{ system: snomed, code: '72313002', display: 'Systolic arterial pressure' }] }, value: { quantity: { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } } },
        { code: { coding: [{ system: snomed, code: '1091811000000102', display: 'Diastolic arterial pressure' }] } },
      ]),
    });
    const r = await build('6', { start: '2024-04-01', end: '2024-04-03' });
    const [noPerformer, lab, bp] = checkArea(r, '6').filter((o) => o.id !== 'p6-undated');
    assert.deepEqual(noPerformer.performer, [{ reference: 'Practitioner/1' }]);
    assert.deepEqual(noPerformer.context, { reference: 'Encounter/Encounter3' });
    assert.deepEqual(lab.performer, [{ reference: 'Organization/2' }]);
    assert.deepEqual(lab.referenceRange, [{
      low: { value: 3.5, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
      high: { value: 5.3, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    }]);
    assert.equal(lab.interpretation.coding[0].code, 'N');
    assert.equal(bp.valueQuantity, undefined, 'a header carries no value');
    assert.deepEqual(bp.component[1], {
      code: { coding: [{ system: snomed, code: '1091811000000102', display: 'Diastolic arterial pressure' }] },
      dataAbsentReason: { coding: [{ system: 'http://hl7.org/fhir/data-absent-reason', code: 'unknown', display: 'Unknown' }] },
    });
    // A confidential consultation is not referenced.
    await db().query(`UPDATE encounter SET confidential = true WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    const again = (await build('6', { start: '2024-04-01', end: '2024-04-01' })).resources as Json[];
    assert.equal(again.find((o) => o.id === 'p6-no-performer').context, undefined);
  });
});
