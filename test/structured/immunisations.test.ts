import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { buildImmunisations } from '../../src/structured/immunisations.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { type Json, A, confidentialNote, describeStoreLevel, emptyReason, noteTexts, sd, snomed, today, warningCodes, checkPrimaryList } from './support.ts';

/**
 * The immunisations area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredImmunizations scenarios assert (notes/suite-structured.md §5,
 * §13.7) per test patient, digest §14 (Immunization content, notGiven) and the List rules of §8.
 */


const ukSd = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/';
const immunizationProfile = `${sd}CareConnect-GPC-Immunization-1`;
const dateRecordedUrl = `${ukSd}Extension-CareConnect-DateRecorded-1`;
const procedureUrl = `${ukSd}Extension-CareConnect-VaccinationProcedure-1`;
const parentPresentUrl = `${ukSd}Extension-CareConnect-ParentPresent-1`;
const title = 'Immunisations';
const p2Imm = 'eba25af1-5b74-4790-aa5a-2134fd27ad45';
const p3Imm = `p3-${p2Imm}`;



/** [Imm] / [ImmNIU] on one Immunization. */
function checkImmunization(i: Json, patientId: string): void {
  assert.equal(i.resourceType, 'Immunization');
  assert.ok(typeof i.id === 'string' && i.id !== '');
  assert.deepEqual(i.meta, { profile: [immunizationProfile] }, 'profile only: no versionId, no lastUpdated');
  const recorded = i.extension.filter((e: Json) => e.url === dateRecordedUrl);
  assert.equal(recorded.length, 1, 'DateRecorded extension required');
  assert.match(recorded[0].valueDateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  const procedure = i.extension.filter((e: Json) => e.url === procedureUrl);
  assert.equal(procedure.length, 1);
  assert.ok(procedure[0].valueCodeableConcept.coding[0].code && procedure[0].valueCodeableConcept.coding[0].display);
  assert.ok(i.identifier.length >= 1);
  for (const id of i.identifier) assert.ok(id.system && id.value);
  assert.equal(i.status, 'completed');
  assert.equal(typeof i.notGiven, 'boolean');
  for (const c of i.vaccineCode.coding) assert.ok(c.system && c.code);
  assert.deepEqual(i.patient, { reference: `Patient/${patientId}` });
  assert.equal(typeof i.primarySource, 'boolean');
  assert.equal(i.reaction, undefined);
  for (const p of i.vaccinationProtocol ?? []) {
    assert.equal(p.authority, undefined);
    assert.equal(p.series, undefined);
    assert.equal(p.doseStatusReason, undefined);
  }
  assert.ok(i.practitioner.length >= 1, 'the recorder is always there');
  for (const p of i.practitioner) assert.match(p.actor.reference, /^Practitioner\/.+$/);
  if (!i.notGiven) assert.equal(i.explanation?.reasonNotGiven, undefined, '[ImmNIU]');
}

function checkArea(r: AreaResult, patientId: string): Json[] {
  assert.equal(r.lists.length, 1, '[Lists=1] from the area itself');
  const immunizations = r.resources as Json[];
  for (const i of immunizations) checkImmunization(i, patientId);
  assert.equal(new Set(immunizations.map((i) => i.id)).size, immunizations.length, '[NoDup]');
  checkPrimaryList(r.lists[0], patientId, { title, code: '1102181000000102', display: 'Immunisations', tag: 'ImmList' }, 'Immunization', immunizations);
  assert.deepEqual(r.linkedItems, immunizations.map((i) => ({ type: 'Immunization', id: i.id })));
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
  return immunizations;
}

describeStoreLevel('Structured immunisations: buildImmunisations', (db) => {
  const build = (patientId: string, includeNotGiven = false, includeStatus = true, practice = A) =>
    buildImmunisations({ db: db(), practice, patientId, today, now: new Date() }, { includeNotGiven, includeStatus });

  for (const patient of ['1', '4']) {
    it(`patient${patient} (I8): an empty list with exactly one note and emptyReason`, async () => {
      const r = await build(patient);
      checkArea(r, patient);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
      assert.deepEqual(r.lists[0]!.note, [{ text: 'Information not available' }]);
      assert.deepEqual(warningCodes(r.lists[0]), []);
    });
  }

  it('patient2 (I2): the hepatitis A vaccination, in full', async () => {
    const r = await build('2');
    const [hep] = checkArea(r, '2');
    assert.equal(r.resources.length, 1);
    assert.equal(hep.id, p2Imm);
    assert.deepEqual(warningCodes(r.lists[0]), []);
    assert.deepEqual(hep.extension, [
      { url: parentPresentUrl, valueBoolean: true },
      { url: dateRecordedUrl, valueDateTime: hep.extension[1].valueDateTime },
      { url: procedureUrl, valueCodeableConcept: { coding: [{ system: snomed, code: '170378007', display: 'First hepatitis A vaccination' }] } },
    ]);
    // Seeded 3 days before the seeding day (days shift), at 10:00 UK local on the source's offset.
    assert.equal(hep.extension[1].valueDateTime.slice(0, 10), addDays(today, -3));
    assert.equal(hep.date, hep.extension[1].valueDateTime);
    assert.deepEqual(hep.identifier, [{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: 'urn:uuid:eba25af1-5b74-4790-aa5a-2134fd27ad75' }]);
    assert.equal(hep.notGiven, false);
    assert.deepEqual(hep.vaccineCode, { coding: [{ system: 'http://hl7.org/fhir/v3/NullFlavor', code: 'UNK' }], text: 'Unknown' });
    assert.equal(hep.encounter, undefined, 'not part of a consultation');
    assert.equal(hep.primarySource, true);
    assert.deepEqual(hep.location, { reference: 'Location/17' });
    assert.equal(hep.manufacturer, undefined);
    assert.equal(hep.lotNumber, 'AAJN11K');
    // A date column of a "days"-shifted row moves too: 2019-12-15 is 167 days after 2019-07-01.
    assert.equal(hep.expirationDate, addDays(today, 167));
    assert.deepEqual(hep.site, { coding: [{ system: snomed, code: '368209003', display: 'Right upper arm' }] });
    assert.deepEqual(hep.route, { coding: [{ system: snomed, code: '34206005', display: 'Subcutaneous route' }] });
    assert.deepEqual(hep.doseQuantity, { value: 0.5, unit: 'ml', system: 'http://unitsofmeasure.org', code: 'ml' });
    assert.deepEqual(hep.practitioner, [{
      role: { coding: [{ system: 'http://hl7.org/fhir/v2/0443', code: 'AP', display: 'Administering Provider' }] },
      actor: { reference: 'Practitioner/1' },
    }]);
    assert.deepEqual(hep.note, [{ text: 'Notes on adminstration of vaccine' }]);
    assert.deepEqual(hep.explanation, { reason: [{ coding: [{ system: snomed, code: '171279008', display: 'Immunisation due' }] }] });
    assert.deepEqual(hep.vaccinationProtocol, [{
      doseSequence: 1,
      seriesDoses: 3,
      targetDisease: [{ coding: [{ system: snomed, code: '40468003', display: 'Viral hepatitis, type A' }] }],
      doseStatus: { coding: [{ system: 'http://hl7.org/fhir/vaccination-protocol-dose-status', code: 'count', display: 'Counts' }] },
    }]);
    // Problem H links to it: it is offered for linking.
    assert.deepEqual(r.linkedItems, [{ type: 'Immunization', id: p2Imm }]);
  });

  it('patient3 (I1): its own copy, with its own identifier', async () => {
    const r = await build('3');
    const imms = checkArea(r, '3');
    assert.deepEqual(imms.map((i) => i.id), [p3Imm]);
    assert.equal(imms[0].identifier[0].value, '055c8d6f-5d73-578a-b8bf-93664de0f9d9');
  });

  it('includeStatus changes nothing: consent/dissent records are not held, the list holds Immunizations only', async () => {
    for (const patient of ['1', '2', '3', '4']) {
      const on = await build(patient, false, true);
      const off = await build(patient, false, false);
      assert.deepEqual(on.resources, off.resources);
      assert.deepEqual(on.lists.map((l: Json) => l.entry), off.lists.map((l: Json) => l.entry));
    }
  });

  it('patient13 and patient16: the data-in-transit warning (area all) and its dated note on the empty list', async () => {
    const text = `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`;
    for (const patient of ['13', '16']) {
      const r = await build(patient);
      checkArea(r, patient);
      const list: Json = r.lists[0];
      assert.deepEqual(warningCodes(list), ['data-in-transit']);
      assert.deepEqual(noteTexts(list), [text, 'Information not available']);
    }
  });

  it('keeps practices apart: GPC002 patient 2 has none of B82617 patient2\'s immunisations', async () => {
    const r = await build('2', true, true, 'GPC002');
    checkArea(r, '2');
    assert.deepEqual(r.resources, []);
  });

  // ---- Below, rows are added to this test database: the patient6 record changes. ----

  const insert = (id: string, columns: Record<string, unknown>) => {
    const base: Record<string, unknown> = {
      practice: A, id, patient_id: '6', identifiers: JSON.stringify([{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: `urn:uuid:${id}` }]),
      vaccine_code: JSON.stringify({ coding: [{ system: 'https://dmd.nhs.uk', code: '9999911000001108', display: 'Some vaccine' }] }),
      vaccination_procedure: JSON.stringify({ coding: [{ system: snomed, code: '170378007', display: 'First hepatitis A vaccination' }] }),
      recorded_at: '2024-01-10T09:00:00+00:00', practitioner_id: '1', ...columns,
    };
    const names = Object.keys(base);
    return db().query(`INSERT INTO immunisation (${names.join(', ')}) VALUES (${names.map((_, n) => `$${n + 1}`).join(', ')})`, Object.values(base));
  };

  it('not given (includeNotGiven): only when asked, notGiven true, reasons as reasonNotGiven, no site/route/dose/protocol', async () => {
    await insert('p6-given', { given_at: '2024-01-10T09:00:00+00:00' });
    await insert('p6-not-given', {
      not_given: true, given_at: '2024-02-01T09:00:00+00:00', recorded_at: '2024-02-01T09:05:00+00:00',
      vaccination_procedure: JSON.stringify({ coding: [{ system: snomed, code: '314768003', display: 'Hepatitis A vaccination not done' }] }),
      site: JSON.stringify({ coding: [{ system: snomed, code: '368209003', display: 'Right upper arm' }] }),
      dose_quantity: JSON.stringify({ value: 0.5, unit: 'ml' }),
      reasons: JSON.stringify([{ coding: [{ system: snomed, code: '213257006', display: 'Generally unwell' }] }]),
      protocol: JSON.stringify({ doseSequence: 1, targetDisease: [{ coding: [{ system: snomed, code: '40468003', display: 'Viral hepatitis, type A' }] }] }),
      practitioner_role: 'EP',
    });
    const without = await build('6', false);
    assert.deepEqual(checkArea(without, '6').map((i) => i.id), ['p6-given']);
    assert.deepEqual(warningCodes(without.lists[0]), []);

    const withNotGiven = await build('6', true);
    const imms = checkArea(withNotGiven, '6');
    assert.deepEqual(imms.map((i) => i.id), ['p6-given', 'p6-not-given']);
    const notGiven = imms[1];
    assert.equal(notGiven.notGiven, true);
    assert.equal(notGiven.site, undefined);
    assert.equal(notGiven.route, undefined);
    assert.equal(notGiven.doseQuantity, undefined);
    assert.equal(notGiven.vaccinationProtocol, undefined);
    assert.deepEqual(notGiven.explanation, { reasonNotGiven: [{ coding: [{ system: snomed, code: '213257006', display: 'Generally unwell' }] }] });
    assert.equal(notGiven.extension.find((e: Json) => e.url === procedureUrl).valueCodeableConcept.coding[0].code, '314768003');
    assert.equal(notGiven.extension.find((e: Json) => e.url === parentPresentUrl), undefined, 'parentPresent only when recorded');
    assert.equal(notGiven.practitioner[0].role.coding[0].display, 'Entering Provider');
    // The given one has a dm+d vaccine code and no location (none recorded, no consultation).
    assert.deepEqual(imms[0].vaccineCode, { coding: [{ system: 'https://dmd.nhs.uk', code: '9999911000001108', display: 'Some vaccine' }] });
    assert.equal(imms[0].location, undefined);
    assert.equal(imms[0].practitioner[0].role, undefined, 'no role when unknown');
  });

  it('confidential: withheld with confidential-items; a confidential not-given record only counts when not-given ones are asked for', async () => {
    await insert('p6-secret-not-given', { not_given: true, confidential: true });
    const without = await build('6', false);
    assert.deepEqual(warningCodes(without.lists[0]), [], 'it would not have been in the list anyway');
    const withNotGiven = await build('6', true);
    assert.deepEqual(warningCodes(withNotGiven.lists[0]), ['confidential-items']);
    assert.doesNotMatch(JSON.stringify(withNotGiven), /p6-secret/);

    await insert('p6-secret', { given_at: '2023-05-01T09:00:00+00:00', confidential: true });
    const r = await build('6', false);
    const imms = checkArea(r, '6');
    assert.deepEqual(imms.map((i) => i.id), ['p6-given']);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(r.lists[0]), [confidentialNote]);
    assert.doesNotMatch(JSON.stringify(r), /p6-secret/);
    assert.deepEqual(r.linkedItems, [{ type: 'Immunization', id: 'p6-given' }]);
  });

  it('a list left empty by withholding still has emptyReason and the confidential note', async () => {
    await db().query(`INSERT INTO immunisation (practice, id, patient_id, vaccine_code, vaccination_procedure, recorded_at, practitioner_id, confidential)
      VALUES ($1, 'p7-secret', '7', '{}', $2, '2024-01-01T00:00:00Z', '1', true)`,
    [A, JSON.stringify({ coding: [{ system: snomed, code: '170378007', display: 'First hepatitis A vaccination' }] })]);
    const r = await build('7');
    checkArea(r, '7');
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(r.lists[0]), [confidentialNote, 'Information not available']);
    assert.deepEqual(r.lists[0]!.emptyReason, emptyReason);
  });

  it('consultation: encounter referenced and its location used when none is recorded; a confidential consultation is not referenced', async () => {
    await insert('p6-in-consultation', { given_at: '2024-03-01T09:00:00+00:00', encounter_id: 'Encounter2' });
    let imm = (await build('6')).resources.find((i: Json) => i.id === 'p6-in-consultation') as Json;
    assert.deepEqual(imm.encounter, { reference: 'Encounter/Encounter2' });
    assert.deepEqual(imm.location, { reference: 'Location/17' });
    await db().query(`UPDATE encounter SET confidential = true WHERE practice = $1 AND id = 'Encounter2'`, [A]);
    imm = (await build('6')).resources.find((i: Json) => i.id === 'p6-in-consultation') as Json;
    assert.equal(imm.encounter, undefined);
    assert.equal(imm.location, undefined);
  });

  it('an uncoded vaccine is nullFlavor UNK with its text', async () => {
    await insert('p8-uncoded', { patient_id: '8', given_at: '2024-03-01T09:00:00+00:00', vaccine_code: JSON.stringify({ text: 'Travel vaccine' }) });
    const [imm] = checkArea(await build('8'), '8');
    assert.deepEqual(imm.vaccineCode, { coding: [{ system: 'http://hl7.org/fhir/v3/NullFlavor', code: 'UNK', display: 'unknown' }], text: 'Travel vaccine' });
  });
});
