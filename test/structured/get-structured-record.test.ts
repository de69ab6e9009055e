import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';
import { assertOutcome } from '../harness/assertions.ts';

const bundleProfile = 'https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1';
const nhs = { patient1: '9690937278', patient2: '9690937286', patient9: '9690938533', patient15: '9690938576', patient18: '9690938681', patient21: '9690938142' };

function parameters(nhsNumber: string, ...more: Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceType: 'Parameters',
    parameter: [{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber } }, ...more],
  };
}

function getRecord(p: TestProvider, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return p.gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.getstructuredrecord', interaction: 'getStructuredRecord', body, headers });
}

const types = (bundle: { entry: { resource: { resourceType: string } }[] }) => bundle.entry.map((e) => e.resource.resourceType);

describeOnEachStore('Access Record Structured: $gpc.getstructuredrecord', (provider) => {
  const p = () => provider();

  it('structured metadata is its own CapabilityStatement, version 1.6.0, with the get-record operation at _history/1.16', async () => {
    const res = await p().gpc({ base: '/structured', path: '/metadata', interaction: 'structuredMetadata' });
    assert.equal(res.status, 200);
    assert.equal(res.json.version, '1.6.0');
    assert.equal(res.json.fhirVersion, '3.0.1');
    assert.deepEqual(res.json.format, ['application/fhir+json', 'application/fhir+xml']);
    const op = res.json.rest[0].operation.find((o: { name: string }) => o.name === 'gpc.getstructuredrecord');
    assert.equal(op.definition.reference, 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1/_history/1.16');
    const refs = res.json.profile.map((x: { reference: string }) => x.reference);
    assert.equal(new Set(refs).size, refs.length, 'each profile once');
    assert.ok(refs.includes('https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Observation-1/_history/1.6'));
  });

  it('structured metadata in XML when asked', async () => {
    const res = await p().gpc({ base: '/structured', path: '/metadata', interaction: 'structuredMetadata', headers: { Accept: 'application/fhir+xml' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/fhir+xml;charset=utf-8');
    assert.equal(res.json.resourceType, 'CapabilityStatement');
  });

  it('the Foundations metadata interaction id is refused on the structured server (400 BAD_REQUEST)', async () => {
    assertOutcome(await p().gpc({ base: '/structured', path: '/metadata', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  it('a request with only the NHS number is a collection Bundle whose id is the Ssp-TraceID, with the Patient and its admin resources', async () => {
    const traceId = crypto.randomUUID();
    const res = await getRecord(p(), parameters(nhs.patient1), { 'Ssp-TraceID': traceId });
    assert.equal(res.status, 200, res.text.slice(0, 400));
    assert.equal(res.json.resourceType, 'Bundle');
    assert.equal(res.json.type, 'collection');
    assert.equal(res.json.id, traceId);
    assert.deepEqual(res.json.meta, { profile: [bundleProfile] });
    const patient = res.json.entry.find((e: any) => e.resource.resourceType === 'Patient').resource;
    assert.equal(patient.identifier[0].value, nhs.patient1);
    // Closure: the Patient's managing organisation and usual GP are in the bundle.
    const keys = new Set(res.json.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`));
    assert.ok(keys.has(patient.managingOrganization.reference));
    for (const gp of patient.generalPractitioner ?? []) assert.ok(keys.has(gp.reference), gp.reference);
    assert.ok(!types(res.json).includes('OperationOutcome'), 'no warnings: no OperationOutcome');
    assert.equal(res.json.entry.some((e: any) => e.fullUrl !== undefined), false);
  });

  for (const [name, number] of [['unknown (9999999999)', '9999999999'], ['sensitive (patient9)', nhs.patient9], ['deceased (patient18)', nhs.patient18], ['inactive (patient21)', nhs.patient21]] as const) {
    it(`a patient who is ${name} is 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await getRecord(p(), parameters(number)), 404, 'PATIENT_NOT_FOUND');
    });
  }

  it('a patient who dissented from sharing (patient15) is 403 NO_PATIENT_CONSENT', async () => {
    assertOutcome(await getRecord(p(), parameters(nhs.patient15)), 403, 'NO_PATIENT_CONSENT');
  });

  it('an unknown parameter is a warning in one OperationOutcome entry, not an error', async () => {
    const res = await getRecord(p(), parameters(nhs.patient1, { name: 'includeEverything' }));
    assert.equal(res.status, 200);
    const outcomes = res.json.entry.filter((e: any) => e.resource.resourceType === 'OperationOutcome');
    assert.equal(outcomes.length, 1);
    const [issue] = outcomes[0].resource.issue;
    assert.equal(issue.severity, 'warning');
    assert.equal(issue.code, 'not-supported');
    assert.equal(issue.details.coding[0].code, 'NOT_IMPLEMENTED');
    assert.equal(issue.details.text, 'includeEverything is an unrecognised parameter');
    assert.equal(issue.diagnostics, 'includeEverything');
  });

  it('20,000 unknown parts, each sent twice, are one warning per name, in the order sent', async () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `x${i.toString(36)}`);
    const part = [{ name: 'includeResolvedAllergies', valueBoolean: false }, ...[...names, ...names].map((name) => ({ name }))];
    const res = await getRecord(p(), parameters(nhs.patient2, { name: 'includeAllergies', part }));
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const outcome = res.json.entry.find((e: any) => e.resource.resourceType === 'OperationOutcome').resource;
    assert.deepEqual(outcome.issue.map((i: any) => i.diagnostics), names.map((n) => `includeAllergies.${n}`));
  });

  it('allergies for patient2: the active list, its AllergyIntolerances and every referenced admin resource in the bundle', async () => {
    const res = await getRecord(p(), parameters(nhs.patient2, { name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: true }] }));
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const lists = res.json.entry.filter((e: any) => e.resource.resourceType === 'List').map((e: any) => e.resource);
    const active = lists.find((l: any) => l.title === 'Allergies and adverse reactions');
    assert.ok(active, 'active allergies list');
    const topLevel = res.json.entry.filter((e: any) => e.resource.resourceType === 'AllergyIntolerance');
    assert.equal((active.entry ?? []).length, topLevel.length);
    const keys = new Set(res.json.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`));
    const refs: string[] = [];
    JSON.stringify(res.json, (k, v) => { if (k === 'reference' && typeof v === 'string' && /^(Practitioner|Organization|Location)\//.test(v)) refs.push(v); return v; });
    for (const r of refs) assert.ok(keys.has(r), `${r} is in the bundle`);
  });

  // Digest §7: every literal reference resolves inside the bundle; no (type, id) twice.
  const areas: [string, Record<string, unknown>][] = [
    ['allergies', { name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: true }] }],
    ['problems', { name: 'includeProblems' }],
    ['referrals', { name: 'includeReferrals' }],
    ['diary entries', { name: 'includeDiaryEntries' }],
    ['medications', { name: 'includeMedication' }],
    ['immunisations', { name: 'includeImmunisations' }],
    ['uncategorised data', { name: 'includeUncategorisedData' }],
    ['investigations', { name: 'includeInvestigations' }],
    ['consultations', { name: 'includeConsultations' }],
  ];
  for (const [area, parameter] of areas) {
    for (const [who, number] of [['patient2', nhs.patient2], ['patient3', '9690937294']] as const) {
      it(`${area} for ${who}: every reference resolves in the bundle and no resource appears twice`, async () => {
        const res = await getRecord(p(), parameters(number, parameter));
        assert.equal(res.status, 200, res.text.slice(0, 400));
        const keys = res.json.entry.filter((e: any) => e.resource.id !== undefined && e.resource.resourceType !== 'OperationOutcome')
          .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`);
        assert.equal(new Set(keys).size, keys.length, 'no duplicates');
        const refs: string[] = [];
        JSON.stringify(res.json, (k, v) => { if (k === 'reference' && typeof v === 'string' && !v.startsWith('#')) refs.push(v); return v; });
        for (const r of refs) assert.ok(keys.includes(r), `${r} is in the bundle`);
      });
    }
  }

  it('every built area at once for patient2: one list per area, one linked-problems list, closure holds', async () => {
    const res = await getRecord(p(), parameters(nhs.patient2, ...areas.map(([, parameter]) => parameter)));
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const resources = res.json.entry.map((e: any) => e.resource);
    const titles = resources.filter((r: any) => r.resourceType === 'List').map((r: any) => r.title);
    for (const title of ['Allergies and adverse reactions', 'Ended allergies', 'Problems', 'Outbound referral', 'Patient recall administration',
      'Medications and medical devices', 'Immunisations', 'Uncategorised data', 'Investigations and results']) {
      assert.equal(titles.filter((t: string) => t === title).length, 1, title);
    }
    const keys = resources.filter((r: any) => r.id !== undefined && r.resourceType !== 'OperationOutcome').map((r: any) => `${r.resourceType}/${r.id}`);
    assert.equal(new Set(keys).size, keys.length, 'no duplicates');
    const refs: string[] = [];
    JSON.stringify(res.json, (k, v) => { if (k === 'reference' && typeof v === 'string' && !v.startsWith('#')) refs.push(v); return v; });
    for (const r of refs) assert.ok(keys.includes(r), `${r} is in the bundle`);
  });

  it('the record in XML when asked (Accept), the same content as in JSON', async () => {
    const body = parameters(nhs.patient2, ...areas.map(([, parameter]) => parameter));
    const json = await getRecord(p(), body);
    const xml = await getRecord(p(), body, { Accept: 'application/fhir+xml' });
    assert.equal(xml.status, 200, xml.text.slice(0, 300));
    assert.equal(xml.headers['content-type'], 'application/fhir+xml;charset=utf-8');
    const shape = (b: any) => b.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id ?? e.resource.title}`).sort();
    assert.deepEqual(shape(xml.json), shape(json.json));
  });

  it('a request body in XML is read like JSON', async () => {
    const { toFhirXml } = await import('../../src/fhir/xml.ts');
    const body = parameters(nhs.patient2, { name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: true }] });
    const res = await p().gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.getstructuredrecord', interaction: 'getStructuredRecord',
      body: toFhirXml(body), headers: { 'Content-Type': 'application/fhir+xml;charset=utf-8', Accept: 'application/fhir+json' } });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(res.json.entry.some((e: any) => e.resource.resourceType === 'List' && e.resource.title === 'Allergies and adverse reactions'));
  });

  it('patient2 referrals: the linked problems list holds every Condition in the bundle', async () => {
    const res = await getRecord(p(), parameters(nhs.patient2, { name: 'includeReferrals' }));
    const resources = res.json.entry.map((e: any) => e.resource);
    const conditions = resources.filter((r: any) => r.resourceType === 'Condition');
    const linked = resources.find((r: any) => r.resourceType === 'List' && r.title === 'Problems - linked problems not relating to the primary query');
    assert.ok(conditions.length > 0, 'patient2 referrals are linked to problems');
    assert.equal(linked.entry.length, conditions.length);
  });

  it('the structured capability switched off ⇒ 403 ACCESS DENIED (1.6 spelling), Foundations still answers', async () => {
    await p().db.query("UPDATE practice SET structured_enabled = false WHERE ods_code = 'B82617'");
    try {
      let res = await getRecord(p(), parameters(nhs.patient1));
      for (let i = 0; i < 30 && res.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        res = await getRecord(p(), parameters(nhs.patient1));
      }
      assertOutcome(res, 403, 'ACCESS DENIED');
      assert.equal((await p().gpc({ path: '/metadata', interaction: 'metadata' })).status, 200);
    } finally {
      await p().db.query("UPDATE practice SET structured_enabled = true WHERE ods_code = 'B82617'");
    }
  });
});
