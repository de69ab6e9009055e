import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type GpcResponse } from '../harness/provider.ts';
import {
  assertFormat, assertNoStore, assertOutcome, assertSearchset, fhirJson as json, fhirXml as xml, formatOf, query, systems,
} from '../harness/assertions.ts';
import {
  assertConformantPatient, assertNhsIdentifier, assertRegistrationDetails, identifierQuery, nhsCommunicationUrl, patientProfile, patients,
  pdsRow, registerPool, verificationStatusUrl, type PdsRow,
} from './patient-checks.ts';

const nhsSystem = systems.nhsNumber;
const verificationExtension = {
  url: verificationStatusUrl,
  valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1', code: '01', display: 'Number present and verified' }] },
};
const leedsAddress = (use?: string) => ({ ...(use ? { use } : {}), line: ['1 Trevelyan Square', 'Boar Lane'], city: 'Leeds', postalCode: 'LS1 6AE' });
const phone = (use: string) => ({ system: 'phone', value: '01234567891', use });
const email = { system: 'email', value: 'abc.d@mail.com', use: 'temp' };
const telecomOf = (kind: string) => (kind === 'email' ? email : phone(kind));
const germanNhsCommunication = {
  url: nhsCommunicationUrl,
  extension: [
    { url: 'language', valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1', code: 'de', display: 'German' }] } },
    { url: 'interpreterRequired', valueBoolean: true },
  ],
};

/** The suite's default register Patient (DefaultRegisterPatientBuilder) for a PDS row. */
function defaultPatient(row: PdsRow): Record<string, any> {
  return {
    resourceType: 'Patient',
    meta: { profile: [patientProfile] },
    identifier: [{ extension: [verificationExtension], system: nhsSystem, value: row.nhsNumber }],
    name: [{ use: 'official', family: row.family, given: [...row.given] }],
    gender: row.gender ?? 'unknown',
    birthDate: row.birthDate,
  };
}
const parameters = (...patientResources: Record<string, unknown>[]) => ({
  resourceType: 'Parameters',
  parameter: patientResources.map((resource) => ({ name: 'registerPatient', resource })),
});

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/** The default register body as FHIR XML, written out by hand (not with the provider's serialiser). */
function xmlBody(row: PdsRow, extraIdentifier?: { system: string; value: string }): string {
  const v = (name: string, value: string) => `<${name} value="${esc(value)}"/>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<Parameters xmlns="http://hl7.org/fhir">
  <parameter>
    ${v('name', 'registerPatient')}
    <resource>
      <Patient>
        <meta>${v('profile', patientProfile)}</meta>
        <identifier>
          <extension url="${verificationStatusUrl}">
            <valueCodeableConcept><coding>${v('system', verificationExtension.valueCodeableConcept.coding[0]!.system)}${v('code', '01')}${v('display', 'Number present and verified')}</coding></valueCodeableConcept>
          </extension>
          ${v('system', nhsSystem)}${v('value', row.nhsNumber)}
        </identifier>
        ${extraIdentifier ? `<identifier>${v('system', extraIdentifier.system)}${v('value', extraIdentifier.value)}</identifier>` : ''}
        <name>${v('use', 'official')}${v('family', row.family)}${row.given.map((g) => v('given', g)).join('')}</name>
        ${v('gender', row.gender ?? 'unknown')}
        ${v('birthDate', row.birthDate)}
      </Patient>
    </resource>
  </parameter>
</Parameters>`;
}

const genericIdentifier = { system: 'GenericIdentifierSystem', value: 'GenericIdentifierValue' };

describeOnEachStore('Foundations register patient', (provider) => {
  // Each test registers its own pool patient, so no test depends on another having run first.
  let nextPool = 0;
  const take = (): PdsRow => {
    const row = registerPool[nextPool++];
    assert.ok(row, 'register pool exhausted');
    return row;
  };

  const register = (body: string | Record<string, unknown>, options: { query?: string; headers?: Record<string, string | undefined>; claims?: Record<string, unknown>; path?: string } = {}) =>
    provider().gpc({
      method: 'POST',
      path: `${options.path ?? '/Patient/$gpc.registerpatient'}${options.query ?? ''}`,
      interaction: 'registerPatient',
      body,
      headers: options.headers,
      claims: options.claims,
    });
  const searchFor = (nhs: string) => provider().gpc({ path: `/Patient?${identifierQuery(nhs)}`, interaction: 'searchPatient' });

  /** The suite's register "success checks" (SC): returns the registered Patient. */
  function assertRegistered(res: GpcResponse, sent: Record<string, any>): any {
    const found = assertSearchset(res).filter((r) => r.resourceType === 'Patient');
    assert.equal(found.length, 1, 'one Patient');
    const patient = found[0];
    assert.ok(patient.id);
    assert.deepEqual(patient.meta.profile, [patientProfile]);
    assert.ok(patient.meta.versionId);
    assertNhsIdentifier(patient, sent.identifier.find((i: any) => i.system === nhsSystem).value);
    // Register: a temporary registration, without registrationStatus.
    assert.equal(assertRegistrationDetails(patient).type, 'T');
    // Demographics echo: birthDate, gender (if sent), one official name with the family and every given name sent.
    assert.equal(patient.birthDate, sent.birthDate);
    if (sent.gender) assert.equal(patient.gender, sent.gender);
    const official = patient.name.filter((n: any) => n.use === 'official' && !n.period);
    assert.equal(official.length, 1);
    const sentOfficial = sent.name.find((n: any) => n.use === 'official');
    assert.equal(official[0].family.toLowerCase(), sentOfficial.family.toLowerCase());
    for (const g of sentOfficial.given ?? []) assert.ok(official[0].given.includes(g), `given ${g} echoed`);
    return patient;
  }

  it('P31 registers a PDS patient from the pool: 200 searchset with one conformant temporary Patient', async () => {
    const row = take();
    const body = defaultPatient(row);
    const res = await register(parameters(body));
    const patient = assertRegistered(res, body);
    assertFormat(res, 'json');
    await assertConformantPatient(provider(), patient, row.nhsNumber);
    assert.equal(patient.contact, undefined);
  });

  it('the registered patient is then found by search and read, as a temporary registration', async () => {
    const row = take();
    assertSearchset(await searchFor(row.nhsNumber), 0, 'Patient');
    const registered = assertRegistered(await register(parameters(defaultPatient(row))), defaultPatient(row));
    const [found] = assertSearchset(await searchFor(row.nhsNumber), 1, 'Patient');
    assert.equal(found.id, registered.id);
    assert.equal(assertRegistrationDetails(found).type, 'T');
    const read = await provider().gpc({ path: `/Patient/${registered.id}`, interaction: 'readPatient' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.etag, `W/"${read.json.meta.versionId}"`);
    await assertConformantPatient(provider(), read.json, row.nhsNumber, { id: registered.id });
    assert.deepEqual(read.json, registered);
  });

  it('P14 registering the same patient again ⇒ 409 DUPLICATE_REJECTED', async () => {
    const row = take();
    const body = parameters(defaultPatient(row));
    assertRegistered(await register(body), defaultPatient(row));
    assertOutcome(await register(body), 409, 'DUPLICATE_REJECTED');
    assertSearchset(await searchFor(row.nhsNumber), 1, 'Patient');
  });

  it('P13 patient1, already a regular patient ⇒ 409 DUPLICATE_REJECTED', async () => {
    const [p1] = assertSearchset(await searchFor(patients.patient1.nhs), 1, 'Patient');
    const body = {
      resourceType: 'Patient',
      meta: { profile: [patientProfile] },
      identifier: [{ extension: [verificationExtension], system: nhsSystem, value: patients.patient1.nhs }],
      name: [p1.name[0]],
      gender: p1.gender ?? 'unknown',
      birthDate: p1.birthDate,
    };
    assertOutcome(await register(parameters(body)), 409, 'DUPLICATE_REJECTED');
    // The regular registration is left as it was.
    const [after] = assertSearchset(await searchFor(patients.patient1.nhs), 1, 'Patient');
    assert.equal(assertRegistrationDetails(after).type, 'R');
    assert.equal(after.meta.versionId, p1.meta.versionId);
  });

  it('P15 a patient not on PDS (patient14) ⇒ 400 INVALID_PATIENT_DEMOGRAPHICS', async () => {
    const body = {
      resourceType: 'Patient',
      identifier: [{ extension: [verificationExtension], system: nhsSystem, value: patients.patient14.nhs }],
      name: [{ use: 'official', family: 'GPConnectFamilyName', given: ['GPConnectGivenName'] }],
      gender: 'other',
      birthDate: '2017-05-05',
    };
    assertOutcome(await register(parameters(body)), 400, 'INVALID_PATIENT_DEMOGRAPHICS');
  });

  /** The default Patient with one change the provider must refuse. */
  const refusals: [title: string, status: number, code: string, change: (body: Record<string, any>) => void][] = [
    ['P33 a patient deceased on PDS (patient18, pool name/DOB kept) ⇒ 400 INVALID_PATIENT_DEMOGRAPHICS', 400, 'INVALID_PATIENT_DEMOGRAPHICS',
      (b) => (b.identifier[0].value = patients.patient18.nhs)],
    ['P34 a sensitive patient (patient9) ⇒ 400 INVALID_PATIENT_DEMOGRAPHICS', 400, 'INVALID_PATIENT_DEMOGRAPHICS', (b) => (b.identifier[0].value = patients.patient9.nhs)],
    ['P35 a patient whose NHS number is superseded on PDS (patient11) ⇒ 400 INVALID_NHS_NUMBER', 400, 'INVALID_NHS_NUMBER',
      (b) => (b.identifier[0].value = patients.patient11.nhs)],
    ['P19 an extra identifier without a system ⇒ 400 BAD_REQUEST', 400, 'BAD_REQUEST', (b) => b.identifier.push({ value: 'NewIdentifierNoSystem' })],
    ['P4 no birthDate ⇒ 400 BAD_REQUEST', 400, 'BAD_REQUEST', (b) => delete b.birthDate],
    ['P16 no official name (all names anonymous) ⇒ 400 BAD_REQUEST', 400, 'BAD_REQUEST', (b) => (b.name[0].use = 'anonymous')],
    ['P18 an official name without family ⇒ 400 BAD_REQUEST', 400, 'BAD_REQUEST', (b) => delete b.name[0].family],
    ['P32 no name at all ⇒ 400 BAD_REQUEST', 400, 'BAD_REQUEST', (b) => delete b.name],
    ['two official names ⇒ 400 BAD_REQUEST (no more than one official name)', 400, 'BAD_REQUEST',
      (b) => b.name.push({ use: 'official', family: 'OTHER', given: ['Name'] })],
    ['P23 two addresses of default (temp) use, with a telecom ⇒ 422 INVALID_RESOURCE', 422, 'INVALID_RESOURCE', (b) => {
      b.address = [leedsAddress(), leedsAddress()];
      b.telecom = [phone('home')];
    }],
    ['P27 two NHSCommunication extensions ⇒ 422 INVALID_RESOURCE', 422, 'INVALID_RESOURCE', (b) => {
      b.address = [leedsAddress('temp')];
      b.telecom = [phone('home')];
      b.extension = [germanNhsCommunication, germanNhsCommunication];
    }],
    ['P11 a Patient with an unknown element ⇒ 422 INVALID_RESOURCE', 422, 'INVALID_RESOURCE', (b) => (b.invalidField = 'Assurance Testing Invalid Field')],
    ['P10 a registerPatient resource that is not a Patient ⇒ 422 INVALID_RESOURCE', 422, 'INVALID_RESOURCE', (b) => (b.resourceType = 'InvalidResourceType')],
  ];
  for (const [title, status, code, change] of refusals) {
    it(title, async () => {
      const body = defaultPatient(take());
      change(body);
      assertOutcome(await register(parameters(body)), status, code); // with the code's display
    });
  }

  it('a sensitive patient registered with its own PDS demographics is still refused (patient9)', async () => {
    assertOutcome(await register(parameters(defaultPatient(pdsRow(patients.patient9.nhs)))), 400, 'INVALID_PATIENT_DEMOGRAPHICS');
  });

  it('demographics that fail PDS verification (DOB and family name both differ) ⇒ 400 INVALID_PATIENT_DEMOGRAPHICS', async () => {
    const row = take();
    const body = defaultPatient(row);
    body.birthDate = '2001-01-01';
    body.name[0].family = 'ZZZNOTTHEFAMILY';
    assertOutcome(await register(parameters(body)), 400, 'INVALID_PATIENT_DEMOGRAPHICS');
    assertSearchset(await searchFor(row.nhsNumber), 0, 'Patient');
  });

  it('a DOB differing in one part still verifies when family (first 3) and initial match PDS', async () => {
    const row = take();
    const body = defaultPatient(row);
    const [y, m] = row.birthDate.split('-');
    body.birthDate = `${y}-${m}-${row.birthDate.endsWith('-01') ? '02' : '01'}`;
    body.name[0].family = `${row.family.slice(0, 3)}xyz`;
    assertRegistered(await register(parameters(body)), body);
  });

  it('P2/P30 no identifier ⇒ 400 INVALID_NHS_NUMBER, no-store', async () => {
    const body = defaultPatient(take());
    delete body.identifier;
    const res = await register(parameters(body));
    assertOutcome(res, 400, 'INVALID_NHS_NUMBER');
    assertNoStore(res);
  });

  for (const bad of ['34555##4', 'hello', '999999999', '9000000008', '90000000090']) {
    it(`P5 an invalid NHS number (${bad}) ⇒ 400 INVALID_NHS_NUMBER`, async () => {
      const body = defaultPatient(take());
      body.identifier = [{ extension: [verificationExtension], system: nhsSystem, value: bad }];
      assertOutcome(await register(parameters(body)), 400, 'INVALID_NHS_NUMBER');
    });
  }

  it('P3 no gender ⇒ 200, the gender taken from PDS', async () => {
    const row = take();
    const body = defaultPatient(row);
    delete body.gender;
    const patient = assertRegistered(await register(parameters(body)), body);
    assert.equal(patient.gender, row.gender);
  });

  for (const extra of [1, 2, 5]) {
    it(`P17 ${extra} extra given name(s) ⇒ 200, every given name echoed`, async () => {
      const body = defaultPatient(take());
      for (let i = 1; i <= extra; i++) body.name[0].given.push(`GivenName-${i}`);
      const patient = assertRegistered(await register(parameters(body)), body);
      assert.deepEqual(patient.name.find((n: any) => n.use === 'official').given, body.name[0].given);
    });
  }

  /** The default Patient with an element added: registered, the element echoed as expected. */
  for (const [title, element, sent, echoed] of [
    ['P20 an additional temp address ⇒ 200, echoed', 'address', [leedsAddress('temp')], [leedsAddress('temp')]],
    ['P20 an additional home phone ⇒ 200, echoed', 'telecom', [phone('home')], [phone('home')]],
    ['an address with no use is kept as temp', 'address', [leedsAddress()], [leedsAddress('temp')]],
  ] as const) {
    it(title, async () => {
      const body = defaultPatient(take());
      body[element] = sent;
      const patient = assertRegistered(await register(parameters(body)), body);
      assert.deepEqual(patient[element], echoed);
    });
  }

  it('P20 an additional nickname ⇒ 200, kept beside the one official name', async () => {
    const body = defaultPatient(take());
    body.name.push({ use: 'nickname', family: 'AdditionalFamily', given: ['AdditionalGiven'] });
    const patient = assertRegistered(await register(parameters(body)), body);
    assert.deepEqual(patient.name.find((n: any) => n.use === 'nickname'), { use: 'nickname', family: 'AdditionalFamily', given: ['AdditionalGiven'] });
    await assertConformantPatient(provider(), patient, body.identifier[0].value);
  });

  it('P22 address and telecom ⇒ 200 with both returned', async () => {
    const body = defaultPatient(take());
    body.address = [leedsAddress('temp')];
    body.telecom = [phone('home')];
    const patient = assertRegistered(await register(parameters(body)), body);
    assert.ok(patient.address.length >= 1 && patient.telecom.length >= 1);
  });

  for (const uses of [['home', 'temp'], ['temp', 'home']]) {
    it(`P36 addresses ${uses.join('+')} ⇒ 200, both kept`, async () => {
      const body = defaultPatient(take());
      body.address = uses.map(leedsAddress);
      const patient = assertRegistered(await register(parameters(body)), body);
      assert.deepEqual(patient.address.map((a: any) => a.use), uses);
    });
  }

  for (const uses of [['home', 'work'], ['home', 'home'], ['home', 'old'], ['old', 'work'], ['old', 'old'], ['old', 'temp'], ['temp', 'work'], ['temp', 'temp'], ['temp', 'old']]) {
    it(`P37 addresses ${uses.join('+')} ⇒ 422 INVALID_RESOURCE`, async () => {
      const body = defaultPatient(take());
      body.address = uses.map(leedsAddress);
      assertOutcome(await register(parameters(body)), 422, 'INVALID_RESOURCE');
    });
  }

  for (const use of ['work', 'old']) {
    it(`P38 a single ${use} address ⇒ 422 INVALID_RESOURCE`, async () => {
      const body = defaultPatient(take());
      body.address = [leedsAddress(use)];
      assertOutcome(await register(parameters(body)), 422, 'INVALID_RESOURCE');
    });
  }

  const kinds = ['home', 'work', 'mobile', 'temp', 'email'];
  for (const a of kinds) {
    for (const b of kinds) {
      if (a === b) continue;
      it(`P24 temp address with telecoms ${a}+${b} ⇒ 200, both telecoms kept`, async () => {
        const body = defaultPatient(take());
        body.address = [leedsAddress('temp')];
        body.telecom = [telecomOf(a), telecomOf(b)];
        const patient = assertRegistered(await register(parameters(body)), body);
        assert.ok(patient.address.length >= 1);
        assert.deepEqual(patient.telecom, body.telecom);
      });
    }
  }
  for (const kind of kinds) {
    it(`P25 temp address with two ${kind} telecoms ⇒ 400 BAD_REQUEST`, async () => {
      const body = defaultPatient(take());
      body.address = [leedsAddress('temp')];
      body.telecom = [telecomOf(kind), telecomOf(kind)];
      assertOutcome(await register(parameters(body)), 400, 'BAD_REQUEST');
    });
  }

  it('P26 address, telecom and one NHSCommunication extension ⇒ 200, the extension echoed', async () => {
    const body = defaultPatient(take());
    body.address = [leedsAddress('temp')];
    body.telecom = [phone('home')];
    body.extension = [germanNhsCommunication];
    const patient = assertRegistered(await register(parameters(body)), body);
    const comms = patient.extension.filter((e: any) => e.url === nhsCommunicationUrl);
    assert.equal(comms.length, 1);
    assert.deepEqual(comms[0], germanNhsCommunication);
  });

  const forbidden: [string, unknown][] = [
    ['active', true],
    ['multipleBirthBoolean', true],
    ['generalPractitioner', [{ display: 'Test Care Provider' }]],
    ['contact', [{ name: { use: 'anonymous', family: 'TestFamily', given: ['TestGiven'] } }]],
    ['managingOrganization', { display: 'Test Managing Org' }],
    ['maritalStatus', { coding: [{ system: 'http://hl7.org/fhir/marital-status', code: 'M' }] }],
    ['animal', { species: { coding: [{ system: 'AllSpecies', code: 'Human' }] } }],
    ['communication', [{ language: { coding: [{ system: 'https://tools.ietf.org/html/bcp47', code: 'en' }] } }]],
    ['photo', [{ url: 'Test Photo Element' }]],
    ['deceasedDateTime', '2017-09-01T10:00:00'],
  ];
  for (const [element, value] of forbidden) {
    it(`P21/P28 a Patient with ${element} (must not be populated) ⇒ 422 INVALID_RESOURCE`, async () => {
      const body = defaultPatient(take());
      body[element] = value;
      assertOutcome(await register(parameters(body)), 422, 'INVALID_RESOURCE');
    });
  }

  it('P9 a body that is not a Parameters resource ⇒ 422 INVALID_RESOURCE', async () => {
    const body = { ...parameters(defaultPatient(take())), resourceType: 'InvalidResourceType' };
    assertOutcome(await register(body), 422, 'INVALID_RESOURCE');
  });

  it('P12 two registerPatient parameters ⇒ 400 BAD_REQUEST, nothing registered', async () => {
    const row = take();
    const patient = defaultPatient(row);
    assertOutcome(await register(parameters(patient, patient)), 400, 'BAD_REQUEST');
    assertSearchset(await searchFor(row.nhsNumber), 0, 'Patient');
  });

  for (const scope of ['patient/*.read', 'organization/*.read']) {
    it(`P29 requested_scope ${scope} (not patient/*.write) ⇒ 400 BAD_REQUEST`, async () => {
      const row = take();
      assertOutcome(await register(parameters(defaultPatient(row)), { claims: { requested_scope: scope } }), 400, 'BAD_REQUEST');
      assertSearchset(await searchFor(row.nhsNumber), 0, 'Patient');
    });
  }

  for (const path of ['/Patient/$gpc.registerpatien', '/Patient/$gpc.registerpati']) {
    it(`P1 an incorrect operation URL (${path}) fails with an OperationOutcome`, async () => {
      const res = await register(parameters(defaultPatient(take())), { path });
      assert.notEqual(res.status, 200);
      assertOutcome(res, res.status);
    });
  }

  it('P8 an extra consumer identifier (GenericIdentifierSystem) is accepted but not returned', async () => {
    const body = defaultPatient(take());
    body.identifier.push(genericIdentifier);
    const patient = assertRegistered(await register(parameters(body)), body);
    assert.equal(patient.identifier.length, 1);
  });

  // Content negotiation: P6 (Accept = body type), P7 (_format), P8 (Content-Type × Accept × _format).
  for (const type of [xml, json]) {
    it(`P6 body and Accept ${type} ⇒ 200 in ${formatOf(type)}, no-store`, async () => {
      const row = take();
      const body = type === xml ? xmlBody(row) : parameters(defaultPatient(row));
      const res = await register(body, { headers: { 'Content-Type': `${type};charset=utf-8`, Accept: type } });
      assertFormat(res, formatOf(type));
      const patient = assertRegistered(res, defaultPatient(row));
      assertNoStore(res);
      assert.ok(patient.id);
    });
    it(`P7 body ${type} with _format=${type} ⇒ 200 in ${formatOf(type)}`, async () => {
      const row = take();
      const body = type === xml ? xmlBody(row) : parameters(defaultPatient(row));
      const res = await register(body, { query: `?${query(['_format', type])}`, headers: { 'Content-Type': `${type};charset=utf-8` } });
      assertFormat(res, formatOf(type));
      assertRegistered(res, defaultPatient(row));
    });
  }
  const p8Rows: [string, string, string][] = [
    [xml, xml, xml], [xml, xml, json], [json, json, xml], [xml, json, json], [json, xml, xml], [json, json, json], [xml, json, xml], [json, xml, json],
  ];
  for (const [contentType, accept, format] of p8Rows) {
    it(`P8 body ${formatOf(contentType)}, Accept ${formatOf(accept)}, _format ${formatOf(format)} ⇒ ${formatOf(format)}`, async () => {
      const row = take();
      const patientBody = defaultPatient(row);
      patientBody.identifier.push(genericIdentifier);
      const body = contentType === xml ? xmlBody(row, genericIdentifier) : parameters(patientBody);
      const res = await register(body, { query: `?${query(['_format', format])}`, headers: { 'Content-Type': `${contentType};charset=utf-8`, Accept: accept } });
      assertFormat(res, formatOf(format));
      const patient = assertRegistered(res, patientBody);
      assert.equal(patient.identifier.length, 1);
    });
  }

  it('an XML body registers the same patient a JSON body would', async () => {
    const row = take();
    const res = await register(xmlBody(row), { headers: { 'Content-Type': `${xml};charset=utf-8` } });
    assertFormat(res, 'json');
    const patient = assertRegistered(res, defaultPatient(row));
    await assertConformantPatient(provider(), patient, row.nhsNumber);
  });

  it('re-activates an inactive registration (patient21) as temporary, which search and read then find', async () => {
    const row = pdsRow(patients.patient21.nhs);
    const before = await provider().db.query<{ version: number }>(`SELECT version FROM patient WHERE practice = 'B82617' AND id = $1`, [patients.patient21.id]);
    const body = defaultPatient(row);
    body.address = [leedsAddress('temp')];
    const patient = assertRegistered(await register(parameters(body)), body);
    // The lapsed record is re-used, not duplicated.
    assert.equal(patient.id, patients.patient21.id);
    assert.equal(Number(patient.meta.versionId), before[0]!.version + 1);
    assert.deepEqual(patient.address, [leedsAddress('temp')]);
    const [found] = assertSearchset(await searchFor(row.nhsNumber), 1, 'Patient');
    assert.equal(found.id, patients.patient21.id);
    assert.equal(assertRegistrationDetails(found).type, 'T');
    const read = await provider().gpc({ path: `/Patient/${patients.patient21.id}`, interaction: 'readPatient' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.etag, `W/"${patient.meta.versionId}"`);
    await assertConformantPatient(provider(), read.json, row.nhsNumber, { id: patients.patient21.id });
    // Now active: a second registration is a duplicate.
    assertOutcome(await register(parameters(body)), 409, 'DUPLICATE_REJECTED');
    const rows = await provider().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM patient WHERE practice = 'B82617' AND nhs_number = $1`, [row.nhsNumber]);
    assert.equal(rows[0]!.n, 1);
  });

  it('concurrent registrations of one NHS number: exactly one 200, the rest 409 DUPLICATE_REJECTED, one patient row', async () => {
    const row = take();
    const body = parameters(defaultPatient(row));
    // Warm the connection pool first: otherwise each request waits for a new PostgreSQL connection,
    // they arrive one after another and the race (two inserts of one NHS number) is never run.
    await Promise.all(Array.from({ length: 8 }, () => searchFor(patients.patient1.nhs)));
    const results = await Promise.all(Array.from({ length: 5 }, () => register(body)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409], results.map((r) => r.text.slice(0, 200)).join('\n'));
    for (const r of results.filter((x) => x.status === 409)) assertOutcome(r, 409, 'DUPLICATE_REJECTED');
    const rows = await provider().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM patient WHERE practice = 'B82617' AND nhs_number = $1`, [row.nhsNumber]);
    assert.equal(rows[0]!.n, 1);
    assertSearchset(await searchFor(row.nhsNumber), 1, 'Patient');
  });
});
