import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { buildConsultations } from '../../src/structured/consultations.ts';
import { findPatientConsultations } from '../../src/store/clinical-consultations.ts';
import { type Json, A, describeStoreLevel, emptyReason, listProfile, references, sd, snomed, today, warningCodes } from './support.ts';

/**
 * The consultations area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredConsultations scenarios assert (notes/suite-structured.md §4,
 * §13.6) of the "List of consultations", the Encounters, the consultation/topic/heading Lists and
 * the "Consultations - … contained in consultations" lists; the period and most-recent filters of
 * digest §5.2; the inclusion rules of digest §9 and confidential handling of §18.1.
 */


const encounterProfile = `${sd}CareConnect-GPC-Encounter-1`;
const relatedProblemHeaderUrl = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedProblemHeader-1';
const secondarySystem = 'https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1';
const listCoding = { system: snomed, code: '1149501000000101', display: 'List of consultations' };
const codes = { consultation: '325851000000107', topic: '25851000000105', heading: '24781000000107' };
const displays: Record<string, string> = { '325851000000107': 'Consultation', '25851000000105': 'Topic (EHR)', '24781000000107': 'Category (EHR)' };
const meds2nd = 'consultations-medications-contained-in-consultations';
const inv2nd = 'consultations-investigations-contained-in-consultations';
const diary2nd = 'consultations-diary-entries-contained-in-consultations';
// patient2's FBC reports (seed), the test request each answers, and one of the first one's results.
const fbc = {
  report1: 'efae5859-28df-4e7d-be91-6df56d8215e4',
  report2: 'efae5859-28df-4e7d-be91-6df56d8215e5',
  request1: 'd9df1431-22ac-462a-946a-f195f6c639af',
};
const uncat2nd = 'consultations-uncategorised-data-contained-in-consultations';


const codeOf = (list: Json): string => list.code.coding[0].code;
const primary = (r: AreaResult): Json => r.lists.find((l: Json) => codeOf(l) === listCoding.code);
const structure = (r: AreaResult, code: string): Json[] => r.lists.filter((l: Json) => codeOf(l) === code);
const secondary = (r: AreaResult, code: string): Json | undefined => r.lists.find((l: Json) => codeOf(l) === code);
const ofType = (r: AreaResult, type: string): Json[] => r.resources.filter((x: Json) => x.resourceType === type);

