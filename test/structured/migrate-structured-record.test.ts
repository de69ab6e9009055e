import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';
import { assertOutcome } from '../harness/assertions.ts';

const nhs = { patient2: '9690937286', patient18: '9690938681' };
const confidentialNote = 'Items excluded due to confidentiality and/or patient preferences.';
const listWarningUrl = 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1';
const conf = {
  N: { reason_for_request: 'migration', requested_scope: 'patient/*.read conf/N' },
  R: { reason_for_request: 'migration', requested_scope: 'patient/*.read conf/R' },
};

/** The migrate Parameters body: patientNHSNumber and includeFullRecord{includeSensitiveInformation}, then any extras. */
function migrateBody(nhsNumber: string, sensitive: boolean, ...more: Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber } },
      { name: 'includeFullRecord', part: [{ name: 'includeSensitiveInformation', valueBoolean: sensitive }] },
      ...more,
    ],
  };
}

function migrate(p: TestProvider, body: Record<string, unknown>, claims: Record<string, unknown>) {
  return p.gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.migratestructuredrecord', interaction: 'migrateStructuredRecord', body, claims });
}

const resourcesOf = (bundle: any): any[] => bundle.entry.map((e: any) => e.resource);
const keysOf = (bundle: any): string[] =>
  resourcesOf(bundle).filter((r) => r.id !== undefined && r.resourceType !== 'OperationOutcome').map((r) => `${r.resourceType}/${r.id}`);
const listTitled = (bundle: any, title: string) => resourcesOf(bundle).filter((r) => r.resourceType === 'List' && r.title === title);
const warningCodes = (list: any): string[] =>
  (list.extension ?? []).filter((x: any) => x.url === listWarningUrl).map((x: any) => x.valueCode);

/** [Conf(title)] (suite §13.2): the list exists, one confidential-items warning, one note that is exactly the text. */
function assertConfidentialWarning(bundle: any, title: string): void {
  const lists = listTitled(bundle, title);
  assert.equal(lists.length, 1, `one List titled ${title}`);
  assert.deepEqual(warningCodes(lists[0]).filter((c) => c === 'confidential-items'), ['confidential-items'], title);
  assert.equal((lists[0].note ?? []).filter((n: any) => n.text === confidentialNote).length, 1, title);
}

function assertNoConfidentialWarning(bundle: any, title: string): void {
  for (const list of listTitled(bundle, title)) assert.ok(!warningCodes(list).includes('confidential-items'), title);
}

/** Digest §7: every literal reference resolves inside the bundle; no (type, id) twice. */
function assertClosedAndUnique(bundle: any): void {
  const keys = keysOf(bundle);
  assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  const refs: string[] = [];
  JSON.stringify(bundle, (k, v) => { if (k === 'reference' && typeof v === 'string' && !v.startsWith('#')) refs.push(v); return v; });
  const held = new Set(keys);
  for (const r of refs) assert.ok(held.has(r), `${r} is in the bundle`);
}

