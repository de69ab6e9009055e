/**
 * Routing: the service root, its /fhir alias, unknown practices, and the suite's Http.feature
 * (wrong verbs, unknown paths, case-sensitive URLs), each answered with an OperationOutcome.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertNoStore, assertOk, assertOutcome, fhirJson } from '../harness/assertions.ts';

describeOnEachStore('Routing and Http.feature', (provider) => {
  it('the /fhir suffix of the service root reaches the same server (suite default base)', async () => {
    assertOk(await provider().gpc({ base: '/fhir', path: '/metadata', interaction: 'metadata' }), 'CapabilityStatement');
  });

  it('the /fhir suffix serves reads too, with the /fhir base in the returned resources', async () => {
    const res = await provider().gpc({ base: '/fhir', path: '/Patient/1', interaction: 'readPatient' });
    assertOk(res, 'Patient');
    assert.equal(res.json.id, '1');
  });

  it('an unknown ODS code is refused with 404 NO_RECORD_FOUND', async () => {
    assertOutcome(await provider().gpc({ ods: 'ZZZ999', path: '/metadata', interaction: 'metadata' }), 404, 'NO_RECORD_FOUND');
  });

  it('an ODS code in the wrong case is not the practice (URLs are case sensitive): 404 NO_RECORD_FOUND', async () => {
    assertOutcome(await provider().gpc({ ods: 'b82617', path: '/metadata', interaction: 'metadata', asid: '918999198738' }), 404, 'NO_RECORD_FOUND');
  });

  it('a URL outside any service root is refused with an OperationOutcome (404 NO_RECORD_FOUND)', async () => {
    assertOutcome(await provider().raw('GET', '/favicon.ico', { Accept: fhirJson }), 404, 'NO_RECORD_FOUND');
  });

  it('GET /metadatas (unknown path) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/metadatas', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  it('POST /metadatas (unknown path, no body) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ method: 'POST', path: '/metadatas', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  it('PUT /metadatas (unknown path, no body) is refused with 400 BAD_REQUEST in FHIR JSON', async () => {
    assertOutcome(await provider().gpc({ method: 'PUT', path: '/metadatas', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  for (const method of ['PATCH', 'DELETE', 'OPTIONS', 'POST', 'PUT']) {
    it(`${method} /metadata is refused with 400 BAD_REQUEST`, async () => {
      assertOutcome(await provider().gpc({ method, path: '/metadata', interaction: 'metadata' }), 400, 'BAD_REQUEST');
    });
  }

  it('OPTIONS /metadata with CORS preflight headers is still refused with an OperationOutcome', async () => {
    const res = await provider().gpc({
      method: 'OPTIONS', path: '/metadata', interaction: 'metadata', headers: { Origin: 'https://consumer.example', 'Access-Control-Request-Method': 'GET' },
    });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('HEAD /metadata is refused (no GP Connect interaction uses HEAD)', async () => {
    const res = await provider().gpc({ method: 'HEAD', path: '/metadata', interaction: 'metadata' });
    assert.equal(res.status, 400);
    assertNoStore(res);
  });

  it('GET /Metadata (wrong case) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/Metadata', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  it('GET /patient/1 (resource type in the wrong case) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/patient/1', interaction: 'readPatient' }), 400, 'BAD_REQUEST');
  });

  it('a trailing slash after the resource path is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/metadata/', interaction: 'metadata' }), 400, 'BAD_REQUEST');
  });

  it('GET /Patient/1/extra (path longer than any interaction) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/Patient/1/extra', interaction: 'readPatient' }), 400, 'BAD_REQUEST');
  });

  it('a read of an unknown patient id is refused with 404 PATIENT_NOT_FOUND', async () => {
    assertOutcome(await provider().gpc({ path: '/Patient/999999', interaction: 'readPatient' }), 404, 'PATIENT_NOT_FOUND');
  });
});
