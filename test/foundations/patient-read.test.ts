import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, otherPractice } from '../harness/provider.ts';
import { assertNoStore, assertOk, assertOutcome, assertSearchset, fhirMediaTypes, fhirXml, formatOf, query, xmlType } from '../harness/assertions.ts';
import { assertConformantPatient, assertNhsIdentifier, assertRegistrationDetails, identifierQuery, patients } from './patient-checks.ts';

describeOnEachStore('Foundations Patient read', (provider) => {
  const read = (id: string, query = '', headers?: Record<string, string | undefined>) =>
    provider().gpc({ path: `/Patient/${id}${query}`, interaction: 'readPatient', headers });
  /** As the suite does: the logical id comes from a search by NHS number. */
  const idFromSearch = async (nhs: string) => {
    const [patient] = assertSearchset(await provider().gpc({ path: `/Patient?${identifierQuery(nhs)}`, interaction: 'searchPatient' }), 1, 'Patient');
    return patient.id as string;
  };
  /** R9's checks on a patient read by the id a search gave; returns the Patient. */
  const readConformant = async (patient: { nhs: string }) => {
    const id = await idFromSearch(patient.nhs);
    const res = await read(id);
    assert.equal(res.status, 200);
    await assertConformantPatient(provider(), res.json, patient.nhs, { id });
    return res.json;
  };
  /** Reads patient1 with `query` and `headers`: that Patient, in `mediaType`. */
  const assertReadsPatient1 = async (mediaType: string, q: string, headers?: Record<string, string | undefined>) => {
    const res = await read(patients.patient1.id, q, headers);
    assertOk(res, 'Patient', mediaType);
    assert.equal(res.json.id, patients.patient1.id);
    assertNhsIdentifier(res.json, patients.patient1.nhs);
  };

  for (const id of ['SomthingIncorrectWhichIsNotTheOnProviderSystem', '4543567638475665845564986758479086840564796854665748763454']) {
    it(`R1 an unknown id (${id.slice(0, 20)}…) ⇒ 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'PATIENT_NOT_FOUND');
    });
  }

  for (const id of ['aaBA', '1ZEc2', 'z.as.dd', '1.1.22', '40-9', 'nd-skdm.mks--s']) {
    it(`R2 a valid but unknown id (${id}) ⇒ 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'PATIENT_NOT_FOUND');
    });
  }

  it('an id FHIR cannot have (too long, bad characters) ⇒ 404 PATIENT_NOT_FOUND', async () => {
    assertOutcome(await read('x'.repeat(65)), 404, 'PATIENT_NOT_FOUND');
    assertOutcome(await read(encodeURIComponent('1 OR 1=1')), 404, 'PATIENT_NOT_FOUND');
    assertOutcome(await read('1_2'), 404, 'PATIENT_NOT_FOUND');
  });

  it('R3 no id (GET Patient/) ⇒ 400 or 404 with an OperationOutcome', async () => {
    assertOutcome(await read(''), [400, 404]);
  });

  it('R7 returns the Patient whose logical id was requested', async () => {
    const id = await idFromSearch(patients.patient1.nhs);
    const res = await read(id);
    assertOk(res, 'Patient');
    assert.equal(res.json.id, id);
  });

  it('R8 carries ETag W/"<meta.versionId>"', async () => {
    const res = await read(await idFromSearch(patients.patient1.nhs));
    assert.equal(res.status, 200);
    assert.ok(res.json.meta.versionId);
    assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
    assertNhsIdentifier(res.json, patients.patient1.nhs);
  });

  it('R9 patient1 conforms: identifier, name, RegistrationDetails, readable references, nothing forbidden, no contacts', async () => {
    const patient = await readConformant(patients.patient1);
    // Suite quirk (checklist §9.3): any contact on patient1 fails "Patient Contact Name should be valid".
    assert.equal(patient.contact, undefined);
    assert.deepEqual(patient.generalPractitioner, [{ reference: 'Practitioner/1' }]);
    const official = patient.name.find((n: any) => n.use === 'official');
    assert.equal(official.family, 'SAMUAL');
    assert.deepEqual(official.given, ['Lucien']);
    assert.equal(patient.birthDate, '1938-12-11');
  });

  it('R11 a successful read is not cached (Cache-Control no-store)', async () => {
    assertOk(await read(patients.patient1.id), 'Patient'); // with no-store
  });

  it('R12 a failed read is not cached either (Patient/AABa ⇒ 404, no-store)', async () => {
    const res = await read('AABa');
    assertOutcome(res, 404, 'PATIENT_NOT_FOUND');
    assertNoStore(res);
  });

  it('R13 patient1 has one RegistrationDetails extension with preferredBranchSurgery', async () => {
    const res = await read(patients.patient1.id);
    const details = assertRegistrationDetails(res.json);
    assert.equal(details.preferredBranch, 'Location/16');
  });

  it('R14 a patient who dissents (patient15) reads normally, with the same checks as R9', async () => {
    assert.equal((await readConformant(patients.patient15)).contact, undefined);
  });

  it('patient2 reads with its contact given as text relationships', async () => {
    const res = await read(patients.patient2.id);
    assert.equal(res.status, 200);
    await assertConformantPatient(provider(), res.json, patients.patient2.nhs, { id: patients.patient2.id });
    assert.equal(res.json.contact.length, 1);
    assertRegistrationDetails(res.json);
  });

  for (const key of ['patient9', 'patient18', 'patient21'] as const) {
    it(`a patient search hides (${key}: sensitive, deceased or inactive) reads as 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await read(patients[key].id), 404, 'PATIENT_NOT_FOUND');
    });
  }

  it('ids are per practice: Patient/1 at GPC002 is that practice\'s own patient, Patient/5 is not found there', async () => {
    const res = await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', ods: otherPractice.ods });
    assert.equal(res.status, 200);
    assert.notEqual(res.json.identifier[0].value, patients.patient1.nhs);
    assertOutcome(await provider().gpc({ path: '/Patient/5', interaction: 'readPatient', ods: otherPractice.ods }), 404, 'PATIENT_NOT_FOUND');
  });

  it('a read sent with the search interaction id ⇒ 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: `/Patient/${patients.patient1.id}`, interaction: 'searchPatient' });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  // Content negotiation (R4–R6).
  for (const accept of fhirMediaTypes) {
    it(`R4 Accept ${accept} ⇒ that format`, async () => {
      const id = await idFromSearch(patients.patient1.nhs);
      const res = await read(id, '', { Accept: accept });
      assertOk(res, 'Patient', accept);
      assert.equal(res.json.id, id);
    });
    it(`R5 _format=${accept} ⇒ that format`, () => assertReadsPatient1(accept, `?${query(['_format', accept])}`));
  }
  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`R6 Accept ${accept} with _format=${format} ⇒ ${formatOf(format)} (_format wins)`, () =>
        assertReadsPatient1(format, `?${query(['_format', format])}`, { Accept: accept }));
    }
  }

  it('the XML Patient holds the same content as the JSON one, and keeps the ETag', async () => {
    const asXml = await read(patients.patient2.id, '', { Accept: fhirXml });
    const asJson = await read(patients.patient2.id);
    assert.deepEqual(asXml.json, asJson.json);
    assert.equal(asXml.headers.etag, asJson.headers.etag);
  });

  it('a 404 is answered in XML when XML is asked for', async () => {
    assertOutcome(await read('nope', `?${query(['_format', fhirXml])}`), 404, 'PATIENT_NOT_FOUND', xmlType);
  });
});