describeOnEachStore('Access Record Structured: $gpc.migratestructuredrecord', (provider) => {
  const p = () => provider();

  it('structured metadata lists the migrate operation at _history/1.1', async () => {
    const res = await p().gpc({ base: '/structured', path: '/metadata', interaction: 'structuredMetadata' });
    assert.equal(res.status, 200);
    const op = res.json.rest[0].operation.find((o: { name: string }) => o.name === 'gpc.migratestructuredrecord');
    assert.equal(op.definition.reference, 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-MigrateStructuredRecord-Operation-1/_history/1.1');
  });

  it('patient2 without sensitive information (G1): the full record, confidential items withheld with confidential-items warnings', async () => {
    const traceId = crypto.randomUUID();
    const res = await p().gpc({
      method: 'POST', base: '/structured', path: '/Patient/$gpc.migratestructuredrecord', interaction: 'migrateStructuredRecord',
      body: migrateBody(nhs.patient2, false), claims: conf.N, headers: { 'Ssp-TraceID': traceId },
    });
    assert.equal(res.status, 200, res.text.slice(0, 400));
    assert.equal(res.json.resourceType, 'Bundle');
    assert.equal(res.json.type, 'collection');
    assert.equal(res.json.id, traceId);
    const keys = new Set(keysOf(res.json));
    // Confidential MedicationStatement 1 (plan 20) and Observation p2-phq9-1 leave no trace.
    assert.ok(!keys.has('MedicationStatement/1'));
    assert.ok(!keys.has('MedicationRequest/20'));
    assert.ok(!keys.has('Observation/p2-phq9-1'));
    assert.ok(!res.text.includes('p2-phq9-1'));
    assertConfidentialWarning(res.json, 'Medications and medical devices');
    assertConfidentialWarning(res.json, 'Uncategorised data');
    // Every area is there, filters or not.
    const titles = resourcesOf(res.json).filter((r) => r.resourceType === 'List').map((r) => r.title);
    for (const title of ['Allergies and adverse reactions', 'Ended allergies', 'Medications and medical devices', 'List of consultations', 'Problems',
      'Immunisations', 'Uncategorised data', 'Investigations and results', 'Outbound referral', 'Patient recall administration']) {
      assert.equal(titles.filter((t: string) => t === title).length, 1, title);
    }
    assert.ok(!resourcesOf(res.json).some((r) => r.resourceType === 'OperationOutcome'), 'no OperationOutcome');
    assertClosedAndUnique(res.json);
  });

  it('patient2 without sensitive information (G1): "Problems - medications related to problems" has confidential-items',
    async () => {
      const res = await migrate(p(), migrateBody(nhs.patient2, false), conf.N);
      assert.equal(res.status, 200, res.text.slice(0, 400));
      assertConfidentialWarning(res.json, 'Problems - medications related to problems');
    });

  it('patient2 with sensitive information and conf/R: the confidential items are returned and no list says any were withheld', async () => {
    const res = await migrate(p(), migrateBody(nhs.patient2, true), conf.R);
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const keys = new Set(keysOf(res.json));
    assert.ok(keys.has('MedicationStatement/1'), 'confidential MedicationStatement 1');
    assert.ok(keys.has('MedicationRequest/20'), 'its plan');
    assert.ok(keys.has('Observation/p2-phq9-1'), 'confidential observation');
    const entryRefs = (title: string) => (listTitled(res.json, title)[0]?.entry ?? []).map((e: any) => e.item.reference);
    assert.ok(entryRefs('Medications and medical devices').includes('MedicationStatement/1'));
    assert.ok(entryRefs('Uncategorised data').includes('Observation/p2-phq9-1'));
    assertNoConfidentialWarning(res.json, 'Medications and medical devices');
    assertNoConfidentialWarning(res.json, 'Uncategorised data');
    for (const list of resourcesOf(res.json).filter((r) => r.resourceType === 'List')) assert.ok(!warningCodes(list).includes('confidential-items'), list.title);
    assertClosedAndUnique(res.json);
  });

  it('conf/N with includeSensitiveInformation=true (G10) is 400 CONFLICTING_VALUES', async () => {
    assertOutcome(await migrate(p(), migrateBody(nhs.patient2, true), conf.N), 400, 'CONFLICTING_VALUES');
  });

  it('no conf/ token with includeSensitiveInformation=true is 400 CONFLICTING_VALUES', async () => {
    assertOutcome(await migrate(p(), migrateBody(nhs.patient2, true), { reason_for_request: 'migration', requested_scope: 'patient/*.read' }), 400, 'CONFLICTING_VALUES');
  });

  it('conf/R with includeSensitiveInformation=false (G11) is 400', async () => {
    assertOutcome(await migrate(p(), migrateBody(nhs.patient2, false), conf.R), 400, 'BAD_REQUEST');
  });

  for (const [name, claims] of [
    ['reason_for_request directcare', { ...conf.R, reason_for_request: 'directcare' }],
    ['reason_for_request badReason (G8)', { ...conf.R, reason_for_request: 'badReason' }],
    ['no reason_for_request (G6)', { ...conf.R, reason_for_request: undefined }],
    ['no requested_scope (G13)', { ...conf.R, requested_scope: undefined }],
  ] as const) {
    it(`${name} is 400`, async () => {
      const res = await migrate(p(), migrateBody(nhs.patient2, true), claims);
      assert.equal(res.status, 400, res.text.slice(0, 400));
      assert.equal(res.json.resourceType, 'OperationOutcome');
    });
  }

  for (const [scope, sensitive] of [['conf/R', true], ['conf/N', false]] as const) {
    it(`no requesting_practitioner, ${scope} (G14/G15) is 200`, async () => {
      const res = await migrate(p(), migrateBody(nhs.patient2, sensitive), { ...conf[scope === 'conf/R' ? 'R' : 'N'], requesting_practitioner: undefined });
      assert.equal(res.status, 200, res.text.slice(0, 400));
      assert.equal(res.json.resourceType, 'Bundle');
    });
  }

  it('an extra parameter (includeImmunisations, G4) is 422 INVALID_PARAMETER', async () => {
    const extra = { name: 'includeImmunisations', part: [{ name: 'includeNotGiven', valueBoolean: false }, { name: 'includeStatus', valueBoolean: false }] };
    assertOutcome(await migrate(p(), migrateBody(nhs.patient2, false, extra), conf.N), 422, 'INVALID_PARAMETER');
  });

  it('an extra parameter (includeMedication, G5) is 422 INVALID_PARAMETER', async () => {
    const extra = { name: 'includeMedication', part: [{ name: 'includePrescriptionIssues', valueBoolean: false }] };
    assertOutcome(await migrate(p(), migrateBody(nhs.patient2, true, extra), conf.R), 422, 'INVALID_PARAMETER');
  });

  for (const [scope, sensitive] of [['conf/N', false], ['conf/R', true]] as const) {
    it(`deceased patient18, ${scope} (G2/G3) is 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await migrate(p(), migrateBody(nhs.patient18, sensitive), scope === 'conf/R' ? conf.R : conf.N), 404, 'PATIENT_NOT_FOUND');
    });
  }

  it('an unknown NHS number is 404 PATIENT_NOT_FOUND', async () => {
    assertOutcome(await migrate(p(), migrateBody('9999999999', false), conf.N), 404, 'PATIENT_NOT_FOUND');
  });
});
