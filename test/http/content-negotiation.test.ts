/**
 * Content negotiation, compression and charset (cross-cutting §2.2; suite FHIR.feature content-type
 * matrix and gzip scenario; PatientRegister's XML request bodies).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toFhirXml } from '../../src/fhir/xml.ts';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertOk, assertOutcome, fhirJson, fhirXml, identifier, jsonType, query, systems, xmlType } from '../harness/assertions.ts';
import { registerBody, registrable } from './_support.ts';

/** The ODS search of the seeded practice, B82617. */
const odsSearch = identifier(systems.ods, 'B82617');

describeOnEachStore('Content negotiation (FHIR.feature)', (provider) => {
  const metadata = (accept: string | undefined, format?: string, extra: Record<string, string | undefined> = {}) =>
    provider().gpc({
      path: format === undefined ? '/metadata' : `/metadata?${query(['_format', format])}`,
      interaction: 'metadata',
      headers: { Accept: accept, ...extra },
    });

  const matrix: [accept: string | undefined, format: string | undefined, expected: string][] = [
    [fhirJson, undefined, jsonType],
    [fhirXml, undefined, xmlType],
    [undefined, fhirJson, jsonType],
    [undefined, fhirXml, xmlType],
    [fhirXml, fhirXml, xmlType],
    [fhirXml, fhirJson, jsonType],
    [fhirJson, fhirJson, jsonType],
    [fhirJson, fhirXml, xmlType],
  ];
  for (const [accept, format, expected] of matrix) {
    it(`Accept ${accept ?? '(none)'} with _format ${format ?? '(none)'} answers ${expected}`, async () => {
      // assertOk also checks the body: well-formed JSON, or XML with a FHIR CapabilityStatement root.
      assertOk(await metadata(accept, format), 'CapabilityStatement', expected);
    });
  }

  it('neither Accept nor _format nor a body answers JSON', async () => {
    assertOk(await metadata(undefined), 'CapabilityStatement', jsonType);
  });

  it('_format=xml (STU3 shorthand) answers XML', async () => {
    assertOk(await metadata(fhirJson, 'xml'), 'CapabilityStatement', xmlType);
  });

  it('_format after another query parameter still wins over Accept', async () => {
    const res = await provider().gpc({
      path: `/Organization?${query(odsSearch, ['_format', fhirXml])}`,
      interaction: 'searchOrganization',
    });
    assertOk(res, 'Bundle', xmlType);
  });

  it('_format before the identifier still applies', async () => {
    const res = await provider().gpc({
      path: `/Organization?${query(['_format', fhirXml], odsSearch)}`,
      interaction: 'searchOrganization', headers: { Accept: undefined },
    });
    assertOk(res, 'Bundle', xmlType);
  });

  it('Accept */* answers JSON', async () => {
    assertOk(await metadata('*/*'), 'CapabilityStatement', jsonType);
  });

  it('Accept with parameters (application/fhir+xml;charset=utf-8) answers XML', async () => {
    assertOk(await metadata('application/fhir+xml;charset=utf-8'), 'CapabilityStatement', xmlType);
  });

  it('an unsupported _format (text/html) is refused with 415 UNSUPPORTED_MEDIA_TYPE in JSON', async () => {
    assertOutcome(await metadata(fhirJson, 'text/html'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unsupported Accept (text/plain) is refused with 415 UNSUPPORTED_MEDIA_TYPE in JSON', async () => {
    assertOutcome(await metadata('text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a refusal is in XML when the consumer asked for XML', async () => {
    const res = await provider().gpc({ path: '/Metadata', interaction: 'metadata', headers: { Accept: fhirXml } });
    assertOutcome(res, 400, 'BAD_REQUEST', xmlType);
  });

  it('Accept-Encoding gzip answers a gzip-encoded JSON CapabilityStatement', async () => {
    const res = await metadata(fhirJson, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assertOk(res, 'CapabilityStatement', jsonType); // the harness gunzips the body
  });

  it('Accept-Encoding gzip also compresses refusals', async () => {
    const res = await provider().gpc({ path: '/Metadata', interaction: 'metadata', headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('nothing is compressed when the consumer did not ask for it', async () => {
    const res = await metadata(fhirJson);
    assert.equal(res.headers['content-encoding'], undefined);
    assertOk(res, 'CapabilityStatement');
  });

  it('every response header is single-valued (the suite copies headers into a dictionary)', async () => {
    const res = await metadata(fhirJson, undefined, { 'Accept-Encoding': 'gzip' });
    for (const [name, value] of Object.entries(res.headers)) {
      assert.ok(!Array.isArray(value), `${name} sent twice`);
      assert.ok(!String(value).includes(', ') || name === 'date', `${name} has several values: ${value}`);
    }
  });

  // --- request bodies (register patient) ---

  const register = (body: string, headers: Record<string, string | undefined>) =>
    provider().gpc({ method: 'POST', path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient', body, headers });

  it('an XML request body with no Accept is answered in XML (Content-Type decides)', async () => {
    const res = await register(toFhirXml(registerBody(registrable.styche)), { 'Content-Type': 'application/fhir+xml;charset=utf-8', Accept: undefined });
    assertOk(res, 'Bundle', xmlType);
    assert.equal(res.json.entry[0].resource.identifier.find((i: { system: string }) => i.system === systems.nhsNumber).value, registrable.styche.nhsNumber);
  });

  it('an XML request body with Accept JSON is answered in JSON', async () => {
    const res = await register(toFhirXml(registerBody(registrable.roddan)), { 'Content-Type': 'application/fhir+xml; charset=utf-8', Accept: fhirJson });
    assertOk(res, 'Bundle', jsonType);
  });

  it('a JSON request body with _format XML is answered in XML', async () => {
    const res = await provider().gpc({
      method: 'POST', path: `/Patient/$gpc.registerpatient?${query(['_format', fhirXml])}`, interaction: 'registerPatient', body: registerBody(registrable.graley),
    });
    assertOk(res, 'Bundle', xmlType);
  });

  it('a JSON body with Content-Type carrying "; charset=utf-8" (with a space, as the suite sends) is accepted', async () => {
    const res = await register(JSON.stringify(registerBody(registrable.leslie)), { 'Content-Type': 'application/fhir+json; charset=utf-8' });
    assertOk(res, 'Bundle', jsonType);
  });

  it('a request body with an unsupported Content-Type (text/plain) is refused with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await register(JSON.stringify(registerBody(registrable.moyes)), { 'Content-Type': 'text/plain' });
    assertOutcome(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a request body with no Content-Type is refused with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await register(JSON.stringify(registerBody(registrable.moyes)), { 'Content-Type': undefined });
    assertOutcome(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a JSON body labelled application/fhir+xml is refused with 400 BAD_REQUEST', async () => {
    const res = await register(JSON.stringify(registerBody(registrable.moyes)), { 'Content-Type': 'application/fhir+xml' });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('an XML body labelled application/fhir+json is refused with 400 BAD_REQUEST', async () => {
    const res = await register(toFhirXml(registerBody(registrable.moyes)), { 'Content-Type': 'application/fhir+json' });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('a UTF-8 body with non-ASCII characters round-trips (UTF-8 only, charset declared)', async () => {
    const patient = { ...registrable.holt, given: 'Kérry' };
    const res = await register(JSON.stringify(registerBody(patient)), { 'Content-Type': 'application/fhir+json;charset=utf-8' });
    assertOk(res, 'Bundle', jsonType);
    const name = res.json.entry[0].resource.name.find((n: { use: string }) => n.use === 'official');
    assert.deepEqual(name.given, ['Kérry']);
  });
});
