import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, otherPractice } from '../harness/provider.ts';
import {
  assertFormat, assertNoStore, assertOutcome, assertSearchset, fhirJson, fhirMediaTypes, fhirXml, formatOf, identifier, query, systems, xmlType,
} from '../harness/assertions.ts';
import {
  assertConformantPatient, assertNhsIdentifier, assertRegistrationDetails, identifierQuery, patientNotInSystem, patientProfile, patients,
} from './patient-checks.ts';

describeOnEachStore('Foundations Patient search', (provider) => {
  const search = (q: string, headers?: Record<string, string | undefined>) =>
    provider().gpc({ path: `/Patient?${q}`, interaction: 'searchPatient', headers });

  it('S1 returns the patient with a logical id and Patient meta (profile, versionId)', async () => {
    const [patient] = assertSearchset(await search(identifierQuery(patients.patient2.nhs)), 1, 'Patient');
    assert.equal(patient.id, patients.patient2.id);
    assert.deepEqual(patient.meta.profile, [patientProfile]);
    assert.ok(patient.meta.versionId);
  });

  for (const key of ['patient1', 'patient2', 'patient3', 'patient4', 'patient5', 'patient6'] as const) {
    it(`S13 search for ${key} returns exactly 1 conformant Patient`, async () => {
      const res = await search(identifierQuery(patients[key].nhs));
      assertFormat(res, 'json');
      const [patient] = assertSearchset(res, 1, 'Patient');
      await assertConformantPatient(provider(), patient, patients[key].nhs, { id: patients[key].id });
    });
  }

  it('S13 patient2 contact: relationship as text only, a named contact with a use', async () => {
    const [patient] = assertSearchset(await search(identifierQuery(patients.patient2.nhs)), 1, 'Patient');
    assert.equal(patient.contact.length, 1);
    const [contact] = patient.contact;
    assert.deepEqual(contact.relationship.map((r: any) => r.text).sort(), ['Daughter', 'Emergency contact', 'Next of kin']);
    assert.ok(contact.relationship.every((r: any) => r.coding === undefined));
    assert.equal(contact.name.use, 'official');
    assert.equal(contact.name.family, 'Jackson');
    assert.ok(contact.telecom.every((t: any) => t.use));
  });

  it('S20 patient2 has one RegistrationDetails extension with preferredBranchSurgery', async () => {
    const [patient] = assertSearchset(await search(identifierQuery(patients.patient2.nhs)), 1, 'Patient');
    const details = assertRegistrationDetails(patient);
    assert.equal(details.preferredBranch, 'Location/16');
    assert.equal(details.type, 'R');
  });

  it('S4 an NHS number the practice does not hold (9999999999) gives an empty searchset', async () => {
    const res = await search(identifierQuery(patientNotInSystem));
    assertSearchset(res, 0, 'Patient');
    assert.equal(res.json.entry, undefined);
  });

  it('S14 does not return a deceased patient (patient18)', async () => {
    const res = await search(identifierQuery(patients.patient18.nhs));
    assertFormat(res, 'json');
    assertSearchset(res, 0, 'Patient');
  });

  it('S21 does not return a sensitive patient (patient9, patient10)', async () => {
    assertSearchset(await search(identifierQuery(patients.patient9.nhs)), 0, 'Patient');
    assertSearchset(await search(identifierQuery(patients.patient10.nhs)), 0, 'Patient');
  });

  it('S22 does not return an inactive patient (patient21)', async () => {
    assertSearchset(await search(identifierQuery(patients.patient21.nhs)), 0, 'Patient');
  });

  it('S23 returns a patient who dissents from sharing (patient15): consent does not apply to Foundations', async () => {
    const res = await search(identifierQuery(patients.patient15.nhs));
    const [patient] = assertSearchset(res, 1, 'Patient');
    assert.equal(patient.id, patients.patient15.id);
    assertNoStore(res);
    await assertConformantPatient(provider(), patient, patients.patient15.nhs);
  });

  it('only searches the addressed practice: patient1 is not found at GPC002', async () => {
    const res = await provider().gpc({ path: `/Patient?${identifierQuery(patients.patient1.nhs)}`, interaction: 'searchPatient', ods: otherPractice.ods });
    assertSearchset(res, 0, 'Patient');
  });

  it('S18 a successful search is not cached (Cache-Control no-store)', async () => {
    const res = await search(identifierQuery(patients.patient2.nhs));
    assertSearchset(res, 1, 'Patient');
    assertNoStore(res);
  });

  it('accepts an unencoded | in the identifier token', async () => {
    assertSearchset(await search(`identifier=${systems.nhsNumber}|${patients.patient1.nhs}`), 1, 'Patient');
  });

  // Identifier parameter errors (foundations digest §1).
  it('S5 no identifier parameter ⇒ 400 BAD_REQUEST', async () => {
    assertOutcome(await search(''), 400, 'BAD_REQUEST');
    assertOutcome(await search('_count=1'), 400, 'BAD_REQUEST');
  });

  it('S6/S19 identifier parameter mis-cased (Identifier=) ⇒ 400 BAD_REQUEST, no-store', async () => {
    const res = await search(query(['Identifier', `${systems.nhsNumber}|${patients.patient2.nhs}`]));
    assertOutcome(res, 400, 'BAD_REQUEST');
    assertNoStore(res);
  });

  const p1 = identifierQuery(patients.patient1.nhs);
  const p2 = identifierQuery(patients.patient2.nhs);
  for (const [label, query] of [['same value twice', `${p2}&${p2}`], ['patient1 then patient2', `${p1}&${p2}`], ['patient2 then patient1', `${p2}&${p1}`]]) {
    it(`S16 identifier repeated (${label}) ⇒ 400 BAD_REQUEST`, async () => {
      assertOutcome(await search(query!), 400, 'BAD_REQUEST');
    });
  }

  it('S2 identifier without a system ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(`identifier=${patients.patient1.nhs}`), 422, 'INVALID_PARAMETER');
  });

  it('S3 identifier with a blank system (|value) ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(identifier('', patients.patient2.nhs))), 422, 'INVALID_PARAMETER');
  });

  it('S7 identifier with an empty value ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(identifier(systems.nhsNumber, ''))), 422, 'INVALID_PARAMETER');
  });

  it('an unsupported identifier system ⇒ 400 INVALID_IDENTIFIER_SYSTEM', async () => {
    assertOutcome(await search(identifierQuery(patients.patient1.nhs, 'https://fhir.nhs.uk/Id/local-patient-identifier')), 400, 'INVALID_IDENTIFIER_SYSTEM');
  });

  for (const bad of ['9690937279', '969093727', '96909372781', 'hello', '34555##4', '9000000008']) {
    it(`an NHS number failing the structure/check digit (${bad}) ⇒ 400 INVALID_NHS_NUMBER`, async () => {
      assertOutcome(await search(identifierQuery(bad)), 400, 'INVALID_NHS_NUMBER');
    });
  }

  it('S17 _count and _sort are ignored', async () => {
    const [patient] = assertSearchset(await search(`${p2}&_count=1&_sort=status`), 1, 'Patient');
    assert.equal(patient.id, patients.patient2.id);
  });

  // Content negotiation (S8–S12).
  /** Searches for patient2 with `q`: exactly that Patient, in `mediaType`. */
  const assertFindsPatient2 = async (mediaType: string, q: string, headers?: Record<string, string | undefined>) => {
    const res = await search(q, headers);
    assertFormat(res, mediaType);
    const [patient] = assertSearchset(res, 1, 'Patient');
    assert.equal(patient.id, patients.patient2.id);
    assertNhsIdentifier(patient, patients.patient2.nhs);
  };
  for (const accept of [fhirXml, fhirJson]) {
    it(`S8 Accept ${accept} ⇒ that format`, () => assertFindsPatient2(accept, p2, { Accept: accept }));
    it(`S9 _format=${accept} (Accept default) ⇒ that format`, () => assertFindsPatient2(accept, `${query(['_format', accept])}&${p2}`));
  }
  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`S10 Accept ${accept}, _format=${format} after identifier ⇒ ${formatOf(format)}`, () =>
        assertFindsPatient2(format, `${p2}&${query(['_format', format])}`, { Accept: accept }));
      it(`S11 Accept ${accept}, _format=${format} before identifier ⇒ ${formatOf(format)}`, () =>
        assertFindsPatient2(format, `${query(['_format', format])}&${p2}`, { Accept: accept }));
    }
  }

  for (const key of ['patient1', 'patient2', 'patient3'] as const) {
    it(`S12 ${key} returned as XML carries the same Patient as JSON`, async () => {
      const asXml = await search(identifierQuery(patients[key].nhs), { Accept: fhirXml });
      assertFormat(asXml, 'xml');
      const [fromXml] = assertSearchset(asXml, 1, 'Patient');
      assertNhsIdentifier(fromXml, patients[key].nhs);
      const [fromJson] = assertSearchset(await search(identifierQuery(patients[key].nhs)), 1, 'Patient');
      assert.deepEqual(fromXml, fromJson);
    });
  }

  // Unverified-record rule (digest §2): an active match never traced on PDS is traced and verified first.
  // patient7 and patient8 are used by no other test here.
  const verified = async (id: string) =>
    (await provider().db.query<{ v: boolean }>(`SELECT nhs_number_verified AS v FROM patient WHERE practice = 'B82617' AND id = $1`, [id]))[0]!.v;

  it('an unverified patient whose demographics match PDS is verified, marked so and returned (patient7)', async () => {
    await provider().db.query(`UPDATE patient SET nhs_number_verified = false WHERE practice = 'B82617' AND id = '7'`);
    assertOutcome(await provider().gpc({ path: '/Patient/7', interaction: 'readPatient' }), 404, 'PATIENT_NOT_FOUND');
    const [patient] = assertSearchset(await search(identifierQuery('9690937391')), 1, 'Patient');
    assert.equal(patient.id, '7');
    assertNhsIdentifier(patient, '9690937391');
    assert.equal(await verified('7'), true);
    assert.equal((await provider().gpc({ path: '/Patient/7', interaction: 'readPatient' })).status, 200);
  });

  it('an unverified patient whose demographics fail PDS verification is not returned, nor marked (patient8)', async () => {
    const [original] = await provider().db.query<{ birth_date: string; family: string }>(`SELECT birth_date, family FROM patient WHERE practice = 'B82617' AND id = '8'`);
    await provider().db.query(`UPDATE patient SET nhs_number_verified = false, birth_date = '2001-01-01', family = 'ZZZNOMATCH' WHERE practice = 'B82617' AND id = '8'`);
    try {
      assertSearchset(await search(identifierQuery('9690937405')), 0, 'Patient');
      assert.equal(await verified('8'), false);
    } finally {
      await provider().db.query(`UPDATE patient SET nhs_number_verified = true, birth_date = $1, family = $2 WHERE practice = 'B82617' AND id = '8'`, [original!.birth_date, original!.family]);
    }
    assertSearchset(await search(identifierQuery('9690937405')), 1, 'Patient');
  });

  it('an error is answered in the format asked for (XML OperationOutcome)', async () => {
    assertOutcome(await search(query(['_format', fhirXml])), 400, 'BAD_REQUEST', xmlType);
  });
});