/** Every reference resolves among the area's resources and id'd Lists, except admin ones (and `#id` inside its List). */
function checkClosure(r: AreaResult, patientId: string): void {
  const held = new Set([...r.resources, ...r.lists].filter((x: Json) => x.id !== undefined).map((x: Json) => `${x.resourceType}/${x.id}`));
  assert.equal(held.size, [...r.resources, ...r.lists].filter((x: Json) => x.id !== undefined).length, 'no duplicates');
  for (const x of [...r.resources, ...r.lists] as Json[]) {
    const contained = new Set((x.contained ?? []).map((c: Json) => `#${c.id}`));
    for (const ref of references(x)) {
      if (/^(Practitioner|Organization|Location)\//.test(ref)) continue;
      if (ref === `Patient/${patientId}`) continue;
      if (ref.startsWith('#')) {
        assert.ok(contained.has(ref), `${ref} is contained in its List`);
        continue;
      }
      assert.ok(held.has(ref), `${ref} (from ${x.resourceType}/${x.id ?? codeOf(x)}) resolves`);
    }
  }
}

/**
 * The reports are among the resources with everything they hold: test request (basedOn),
 * specimens and result observations, and each of those once.
 */
function checkWholeReports(r: AreaResult, reportIds: string[]): void {
  const held = new Set(r.resources.map((x: Json) => `${x.resourceType}/${x.id}`));
  for (const id of reportIds) {
    const report = ofType(r, 'DiagnosticReport').find((d: Json) => d.id === id);
    assert.ok(report, `DiagnosticReport/${id} is returned`);
    assert.equal(report.code.coding[0].display, 'Diagnostic studies report');
    const refs = [...(report.basedOn ?? []), ...(report.specimen ?? []), ...(report.result ?? [])].map((x: Json) => x.reference);
    assert.ok(refs.some((ref: string) => ref.startsWith('ProcedureRequest/')), 'the test request comes too');
    assert.ok(refs.some((ref: string) => ref.startsWith('Observation/')), 'results come too');
    for (const ref of refs) assert.ok(held.has(ref), `${ref} of DiagnosticReport/${id} is returned`);
  }
  assert.equal(ofType(r, 'DiagnosticReport').length, reportIds.length);
}

/** [CList] [Enc] [EncNIU] [ConsL] [Topic] [Heading] [ConsLNIU] and the common structure-list checks. */
function checkArea(r: AreaResult, patientId: string): Json {
  const list = primary(r);
  assert.ok(list, 'the List of consultations');
  assert.equal(r.lists.filter((l: Json) => codeOf(l) === listCoding.code).length, 1);
  assert.equal(list.id, undefined);
  assert.deepEqual(list.meta, { profile: [listProfile] });
  assert.equal(list.title, 'List of consultations');
  assert.deepEqual(list.code, { coding: [listCoding] });
  assert.deepEqual(list.subject, { reference: `Patient/${patientId}` });
  const encounters = ofType(r, 'Encounter');
  const entries: Json[] = list.entry ?? [];
  assert.equal(entries.length, encounters.length, '[CList] entries == Encounters');
  assert.deepEqual(entries.map((e) => e.item.reference).sort(), encounters.map((e) => `Encounter/${e.id}`).sort());
  if (entries.length === 0) {
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.ok(list.note.some((n: Json) => n.text === 'Information not available'));
  }
  for (const e of encounters) {
    assert.deepEqual(e.meta, { profile: [encounterProfile] });
    assert.ok(e.identifier.length >= 1 && e.identifier.every((i: Json) => i.system && i.value));
    assert.ok(e.type.length >= 1);
    assert.deepEqual(e.subject, { reference: `Patient/${patientId}` });
    assert.ok(e.participant.some((p: Json) => p.type.some((t: Json) => t.coding.some((c: Json) =>
      c.system === 'https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-ParticipantType-1' && c.code === 'REC'))), '[Enc] REC participant');
    for (const p of e.participant) assert.match(p.individual.reference, /^Practitioner\/.+/);
    for (const k of ['statusHistory', 'class', 'classHistory', 'priority', 'episodeOfCare', 'incomingReferral', 'appointment', 'reason',
      'diagnosis', 'account', 'hospitalization', 'partOf']) assert.equal(e[k], undefined, `[EncNIU] ${k}`);
    assert.ok(e.period.start);
  }
  const encounterRefs = entries.map((e) => e.item.reference);
  for (const code of Object.values(codes)) {
    for (const l of structure(r, code)) {
      assert.ok(typeof l.id === 'string' && l.id !== '', 'structure lists have ids');
      assert.deepEqual(l.meta, { profile: [listProfile] });
      assert.equal(l.status, 'current');
      assert.equal(l.mode, 'snapshot');
      assert.deepEqual(l.subject, { reference: `Patient/${patientId}` });
      assert.ok(l.date, 'date required');
      assert.deepEqual(l.orderedBy, { coding: [{ system: 'http://hl7.org/fhir/list-order', code: 'system', display: 'Sorted by System' }] });
      assert.equal(l.code.coding[0].display, displays[code]);
      assert.ok(encounterRefs.includes(l.encounter.reference), 'encounter on every level, in the list');
      assert.equal(l.note, undefined, '[ConsLNIU] no note');
      assert.equal(l.identifier, undefined);
      assert.equal(l.source, undefined);
      assert.deepEqual(warningCodes(l), [], 'no warnings on structure lists');
      assert.ok(l.entry.length >= 1, 'empty structure lists are suppressed');
      for (const e of l.entry) assert.deepEqual(Object.keys(e), ['item']);
    }
  }
  for (const l of structure(r, codes.consultation)) {
    assert.equal(encounterRefs.filter((ref: string) => ref === l.encounter.reference).length, 1);
    for (const e of l.entry) assert.match(e.item.reference, /^List\//);
  }
  // Every secondary list: the spec's code system, display = title, non-empty or warned.
  for (const l of r.lists.filter((x: Json) => x.code.coding[0].system === secondarySystem) as Json[]) {
    assert.equal(l.code.coding[0].display, l.title);
    assert.match(codeOf(l), /^consultations-/);
    assert.ok((l.entry ?? []).length > 0 || warningCodes(l).length > 0);
  }
  checkClosure(r, patientId);
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
  return list;
}

describeStoreLevel('Structured consultations: buildConsultations', (db) => {
  const build = (patientId: string, options: { period?: { start?: string; end?: string }; mostRecent?: number } = {}) =>
    buildConsultations({ db: db(), practice: A, patientId, today, now: new Date() }, options);
  const encounterIds = (r: AreaResult) => (primary(r).entry ?? []).map((e: Json) => e.item.reference);

  for (const patient of ['1', '4']) {
    it(`patient${patient} (C4, no consultations): an empty list and nothing else`, async () => {
      const r = await build(patient, { period: { start: addDays(today, -3 * 365), end: addDays(today, -1) } });
      const list = checkArea(r, patient);
      assert.equal(r.lists.length, 1);
      assert.deepEqual(list.note, [{ text: 'Information not available' }]);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
    });
  }

  it('patient2 (C1): topics, headings, items, a problem, and the secondary lists', async () => {
    const r = await build('2');
    checkArea(r, '2');
    assert.deepEqual(encounterIds(r), ['Encounter/Encounter3', 'Encounter/Encounter2', 'Encounter/Encounter1'], 'most recent first');
    assert.equal(structure(r, codes.consultation).length, 3);
    assert.ok(structure(r, codes.heading).length >= 1);
    // [TopicProb]: target first, a Condition among the resources.
    const conditions = new Set(ofType(r, 'Condition').map((c: Json) => `Condition/${c.id}`));
    const topicProblems = structure(r, codes.topic).flatMap((t: Json) => (t.extension ?? []).filter((e: Json) => e.url === relatedProblemHeaderUrl));
    assert.ok(topicProblems.length >= 1);
    for (const e of topicProblems) {
      assert.equal(e.extension[0].url, 'target');
      assert.ok(conditions.has(e.extension[0].valueReference.reference));
    }
    assert.ok(conditions.has('Condition/Problem-A-Anxiety-With-Depression'));
    // [TH(Observation)] [TH(MedicationRequest)]
    const itemRefs = [...structure(r, codes.topic), ...structure(r, codes.heading)].flatMap((l: Json) => l.entry.map((e: Json) => e.item.reference ?? ''));
    assert.ok(itemRefs.some((ref: string) => ref.startsWith('Observation/')));
    assert.ok(itemRefs.some((ref: string) => ref.startsWith('MedicationRequest/')));
    // The flat topic holds items directly.
    const flat = structure(r, codes.topic).find((t: Json) => t.id === 'Consultation1-Topic3');
    assert.ok(flat.entry.some((e: Json) => e.item.reference === 'MedicationRequest/Consultation1-Topic3-flat-Medication-Plan-1'));
    // Investigations: the heading names the real reports, and each comes whole (digest §9).
    const examination = structure(r, codes.heading).find((h: Json) => h.id === 'Consultation3-Topic2-Category-Examination');
    const reportRefs = examination.entry.map((e: Json) => e.item.reference).filter((ref: string) => ref.startsWith('DiagnosticReport/'));
    assert.deepEqual(reportRefs, [`DiagnosticReport/${fbc.report1}`, `DiagnosticReport/${fbc.report2}`]);
    assert.doesNotMatch(JSON.stringify(r.lists), /not supported by the provider system/);
    checkWholeReports(r, [fbc.report1, fbc.report2]);
    assert.deepEqual(secondary(r, inv2nd).entry.map((e: Json) => e.item.reference), reportRefs);
    // [C2ndMeds]: statements, every one in the bundle; orders only those in a consultation.
    const meds = secondary(r, meds2nd);
    assert.equal(meds.title, 'Consultations - medications contained in consultations');
    const statements = ofType(r, 'MedicationStatement');
    assert.ok(statements.length >= 1);
    assert.deepEqual(meds.entry.map((e: Json) => e.item.reference).sort(), statements.map((s: Json) => `MedicationStatement/${s.id}`).sort());
    const orders = ofType(r, 'MedicationRequest').filter((m: Json) => m.intent === 'order').map((m: Json) => `MedicationRequest/${m.id}`);
    assert.ok(orders.length >= 1);
    for (const o of orders) assert.ok(itemRefs.includes(o), `${o} is itself in a consultation`);
    for (const s of statements) assert.ok(ofType(r, 'MedicationRequest').some((m: Json) => `MedicationRequest/${m.id}` === s.basedOn[0].reference));
    assert.ok(ofType(r, 'Medication').length >= 1);
    // [C2ndUncat]: uncategorised observations (not comment notes).
    const uncat = secondary(r, uncat2nd);
    assert.ok(uncat.entry.length >= 1);
    const observations = new Map(ofType(r, 'Observation').map((o: Json) => [`Observation/${o.id}`, o]));
    for (const e of uncat.entry) assert.ok(observations.has(e.item.reference));
    // Comment notes.
    const note = observations.get('Observation/Consultation1-Topic1-Category-History-Observation-1');
    assert.equal(note.code.coding[0].code, '37331000000100');
    assert.equal(note.status, 'final');
    assert.ok(note.comment);
    assert.deepEqual(note.context, { reference: 'Encounter/Encounter1' });
    assert.ok(!uncat.entry.some((e: Json) => e.item.reference === 'Observation/Consultation1-Topic1-Category-History-Observation-1'));
    // Referrals made in consultation 1, with their context.
    const referrals = ofType(r, 'ReferralRequest');
    assert.equal(referrals.length, 2);
    for (const rr of referrals) assert.deepEqual(rr.context, { reference: 'Encounter/Encounter1' });
    assert.equal(secondary(r, 'consultations-outbound-referrals-in-consultations').entry.length, 2);
    // Encounter content.
    const e1 = ofType(r, 'Encounter').find((e: Json) => e.id === 'Encounter1');
    assert.equal(e1.status, 'finished');
    assert.deepEqual(e1.length, { value: 8, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' });
    assert.deepEqual(e1.location, [{ location: { reference: 'Location/17' } }]);
    assert.deepEqual(e1.serviceProvider, { reference: 'Organization/7' });
    assert.equal(e1.type[0].text, 'Surgery Consultation');
    // linkedItems: the Encounters and every clinical item returned.
    const linked = new Set(r.linkedItems.map((i) => `${i.type}/${i.id}`));
    for (const e of ofType(r, 'Encounter')) assert.ok(linked.has(`Encounter/${e.id}`));
    for (const type of ['MedicationRequest', 'ReferralRequest', 'DiagnosticReport']) {
      for (const x of ofType(r, type)) assert.ok(linked.has(`${type}/${x.id}`), `${type}/${x.id} linked`);
    }
    // Observations of the consultations themselves (not those inside a report, nor the text of other items).
    for (const x of ofType(r, 'Observation').filter((o: Json) => o.id.startsWith('Consultation'))) {
      assert.ok(linked.has(`Observation/${x.id}`), `Observation/${x.id} linked`);
    }
    assert.equal(new Set(r.linkedItems.map((i) => `${i.type}/${i.id}`)).size, r.linkedItems.length);
  });

  it('C2/C5/C6: search periods by start and end (inclusive UK days)', async () => {
    const all = ['Encounter/Encounter3', 'Encounter/Encounter2', 'Encounter/Encounter1'];
    assert.deepEqual(encounterIds(await build('2', { period: { start: addDays(today, -3 * 365), end: addDays(today, -1) } })), all);
    assert.deepEqual(encounterIds(await build('2', { period: { start: addDays(today, -3 * 365) } })), all);
    assert.deepEqual(encounterIds(await build('2', { period: { end: addDays(today, -1) } })), all);
    // Consultations 95, 61 and 30 days before seeding.
    assert.deepEqual(encounterIds(await build('2', { period: { start: addDays(today, -40) } })), ['Encounter/Encounter3']);
    assert.deepEqual(encounterIds(await build('2', { period: { start: addDays(today, -61), end: addDays(today, -61) } })), ['Encounter/Encounter2']);
    assert.deepEqual(encounterIds(await build('2', { period: { end: addDays(today, -70) } })), ['Encounter/Encounter1']);
    const none = await build('2', { period: { start: addDays(today, -20), end: addDays(today, -1) } });
    checkArea(none, '2');
    assert.deepEqual(none.resources, []);
    const one = await build('2', { period: { end: addDays(today, -70) } });
    checkArea(one, '2');
    assert.ok(one.lists.every((l: Json) => !l.encounter || l.encounter.reference === 'Encounter/Encounter1'));
  });

  it('C3: the N most recent by start', async () => {
    assert.deepEqual(encounterIds(await build('2', { mostRecent: 1 })), ['Encounter/Encounter3']);
    assert.deepEqual(encounterIds(await build('2', { mostRecent: 2 })), ['Encounter/Encounter3', 'Encounter/Encounter2']);
    const three = await build('2', { mostRecent: 3 });
    checkArea(three, '2');
    assert.equal(encounterIds(three).length, 3);
    assert.equal(encounterIds(await build('2', { mostRecent: 10 })).length, 3);
    checkArea(await build('2', { mostRecent: 1 }), '2');
  });

  it('allergies in a consultation: active top level, ended contained in an Ended allergies list', async () => {
    await db().query(`INSERT INTO consultation_item (practice, section_id, position, item_type, item_id) VALUES
      ($1, 'Consultation3-Topic1-Category-History', 100, 'AllergyIntolerance', 'patient2-allergy-2'),
      ($1, 'Consultation3-Topic1-Category-History', 101, 'AllergyIntolerance', 'patient2-allergy-1')`, [A]);
    try {
      const r = await build('2', { mostRecent: 1 });
      checkArea(r, '2');
      assert.deepEqual(ofType(r, 'AllergyIntolerance').map((a: Json) => a.id), ['patient2-allergy-2']);
      const ended = r.lists.find((l: Json) => codeOf(l) === '1103671000000101') as Json;
      assert.equal(ended.title, 'Ended allergies');
      assert.deepEqual(ended.contained.map((a: Json) => a.id), ['patient2-allergy-1']);
      assert.deepEqual(ended.entry, [{ item: { reference: '#patient2-allergy-1' } }]);
      const history = structure(r, codes.heading).find((h: Json) => h.id === 'Consultation3-Topic1-Category-History');
      assert.ok(history.entry.some((e: Json) => e.item.reference === 'AllergyIntolerance/patient2-allergy-2'));
      assert.ok(history.entry.some((e: Json) => e.item.reference === undefined && e.item.display.startsWith('Ended allergy: ')));
      assert.deepEqual(secondary(r, 'consultations-allergies-contained-in-consultations').entry,
        [{ item: { reference: 'AllergyIntolerance/patient2-allergy-2' } }]);
      assert.equal(secondary(r, 'consultations-allergies-that-have-been-ended-contained-in-consultations').entry.length, 1);
      const linked = r.linkedItems.map((i) => `${i.type}/${i.id}`);
      assert.ok(linked.includes('AllergyIntolerance/patient2-allergy-1') && linked.includes('AllergyIntolerance/patient2-allergy-2'));
    } finally {
      await db().query(`DELETE FROM consultation_item WHERE practice = $1 AND section_id = 'Consultation3-Topic1-Category-History' AND position >= 100`, [A]);
    }
  });

  it('§18.1: a confidential consultation is left out, with confidential-items on the primary list', async () => {
    await db().query(`UPDATE encounter SET confidential = true WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    try {
      const r = await build('2');
      const list = checkArea(r, '2');
      assert.deepEqual(encounterIds(r), ['Encounter/Encounter2', 'Encounter/Encounter1']);
      assert.deepEqual(warningCodes(list), ['confidential-items']);
      assert.ok(list.note.some((n: Json) => n.text === 'Items excluded due to confidentiality and/or patient preferences.'));
      assert.doesNotMatch(JSON.stringify(r), /Encounter3|Consultation3/);
      // Most recent: the withheld one would have been among them.
      const recent = await build('2', { mostRecent: 1 });
      assert.deepEqual(encounterIds(recent), ['Encounter/Encounter2']);
      assert.deepEqual(warningCodes(primary(recent)), ['confidential-items']);
      const store1 = await findPatientConsultations(db(), A, '2', { mostRecent: 1, includeConfidential: true });
      assert.deepEqual(store1.consultations.map((c) => c.id), ['Encounter3']);
      // Outside the period: no warning.
      const old = await build('2', { period: { end: addDays(today, -70) } });
      assert.deepEqual(warningCodes(primary(old)), []);
    } finally {
      await db().query(`UPDATE encounter SET confidential = false WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    }
  });

  it('§18.1: confidential items leave no trace; the secondary list gets confidential-items', async () => {
    const obs = 'Consultation1-Topic1-Category-History-Observation-2';
    const plan = 'Consultation1-Topic3-flat-Medication-Plan-1';
    const order = 'Consultation1-Topic3-flat-Medication-Order-1';
    await db().query(`UPDATE observation SET confidential = true WHERE practice = $1 AND id = $2`, [A, obs]);
    await db().query(`UPDATE medication_request SET confidential = true WHERE practice = $1 AND id = $2`, [A, plan]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      const text = JSON.stringify(r);
      assert.ok(!text.includes(obs), 'the observation is not referenced');
      assert.ok(!text.includes(plan) && !text.includes(order), 'nor the course, its issue included');
      assert.deepEqual(warningCodes(secondary(r, uncat2nd)), ['confidential-items']);
      assert.deepEqual(warningCodes(secondary(r, meds2nd)), ['confidential-items']);
      assert.deepEqual(warningCodes(primary(r)), []);
      assert.deepEqual(warningCodes(secondary(r, 'consultations-outbound-referrals-in-consultations')), []);
    } finally {
      await db().query(`UPDATE observation SET confidential = false WHERE practice = $1 AND id = $2`, [A, obs]);
      await db().query(`UPDATE medication_request SET confidential = false WHERE practice = $1 AND id = $2`, [A, plan]);
    }
  });

  it('§18.1: a confidential topic problem is not named; empty headings are suppressed', async () => {
    await db().query(`UPDATE problem SET confidential = true WHERE practice = $1 AND id = 'Problem-B-Swollen-Legs'`, [A]);
    await db().query(`UPDATE observation SET confidential = true WHERE practice = $1 AND id IN
      (SELECT item_id FROM consultation_item WHERE practice = $1 AND section_id = 'Consultation3-Topic2-Category-History')`, [A]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      assert.ok(!JSON.stringify(r).includes('Problem-B-Swollen-Legs'));
      assert.deepEqual(warningCodes(secondary(r, 'consultations-problems-contained-in-consultations')), ['confidential-items']);
      assert.ok(!r.lists.some((l: Json) => l.id === 'Consultation3-Topic2-Category-History'), 'the emptied heading is left out');
      assert.ok(!JSON.stringify(r).includes('List/Consultation3-Topic2-Category-History"'));
    } finally {
      await db().query(`UPDATE problem SET confidential = false WHERE practice = $1 AND id = 'Problem-B-Swollen-Legs'`, [A]);
      await db().query(`UPDATE observation SET confidential = false WHERE practice = $1 AND id IN
        (SELECT item_id FROM consultation_item WHERE practice = $1 AND section_id = 'Consultation3-Topic2-Category-History')`, [A]);
    }
  });

  it('§13: a completed diary entry and a test request no report answers come back as text (comment-note Observations)', async () => {
    const r = await build('2');
    checkArea(r, '2');
    const cases = [
      { id: 'p2-diary-completed-1', heading: 'Consultation2-Topic1-Category-Plan', encounter: 'Encounter2',
        parts: ['Diary entry (completed): Sertraline review (Medication review due)', 'Reason: Mixed anxiety and depressive disorder',
          'Note: Reviewed at this consultation: mood improving, continue sertraline 50 mg daily.'] },
      { id: 'p2-test-request-1', heading: 'Consultation3-Topic1-Category-Plan', encounter: 'Encounter3',
        parts: ['Test request: Thyroid function test (Thyroid panel)', 'Note: Sample to be taken at the surgery next week; no result received yet.'] },
    ];
    for (const c of cases) {
      const heading = structure(r, codes.heading).find((h: Json) => h.id === c.heading);
      assert.ok(heading.entry.some((e: Json) => e.item.reference === `Observation/${c.id}`), `${c.heading} names Observation/${c.id}`);
      const text = ofType(r, 'Observation').find((o: Json) => o.id === c.id);
      assert.deepEqual(text.meta, { profile: [`${sd}CareConnect-GPC-Observation-1`] });
      assert.deepEqual(text.code.coding.map((x: Json) => [x.system, x.code, x.display]), [[snomed, '37331000000100', 'Comment note']]);
      assert.equal(text.status, 'final');
      assert.deepEqual(text.context, { reference: `Encounter/${c.encounter}` });
      assert.deepEqual(text.performer, [{ reference: 'Practitioner/1' }]);
      assert.ok(text.issued && text.effectiveDateTime);
      assert.ok(text.identifier.length >= 1);
      for (const part of c.parts) assert.ok(text.comment.split('\n').includes(part), `${c.id}: "${part}" in ${JSON.stringify(text.comment)}`);
      // The item itself (a ProcedureRequest) is not returned, nor listed as a diary entry or an investigation.
      assert.ok(!ofType(r, 'ProcedureRequest').some((x: Json) => x.id === c.id));
      assert.ok(!JSON.stringify(r.lists.filter((l: Json) => l.id === undefined)).includes(c.id));
    }
    assert.match(ofType(r, 'Observation').find((o: Json) => o.id === 'p2-diary-completed-1').comment, /^Due: \d\d-[A-Z][a-z]{2}-\d{4}$/m);
    assert.equal(secondary(r, diary2nd), undefined, 'no diary entry of the record is in a consultation');
  });

  it('§13: a cancelled diary entry is not returned; confidential ones leave no trace (warning on their area\'s list)', async () => {
    await db().query(`UPDATE procedure_request SET status = 'cancelled' WHERE practice = $1 AND id = 'p2-diary-completed-1'`, [A]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      assert.ok(!JSON.stringify(r).includes('p2-diary-completed-1'));
      assert.equal(secondary(r, diary2nd), undefined);
    } finally {
      await db().query(`UPDATE procedure_request SET status = 'completed' WHERE practice = $1 AND id = 'p2-diary-completed-1'`, [A]);
    }
    await db().query(`UPDATE procedure_request SET confidential = true WHERE practice = $1 AND id IN ('p2-diary-completed-1', 'p2-test-request-1')`, [A]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      const text = JSON.stringify(r);
      assert.ok(!text.includes('p2-diary-completed-1') && !text.includes('p2-test-request-1'));
      assert.deepEqual(warningCodes(secondary(r, diary2nd)), ['confidential-items']);
      assert.equal((secondary(r, diary2nd).entry ?? []).length, 0);
      assert.deepEqual(warningCodes(secondary(r, inv2nd)), ['confidential-items']);
    } finally {
      await db().query(`UPDATE procedure_request SET confidential = false WHERE practice = $1 AND id IN ('p2-diary-completed-1', 'p2-test-request-1')`, [A]);
    }
  });

  it('§9: an investigation item — a result, its test request, the report — is the whole report, named once per list', async () => {
    const [{ item_id: result }] = await db().query<{ item_id: string }>(
      `SELECT item_id FROM diagnostic_report_item WHERE practice = $1 AND report_id = $2 AND item_type = 'Observation' ORDER BY position LIMIT 1`, [A, fbc.report1]);
    await db().query(`INSERT INTO consultation_item (practice, section_id, position, item_type, item_id) VALUES
      ($1, 'Consultation3-Topic2-Category-Examination', 100, 'Observation', $2),
      ($1, 'Consultation3-Topic2-Category-Examination', 101, 'ProcedureRequest', $3),
      ($1, 'Consultation1-Topic1-Category-History', 100, 'Observation', $2)`, [A, result, fbc.request1]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      const heading = (id: string) => structure(r, codes.heading).find((h: Json) => h.id === id);
      const refs = (id: string) => heading(id).entry.map((e: Json) => e.item.reference);
      assert.equal(refs('Consultation3-Topic2-Category-Examination').filter((x: string) => x === `DiagnosticReport/${fbc.report1}`).length, 1);
      assert.ok(!refs('Consultation3-Topic2-Category-Examination').some((x: string) => x === `Observation/${result}` || x.startsWith('ProcedureRequest/')));
      assert.ok(refs('Consultation1-Topic1-Category-History').includes(`DiagnosticReport/${fbc.report1}`));
      checkWholeReports(r, [fbc.report1, fbc.report2]);
      assert.deepEqual(secondary(r, inv2nd).entry.map((e: Json) => e.item.reference).sort(),
        [`DiagnosticReport/${fbc.report1}`, `DiagnosticReport/${fbc.report2}`]);
    } finally {
      await db().query(`DELETE FROM consultation_item WHERE practice = $1 AND position >= 100
        AND section_id IN ('Consultation3-Topic2-Category-Examination', 'Consultation1-Topic1-Category-History')`, [A]);
    }
  });

  it('§18.1: a confidential report leaves no trace; a confidential result of a returned report warns the investigations list', async () => {
    await db().query(`UPDATE diagnostic_report SET confidential = true WHERE practice = $1 AND id = $2`, [A, fbc.report2]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      assert.ok(!JSON.stringify(r).includes(fbc.report2));
      checkWholeReports(r, [fbc.report1]);
      assert.deepEqual(warningCodes(secondary(r, inv2nd)), ['confidential-items']);
      assert.deepEqual(secondary(r, inv2nd).entry, [{ item: { reference: `DiagnosticReport/${fbc.report1}` } }]);
    } finally {
      await db().query(`UPDATE diagnostic_report SET confidential = false WHERE practice = $1 AND id = $2`, [A, fbc.report2]);
    }
    const [{ id: result }] = await db().query<{ id: string }>(
      `SELECT id FROM observation WHERE practice = $1 AND patient_id = '2' AND kind = 'test-result' ORDER BY id LIMIT 1`, [A]);
    await db().query(`UPDATE observation SET confidential = true WHERE practice = $1 AND id = $2`, [A, result]);
    try {
      const r = await build('2');
      checkArea(r, '2');
      assert.ok(!JSON.stringify(r).includes(result));
      assert.equal(ofType(r, 'DiagnosticReport').length, 2, 'the reports are still returned');
      assert.deepEqual(warningCodes(secondary(r, inv2nd)), ['confidential-items']);
    } finally {
      await db().query(`UPDATE observation SET confidential = false WHERE practice = $1 AND id = $2`, [A, result]);
    }
  });
});
